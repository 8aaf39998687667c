"""Driving Debian's headless Chromium with Playwright: the launch, a watched page, screenshots.

Every watched page records what must never happen: a JavaScript error, a console
error or warning, a Content-Security-Policy violation, a dialog (an ``alert``
from a hostile document would open one).  Never downloads a browser: Playwright
drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from web_support import ARTIFACTS, LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed (make chromium)"),
]  # a browser test module's ``pytestmark``

# Collects what must never happen on a page; installed before any page script runs.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Watched:
    """A page and the problems seen on it."""

    page: object
    problems: list[str] = field(default_factory=list)

    def check(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")  # type: ignore[attr-defined]
        assert not violations, f"CSP violations: {violations}"
        assert not self.problems, f"problems on the page: {self.problems}"


def open_page(browser: object, width: int = 1280, height: int = 900) -> Watched:
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    watched = Watched(page)
    page.on("console", lambda m: m.type in ("error", "warning") and watched.problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))

    def on_dialog(dialog: object) -> None:
        watched.problems.append(f"dialog: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    return watched


@contextmanager
def launched_chromium() -> Iterator[object]:
    """Start Debian's Chromium headless; close it on exit."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shot(page: object, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)  # type: ignore[attr-defined]


def api_ids(server: LiveServer) -> dict[str, int]:
    with urllib.request.urlopen(f"{server.url}/api/documents", timeout=10) as response:
        documents = json.load(response)["documents"]
    return {d["name"][:3]: d["id"] for d in documents}


def assert_no_sideways_scroll(browser: object, server: LiveServer, pages: list[tuple[str, str]]) -> None:
    """Open each ``(path, screenshot name)`` in a 420 px window; none may scroll sideways."""
    watched = open_page(browser, width=420, height=900)
    p = watched.page
    for path, name in pages:
        p.goto(server.url + path)  # type: ignore[attr-defined]
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shot(p, name)
    watched.check()
    p.context.close()  # type: ignore[attr-defined]
