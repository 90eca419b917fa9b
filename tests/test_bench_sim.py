"""Smoke test of the simulation benchmark (bench/sim.py), end to end on a tiny instance."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed

from bench.sim import main


@pytest.mark.slow
def test_quick_run_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--quick`` on a tiny generated instance: the table prints, both files are written,
    and every noise-free follow run reproduces the plan's rescued."""
    argv = [
        "--quick",
        "--out",
        str(tmp_path),
        "--vehicles",
        "60",
        "--places",
        "4",
        "--steps",
        "48",
        "--time-limit",
        "1",
        "--replan-time-limit",
        "2",
        "--repeats",
        "1",
    ]
    assert main(argv) == 0
    stem = f"{dt.date.today():%Y-%m-%d}-sim-quick"
    md, raw = tmp_path / f"{stem}.md", tmp_path / f"{stem}.json"
    assert md.is_file() and raw.is_file()
    assert "written:" in capsys.readouterr().out

    report = json.loads(raw.read_text(encoding="utf-8"))
    rows = {(r["instance"], r["run"]): r for r in report["rows"]}
    assert set(rows) == {
        ("romulan:no_sabotage", "follow"),
        ("romulan:no_sabotage", "follow+noise"),
        ("romulan:historical", "replan"),
        ("gen:60v", "follow"),
        ("gen:60v", "follow+noise"),
    }
    for (_, run), r in rows.items():
        assert r["trips"] > 0 and r["sim_seconds"] > 0
        if run == "follow":
            assert r["equal"] is True, r
            assert r["rescued"] == r["plan_rescued"]
    replan = rows[("romulan:historical", "replan")]
    assert replan["replans"] and replan["plan_seconds"] <= replan["total_seconds"]
    assert report["meta"]["generated"]["knobs"]["vehicles"] == 60

    text = md.read_text(encoding="utf-8")
    assert "| romulan:no_sabotage | follow |" in text
    assert "| gen:60v | follow |" in text
    assert "cores" in text
