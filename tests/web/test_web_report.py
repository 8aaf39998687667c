"""The Report page, its background jobs and exports, and the compare view's passage links."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import XSS_IMG, XSS_SCRIPT, make_app, seed_id

from compare import Progress, WorkerPool
from web.jobs import JobRegistry, JobsBusy


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The app, its Report page waiting for the seeds' report (1.3-2 s cold on a loaded machine, past the 1.5 s)."""
    return make_app(tmp_path, REPORT_SYNC_WAIT_S=30.0)


def test_compare_at_redirects_to_the_row_of_the_passage(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    text = client.get(f"/api/documents/{a}").get_json()["document"]["text"]
    start = text.index("innovative")
    response = client.get(f"/compare/at?a={a}&b={b}&start={start}&end={start + 10}")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"/compare?a={a}&b={b}") and "#p" in location
    anchor = location.split("#")[1]
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    cell = page[page.index(f'id="{anchor}"'):]
    assert "innovative" in cell[: cell.index("</div>")]


def test_compare_at_refuses_bad_offsets(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    for args, message in (("start=x", "character offsets"), ("start=9&end=3", "0 &lt;= start &lt;= end")):
        response = client.get(f"/compare/at?a={a}&b={b}&{args}")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html
        assert '<form class="controls"' in html and f'<option value="{a}" selected>' in html  # the controls stay


def test_report_of_the_library_shows_heatmap_tables_and_families(client: FlaskClient) -> None:
    response = client.get("/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg class="heatmap"' in page and 'class="heatmap-legend"' in page
    assert page.count('class="row-label"') == 5
    assert 'id="documents-table"' in page and 'id="pairs-table"' in page
    # Heatmap cells that share something link to the comparison at a passage of the row document.
    cells = re.findall(r'<a class="cell" href="([^"]+)" aria-label="(\d+)% of ([^ ]+) is found in ([^"]+)"', page)
    assert cells
    ids = {name: seed_id(client, name[:3]) for name in {c[2] for c in cells} | {c[3] for c in cells}}
    for href, _, row, column in cells:
        assert unescape(href).startswith(f"/compare/at?a={ids[row]}&b={ids[column]}&start=")
    assert "Passage families" in page and 'class="member"' in page


def test_report_page_explains_how_a_share_is_counted_and_cells_name_both_documents(client: FlaskClient) -> None:
    page = client.get("/report").get_data(as_text=True)
    explained = re.search(r'<details class="explained">(.*?)</details>', page, re.S)
    assert explained is not None
    text = unescape(re.sub(r"<[^>]+>", " ", explained.group(1)))
    assert "characters of text" in text and "text segments" in text and "Page noise" in text
    assert "compare view opened with other options" in text  # why a compare view can differ
    # Each cell's tooltip (its SVG <title>) and label name the row document and the column document.
    names = {unescape(n) for n in re.findall(r'<td class="name">([^<]+)', page)}
    cells = re.findall(r'<a class="cell" href="[^"]+" aria-label="([^"]+)">.*?<title>([^<]+)</title>', page, re.S)
    assert cells
    for label, title in cells:
        row, column = unescape(title).split(" of ", 1)[1].split(" is found in ")
        assert row in names and column in names and row != column
        assert unescape(label) == unescape(title)


def test_heatmap_cell_opens_the_comparison_at_its_passage(client: FlaskClient) -> None:
    page = client.get("/report").get_data(as_text=True)
    href = unescape(re.search(r'<a class="cell" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    response = client.get(href)
    assert response.status_code == 303
    path, anchor = response.headers["Location"].split("#")
    compared = client.get(path).get_data(as_text=True)
    assert f'id="{anchor}"' in compared


def test_tables_sort_by_query_parameters(client: FlaskClient) -> None:
    def names(sort: str) -> list[str]:
        page = client.get(f"/report?doc_sort={sort}").get_data(as_text=True)
        table = page[page.index('id="documents-table"'):]
        return re.findall(r'<td class="name"><a href="/documents/\d+">([^<]+)</a>', table[: table.index("</table>")])

    assert names("name") == sorted(names("name")) and names("-name") == names("name")[::-1]
    page = client.get("/report?doc_sort=name").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and "doc_sort=-name#documents-table" in page
    response = client.get("/report?pair_sort=bogus")
    assert response.status_code == 400 and "pair_sort must be one of" in response.get_data(as_text=True)


def test_htmx_gets_the_report_fragment(client: FlaskClient) -> None:
    response = client.get("/report", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and '<svg class="heatmap"' in body and "<title>Report" in body
    assert response.headers["HX-Push-Url"] == "/report"


def test_a_slow_report_shows_progress_polled_until_the_report_replaces_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, REPORT_SYNC_WAIT_S=0.0)
    client = app.test_client()
    page = client.get("/report").get_data(as_text=True)
    poll = re.search(r'hx-get="(/report/jobs/[^"]+)" hx-trigger="every 500ms"', page)
    if poll is None:  # the seeds' report finished before the page rendered
        assert '<svg class="heatmap"' in page
        return
    assert "<progress" in page and 'role="status"' in page
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fragment = client.get(unescape(poll.group(1)), headers={"HX-Request": "true"}).get_data(as_text=True)
        if '<svg class="heatmap"' in fragment:
            assert "every 500ms" not in fragment and "<html" not in fragment
            break
        assert "<progress" in fragment
        time.sleep(0.1)
    else:
        raise AssertionError("the report never finished")
    plain = client.get(unescape(poll.group(1)))
    assert plain.status_code == 303 and plain.headers["Location"] == "/report"


def fail(*, progress: Progress) -> int:
    raise ValueError("document x.txt is empty")


def constant(value: int, *, progress: Progress) -> int:
    return value


def wait_for_file(path: str, *, progress: Progress) -> int:
    """Report a quarter done, then wait (in the worker process) until ``path`` exists."""
    progress(1, 4)
    deadline = time.monotonic() + 10
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return 1


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(1, queue=8, context="fork") as workers:
        yield workers


def test_failed_and_unknown_jobs_say_what_happened(pool: WorkerPool) -> None:
    registry: JobRegistry[int] = JobRegistry(pool, max_jobs=2, ttl_s=60)
    job = registry.submit("k", fail)
    assert job.wait(5) and job.error == "document x.txt is empty" and job.fraction == 1.0
    again = registry.submit("k", constant, 7)  # a failed job is retried, not kept
    assert again.id != job.id and again.wait(5) and again.result == 7
    assert registry.submit("k", constant, 8) is again  # the finished one is reused


def test_jobs_queue_share_and_both_finish(pool: WorkerPool, tmp_path: Path) -> None:
    """A job beyond the workers waits its turn (no 503), and a job asked for twice is shared."""
    registry: JobRegistry[int] = JobRegistry(pool, max_jobs=3, ttl_s=60)
    release = tmp_path / "release"
    first = registry.submit("first", wait_for_file, str(release))
    second = registry.submit("second", constant, 2)
    assert registry.submit("first", wait_for_file, str(release)) is first
    deadline = time.monotonic() + 5
    while first.fraction < 0.25 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.running and not first.queued and first.fraction == 0.25
    assert second.queued and registry.ahead_of(second) == 1 and registry.ahead_of(first) == 0
    release.touch()
    assert first.wait(5) and second.wait(5)
    assert (first.result, second.result, first.error, second.error) == (1, 2, None, None)


def test_jobs_are_bounded_stopped_at_their_budget_and_expire(pool: WorkerPool, tmp_path: Path) -> None:
    registry: JobRegistry[int] = JobRegistry(pool, max_jobs=2, ttl_s=0.5, time_budget_s=0.3, name="reports")
    slow = registry.submit("slow", wait_for_file, str(tmp_path / "never"))
    queued = registry.submit("queued", constant, 2)
    with pytest.raises(JobsBusy, match="2 reports are queued or being built already"):
        registry.submit("other", constant, 3)
    assert slow.wait(5) and slow.error is not None and "did not finish within its 0.3 s time budget" in slow.error
    assert queued.wait(5) and queued.result == 2  # the killed worker was replaced
    for key in ("b", "c", "d"):
        assert registry.submit(key, constant, 3).wait(5)
    assert len(registry) <= 2  # the oldest finished jobs made room
    time.sleep(0.6)
    assert registry.get(slow.id) is None and len(registry) == 0


def test_unknown_job_and_bad_selection_are_clear_errors(client: FlaskClient) -> None:
    response = client.get("/report/jobs/nope", headers={"HX-Request": "true"})
    assert response.status_code == 404 and "no longer kept" in response.get_data(as_text=True)
    one = seed_id(client, "000")
    for url, status, message in ((f"/report?d={one}", 400, "at least two documents"),
                                 ("/report?d=abc", 400, "parameter d must be a document id"),
                                 (f"/report?d={one}&d=999", 404, "no document with id 999"),
                                 ("/report/export.pdf", 404, "unknown export format")):
        response = client.get(url)
        assert response.status_code == status, url
        assert message in unescape(response.get_data(as_text=True)), url
        if url.startswith("/report?"):  # the page keeps its document picker
            assert 'class="controls report-controls"' in response.get_data(as_text=True), url


def test_html_download_is_self_contained(client: FlaskClient) -> None:
    response = client.get("/report/export.html")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "<svg" in body and "<script" not in body and "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_hostile_names_and_texts_are_escaped_in_the_report_and_its_download(
    client: FlaskClient, xss_documents: dict[str, int]
) -> None:
    query = "&".join(f"d={i}" for i in xss_documents.values())
    for url in (f"/report?{query}", f"/report/export.html?{query}"):
        page = client.get(url).get_data(as_text=True)
        assert "<svg" in page
        for raw in (XSS_SCRIPT, XSS_IMG, "<img", "<script>alert"):
            assert raw not in page, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.replace("&#34;", '"').replace("&quot;", '"'), url


def test_json_and_csv_downloads_carry_the_report(client: FlaskClient) -> None:
    data = json.loads(client.get("/report/export.json").get_data(as_text=True))
    assert {"documents", "pairs", "families"} <= set(data)
    assert len(data["documents"]) == 5
    response = client.get("/report/export.csv")
    assert response.mimetype == "text/csv" and 'filename="report.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
