"""End to end in real headless Chromium (Debian's), against the app on a real server.

Every test fails on a JavaScript error, a console error, a Content-Security-Policy
violation or a dialog (an ``alert`` from a hostile document would open one).  Waits
use ``expect`` rather than ``wait_for_function``, whose polling evaluates strings
and so trips the page's own CSP (no 'unsafe-eval').
Screenshots land in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from browser_support import BROWSER_TESTS, Watched, api_ids, assert_no_sideways_scroll, expect, open_page, shot
from web_support import XSS_IMG, XSS_LINK, XSS_SCRIPT, LiveServer

from compare import Options

pytestmark = BROWSER_TESTS


def test_library_lists_seeds_and_compares_002_with_004(server: LiveServer, page: Watched) -> None:
    p = page.page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    rows = p.locator("table.documents tbody tr")  # type: ignore[attr-defined]
    rows_before = rows.count()
    assert rows_before >= 5
    assert p.locator("table.documents").inner_text().count(".txt") >= 5  # type: ignore[attr-defined]
    shot(p, "library")
    p.fill("input[name=q]", "004")  # type: ignore[attr-defined]
    p.wait_for_url("**/?q=004")  # type: ignore[attr-defined]
    expect(p.locator("table.documents tbody tr")).to_have_count(1)  # type: ignore[attr-defined]
    p.fill("input[name=q]", "")  # type: ignore[attr-defined]
    expect(p.locator("table.documents tbody tr")).to_have_count(rows_before)  # type: ignore[attr-defined]
    ids = api_ids(server)
    p.select_option("form.pick select[name=a]", str(ids["002"]))  # type: ignore[attr-defined]
    p.select_option("form.pick select[name=b]", str(ids["004"]))  # type: ignore[attr-defined]
    p.click("form.pick button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_url(f"**/compare?a={ids['002']}&b={ids['004']}")  # type: ignore[attr-defined]
    deleted = p.locator(".rows del").all_inner_texts()  # type: ignore[attr-defined]
    inserted = p.locator(".rows ins").all_inner_texts()  # type: ignore[attr-defined]
    assert any("Central" in text for text in deleted), deleted[:10]
    assert any("27-28" in text for text in inserted), inserted[:10]
    assert p.locator(".summary").inner_text().count("%") == 2  # type: ignore[attr-defined]
    shot(p, "compare-002-004")


def test_threshold_change_swaps_without_reload_and_back_works(server: LiveServer, page: Watched) -> None:
    p = page.page
    ids = api_ids(server)
    p.goto(f"{server.url}/compare?a={ids['002']}&b={ids['004']}")  # type: ignore[attr-defined]
    p.evaluate("window.__noReload = true")  # type: ignore[attr-defined]
    before = p.locator(".row.kind-b-only").count()  # type: ignore[attr-defined]
    p.locator("input[name=threshold]").evaluate(  # type: ignore[attr-defined]
        """(el) => { el.value = "0.8";
                     el.dispatchEvent(new Event("input", {bubbles: true}));
                     el.dispatchEvent(new Event("change", {bubbles: true})); }"""
    )
    p.wait_for_url("**threshold=0.8**")  # type: ignore[attr-defined]
    expect(p.locator("output#threshold-value")).to_have_text("0.80")  # type: ignore[attr-defined]
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert p.evaluate("window.__noReload === true"), "the page reloaded"  # type: ignore[attr-defined]
    after = p.locator(".row.kind-b-only").count()  # type: ignore[attr-defined]
    assert after > before, (before, after)
    assert p.locator(".rows ins").count() > 0  # type: ignore[attr-defined]
    shot(p, "compare-threshold-0.8")

    p.go_back()  # type: ignore[attr-defined]
    p.wait_for_url(f"**/compare?a={ids['002']}&b={ids['004']}")  # type: ignore[attr-defined]
    expect(p.locator(".row.kind-b-only")).to_have_count(before)  # type: ignore[attr-defined]
    assert p.input_value("input[name=threshold]") == str(Options().min_score)  # type: ignore[attr-defined]


def test_hide_identical_granularity_and_swap(server: LiveServer, page: Watched) -> None:
    p = page.page
    ids = api_ids(server)
    p.goto(f"{server.url}/compare?a={ids['002']}&b={ids['004']}")  # type: ignore[attr-defined]
    p.check("input[name=hide_identical]")  # type: ignore[attr-defined]
    p.wait_for_url("**hide_identical=1**")  # type: ignore[attr-defined]
    p.check("input[name=granularity][value=paragraph]")  # type: ignore[attr-defined]
    p.wait_for_url("**granularity=paragraph**")  # type: ignore[attr-defined]
    assert p.is_checked("input[name=hide_identical]")  # type: ignore[attr-defined]
    p.click("a.swap")  # type: ignore[attr-defined]
    p.wait_for_url(f"**/compare?a={ids['004']}&b={ids['002']}**")  # type: ignore[attr-defined]
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    head = p.locator(".row.head").inner_text()  # type: ignore[attr-defined]
    assert head.index("004_") < head.index("002_")
    assert "granularity=paragraph" in p.url  # type: ignore[attr-defined]
    assert p.title().startswith("004_")  # htmx takes the fragment's <title>  # type: ignore[attr-defined]


def test_hover_lights_up_the_counterpart(server: LiveServer, page: Watched) -> None:
    p = page.page
    ids = api_ids(server)
    p.goto(f"{server.url}/compare?a={ids['002']}&b={ids['004']}")  # type: ignore[attr-defined]
    cell = p.locator(".row.kind-variant .cell.side-a").first  # type: ignore[attr-defined]
    cell.hover()
    partner = p.locator(".row.kind-variant .cell.side-b").first  # type: ignore[attr-defined]
    assert "linked" in (partner.get_attribute("class") or "")
    moved = p.locator(".cell.side-b[data-pairs]").filter(has=p.locator("a.moved-link"))  # type: ignore[attr-defined]
    if moved.count():
        p.mouse.move(0, 0)  # type: ignore[attr-defined]
        moved.first.focus()
        pair = (moved.first.get_attribute("data-pairs") or "").split()[0]
        linked = p.locator(f'[data-pairs~="{pair}"].linked')  # type: ignore[attr-defined]
        assert linked.count() >= 2
        shot(p, "compare-hover-moved")


def test_hostile_documents_render_as_text(server: LiveServer, page: Watched) -> None:
    documents = [
        {"name": f"xss {XSS_IMG}.txt", "text": f"Intro {XSS_SCRIPT}\n\nThe cat sat on the mat. {XSS_IMG} Bye."},
        {"name": "links.md", "text": f"Intro {XSS_SCRIPT}\n\nThe cat sat on a mat. {XSS_LINK} Bye."},
    ]
    request = urllib.request.Request(
        f"{server.url}/api/documents", data=json.dumps(documents).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        a, b = (d["id"] for d in json.load(response)["documents"])
    p = page.page
    p.goto(f"{server.url}/compare?a={a}&b={b}&threshold=0.1")  # type: ignore[attr-defined]
    text = p.locator(".rows").inner_text()  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" in text
    assert "onerror=alert(1)" in text and "javascript:alert(1)" in text
    assert p.locator(".rows img, .rows script, .rows a[href^='javascript']").count() == 0  # type: ignore[attr-defined]
    shot(p, "compare-xss")
    for path in (f"/documents/{a}", f"/documents/{b}", "/"):
        p.goto(server.url + path)  # type: ignore[attr-defined]
        assert p.locator("main img, main a[href^='javascript']").count() == 0  # type: ignore[attr-defined]
    assert "onerror=alert(1)" in p.locator("table.documents").inner_text()  # type: ignore[attr-defined]


def test_narrow_window_holds(server: LiveServer, browser: object) -> None:
    ids = api_ids(server)
    assert_no_sideways_scroll(browser, server, [
        (f"/compare?a={ids['002']}&b={ids['004']}", "compare-narrow-420"), ("/", "library-narrow-420")])


def test_exported_html_opens_offline(server: LiveServer, page: Watched, tmp_path: Path) -> None:
    ids = api_ids(server)
    url = f"{server.url}/compare/export.html?a={ids['002']}&b={ids['004']}"
    with urllib.request.urlopen(url, timeout=30) as response:
        exported = tmp_path / "export.html"
        exported.write_bytes(response.read())
    p = page.page
    p.goto(exported.as_uri())  # type: ignore[attr-defined]
    assert p.locator(".rows ins").count() > 0  # type: ignore[attr-defined]
    color = p.locator(".rows ins").first.evaluate("(el) => getComputedStyle(el).textDecorationLine")  # type: ignore[attr-defined]
    assert "underline" in color, "the inline stylesheet applies"
    shot(p, "export-html")


def test_upload_paste_rename_delete_through_the_forms(server: LiveServer, browser: object, tmp_path: Path) -> None:
    watched = open_page(browser)
    p = watched.page
    good, bad = tmp_path / "browser-upload.txt", tmp_path / "binary.txt"
    good.write_text("Uploaded from the browser. Second sentence.", encoding="utf-8")
    bad.write_bytes(bytes(range(256)) * 8)
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    p.set_input_files("input[name=files]", [str(good)])  # type: ignore[attr-defined]
    p.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    expect(p.locator(".flashes")).to_contain_text("Added 1 document: browser-upload.txt")  # type: ignore[attr-defined]

    p.fill("textarea[name=text]", "Pasted <b>text</b> here.")  # type: ignore[attr-defined]
    p.fill(".add input[name=name]", "pasted note")  # type: ignore[attr-defined]
    p.click("text=Add text")  # type: ignore[attr-defined]
    expect(p.locator(".document .text")).to_contain_text("Pasted <b>text</b> here.")  # type: ignore[attr-defined]
    p.fill(".document-tools input[name=name]", "renamed note")  # type: ignore[attr-defined]
    p.click(".document-tools form.rename button")  # type: ignore[attr-defined]
    expect(p.locator("h1")).to_have_text("renamed note")  # type: ignore[attr-defined]
    p.click(".document-tools a.delete")  # type: ignore[attr-defined]
    p.click(".confirm button.danger")  # type: ignore[attr-defined]
    expect(p.locator(".flashes")).to_contain_text("Deleted renamed note")  # type: ignore[attr-defined]
    assert "renamed note" not in p.locator("table.documents").inner_text()  # type: ignore[attr-defined]

    # A refused upload is shown on the library page (a 422 the browser reports; only that one is expected).
    p.set_input_files("input[name=files]", [str(bad)])  # type: ignore[attr-defined]
    p.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    expect(p.locator("#upload-outcomes")).to_contain_text("binary.txt")  # type: ignore[attr-defined]
    expect(p.locator("input[name=files]")).to_be_visible()  # type: ignore[attr-defined]
    shot(p, "upload-refused")
    assert [m for m in watched.problems if "422" not in m] == []  # a file that cannot be read: 422
    watched.problems.clear()
    watched.check()
    p.context.close()  # type: ignore[attr-defined]
