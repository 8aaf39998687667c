"""Hostile documents in real headless Chromium: no script of theirs runs, the CSP reports no violation.

The documents carry payloads that would set ``window.__pwned`` or open a dialog
if any of their markup were run: script tags, event handlers, ``javascript:``
links, htmx attributes that would fire on load.  Every page is watched for
dialogs, console errors and ``securitypolicyviolation`` events (an inline script
or handler that reached the DOM would raise one).  The compare view's error
keeps its controls in the browser too.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import BROWSER_TESTS, Watched, expect, open_page, shot
from web_support import LiveServer, make_app, start_server

pytestmark = BROWSER_TESTS

PAYLOADS = [
    "<script>window.__pwned = 'script'; alert('script')</script>",
    '<img src=x onerror="window.__pwned = \'img\'; alert(\'img\')">',
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    '<a href="javascript:window.__pwned=\'link\'" id="evil-link">click me</a>',
    '<div hx-get="/documents/1/delete" hx-trigger="load" hx-on::after-request="window.__pwned=\'htmx\'">x</div>',
    "<button hx-post=\"/documents/1/delete\" hx-trigger=\"load\">delete</button>",
    '<iframe src="javascript:alert(\'iframe\')"></iframe>',
    "{{ 12345 * 6789 }} {% if true %}jinja{% endif %}",
    '"><script>alert("attribute")</script>',
    "\u202eevil\u202c",
]
HOSTILE_TEXT = "The cat sat on the mat. " + " ".join(PAYLOADS) + "\n\nThen it left, and it was warm."


def post_json(server: LiveServer, body: object) -> dict[str, object]:
    request = urllib.request.Request(
        f"{server.url}/api/documents", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, object] = json.load(response)
    return result


@pytest.fixture(scope="module")
def hostile_ids(server: LiveServer) -> tuple[int, int]:
    body = [
        {"name": '"><img src=x onerror=alert(1)>.txt', "text": HOSTILE_TEXT},
        {"name": "<script>alert(2)</script>文件.txt", "text": HOSTILE_TEXT.replace("cat", "dog")},
    ]
    documents = post_json(server, body)["documents"]
    a, b = (int(d["id"]) for d in documents)  # type: ignore[index]
    return a, b


@pytest.fixture
def watched(browser: object) -> Iterator[Watched]:
    page = open_page(browser)
    yield page
    page.page.context.close()  # type: ignore[attr-defined]


def assert_nothing_ran(watched: Watched) -> None:
    p = watched.page
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert p.evaluate("window.__pwned === undefined"), p.evaluate("window.__pwned")  # type: ignore[attr-defined]
    watched.check()  # no CSP violation, no console error, no dialog


def test_no_script_from_a_hostile_document_runs_anywhere(
    server: LiveServer, hostile_ids: tuple[int, int], watched: Watched
) -> None:
    a, b = hostile_ids
    p = watched.page
    rules = {rule.rule for rule in server.app.url_map.iter_rules()}
    urls = ["/", f"/documents/{a}", f"/documents/{b}", f"/compare?a={a}&b={b}&threshold=0.1",
            f"/compare?a={b}&b={a}&granularity=paragraph"]
    urls += [f"/variants?d={a}&d={b}"] if "/variants" in rules else []
    urls += [f"/report?d={a}&d={b}"] if "/report" in rules else []
    for url in urls:
        p.goto(server.url + url)  # type: ignore[attr-defined]
        assert_nothing_ran(watched)
        assert "alert(" in p.locator("main").inner_text(), url  # the payload is shown, as text  # type: ignore
    ids_before = {d["id"] for d in json.load(urllib.request.urlopen(f"{server.url}/api/documents", timeout=30))[
        "documents"]}
    assert {1, a, b} <= ids_before  # no hx-trigger="load" deleted document 1


def test_hostile_compare_view_survives_htmx_swaps(
    server: LiveServer, hostile_ids: tuple[int, int], watched: Watched
) -> None:
    a, b = hostile_ids
    p = watched.page
    p.goto(f"{server.url}/compare?a={a}&b={b}")  # type: ignore[attr-defined]
    p.check("input[name=granularity][value=paragraph]")  # type: ignore[attr-defined]
    p.wait_for_url("**granularity=paragraph**")  # type: ignore[attr-defined]
    assert_nothing_ran(watched)
    p.check("input[name=hide_identical]")  # type: ignore[attr-defined]
    p.wait_for_url("**hide_identical=1**")  # type: ignore[attr-defined]
    p.click("a.swap")  # type: ignore[attr-defined]
    p.wait_for_url(f"**/compare?a={b}&b={a}**")  # type: ignore[attr-defined]
    assert_nothing_ran(watched)
    link = p.locator("#evil-link")  # type: ignore[attr-defined]
    assert link.count() == 0  # the payload's link is text, not an element
    p.locator(".cell.side-a .text").first.click()  # type: ignore[attr-defined]
    assert_nothing_ran(watched)
    shot(p, "security-hostile-compare")


def test_exported_html_runs_nothing_offline(
    server: LiveServer, hostile_ids: tuple[int, int], watched: Watched, tmp_path: Path
) -> None:
    a, b = hostile_ids
    with urllib.request.urlopen(f"{server.url}/compare/export.html?a={a}&b={b}", timeout=60) as response:
        exported = tmp_path / "export.html"
        exported.write_bytes(response.read())
    p = watched.page
    p.goto(exported.as_uri())  # type: ignore[attr-defined]
    assert_nothing_ran(watched)
    assert "alert(" in p.locator("main").inner_text()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def tight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose time budget affords no seed pair: every comparison is refused with a 422."""
    live = start_server(make_app(tmp_path_factory.mktemp("tight-browser"), LIMITS={"time_budget_s": 0.01}))
    yield live
    live.stop()


def test_compare_error_keeps_the_controls_after_an_htmx_request(tight_server: LiveServer, browser: object) -> None:
    watched = open_page(browser)
    p = watched.page
    try:
        documents = json.load(urllib.request.urlopen(f"{tight_server.url}/api/documents", timeout=30))["documents"]
        ids = {d["name"][:3]: d["id"] for d in documents}
        p.goto(f"{tight_server.url}/compare")  # type: ignore[attr-defined]
        p.select_option("form.controls select[name=a]", str(ids["002"]))  # type: ignore[attr-defined]
        p.select_option("form.controls select[name=b]", str(ids["004"]))  # type: ignore[attr-defined]
        alert = p.locator("#compare [role=alert]")  # type: ignore[attr-defined]
        expect(alert).to_contain_text("time budget")
        expect(p.locator("#compare form.controls")).to_be_visible()  # type: ignore[attr-defined]
        assert p.input_value("form.controls select[name=b]") == str(ids["004"])  # type: ignore[attr-defined]
        shot(p, "security-compare-error-keeps-controls")
        # htmx reports the 422 on the console (htmx:responseError); that is the only message allowed.
        watched.problems = [m for m in watched.problems if "responseError" not in m and "422" not in m]
        watched.check()
    finally:
        p.context.close()  # type: ignore[attr-defined]
