"""The report in a real browser: headless Chromium loads it offline, with no console errors,
and every chart draws. Needs Playwright for Python and Debian's chromium (/usr/bin/chromium).

Skipped when either is missing on a developer's machine; under CI (``CI=true``) a missing
browser is a failure, not a skip. ``EVACUATE_UPDATE_SCREENSHOT=1`` also copies the screenshot
to ``docs/img/report.png`` (the README's picture).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evacuate.report import build_report
from evacuate.report.curve import zoom_top
from evacuate.report.data import analyse
from tests.browser import need_browser, open_page
from tests.report.conftest import ROOT, png_size, simulated


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str], Path]]:
    """The Romulan report (every variant) loaded in headless Chromium, once for the module."""
    need_browser()
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("browser")
    files = build_report(simulated(None), out)
    assert files.html.stat().st_size < 3_000_000  # plotly.js gzipped once, series thinned
    problems: list[str] = []
    with sync_playwright() as pw:
        browser, pg = open_page(pw, "file:", problems)
        try:
            pg.goto(files.html.as_uri(), wait_until="load")
            pg.wait_for_function(
                "document.body.dataset.charts !== undefined && "
                "document.body.dataset.charts === document.body.dataset.chartsDrawn",
                timeout=30_000,
            )
            yield pg, problems, out
        finally:
            browser.close()


@pytest.mark.slow
def test_report_loads_without_errors(page: tuple[Any, list[str], Path]) -> None:
    """No console error or warning, no network request, no uncaught exception."""
    _pg, problems, _out = page
    assert problems == []


@pytest.mark.slow
def test_every_chart_renders(page: tuple[Any, list[str], Path]) -> None:
    """Each plotly chart has drawn its SVG, with traces; then a full-page screenshot."""
    pg, problems, out = page
    charts = pg.eval_on_selector_all(".plotly-graph-div", "ds => ds.length")
    drawn = pg.eval_on_selector_all(
        ".plotly-graph-div", "ds => ds.filter(d => d.querySelector('svg.main-svg')).length"
    )
    traces = pg.eval_on_selector_all(
        ".plotly-graph-div", "ds => ds.map(d => d.querySelectorAll('g.trace').length)"
    )
    assert charts == 5
    assert drawn == charts
    assert all(n > 0 for n in traces), traces
    assert pg.title().startswith("Evacuation report")
    shot = out / "screenshot.png"
    pg.screenshot(path=str(shot), full_page=False)
    assert png_size(shot) == (1280, 900)
    if os.environ.get("EVACUATE_UPDATE_SCREENSHOT") == "1":
        target = ROOT / "docs" / "img" / "report.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    assert problems == []


_BOXES = """(sel) => Array.from(document.querySelectorAll(sel)).map(e => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom, e.textContent];
})"""


def _overlapping(boxes: list[list[Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            if min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]):
                out.append((a[4], b[4]))
    return out


def _inside(boxes: list[list[Any]], frame: list[Any]) -> list[str]:
    return [b[4] for b in boxes if b[0] < frame[0] or b[2] > frame[2] or b[1] < frame[1]]


@pytest.mark.slow
def test_low_curves_readable(page: tuple[Any, list[str], Path]) -> None:
    """A panel zoomed on the runs that rescued fewest; the log-scale button switches both."""
    pg, problems, _out = page
    expected = zoom_top([analyse(r) for r in simulated(None)])
    # the runs come from a short planner time limit on a loaded machine: which runs are low
    # may vary, so the expectation comes from the same runs (the rule is tested in test_labels)
    zoom = pg.evaluate("(document.getElementById('fig-curve-0').layout.yaxis2 || {}).range")
    if expected is None:
        assert zoom is None
    else:
        assert zoom[1] == pytest.approx(expected)
        historical = next(r for r in simulated(None) if r.label == "historical")
        assert historical.rescued < zoom[1] < 0.2 * max(r.rescued for r in simulated(None))
    pg.get_by_text("Log scale", exact=True).click()
    pg.wait_for_function("document.getElementById('fig-curve-0').layout.yaxis.type === 'log'")
    assert pg.evaluate("document.getElementById('fig-curve-0').layout.yaxis2.type") == "log"
    pg.get_by_text("Linear scale", exact=True).click()
    pg.wait_for_function("document.getElementById('fig-curve-0').layout.yaxis.type === 'linear'")
    assert problems == []


@pytest.mark.slow
def test_event_labels_whole_and_apart(page: tuple[Any, list[str], Path]) -> None:
    """Event badges neither touch nor leave the chart; the key below names every event whole."""
    pg, _problems, _out = page
    badges = pg.evaluate(_BOXES, "#fig-curve-0 g.annotation[data-index] g.annotation-text-g")
    badges = [b for b in badges if b[4].replace(",", "").replace(" ", "").isdigit()]
    assert len(badges) >= 1
    assert _overlapping(badges) == []
    frame = pg.evaluate(_BOXES, "#fig-curve-0 svg.main-svg")[0]
    assert _inside(badges, frame) == []
    key = pg.eval_on_selector_all("ol.events li", "ls => ls.map(l => l.textContent)")
    numbered = sorted(int(k) for b in badges for k in b[4].split(","))
    assert numbered == list(range(1, len(key) + 1))
    assert any("First Contact Day" in k for k in key)
    assert not any("…" in k for k in key)


@pytest.mark.slow
def test_panel_titles_unique_and_whole(page: tuple[Any, list[str], Path]) -> None:
    pg, _problems, _out = page
    titles = pg.evaluate(
        "document.getElementById('fig-people-0').layout.annotations.map(a => a.text)"
    )
    places = [t.split("<br><span")[0].replace("<br>", " ") for t in titles]
    assert len(set(places)) == len(places), places
    assert not any("…" in t for t in places)
    assert "Romulan inner colonies (aggregate A)" in places


@pytest.mark.slow
def test_map_labels_do_not_overlap(page: tuple[Any, list[str], Path]) -> None:
    """Place names neither touch one another nor leave the plot; the map opens on the run that
    carried the most people, the run the still figure shows."""
    pg, _problems, _out = page
    labels = pg.evaluate(_BOXES, "#fig-map-0 g.textpoint text")
    assert len(labels) >= 10
    assert _overlapping(labels) == []
    frame = pg.evaluate(_BOXES, "#fig-map-0 .draglayer .xy .nsewdrag")[0]
    assert _inside(labels, frame) == []
    assert not any(b[2] > frame[2] or b[3] > frame[3] for b in labels)
    visible = pg.evaluate(
        "document.getElementById('fig-map-0').data"
        ".filter(t => (t.name || '').startsWith('routes: ') && t.visible !== false)"
        ".map(t => t.name)"
    )
    runs = simulated(None)
    busiest = max(runs, key=lambda r: sum(e.people for e in r.events if e.kind == "depart"))
    assert set(visible) == {f"routes: {busiest.label}"}


@pytest.mark.slow
def test_utilization_labelled(page: tuple[Any, list[str], Path]) -> None:
    """Every bar carries its figure (a 0% bar is still read); all vehicles is said in full."""
    pg, _problems, _out = page
    texts = pg.eval_on_selector_all("#fig-fleet-1 text.bartext", "ts => ts.map(t => t.textContent)")
    classes = pg.evaluate("document.getElementById('fig-fleet-1').data[0].y.length")
    assert len(texts) == classes * len(simulated(None))
    assert all(t.endswith("%") or t == "not in service" for t in texts)
    ticks = pg.eval_on_selector_all("#fig-fleet-1 g.ytick text", "ts => ts.map(t => t.textContent)")
    assert any(t.startswith("all vehicles") for t in ticks)


@pytest.mark.slow
def test_tables_fit_without_scroll(page: tuple[Any, list[str], Path]) -> None:
    """No per-place table needs a horizontal scroll at 1280 px; dates stay on one line."""
    pg, _problems, _out = page
    widths = pg.eval_on_selector_all(
        ".table-wrap", "ws => ws.map(w => [w.scrollWidth, w.clientWidth])"
    )
    assert widths and all(s <= c for s, c in widths), widths
    heights = pg.eval_on_selector_all(
        "td.d", "ds => ds.map(d => [d.getBoundingClientRect().height, d.textContent])"
    )
    single = pg.evaluate("document.querySelector('td.n').getBoundingClientRect().height")
    assert heights and all(h <= single + 0.5 for h, _ in heights), heights
