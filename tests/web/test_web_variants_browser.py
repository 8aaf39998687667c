"""The Variants page in real headless Chromium: 5 and 20 renderings, sticky names, filter, links, progress, reading.

Fixtures and checks come from ``conftest`` and ``browser_support``: every test fails on a
console error, a CSP violation or a dialog.  Screenshots land in ``test-artifacts/``.
The server here never waits for an alignment, so every page goes through its progress bar.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from browser_support import BROWSER_TESTS, Watched, api_ids, assert_no_sideways_scroll, expect, open_page, shot
from web_support import LiveServer, make_app, start_server

from benchmarks.renderings import make_base, make_rendering

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(make_app(tmp_path_factory.mktemp("variants_browser"), VARIANTS_SYNC_WAIT_S=0.0))
    yield live
    live.stop()


def grid_is_sticky(p: object) -> None:
    """Scroll the grid's box down and right: the rendering names and the statement numbers stay in view."""
    box = p.locator(".variant-grid-scroll")  # type: ignore[attr-defined]
    box.evaluate("(el) => { el.scrollTop = 400; el.scrollLeft = 300; }")
    outer = box.bounding_box()
    head = p.locator("table.variant-grid thead th.rendering-name").first.bounding_box()  # type: ignore[attr-defined]
    number = p.locator("table.variant-grid tbody th.statement").nth(3).bounding_box()  # type: ignore[attr-defined]
    assert box.evaluate("(el) => el.scrollTop") > 0, "the grid scrolls inside its box"
    assert abs(head["y"] - outer["y"]) <= 2, "the rendering names stick to the top"
    assert abs(number["x"] - outer["x"]) <= 2, "the statement numbers stick to the left"
    box.evaluate("(el) => { el.scrollTop = 0; el.scrollLeft = 0; }")


def test_five_renderings_in_a_grid_with_filter_links_and_sticky_names(slow_server: LiveServer, browser: object) -> None:
    watched = open_page(browser, width=1100, height=800)
    p = watched.page
    ids = api_ids(slow_server)
    p.goto(slow_server.url + "/variants")  # type: ignore[attr-defined]
    p.evaluate("window.__noReload = true")  # type: ignore[attr-defined]
    for prefix in ("000", "001", "002", "003", "004"):
        p.check(f"input[name=d][value='{ids[prefix]}']")  # type: ignore[attr-defined]
    p.click("button:has-text('Align')")  # type: ignore[attr-defined]
    p.wait_for_url("**/variants?d=**")  # type: ignore[attr-defined]
    expect(p.locator("table.variant-grid")).to_be_visible(timeout=60_000)  # type: ignore[attr-defined]
    assert p.evaluate("window.__noReload === true"), "htmx swapped the page in place"  # type: ignore[attr-defined]
    names = p.locator("thead th.rendering-name").all_inner_texts()  # type: ignore[attr-defined]
    assert [n.split(" ", 1)[1][:3] for n in names] == ["000", "001", "002", "003", "004"]
    marks = p.locator("mark.variant")  # type: ignore[attr-defined]
    assert marks.count() > 10
    assert "underline" in marks.first.evaluate("(el) => getComputedStyle(el).textDecorationLine")
    assert p.locator("td.absent").count() >= 1  # type: ignore[attr-defined]
    count = p.locator("table.variant-grid tbody tr").count()  # type: ignore[attr-defined]
    p.select_option("select[name=min_divergence]", "0.5")  # type: ignore[attr-defined]
    p.wait_for_url("**min_divergence=0.5**")  # type: ignore[attr-defined]
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert 0 < p.locator("table.variant-grid tbody tr").count() < count  # type: ignore[attr-defined]
    p.go_back()  # type: ignore[attr-defined]
    expect(p.locator("table.variant-grid tbody tr")).to_have_count(count)  # type: ignore[attr-defined]
    # After the history steps: a screenshot leaves a style="" behind that htmx's history snapshot
    # would later restore into the page, against its CSP.
    grid_is_sticky(p)
    shot(p, "variants-5")

    p.locator("table.variant-grid td.rendering a.open").first.click()  # type: ignore[attr-defined]
    p.wait_for_url("**/compare?**#*")  # type: ignore[attr-defined]
    target = p.locator(".cell:target")  # type: ignore[attr-defined]
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()
    watched.check()
    p.context.close()  # type: ignore[attr-defined]


