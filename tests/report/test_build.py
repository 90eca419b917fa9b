"""build_report: one self-contained page and PNG figures, for every example scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evacuate.cli import app
from evacuate.report import ReportRun, build_report
from evacuate.report import static as static_figures
from evacuate.report.data import analyse
from evacuate.report.page import place_table
from evacuate.simulation.result import SimResult
from tests.report.conftest import EXAMPLES, SCENARIOS, png_size, simulated


def _check_files(files_html: Path, pngs: dict[str, Path]) -> str:
    text = files_html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # self-contained: no external script or style, plotly.js embedded exactly once (gzipped)
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=[\"']https?:", text)
    assert text.count('id="plotly-js-gz"') == 1
    assert text.count('<script type="application/json" class="figure"') == 5
    for path in pngs.values():
        width, height = png_size(path)
        assert width >= 800 and height >= 450
    return text


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: "romulan" if p is None else p.stem)
def test_report_builds_for_every_example(path: Path | None, tmp_path: Path) -> None:
    """Every variant simulated, the page and the figures written; totals match the runs."""
    runs = simulated(path)
    files = build_report(runs, tmp_path / "out")
    assert files.html == tmp_path / "out" / "report.html"
    assert sorted(files.pngs) == ["curve", "fleet", "map", "people"]
    text = _check_files(files.html, files.pngs)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in files.all
    )  # nothing else left behind (no temporary folder)
    for r in runs:
        assert r.label in text
        assert f"{r.rescued:,}" in text  # the headline, with thousands separators
        s = analyse(r)
        assert s.flow.rescued.final == r.rescued
        stats = s.flow.places
        assert sum(p.lost for p in stats) == r.lost_people
        assert sum(p.population for p in stats if not p.haven) == r.population
        assert sum(p.received for p in stats if p.haven) == r.rescued
        assert sum(p.rescued for p in stats) == pytest.approx(r.rescued, abs=0.5)
        assert sum(p.waiting_at_end for p in stats) == pytest.approx(  # turned away at havens too
            r.waiting_at_end, abs=0.5
        )
    rows = place_table([analyse(r) for r in runs])
    for i, r in enumerate(runs):
        assert sum(row.rescued[i] for row in rows) == r.rescued


def test_tiny_report_is_deterministic(tiny_result: SimResult, tmp_path: Path) -> None:
    """The same runs give the same bytes (no timestamps, no random ids)."""
    runs = [
        ReportRun.from_sim("base", tiny_result, bound=100.0),
        ReportRun.from_sim("again", tiny_result),
    ]
    a = build_report(runs, tmp_path / "a", title="Tiny")
    b = build_report(runs, tmp_path / "b", title="Tiny")
    for x, y in zip(a.all, b.all, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name
    text = _check_files(a.html, a.pngs)
    assert "<title>Tiny</title>" in text
    assert "2030-06-01" in text  # dates, since the scenario has a calendar


def test_report_without_positions_or_calendar(tiny_result: SimResult, tmp_path: Path) -> None:
    """Places without positions are drawn on a circle, with a note; times are plain hours."""
    s = tiny_result.scenario
    places = tuple(p.model_copy(update={"position": None}) for p in s.places)
    meta = s.scenario.model_copy(update={"start_date": None})
    bare = s.model_copy(update={"places": places, "hazard": None, "scenario": meta})
    result = SimResult(**{**tiny_result.__dict__, "scenario": bare})
    files = build_report([ReportRun.from_sim("bare", result)], tmp_path)
    text = files.html.read_text(encoding="utf-8")
    assert "drawn evenly on a circle" in text
    assert "Time (hours after time zero)" in text


def test_failed_build_writes_nothing(
    tiny_result: SimResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure part-way leaves neither a half-written page nor a temporary folder."""

    def boom(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(static_figures, "fleet_png", boom)
    with pytest.raises(RuntimeError):
        build_report([ReportRun.from_sim("x", tiny_result)], tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_no_runs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one run"):
        build_report([], tmp_path)


@pytest.mark.slow
def test_cli_report(tmp_path: Path) -> None:
    """``evacuate report FILE --variant V -o DIR`` simulates, prints a table, writes the files."""
    airlift = next(p for p in EXAMPLES if p.stem == "airlift")
    out = tmp_path / "rep"
    args = ["report", str(airlift), "--variant", "calm", "--variant", "no_charters"]
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, [*args, "-o", str(out), "--time-limit", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert "no_charters" in result.output
    assert f"wrote {out / 'report.html'}" in result.output
    assert (out / "map.png").stat().st_size > 0


def test_cli_report_unknown_variant(tmp_path: Path) -> None:
    """An unknown variant is the user's error (exit 2), reported before any simulation."""
    result = CliRunner().invoke(app, ["report", "--variant", "nope", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown variant 'nope'" in result.output
    assert not (tmp_path / "report.html").exists()


def test_cli_report_from_stored_results(tiny_result: SimResult, tmp_path: Path) -> None:
    """``evacuate report --from results.json`` draws the same report, planning nothing."""
    first = build_report([ReportRun.from_sim("base", tiny_result, bound=100.0)], tmp_path / "a")
    out = tmp_path / "b"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["report", "--from", str(first.results), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Report for Tiny town" in result.output
    assert (out / "report.html").read_bytes() == first.html.read_bytes()


def test_cli_report_from_a_bad_file(tmp_path: Path) -> None:
    """A results file that does not read is the user's error: exit 2, the field named."""
    bad = tmp_path / "results.json"
    bad.write_text('{"format": "evacuate-report-results", "version": 1, "runs": []}')
    result = CliRunner().invoke(app, ["report", "--from", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "runs" in result.output and "non-empty list" in result.output
    assert not (tmp_path / "o" / "report.html").exists()
