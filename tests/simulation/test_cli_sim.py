"""The ``simulate`` and ``state`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app
from evacuate.simulation import read_log

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200"})


def test_simulate_example_writes_a_log_that_reads_back(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "events.csv"
    res = runner.invoke(
        app,
        ["simulate", str(EXAMPLES / "hurricane_bus.yaml"), "--time-limit", "2", "--log", str(log)],
    )
    assert res.exit_code == 0, res.output
    assert "Simulation of" in res.stdout
    events = read_log(log)
    kinds = {e.kind for e in events}
    assert {"appear", "enter", "depart", "arrive"} <= kinds
    assert events == sorted(events, key=lambda e: e.time)


def test_simulate_runs_with_noise_write_one_log_each(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    res = runner.invoke(
        app,
        [
            "simulate",
            str(EXAMPLES / "airlift.yaml"),
            "--runs",
            "2",
            "--travel-cv",
            "0.3",
            "--policy",
            "follow",
            "--time-limit",
            "2",
            "--log",
            str(log),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "over 2 runs" in res.stdout
    a, b = read_log(tmp_path / "events.run0.jsonl"), read_log(tmp_path / "events.run1.jsonl")
    assert a != b


def test_simulate_romulan_historical_replans(runner: CliRunner) -> None:
    res = runner.invoke(app, ["simulate", "--variant", "historical", "--time-limit", "5"])
    assert res.exit_code == 0, res.output
    assert "replanned on 2385-04-05" in res.stdout
    assert "15,110,000" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "panic"], "expected one of replan, follow"),
        (["--log", "x.txt"], "expected .jsonl, .json or .csv"),
        (["--variant", "nope"], "nope"),
    ],
)
def test_simulate_bad_options(runner: CliRunner, args: list[str], message: str) -> None:
    res = runner.invoke(app, ["simulate", *args])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_state_writes_a_scenario_to_replan_from(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "state.yaml"
    res = runner.invoke(
        app,
        ["state", "--variant", "historical", "--at", "825", "--time-limit", "5", "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert "state at 2385-04-05" in res.stdout
    state = evacuate.load(out)
    assert "wallenberg_armada" not in {x.vehicle_class for x in state.fleet.stock}
    plan_res = runner.invoke(app, ["plan", str(out), "--time-limit", "2"])
    assert plan_res.exit_code == 0, plan_res.output


def test_state_rejects_a_time_outside_the_horizon(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "state.yaml"
    res = runner.invoke(app, ["state", "--at", "99999", "-o", str(out)])
    assert res.exit_code == 2
    assert "expected a time from 0 to 1660" in res.output
    assert not out.exists()