def test_reading_view_follows_the_chosen_rendering(slow_server: LiveServer, page: Watched) -> None:
    p = page.page
    ids = api_ids(slow_server)
    p.goto(f"{slow_server.url}/variants?d={ids['000']}&d={ids['002']}&d={ids['004']}")  # type: ignore[attr-defined]
    expect(p.locator("table.variant-grid")).to_be_visible(timeout=60_000)  # type: ignore[attr-defined]
    p.click("input[type=radio][name=view][value=reading]")  # type: ignore[attr-defined]  # it submits: check() would re-read a new page
    p.wait_for_url("**view=reading**")  # type: ignore[attr-defined]
    expect(p.locator("ol.apparatus li").first).to_be_visible()  # type: ignore[attr-defined]
    assert p.locator(".lemma").count() > 5  # type: ignore[attr-defined]
    p.select_option("select[name=base]", str(ids["002"]))  # type: ignore[attr-defined]
    p.wait_for_url(f"**base={ids['002']}**")  # type: ignore[attr-defined]
    expect(p.locator(".sigla-key")).to_contain_text("002")  # type: ignore[attr-defined]
    followed = p.locator(".sigla-key div:has-text('(followed)') dd").inner_text()  # type: ignore[attr-defined]
    assert followed.startswith("002")
    shot(p, "variants-reading", full_page=True)


def test_twenty_renderings_show_progress_then_twenty_columns(slow_server: LiveServer, browser: object) -> None:
    base = make_base(5_000, seed=7)
    documents = [{"name": f"rendering {k:02d}.txt", "text": make_rendering(base, seed=100 + k).text}
                 for k in range(20)]
    request = urllib.request.Request(f"{slow_server.url}/api/documents", data=json.dumps(documents).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        ids = [d["id"] for d in json.load(response)["documents"]]
    watched = open_page(browser, width=1600, height=1000)
    p = watched.page
    p.goto(slow_server.url + "/variants?" + "&".join(f"d={i}" for i in ids))  # type: ignore[attr-defined]
    expect(p.locator("#variants-progress progress")).to_be_attached()  # type: ignore[attr-defined]
    expect(p.locator("table.variant-grid")).to_be_visible(timeout=120_000)  # type: ignore[attr-defined]
    expect(p.locator("thead th.rendering-name")).to_have_count(20)  # type: ignore[attr-defined]
    rows = p.locator("table.variant-grid tbody tr").count()  # type: ignore[attr-defined]
    assert rows >= 20
    full = p.locator("tbody th.statement .meta:has-text('in 20 of 20')").count()  # type: ignore[attr-defined]
    assert full >= rows // 2, "most statements are in every rendering"
    grid_is_sticky(p)
    shot(p, "variants-20")
    watched.check()
    p.context.close()  # type: ignore[attr-defined]


def test_narrow_window_variants_hold(slow_server: LiveServer, browser: object) -> None:
    ids = api_ids(slow_server)
    query = f"d={ids['000']}&d={ids['002']}&d={ids['004']}"
    watched = open_page(browser, width=420, height=900)
    for path in (f"/variants?{query}", f"/variants?{query}&view=reading"):
        watched.page.goto(slow_server.url + path)  # type: ignore[attr-defined]
        expect(watched.page.locator("#variants-body")).to_be_visible(timeout=60_000)  # type: ignore[attr-defined]
    watched.check()
    watched.page.context.close()  # type: ignore[attr-defined]
    assert_no_sideways_scroll(browser, slow_server, [(f"/variants?{query}", "variants-narrow-420"),
                                                     (f"/variants?{query}&view=reading", "variants-reading-420")])
