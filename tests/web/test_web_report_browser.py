"""The Report page and the exported report, in real headless Chromium (Variants: ``test_web_variants_browser``).

Fixtures and checks come from ``conftest`` and ``browser_support``: every test fails on a
console error, a CSP violation or a dialog.  Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from browser_support import BROWSER_TESTS, Watched, assert_no_sideways_scroll, expect, open_page, shot
from web_support import LiveServer

pytestmark = BROWSER_TESTS


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


def test_narrow_window_report_holds(server: LiveServer, browser: object) -> None:
    assert_no_sideways_scroll(browser, server, [("/report", "report-narrow-420")])

