"""The report in a real browser: headless Chromium loads it offline, with no console errors,
and every chart draws. Needs Playwright for Python and Debian's chromium (/usr/bin/chromium).

Skipped when either is missing on a developer's machine; under CI (``CI=true``) a missing
browser is a failure, not a skip. ``EVACUATE_UPDATE_SCREENSHOT=1`` also copies the screenshot
to ``docs/img/report.png`` (the README's picture).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evacuate.report import build_report
from tests.report.conftest import ROOT, png_size, simulated

CHROMIUM = Path(os.environ.get("EVACUATE_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str], Path]]:
    """The Romulan report (every variant) loaded in headless Chromium, once for the module."""
    missing = _missing()
    if missing is not None:
        if IN_CI:
            pytest.fail(f"browser test cannot run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("browser")
    files = build_report(simulated(None), out)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            # offline: any request that is not the file itself fails the test
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith("file:")
                    else (problems.append(f"network request: {route.request.url}"), route.abort())
                ),
            )
            pg = context.new_page()
            pg.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
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
