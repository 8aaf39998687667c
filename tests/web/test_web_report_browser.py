"""The Report and Variants pages, and the exported report, in real headless Chromium.

Fixtures and checks come from ``conftest`` and ``browser_support``: every test fails on a
console error, a CSP violation or a dialog.  Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from browser_support import BROWSER_TESTS, Watched, api_ids, assert_no_sideways_scroll, expect, open_page, shot
from web_support import LiveServer

pytestmark = BROWSER_TESTS


def test_variants_of_000_002_004_show_rows_per_document_with_marked_words(server: LiveServer, page: Watched) -> None:
    p = page.page
    ids = api_ids(server)
    p.goto(server.url + "/variants")  # type: ignore[attr-defined]
    p.evaluate("window.__noReload = true")  # type: ignore[attr-defined]
    for prefix in ("000", "002", "004"):
        p.check(f"input[name=d][value='{ids[prefix]}']")  # type: ignore[attr-defined]
    p.click("button:has-text('Show variants')")  # type: ignore[attr-defined]
    p.wait_for_url("**/variants?d=**")  # type: ignore[attr-defined]
    tables = p.locator("table.family")  # type: ignore[attr-defined]
    expect(tables.first).to_be_visible()
    assert p.evaluate("window.__noReload === true"), "htmx swapped the page in place"  # type: ignore[attr-defined]
    count = tables.count()
    assert count >= 3
    for index in range(count):
        names = tables.nth(index).locator("th.document-name").all_inner_texts()
        assert [n[:3] for n in names] == ["000", "002", "004"]
    marks = p.locator("mark.variant")  # type: ignore[attr-defined]
    assert marks.count() > 10
    style = marks.first.evaluate("(el) => getComputedStyle(el).textDecorationLine")
    assert "underline" in style, "variant words are marked by more than colour"
    assert p.locator("tr.missing").count() >= 1  # type: ignore[attr-defined]

    p.select_option("select[name=min_divergence]", "0.5")  # type: ignore[attr-defined]
    p.wait_for_url("**min_divergence=0.5**")  # type: ignore[attr-defined]
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert 0 < p.locator("table.family").count() < count  # type: ignore[attr-defined]
    p.go_back()  # type: ignore[attr-defined]
    expect(p.locator("table.family")).to_have_count(count)  # type: ignore[attr-defined]
    # After the history steps: a full-page screenshot leaves a style="" behind that htmx's
    # history snapshot would later restore into the page, against its CSP.
    shot(p, "variants-000-002-004", full_page=True)

    p.locator("table.family td.open a").first.click()  # type: ignore[attr-defined]
    p.wait_for_url("**/compare?**#*")  # type: ignore[attr-defined]
    target = p.locator(".cell:target")  # type: ignore[attr-defined]
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()


def test_report_heatmap_cell_opens_the_comparison(server: LiveServer, page: Watched) -> None:
    p = page.page
    p.goto(server.url + "/report")  # type: ignore[attr-defined]
    heatmap = p.locator("svg.heatmap")  # type: ignore[attr-defined]
    expect(heatmap).to_be_visible()
    box = heatmap.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    assert p.locator("svg.heatmap a.cell").count() >= 2  # type: ignore[attr-defined]
    assert p.locator("#documents-table tbody tr").count() == 5  # type: ignore[attr-defined]
    shot(p, "report", full_page=True)
    p.click("#documents-table th a:has-text('Document')")  # type: ignore[attr-defined]
    p.wait_for_url("**doc_sort=-name**")  # type: ignore[attr-defined]
    first = p.locator("#documents-table tbody tr td.name").first.inner_text()  # type: ignore[attr-defined]
    assert first.startswith("004")

    cell = p.locator("svg.heatmap a.cell").first  # type: ignore[attr-defined]
    label = cell.get_attribute("aria-label") or ""
    row_name, column_name = label.split(" of ", 1)[1].split(" is found in ")
    cell.hover()  # its tooltip (the SVG <title>) names both documents
    assert cell.locator("title").text_content() == label  # type: ignore[attr-defined]
    assert row_name.startswith("0") and column_name.startswith("0") and row_name != column_name
    expect(p.locator("details.explained summary")).to_contain_text("How these numbers are counted")  # type: ignore[attr-defined]
    cell.click()
    p.wait_for_url("**/compare?**")  # type: ignore[attr-defined]
    expect(p.locator(".row.head .cell.side-a")).to_contain_text(row_name)  # type: ignore[attr-defined]
    expect(p.locator(".cell:target")).to_have_count(1)  # type: ignore[attr-defined]
    expect(p.locator(".cell:target")).to_be_in_viewport()  # type: ignore[attr-defined]
    shot(p, "report-cell-opens-compare")


def test_exported_report_opens_offline_with_the_heatmap(server: LiveServer, browser: object, tmp_path: Path) -> None:
    with urllib.request.urlopen(f"{server.url}/report/export.html", timeout=60) as response:
        exported = tmp_path / "report.html"
        exported.write_bytes(response.read())
    watched = open_page(browser)
    p = watched.page
    p.context.set_offline(True)  # type: ignore[attr-defined]
    requests: list[str] = []
    p.on("request", lambda request: requests.append(request.url))  # type: ignore[attr-defined]
    p.goto(exported.as_uri())  # type: ignore[attr-defined]
    expect(p.locator("svg.heatmap")).to_be_visible()  # type: ignore[attr-defined]
    assert p.locator("svg.heatmap rect").count() == 25  # type: ignore[attr-defined]
    font = p.locator("body").evaluate("(el) => getComputedStyle(el).fontFamily")  # type: ignore[attr-defined]
    assert "system-ui" in font, "the inline stylesheet applies under the file's own CSP"
    assert [url for url in requests if not url.startswith("file://")] == []
    shot(p, "report-export", full_page=True)
    watched.check()
    p.context.close()  # type: ignore[attr-defined]


def test_narrow_window_report_and_variants_hold(server: LiveServer, browser: object) -> None:
    ids = api_ids(server)
    variants = f"/variants?d={ids['000']}&d={ids['002']}&d={ids['004']}"
    assert_no_sideways_scroll(browser, server, [("/report", "report-narrow-420"), (variants, "variants-narrow-420")])

