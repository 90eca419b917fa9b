"""Mission control in headless Chromium (Playwright, Debian's /usr/bin/chromium), against a
real server on 127.0.0.1: upload a scenario with an error and see it at its line, fix it,
launch two simulations and watch them reach 100%, compare them; launch a sabotage analysis and
see its damage-budget curve; no console errors, and no request to any other host.

Skipped when Playwright or the browser is missing on a developer's machine; under CI
(``CI=true``) that is a failure. ``EVACUATE_UPDATE_SCREENSHOT=1`` also copies the screenshots to
``docs/img/server.png`` (the README's picture) and ``docs/img/server-sabotage.png``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser import need_browser, open_page
from tests.server.conftest import BROKEN, TINY, Served

ROOT = Path(__file__).resolve().parents[2]
SABOTAGE_TINY = (ROOT / "tests" / "data" / "sabotage" / "tiny.yaml").read_text(encoding="utf-8")


def _launch_simulation(page: Any, policy: str, before: str | None) -> str:
    page.click("#tabs button[data-tab=launch]")
    page.select_option("#kind-select", "simulate")
    page.select_option("#options-form select[name=policy]", policy)
    page.fill("#options-form input[name=time_limit]", "2")
    page.click("#launch-button")
    page.wait_for_function(
        "(b) => document.body.dataset.lastJob && document.body.dataset.lastJob !== b",
        arg=before or "",
        timeout=120_000,
    )
    assert page.evaluate("document.body.dataset.lastJobState") == "done"
    assert page.inner_text("#live-progress") == "100%"
    return str(page.evaluate("document.body.dataset.lastJob"))


def _run_of(page: Any) -> str:
    return str(page.evaluate("document.body.dataset.lastRun"))


@pytest.mark.slow
def test_mission_control_end_to_end(served: Served, tmp_path: Path) -> None:
    need_browser()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser, page = open_page(pw, served.url, problems, (1400, 900))
        try:
            page.goto(served.url + "/", wait_until="load")
            page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
            # the Romulan scenario on its map, with every variant
            assert "Romulan" in page.inner_text("#scenario-title")
            assert page.eval_on_selector("#map", "d => d.querySelectorAll('g.trace').length") > 0
            assert page.locator("#variants-list li").count() >= 3

            # a file with errors: each one marked at its line
            page.click("#tabs button[data-tab=editor]")
            page.fill("#file-name", "broken.yaml")
            page.fill("#source", BROKEN)
            page.click("#check-button")
            page.wait_for_selector("#gutter div.err")
            marked = page.eval_on_selector_all(
                "#gutter div.err", "ds => ds.map(d => +d.dataset.line)"
            )
            assert 8 in marked and 18 in marked
            assert "line 8: places[0].population" in page.inner_text("#issues")
            assert "error" in page.inner_text("#editor-verdict")
            # fixed: kept on the server, and shown
            page.fill("#file-name", "tiny_plane.yaml")
            page.fill("#source", TINY)
            page.click("#save-button")
            page.wait_for_function(
                "document.getElementById('editor-verdict').textContent.startsWith('saved as')"
            )
            assert page.locator("#gutter div.err").count() == 0
            page.click("#tabs button[data-tab=scenario]")
            page.wait_for_function(
                "document.getElementById('scenario-title').textContent.startsWith('Tiny plane')"
            )

            # two simulations, watched live to 100%
            first = _launch_simulation(page, "replan", None)
            first_run = _run_of(page)
            assert (
                page.eval_on_selector("#live-curve", "d => d.querySelectorAll('g.trace').length")
                > 0
            )
            _launch_simulation(page, "follow", first)
            second_run = _run_of(page)

            # compared side by side
            page.click("#tabs button[data-tab=compare]")
            page.wait_for_selector(f".run-pick[value='{first_run}']")
            page.check(f".run-pick[value='{first_run}']")
            page.check(f".run-pick[value='{second_run}']")
            page.click("#compare-button")
            page.wait_for_function("document.body.dataset.compared === '2'")
            headline = page.inner_text("#compare-headline")
            assert "rescued" in headline and "population" in headline
            assert page.locator("#compare-places tbody tr").count() >= 2

            page.click("#tabs button[data-tab=scenario]")
            page.select_option("#scenario-select", "romulan")
            page.wait_for_function(
                "document.getElementById('scenario-title').textContent.includes('Romulan')"
            )
            page.wait_for_timeout(500)
            shot = tmp_path / "server.png"
            page.screenshot(path=str(shot))
            if os.environ.get("EVACUATE_UPDATE_SCREENSHOT") == "1":
                target = ROOT / "docs" / "img" / "server.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, target)
        finally:
            browser.close()
    assert problems == []


@pytest.mark.slow
def test_sabotage_analysis_from_the_page(served: Served, tmp_path: Path) -> None:
    """Launch a budget-1 sabotage of a tiny scenario from the launch panel, watch it to the
    end, and see the report's damage-budget curve, the ranked attacks and their targets."""
    need_browser()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser, page = open_page(pw, served.url, problems, (1400, 900))
        try:
            page.goto(served.url + "/", wait_until="load")
            page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
            page.click("#tabs button[data-tab=editor]")
            page.fill("#file-name", "tiny_sabotage.yaml")
            page.fill("#source", SABOTAGE_TINY)
            page.click("#save-button")
            page.wait_for_function(
                "document.getElementById('editor-verdict').textContent.startsWith('saved as')"
            )
            page.click("#tabs button[data-tab=launch]")
            page.select_option("#kind-select", "sabotage")
            labels = page.inner_text("#options-form")
            assert "--budget" in labels and "--defend" in labels
            page.fill("#options-form input[name=budget]", "1")
            page.click("#launch-button")
            page.wait_for_function("document.body.dataset.analysis", timeout=240_000)
            assert page.evaluate("document.body.dataset.lastJobState") == "done"
            assert page.is_hidden("#live-curve")  # a simulation's own view, not an analysis's
            assert page.is_visible("#tab-analyses")
            curve = "#analysis-sabotage-curve"
            assert "damage for each budget" in page.inner_text(curve)
            assert page.eval_on_selector(curve, "d => d.querySelectorAll('g.trace').length") == 2
            points = page.eval_on_selector(
                curve, "d => d.querySelector('.js-plotly-plot').data[1].x"
            )
            assert points == [0, 1]
            assert page.locator("#analysis-sabotage-attacks table.ranked tbody tr").count() >= 1
            page.click("#tabs button[data-tab=analyses]")
            page.wait_for_selector("#analyses-table button[data-analysis]")
            page.wait_for_timeout(500)
            shot = tmp_path / "server-sabotage.png"
            page.screenshot(path=str(shot), full_page=True)
            if os.environ.get("EVACUATE_UPDATE_SCREENSHOT") == "1":
                shutil.copyfile(shot, ROOT / "docs" / "img" / "server-sabotage.png")
        finally:
            browser.close()
    assert problems == []
