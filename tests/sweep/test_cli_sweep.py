"""``evacuate sweep``, ``evacuate runs ...`` and ``--store`` on plan and simulate."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from evacuate.cli import app
from evacuate.store import open_store
from tests.sweep.conftest import TINY

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path, f"sqlite:///{tmp_path / 'runs.db'}"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def test_sweep_stores_and_runs_commands_read_it(files: tuple[Path, str], tmp_path: Path) -> None:
    """A sweep prints its analysis and is stored; runs list/show/compare/export read it back."""
    path, url = files
    code, out = run("sweep", str(path), "-n", "3", "--store", url, "--plan-time", "600")
    assert code == 0, out
    assert "people rescued" in out and "base" in out and "3 tasks" in out
    with open_store(url) as store:
        (sweep_run,) = store.list_runs(kind="sweep")
        samples = store.list_runs(parent=sweep_run.id)
    assert len(samples) == 3
    code, out = run("sweep", str(path), "-n", "3", "--store", url, "--plan-time", "600", "--resume")
    assert code == 0 and "(0 run now)" in out, out
    code, out = run("runs", "list", "--store", url)
    assert code == 0 and sweep_run.id[:12] in out and "3 tasks" in out
    code, out = run("runs", "show", sweep_run.id[:8], "--store", url)
    assert code == 0 and "param sampler" in out and "lhs" in out
    code, out = run("runs", "compare", samples[0].id, samples[1].id, "--store", url)
    assert code == 0 and "metric.rescued" in out and "param.u.people" in out
    code, out = run("runs", "export", sweep_run.id, "--store", url, "-o", str(tmp_path / "s.csv"))
    assert code == 0, out
    assert len((tmp_path / "s.csv").read_text().splitlines()) == 4


def test_plan_and_simulate_record_runs(files: tuple[Path, str]) -> None:
    """--store on plan and simulate writes a run with its figures (and the plan as artifact)."""
    path, url = files
    code, out = run("plan", str(path), "--store", url, "--time-limit", "600")
    assert code == 0 and "stored run" in out, out
    code, out = run("simulate", str(path), "--store", url, "--runs", "2", "--time-limit", "600")
    assert code == 0 and out.count("stored run") == 2, out
    with open_store(url) as store:
        (plan,) = store.list_runs(kind="plan")
        sims = store.list_runs(kind="simulate")
        assert plan.metrics["rescued"] is not None and plan.artifacts[0].name == "plan.json"
        assert plan.artifacts[0].path is not None and plan.artifacts[0].path.exists()
        assert len(sims) == 2 and {s.seed for s in sims} == {0, 1}
        assert store.series(sims[0].id)["rescued"][-1][1] == sims[0].metrics["rescued"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sampler", "grid"], "expected lhs, sobol, mc, factorial"),
        (["--target", "lots"], "expected a share (95%) or people"),
        (["--target", "nan"], "expected a share (95%) or people"),
        (["--target", "inf"], "expected a share (95%) or people"),
        (["--target", "-5"], "expected a share (95%) or people"),
        (["--variant", "nope"], "unknown variant 'nope'"),
        (["--store", "postgresql://u:secret@127.0.0.1:1/x"], "cannot open the run store"),
    ],
)
def test_bad_input_exits_2(files: tuple[Path, str], args: list[str], message: str) -> None:
    path, url = files
    code, out = run("sweep", str(path), "-n", "2", "--store", url, *args)
    assert code == 2, out
    assert message in " ".join(out.split())
    assert "Traceback" not in out and "secret" not in out
