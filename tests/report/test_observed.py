"""The report's "against history" section: drawn when the scenario has an observed series."""

from __future__ import annotations

from pathlib import Path

import evacuate
from evacuate.report import ReportResults, build_report
from evacuate.runs import simulate_runs
from tests.report.conftest import TINY

OBSERVED = """
observed:
  description: "a made-up record"
  period: 6h
  points:
    - {at: 6, total: 40, source: assumption}
    - {at: 12, rescued: 50, source: "https://example.org/count"}
"""


def test_section_drawn_from_stored_rows(tmp_path: Path) -> None:
    """The rows stored per run add up to the run's rescued; the page has the section, and the
    page redrawn from results.json is the same bytes."""
    s = evacuate.loads(TINY + OBSERVED)
    results = simulate_runs(s, time_limit=1, bounds=False)
    data = results.extras["observed"]
    assert data["period"] == 6
    for run in results.runs:
        rows = data["runs"][run.label]
        assert sum(r["rescued"] for r in rows) == run.rescued
        assert [r["observed_total"] for r in rows[:2]] == [40, 90]
    files = build_report(results, tmp_path / "a")
    text = files.html.read_text(encoding="utf-8")
    assert 'id="observed"' in text and "a made-up record" in text
    again = build_report(ReportResults.load(files.results), tmp_path / "b")
    assert again.html.read_bytes() == files.html.read_bytes()


def test_no_section_without_an_observed_series(tmp_path: Path) -> None:
    """A scenario without observed stores no extra and draws no section."""
    results = simulate_runs(evacuate.loads(TINY), time_limit=1, bounds=False)
    assert "observed" not in results.extras
    files = build_report(results, tmp_path / "c")
    assert 'id="observed"' not in files.html.read_text(encoding="utf-8")
