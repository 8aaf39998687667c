"""The compare view as people work in it, in real headless Chromium: changes counted and one key away,
the overview strip, folds, feedback while recomputing, the library's safety nets, a report link landing
at its passage, the dark theme, a 390 px window, and text contrast computed in the page.

Every test fails on a JavaScript error, a console error, a CSP violation or a dialog (``browser_support``).
Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_TESTS, Watched, expect, open_page, shot
from page_checks import CLIPPED_NAVIGATION_SCRIPT, low_contrast
from web_support import SEED_DIR, LiveServer

pytestmark = BROWSER_TESTS

SEED_004 = (SEED_DIR / "004_2baaef8fb25a8ccf.txt").read_text(encoding="utf-8")
SEED_002 = (SEED_DIR / "002_3a6851b46bc49101.txt").read_text(encoding="utf-8")
SEED_003 = (SEED_DIR / "003_d06d772fc26c9136.txt").read_text(encoding="utf-8")
EDITED_004 = SEED_004.replace("will not change", "will change", 1).replace("27-28", "26-28")


@pytest.fixture(scope="module")
def drafts(server: LiveServer) -> dict[str, int]:
    """Store the drafts of the seeds these tests compare; return the ids of all documents by short name."""
    documents = [
        {"name": "004-edited.txt", "text": EDITED_004},
        {"name": "004x10.txt", "text": "\n\n".join([SEED_004.strip()] * 10)},
        {"name": "002-and-003.txt", "text": SEED_002.strip() + "\n\n" + SEED_003.strip()},
    ]
    request = urllib.request.Request(f"{server.url}/api/documents", data=json.dumps(documents).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        json.load(response)
    with urllib.request.urlopen(f"{server.url}/api/documents", timeout=10) as response:
        listed = json.load(response)["documents"]
    seeds = {d["name"][:3]: d["id"] for d in listed if re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", d["name"])}
    return {**{d["name"].removesuffix(".txt"): d["id"] for d in listed}, **seeds}


def compare_url(server: LiveServer, a: int, b: int, **args: str) -> str:
    extra = "".join(f"&{key}={value}" for key, value in args.items())
    return f"{server.url}/compare?a={a}&b={b}{extra}"


def current_change(page: Any) -> int:
    return int(page.locator("#rows [aria-current]").get_attribute("data-change"))


# ---- changes at a glance, and one key away ----


def test_the_edits_of_a_draft_are_counted_and_marked(server: LiveServer, drafts: dict[str, int],
                                                     page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["004"], drafts["004-edited"]))
    line = p.locator("#changes-line").inner_text()
    assert re.search(r"\d+ changes?: \d+ edited", line), line
    assert "2 words removed, 1 added" in line, line  # "27" and "not" removed, "26" added
    assert p.locator(".row.kind-verbatim :is(del, ins)").count() == 0, "a pair with an edit is never verbatim"
    deleted, inserted = p.locator(".rows del").all_inner_texts(), p.locator(".rows ins").all_inner_texts()
    assert "27" in deleted and "not" in deleted and inserted == ["26"]
    p.keyboard.press("n")
    expect(p.locator("#change-position")).to_have_text(re.compile(r"change 1 of \d+"))
    row = p.locator("#rows [aria-current]")
    expect(row).to_be_in_viewport()
    expect(row.locator("del").first).to_be_in_viewport()
    shot(p, "edited-004-first-change")


def test_n_and_p_reach_every_change_in_order_and_wrap(server: LiveServer, drafts: dict[str, int],
                                                      page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    total = int(p.locator("#change-position").get_attribute("data-total"))
    stops = p.locator("#rows [data-stop]")
    assert total == stops.count() >= 10
    expect(p.locator("#change-position")).to_have_text(f"{total} changes")
    for number in range(1, total + 1):
        p.keyboard.press("n")
        expect(p.locator("#change-position")).to_have_text(f"change {number} of {total}")
        assert current_change(p) == number
        focused = p.evaluate("document.activeElement.getAttribute('data-change')")
        assert focused == str(number), "the change's row has the focus"
        expect(stops.nth(number - 1)).to_be_in_viewport()
        assert p.locator("#rows [aria-current]").count() == 1
    p.keyboard.press("n")  # past the last: back to the first
    expect(p.locator("#change-position")).to_have_text(f"change 1 of {total}")
    p.keyboard.press("p")  # before the first: the last
    expect(p.locator("#change-position")).to_have_text(f"change {total} of {total}")
    for number in range(total - 1, 0, -1):
        p.get_by_role("button", name="Previous change").click()
        assert current_change(p) == number
    p.get_by_role("button", name="Next change").click()
    assert current_change(p) == 2
    p.focus("input[name=threshold]")
    p.keyboard.press("n")  # keys typed into a control are the control's: on a slider, n is still "next"
    assert current_change(p) == 3
    p.focus("select[name=a]")
    p.keyboard.press("n")  # in a list box a letter picks an option: no move
    assert current_change(p) == 3


def test_the_overview_strip_marks_changes_and_a_click_goes_there(server: LiveServer, drafts: dict[str, int],
                                                                 page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    strip = p.locator("#overview")
    marks = strip.locator("rect.mark")
    expect(marks.first).to_be_attached()
    kinds = set(marks.evaluate_all("(ms) => ms.map((m) => m.getAttribute('class'))"))
    assert {"mark mark-edit", "mark mark-b-only", "mark mark-moved"} <= kinds
    view_height = float(p.evaluate("document.querySelector('#overview svg').viewBox.baseVal.height"))
    rows_height = float(p.evaluate("document.getElementById('rows').getBoundingClientRect().height"))
    assert view_height == pytest.approx(rows_height, abs=2)  # the strip maps the whole of the rows

    def click_on(mark: Any) -> None:
        box = strip.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 900, "the strip is in the window, whole"
        middle = float(mark.get_attribute("y")) + float(mark.get_attribute("height")) / 2
        p.mouse.click(box["x"] + box["width"] / 2, box["y"] + middle / view_height * box["height"])

    # Scrolled to the rows, the strip sticks to the window's top, whole: a click on the last change's mark
    # goes to that change.
    p.evaluate("window.scrollTo(0, document.getElementById('rows').getBoundingClientRect().top + scrollY)")
    shot(p, "overview-strip")
    last = marks.nth(marks.count() - 1)
    target = int(last.get_attribute("data-change"))
    click_on(last)
    assert current_change(p) == target
    expect(p.locator(f"#change-{target}")).to_be_in_viewport()
    view = strip.locator("rect.view")
    assert float(view.get_attribute("y")) > view_height / 2  # the part in view moved down the strip
    click_on(marks.nth(1))
    assert current_change(p) == int(marks.nth(1).get_attribute("data-change"))
    # A click on a blank part of the strip scrolls there in proportion: its top is the rows' top.
    box = strip.bounding_box()
    assert box
    p.mouse.click(box["x"] + box["width"] / 2, box["y"] + 1)
    rows_top = float(p.evaluate("document.getElementById('rows').getBoundingClientRect().top"))
    assert rows_top > 0, "the rows' start is in view"


def test_a_long_comparison_folds_and_its_folds_open(server: LiveServer, drafts: dict[str, int],
                                                    page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["002-and-003"]))
    one_sided = p.locator("details.fold-one-sided")
    expect(one_sided).to_have_count(1)
    expect(one_sided.locator("summary")).to_contain_text(re.compile(r"\d+ more sentences only in B"))
    hidden_rows = one_sided.locator(".row")
    assert hidden_rows.count() > 10 and not hidden_rows.first.is_visible()
    stop = p.locator(f"#change-{one_sided.get_attribute('data-change')}")
    assert stop.is_visible(), "navigation lands on the run's first row, before the fold"
    one_sided.locator("summary").click()
    expect(hidden_rows.first).to_be_visible()
    expect(one_sided).to_have_attribute("open", "")
    assert "· fold" in one_sided.locator("summary").aria_snapshot()  # its line now offers to fold again

    p.goto(compare_url(server, drafts["004"], drafts["004x10"]))
    identical = p.locator("details.fold-identical").first
    expect(identical.locator("summary")).to_contain_text(re.compile(r"\d+ identical sentences"))
    rows = identical.locator(".row")
    assert not rows.first.is_visible()
    shot(p, "folded-004-004x10")
    marks_before = p.locator("#overview rect.mark").count()
    identical.locator("summary").click()
    expect(rows.first).to_be_visible()
    assert p.locator("#overview rect.mark").count() == marks_before  # identical rows add no marks
    p.check("input[name=hide_identical]")
    p.wait_for_url("**hide_identical=1**")
    line = p.locator("#changes-line")
    expect(line).to_contain_text(re.compile(r"\d+ identical sentences hidden"))
    hidden = int(re.search(r"([\d,]+) identical sentences hidden", line.inner_text()).group(1).replace(",", ""))
    folded = sum(int(re.search(r"([\d,]+) identical", text).group(1).replace(",", ""))
                 for text in p.locator("details.fold-identical > summary").all_inner_texts())
    assert hidden == folded > 0


def test_a_passage_link_into_a_fold_opens_it(server: LiveServer, drafts: dict[str, int], page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["002-and-003"]))
    anchor = p.locator("details.fold-one-sided .cell[id]").nth(5).get_attribute("id")
    p.goto(compare_url(server, drafts["002"], drafts["002-and-003"]) + f"#{anchor}")
    target = p.locator(f"[id='{anchor}']")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()


# ---- feedback and safety ----


def test_the_slider_sends_one_request_when_the_user_stops(server: LiveServer, drafts: dict[str, int],
                                                          page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    requests: list[str] = []
    p.on("request", lambda r: "/compare?" in r.url and requests.append(r.url))
    start = float(p.input_value("input[name=threshold]"))
    p.focus("input[name=threshold]")
    for _ in range(6):  # six steps by keyboard, as fast as a held key
        p.keyboard.press("ArrowRight")
    expect(p.locator("output#threshold-value")).to_have_text(f"{start + 0.06:.2f}")
    p.wait_for_url(f"**threshold={start + 0.06:g}**")
    p.wait_for_load_state("networkidle")
    p.wait_for_timeout(600)
    assert len(requests) == 1, requests
    assert p.evaluate("document.activeElement.name") == "threshold", "the focus stays on the slider"


def test_the_old_result_is_dimmed_and_busy_while_recomputing(server: LiveServer, drafts: dict[str, int],
                                                             page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    held: list[Any] = []
    p.route(re.compile(r".*/compare\?.*threshold=0\.5.*"), lambda route: held.append(route))
    p.locator("input[name=threshold]").evaluate(
        """(el) => { el.value = "0.5"; el.dispatchEvent(new Event("input", {bubbles: true}));
                     el.dispatchEvent(new Event("change", {bubbles: true})); }""")
    result = p.locator("#result")
    expect(result).to_have_attribute("aria-busy", "true")
    expect(p.locator("#busy")).to_be_visible()
    expect(result).to_have_css("opacity", "0.45")
    assert held, "the request is held"
    held[0].continue_()
    p.wait_for_url("**threshold=0.5**")
    expect(p.locator("#result")).not_to_have_attribute("aria-busy", "true")
    expect(p.locator("#result")).to_have_css("opacity", "1")
    p.go_back()  # the page saved for the back button is not saved busy
    p.wait_for_url(re.compile(r".*/compare\?a=\d+&b=\d+$"))
    expect(p.locator("#result")).not_to_have_attribute("aria-busy", "true")


def test_deleting_a_document_asks_first(server: LiveServer, page: Watched) -> None:
    request = urllib.request.Request(f"{server.url}/api/documents", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"name": "to delete.txt", "text": "Delete me later."}).encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        document_id = json.load(response)["documents"][0]["id"]
    p = page.page
    p.goto(server.url + "/")
    row = p.locator("table.documents tr", has_text="to delete.txt")
    row.locator("summary").click()
    row.get_by_role("link", name=re.compile("Delete")).click()
    expect(p.locator("h1")).to_have_text("Delete to delete.txt?")
    shot(p, "delete-confirmation")
    p.get_by_role("link", name="Keep it").click()
    expect(p.locator("table.documents")).to_contain_text("to delete.txt")
    p.goto(f"{server.url}/documents/{document_id}")
    p.get_by_role("link", name=re.compile("Delete")).click()
    p.get_by_role("button", name="Delete to delete.txt").click()
    expect(p.locator(".flashes")).to_contain_text("Deleted to delete.txt")
    assert "to delete.txt" not in p.locator("table.documents").inner_text()


def test_a_batch_with_one_bad_file_stores_the_good_ones_and_lists_each(server: LiveServer, browser: object,
                                                                       tmp_path: Path) -> None:
    watched = open_page(browser)
    p = watched.page
    files = {"good one.txt": b"The first good file of the batch.", "binary.txt": bytes(range(256)) * 8,
             "good two.md": b"# The second\n\nGood file."}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    p.set_input_files("input[name=files]", paths)  # type: ignore[attr-defined]
    p.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    outcomes = p.locator("#upload-outcomes")  # type: ignore[attr-defined]
    expect(outcomes).to_contain_text("2 of 3 files added")
    items = outcomes.locator("li").all_inner_texts()
    assert [item.split(" ", 2)[:2] for item in items] == [["✓", "added"], ["✗", "not"], ["✓", "added"]]
    assert "binary.txt: looks binary" in items[1]
    table = p.locator("table.documents").inner_text()  # type: ignore[attr-defined]
    assert "good one.txt" in table and "good two.md" in table and "binary.txt" not in table
    expect(p.locator("input[name=files]")).to_be_visible()  # type: ignore[attr-defined]
    shot(p, "upload-batch-one-bad")
    watched.check()
    p.context.close()  # type: ignore[attr-defined]


# ---- report links, accessibility, layout ----


def test_a_report_link_lands_on_the_first_row_of_its_passage(server: LiveServer, drafts: dict[str, int],
                                                             page: Watched) -> None:
    p = page.page
    p.goto(f"{server.url}/report?d={drafts['000']}&d={drafts['004']}&d={drafts['002']}")
    link = p.locator(".heatmap a.cell").first
    href = link.get_attribute("href")
    start, end = (int(x) for x in re.search(r"start=(\d+)&(?:amp;)?end=(\d+)", href).groups())
    a_id = int(re.search(r"a=(\d+)", href).group(1))
    with urllib.request.urlopen(f"{server.url}/api/documents/{a_id}", timeout=10) as response:
        text = json.load(response)["document"]["text"]
    opening = " ".join(text[start:end].split())[:30]
    link.click()
    p.wait_for_url("**/compare?**#*")
    target = p.locator(".cell:target")
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()
    shown = " ".join(target.inner_text().split())
    assert opening in shown, (opening, shown[:200])


def test_passages_are_labelled_a_or_b_and_the_skip_link_leads_to_the_content(
        server: LiveServer, drafts: dict[str, int], page: Watched) -> None:
    p = page.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    snapshot = p.locator(".row.kind-variant").first.aria_snapshot()  # what a screen reader reads of a row
    assert re.match(r'- text: "?A ?:', snapshot), snapshot  # the row opens with A's label ...
    assert re.search(r"variant, \d+ edits? B ?:", snapshot), snapshot  # ... and B's passage with B's
    cells = p.locator(".rows .cell[id]")
    labels = cells.evaluate_all("(cs) => cs.map((c) => [c.classList.contains('side-a') ? 'A:' : 'B:', "
                                "c.querySelector('.side-label').textContent])")
    assert labels and all(side == label for side, label in labels)
    p.keyboard.press("Tab")
    skip = p.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    p.keyboard.press("Enter")
    expect(p.locator("main")).to_be_focused()


@pytest.fixture
def dark(page: Watched) -> Watched:
    """The watched page of ``conftest.page``, its system asking for a dark theme."""
    page.page.emulate_media(color_scheme="dark")
    return page


def test_the_dark_theme_follows_the_system(server: LiveServer, drafts: dict[str, int], dark: Watched) -> None:
    p = dark.page
    p.goto(compare_url(server, drafts["002"], drafts["004"]))
    background = p.evaluate("getComputedStyle(document.body).backgroundColor")
    ink = p.evaluate("getComputedStyle(document.body).color")
    assert sum(map(int, re.findall(r"\d+", background)[:3])) < 150, background
    assert sum(map(int, re.findall(r"\d+", ink)[:3])) > 600, ink
    panel = p.locator(".rows").evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert sum(map(int, re.findall(r"\d+", panel)[:3])) < 150, panel
    checked, failures = low_contrast(p)
    assert checked > 100 and not failures, failures[:5]
    p.keyboard.press("n")
    shot(p, "compare-dark")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5_to_1(server: LiveServer, drafts: dict[str, int], browser: Any,
                                            scheme: str) -> None:
    watched = open_page(browser)
    p = watched.page
    p.emulate_media(color_scheme=scheme)  # type: ignore[attr-defined]
    one = drafts["000"]
    pages = ["/", compare_url(server, drafts["002"], drafts["004"]), compare_url(server, drafts["000"], one),
             compare_url(server, drafts["004"], drafts["004x10"]),
             compare_url(server, drafts["002"], drafts["004"], hide_identical="1"),
             f"/report?d={drafts['000']}&d={drafts['002']}&d={drafts['004']}&d={drafts['004-edited']}",
             f"/documents/{one}", f"/documents/{one}/delete"]
    for url in pages:
        p.goto(url if url.startswith("http") else server.url + url)  # type: ignore[attr-defined]
        checked, failures = low_contrast(p)
        assert checked > 5 and not failures, (url, failures[:5])
    noise = p.locator(".cell.dim")  # type: ignore[attr-defined]
    p.goto(compare_url(server, drafts["002"], drafts["004"]))  # type: ignore[attr-defined]
    assert noise.count() > 0, "page noise is measured too"
    p.goto(f"{server.url}/report?d={drafts['000']}&d={drafts['002']}&d={drafts['004']}")  # type: ignore[attr-defined]
    assert p.locator(".heatmap a.cell text").count() > 2, "heatmap values are measured too"  # type: ignore[attr-defined]
    watched.check()
    p.context.close()  # type: ignore[attr-defined]


def test_a_390_px_window_neither_scrolls_sideways_nor_clips_the_navigation(
        server: LiveServer, drafts: dict[str, int], browser: Any) -> None:
    watched = open_page(browser, width=390, height=844)
    p = watched.page
    one = drafts["000"]
    pages = [("/", "library-390"), (compare_url(server, drafts["002"], drafts["004"]), "compare-390"),
             (compare_url(server, drafts["004"], drafts["004x10"]), "compare-004x10-390"),
             (f"/report?d={drafts['000']}&d={drafts['002']}&d={drafts['004']}", "report-390"),
             (f"/variants?d={drafts['000']}&d={drafts['002']}&d={drafts['004']}", "variants-390"),
             (f"/documents/{one}", "document-390"), (f"/documents/{one}/delete", "delete-390"),
             (compare_url(server, one, 999_999), "compare-error-390")]
    for url, name in pages:
        p.goto(url if url.startswith("http") else server.url + url)  # type: ignore[attr-defined]
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
        assert p.evaluate(CLIPPED_NAVIGATION_SCRIPT) == [], url  # type: ignore[attr-defined]
        shot(p, name)
    p.goto(compare_url(server, drafts["002"], drafts["004"]))  # type: ignore[attr-defined]
    p.keyboard.press("n")  # type: ignore[attr-defined]
    expect(p.locator("#rows [aria-current]")).to_be_in_viewport()  # type: ignore[attr-defined]
    label = p.locator("#rows [aria-current] .side-label").first  # type: ignore[attr-defined]
    expect(label).to_be_visible()  # on a narrow window the A/B labels show
    shot(p, "compare-390-change")
    assert [m for m in watched.problems if "404" not in m] == []  # the error page of the unknown document
    watched.problems.clear()
    watched.check()
    p.context.close()  # type: ignore[attr-defined]
