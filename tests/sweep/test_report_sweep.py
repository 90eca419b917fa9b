"""A stored sweep read back and drawn: the report's fan chart, histogram and PRIM table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app
from evacuate.report import sections as report_sections
from evacuate.report.sweep import build_sweep_report, sweep_data, sweep_sections
from evacuate.scenario.load import dumps
from evacuate.store import StoreError, open_store
from evacuate.sweep import sweep
from evacuate.sweep.run import load_sweep


def test_stored_sweep_reads_back_and_reports(tiny: evacuate.Scenario, tmp_path: Path) -> None:
    """load_sweep gives back what the sweep returned; the report draws it without recomputing."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    result = sweep(tiny, samples=6, seed=4, plan_time=600.0, store=url)
    stored = load_sweep(url, result.run_id or "")
    assert stored.scenario == tiny
    assert stored.settings == result.settings
    assert [(r.key, r.values, r.happens, r.metrics, r.curve) for r in stored.results] == [
        (r.key, r.values, r.happens, r.metrics, r.curve) for r in result.results
    ]
    analyses = stored.analyse(target_share=0.99)
    sections = sweep_sections(stored, analyses)
    assert [s.id for s in sections] == ["sweep-fan", "sweep-outcomes"]
    fan = sections[0].figures[0]
    median = next(t for t in fan.data if t.name.endswith("median"))
    assert list(median.y) == list(analyses[0].fan[0.5])
    hist = sections[1].figures[0].data[0]
    assert sorted(hist.x) == sorted(r.metrics["rescued"] for r in result.results)
    assert "PRIM box" in sections[1].html
    path = build_sweep_report(stored, analyses, tmp_path / "report")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and text.count('class="chart"') == 2
    assert result.run_id in text
    assert build_sweep_report(stored, analyses, tmp_path / "again").read_text() == text
    # the same sections from plain stored data (a report's extras["sweep"]), through the hook
    data = json.loads(json.dumps(sweep_data(stored, analyses)))
    drawn = report_sections.drawn({"sweep": data}, [])
    assert [s.id for s in drawn] == ["sweep-fan", "sweep-outcomes"]
    for a, b in zip(drawn, sections, strict=True):
        assert [f.to_json() for f in a.figures] == [f.to_json() for f in b.figures]
        assert a.html == b.html
    # evacuate report --sweep ID: the scenario's report with the stored sweep's sections
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(dumps(tiny, "yaml"))
    out = tmp_path / "with-sweep"
    res = CliRunner().invoke(
        app,
        ["report", str(scenario), "--sweep", result.run_id or "", "--store", url, "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    page = (out / "report.html").read_text()
    assert '<section id="sweep-fan">' in page and '<section id="sweep-outcomes">' in page
    assert json.loads((out / "results.json").read_text())["extras"]["sweep"]["run_id"] == (
        result.run_id
    )


def test_load_sweep_refuses_other_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    with open_store(url) as store:
        run = store.start_run("plan")
    with pytest.raises(StoreError, match="not a sweep"):
        load_sweep(url, run)
