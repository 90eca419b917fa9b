"""Headless Chromium for the browser tests (Playwright driving Debian's /usr/bin/chromium).

One place for the launch flags, the offline rule (a request to any address other than the page's
own origin is recorded as a problem and aborted), and the console watch. Skipped when Playwright
or the browser is missing on a developer's machine; under CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("EVACUATE_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def need_browser() -> None:
    """Skip the calling test (fail it under CI) when the browser cannot run."""
    why = missing()
    if why is not None:
        if IN_CI:
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)


def open_page(
    pw: Any, allowed: str, problems: list[str], viewport: tuple[int, int] = (1280, 900)
) -> tuple[Any, Any]:
    """Launch Chromium and open a page that may only load URLs starting with ``allowed``.

    Console errors and warnings, uncaught page errors and requests elsewhere are appended to
    ``problems``. Returns ``(browser, page)``; the caller closes the browser.
    """
    browser = pw.chromium.launch(
        executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-zygote"]
    )
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(allowed)
            else (problems.append(f"network request: {route.request.url}"), route.abort())
        ),
    )
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return browser, page
