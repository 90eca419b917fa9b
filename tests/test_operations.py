"""The two documented real operations in examples/: sourced, valid, planned, checked, simulated,
and close to what history recorded (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.simulation import simulate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OPERATIONS = ["lebanon_2006.yaml", "libya_2011.yaml"]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


@pytest.mark.parametrize("name", OPERATIONS)
def test_operation_is_sourced_and_valid(name: str) -> None:
    """It loads without warnings; each observed point cites an address or says assumption;
    every line with a figure in the file's places and fleet says where it comes from."""
    s = evacuate.load(EXAMPLES / name)
    assert s.warnings == ()
    assert s.observed is not None and len(s.observed.points) >= 5
    for p in s.observed.points:
        assert p.source.startswith(("http://", "https://")) or p.source == "assumption"
    assert name.removesuffix(".yaml") in DOCS.read_text(encoding="utf-8")
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    fleet = text[text.index("\nfleet:") : text.index("\nobserved:")]
    for line in fleet.splitlines():
        key = line.split("#")[0].strip()
        if key.startswith(("capacity:", "count:", "speed:")) and "#" not in line:
            pytest.fail(f"{name}: a figure without its source: {line.strip()}")


@pytest.mark.slow
@pytest.mark.parametrize("name", OPERATIONS)
def test_operation_simulates_close_to_history(name: str) -> None:
    """The plan passes the checker; undisturbed, the simulation rescues what the plan does,
    within 15% of the recorded total, and its per-day table adds up to that total."""
    s = evacuate.load(EXAMPLES / name)
    result = plan(s, time_limit=10, seed=0)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert result.rescued <= result.bound < s.population + 1
    sim = simulate(s, result.plan, seed=0)
    assert sim.rescued == result.rescued
    history = s.observed.totals()[-1][1] if s.observed is not None else 0
    assert abs(sim.rescued - history) <= 0.15 * history
    rows = sim.per_period()
    assert sum(r.rescued for r in rows) == sim.rescued
    assert [r.observed_total for r in rows if r.observed_total is not None][-1] == history
