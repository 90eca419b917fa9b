"""``evacuate plan --objective min-makespan``: a plan that does not rescue everyone fails."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evacuate.cli import app
from evacuate.cli.common import EXIT_INCOMPLETE

SHORT = """\
scenario: {id: short, end: 3, time_unit: hour}
places:
  - {id: town, population: 100}
  - {id: haven, capacity: 200}
travel:
  routes: lanes
  lanes: [{id: road, from: town, to: haven, time: 1}]
fleet:
  classes: [{id: bus, capacity: 10}]
  stock: [{class: bus, place: town, count: 1}]
"""


def test_min_makespan_that_rescues_too_few_exits_3(tmp_path: Path) -> None:
    """One bus of 10 cannot move 100 people in 3 h: exit 3 with a clear message, no file
    written, no traceback."""
    scenario = tmp_path / "short.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "plan.csv"
    args = ["plan", str(scenario), "--objective", "min-makespan", "--time-limit", "20"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == EXIT_INCOMPLETE == 3, result.output
    assert "no plan found that rescues everyone" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_min_makespan_that_rescues_everyone_exits_0(tmp_path: Path) -> None:
    """With a later end everyone is out: exit 0 and a makespan."""
    scenario = tmp_path / "long.yaml"
    scenario.write_text(SHORT.replace("end: 3", "end: 30"))
    args = ["plan", str(scenario), "--objective", "min-makespan", "--time-limit", "20"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "makespan 19" in result.output
