"""Same scenario, options and seed: the same plan file, byte for byte, whatever the load."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pytest

import evacuate
from evacuate.plan.api import plan
from evacuate.planio import write_plan

ROOT = Path(__file__).resolve().parents[2]


def _burn(seconds: float) -> None:
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        x += 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("example", "objective"),
    [("hurricane_bus.yaml", "max-rescued"), ("airlift.yaml", "max-rescued")],
)
def test_same_seed_same_file_beside_a_cpu_burner(
    tmp_path: Path, example: str, objective: str
) -> None:
    """Two runs with the same seed write identical plan files, though a process burns CPU
    beside the second one; neither hit the time limit (it is only a safety stop)."""
    scenario = evacuate.load(ROOT / "examples" / example)
    quiet = plan(scenario, objective=objective, time_limit=600, seed=3)  # type: ignore[arg-type]
    burner = mp.get_context("spawn").Process(target=_burn, args=(60.0,))
    burner.start()
    try:
        busy = plan(scenario, objective=objective, time_limit=600, seed=3)  # type: ignore[arg-type]
    finally:
        burner.terminate()
        burner.join()
    assert not quiet.stats["stopped_by_time"] and not busy.stats["stopped_by_time"]
    write_plan(quiet.plan, tmp_path / "quiet.csv")
    write_plan(busy.plan, tmp_path / "busy.csv")
    assert (tmp_path / "quiet.csv").read_bytes() == (tmp_path / "busy.csv").read_bytes()


def test_no_wall_clock_in_the_plan_header() -> None:
    """The plan's header holds no seconds: they would differ from run to run."""
    result = plan(evacuate.load(ROOT / "examples" / "airlift.yaml"), time_limit=60)
    assert "seconds" not in result.plan.header()
    assert "seconds" not in (result.plan.header().get("meta") or {})
