"""Optional sections: drawn when their results are present, and only then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evacuate.report import ReportResults, ReportRun, build_report, sections
from evacuate.report.data import RunSeries
from evacuate.report.page import Section
from evacuate.simulation.result import SimResult


@pytest.fixture
def toy_section() -> Iterator[None]:
    def draw(data: Any, runs: list[RunSeries]) -> Section:
        return Section("toy", "Toy analysis", f"{data['n']} cases over {len(runs)} run(s).")

    sections.register("toy")(draw)
    yield
    sections._BUILDERS.pop("toy")


@pytest.mark.usefixtures("toy_section")
def test_section_drawn_when_its_results_are_present(tiny_result: SimResult, tmp_path: Path) -> None:
    run = ReportRun.from_sim("base", tiny_result)
    with_toy = build_report(ReportResults((run,), extras={"toy": {"n": 7}}), tmp_path / "a")
    text = with_toy.html.read_text(encoding="utf-8")
    assert '<section id="toy"><h2>Toy analysis</h2>' in text
    assert "7 cases over 1 run(s)." in text
    assert text.index('id="fleet"') < text.index('id="toy"') < text.index('id="places"')
    without = build_report(ReportResults((run,)), tmp_path / "b").html.read_text(encoding="utf-8")
    assert 'id="toy"' not in without


def test_unknown_extras_are_kept_not_drawn(tiny_result: SimResult, tmp_path: Path) -> None:
    results = ReportResults((ReportRun.from_sim("x", tiny_result),), extras={"later": [1, 2]})
    files = build_report(results, tmp_path)
    assert 'id="later"' not in files.html.read_text(encoding="utf-8")
    assert ReportResults.load(files.results).extras == {"later": [1, 2]}
