"""``evacuate sabotage``: the curve, the ranking, the defence table, files, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from evacuate.cli import app

DATA = Path(__file__).parent.parent / "data"
WIDE = {"COLUMNS": "200"}


def test_sabotage_prints_curve_ranking_defence_and_writes_files(tmp_path: Path) -> None:
    """Budget 1 and a defence on the tiny scenario: tables, the verdict, JSON and plans."""
    out = tmp_path / "out"
    res = CliRunner(env=WIDE).invoke(
        app,
        [
            "sabotage",
            str(DATA / "sabotage" / "tiny.yaml"),
            "--budget",
            "1",
            "--defend",
            "1",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "burn_depot on t=0" in res.output
    assert "worst attack (budget 1): burn_depot on t=0; damage 6 of 6; proven." in res.output
    assert "guard_depot" in res.output
    data = json.loads((out / "sabotage.json").read_text())
    assert [r["budget"] for r in data["curve"]] == [0, 1]
    assert data["defences"][0]["measures"] == ["guard_depot"]
    assert (out / "plan_budget_0.csv").exists() and (out / "plan_defended.csv").exists()


def test_sabotage_derives_a_menu_and_says_so() -> None:
    """A scenario without attacks gets the derived menu, announced."""
    res = CliRunner(env=WIDE).invoke(
        app, ["sabotage", str(DATA / "valid" / "tiny_plane.yaml"), "--budget", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "No attacks section: using a derived menu" in res.output
    assert "destroy_depot" in res.output


def test_sabotage_bad_menu_exits_2_with_lines() -> None:
    """A broken menu: every error with its line, exit 2, no traceback."""
    res = CliRunner(env=WIDE).invoke(app, ["sabotage", str(DATA / "sabotage" / "broken_refs.yaml")])
    assert res.exit_code == 2
    assert "broken_refs.yaml:30" in res.output and "depott" in res.output
    assert "Traceback" not in res.output
