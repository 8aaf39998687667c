"""The Variants page through Flask's test client: the grid, the reading view, the job, exports, errors, escaping."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from web_support import XSS_IMG, XSS_SCRIPT, make_app, seed_id

from web.limits import Limits

TEI = "{http://www.tei-c.org/ns/1.0}"
SETTLED = {"VARIANTS_SYNC_WAIT_S": 30.0}  # pages wait for the alignment job, however loaded the machine


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The app, its Variants page waiting for the seeds' alignment (a worker started cold can take past 1.5 s)."""
    return make_app(tmp_path, **SETTLED)


def seed_ids(client: FlaskClient, prefixes: tuple[str, ...] = ("000", "002", "004")) -> list[int]:
    return [seed_id(client, prefix) for prefix in prefixes]


def seeds_url(client: FlaskClient, *extra: str, path: str = "/variants") -> str:
    return path + "?" + "&".join([*(f"d={i}" for i in seed_ids(client)), *extra])


def rows(page: str) -> list[str]:
    return re.findall(r'<tr id="statement-\d+">.*?</tr>', page, flags=re.S)


def names(page: str) -> list[str]:
    return [unescape(n).strip() for n in re.findall(r'<th scope="col" class="rendering-name"><span class="siglum">'
                                                    r'[A-Z0-9]+</span>([^<]+)</th>', page)]


def test_without_a_choice_the_page_offers_the_library(client: FlaskClient) -> None:
    page = client.get("/variants").get_data(as_text=True)
    assert page.count('type="checkbox" name="d"') == 5
    assert "Choose two or more renderings" in page and "<table" not in page
    assert '<a href="/variants">Variants</a>' in page and '<a href="/report">Report</a>' in page


def test_seed_statements_are_rows_with_a_cell_per_document_and_variant_words(client: FlaskClient) -> None:
    page = client.get(seeds_url(client)).get_data(as_text=True)
    assert [n[:3] for n in names(page)] == ["000", "002", "004"]
    found = rows(page)
    assert len(found) >= 10
    for row in found:
        assert row.count('<td class="rendering') == 3  # every chosen document has its cell
    marks = [unescape(m) for m in re.findall(r'<mark class="variant">([^<]+)</mark>', page)]
    assert "innovative" in marks and "innovation" in marks  # 002 and 004; 000 words that clause on its own
    assert any("not in this rendering" in row for row in found), "some statement is missing from some document"
    links = re.findall(r'href="(/compare/at\?[^"]+)"', page)
    assert links and all("start=" in unescape(link) for link in links)


def test_a_missing_cell_links_nothing_and_a_present_cell_opens_the_passage(client: FlaskClient) -> None:
    page = client.get(seeds_url(client)).get_data(as_text=True)
    row = next(r for r in rows(page) if "not in this rendering" in r)
    missing = re.search(r'<td class="rendering absent">.*?</td>', row, flags=re.S)
    assert missing and "href" not in missing.group(0)
    link = unescape(re.search(r'href="(/compare/at\?[^"]+)"', row).group(1))  # type: ignore[union-attr]
    response = client.get(link)
    assert response.status_code == 303 and "#" in response.headers["Location"]


def test_divergence_filter_keeps_only_statements_differing_enough(client: FlaskClient) -> None:
    everything = rows(client.get(seeds_url(client)).get_data(as_text=True))
    figures = [int(f) for r in everything for f in re.findall(r"differ (\d+)%", r)]
    cut = sorted(figures)[len(figures) // 2] / 100
    page = client.get(seeds_url(client, f"min_divergence={cut}")).get_data(as_text=True)
    kept = [int(f) for f in re.findall(r"differ (\d+)%", page)]
    assert kept and len(kept) < len(figures)
    assert all(k >= cut * 100 - 0.5 for k in kept)
    assert f'value="{cut:g}" selected' in page


def test_htmx_gets_the_fragment_and_the_canonical_url_to_push(client: FlaskClient) -> None:
    response = client.get(seeds_url(client, "min_divergence=0.3"), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<title>Variants" in body
    assert response.headers["HX-Push-Url"].startswith("/variants?d=")
    assert "min_divergence=0.3" in response.headers["HX-Push-Url"]
    assert "HX-Request" in response.headers["Vary"]


def test_reading_view_follows_one_rendering_with_an_apparatus(client: FlaskClient) -> None:
    ids = seed_ids(client)
    page = client.get(seeds_url(client, "view=reading", f"base={ids[2]}")).get_data(as_text=True)
    assert '<table class="variant-grid">' not in page
    statements = re.findall(r'<section class="reading-statement[^"]*" id="reading-(\d+)">', page)
    assert statements and [int(n) for n in statements] == sorted(int(n) for n in statements)
    entries = re.findall(r'<li value="\d+"><span class="lemma-text">([^<]*)\]</span>', page)
    assert len(entries) > 10
    sigla = dict(re.findall(r"<dt>([A-Z])</dt><dd>([^<]+)", page))
    assert [name[:3] for name in sigla.values()] == ["000", "002", "004"]
    assert "(followed)" in page.split("<dt>C</dt>")[1].split("</dd>")[0]
    assert re.search(r'<p class="added"><span class="sigla">\+ [AB]', page), "statements 004 lacks are additions"


def test_bad_choices_get_clear_4xx_messages(client: FlaskClient) -> None:
    one, two = seed_ids(client, ("000", "002"))
    most = Limits().variants_max_documents
    cases = [
        (f"/variants?d={one}", 400, "Choose at least two documents"),
        ("/variants?d=x", 400, "parameter d must be a document id (a whole number from 1 to"),
        (f"/variants?d={one}&d=999", 404, "no document with id 999"),
        (f"/variants?d={one}&d={two}&min_divergence=2", 400, "min_divergence must be between 0 and 1"),
        (f"/variants?d={one}&d={two}&view=grid", 400, "view must be one of table, reading"),
        (f"/variants?d={one}&d={two}&base=999", 400, "base must be one of the chosen documents"),
        (f"/variants?d={one}&d={two}&base=x", 400, "parameter base must be a document id"),
        (f"/variants?d={one}&d={two}&page=0", 400, "parameter page must be a whole number of at least 1"),
        ("/variants?" + "&".join(f"d={i}" for i in range(1, most + 2)), 400, f"at most {most}"),
        (f"/variants/export.pdf?d={one}&d={two}", 404, "unknown export format"),
        (f"/variants/export.csv?d={one}", 400, "choose at least two documents"),
    ]
    for url, status, message in cases:
        response = client.get(url)
        assert response.status_code == status, url
        assert message in unescape(response.get_data(as_text=True)), url


def test_too_many_characters_are_refused_with_the_sizes(tmp_path: Path) -> None:
    client = make_app(tmp_path, VARIANTS_MAX_CHARS=3_000, **SETTLED).test_client()
    response = client.get("/variants?" + "&".join(f"d={i}" for i in seed_ids(client)))
    assert response.status_code == 400
    assert "takes at most 3,000 at once" in unescape(response.get_data(as_text=True))


def test_hostile_names_and_texts_are_escaped_in_both_views(client: FlaskClient, xss_documents: dict[str, int]) -> None:
    ids = "&".join(f"d={i}" for i in xss_documents.values())
    for url in (f"/variants?{ids}", f"/variants?{ids}&view=reading"):
        page = client.get(url).get_data(as_text=True)
        assert "reading-statement" in page or rows(page)
        for raw in (XSS_SCRIPT, XSS_IMG, "<img", "<script>alert"):
            assert raw not in page, url
        text = re.sub(r"</?(mark|span|sup)[^>]*>", "", page)  # marks may cut through the hostile words
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url


def test_the_document_cap_comes_from_the_limits_table(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"variants_max_documents": 2}, **SETTLED).test_client()
    ids = seed_ids(client)
    response = client.get("/variants?" + "&".join(f"d={i}" for i in ids))
    assert response.status_code == 400
    assert "at most 2 documents" in unescape(response.get_data(as_text=True))
    assert client.get("/variants?" + "&".join(f"d={i}" for i in ids[:2])).status_code == 200


def test_a_slow_alignment_shows_a_progress_bar_that_polling_replaces(tmp_path: Path) -> None:
    client = make_app(tmp_path, VARIANTS_SYNC_WAIT_S=0.0).test_client()
    page = client.get(seeds_url(client)).get_data(as_text=True)
    poll = re.search(r'hx-get="(/variants/jobs/[^"]+)"', page)
    assert poll and "<progress" in page and 'hx-trigger="every 500ms"' in page
    url = unescape(poll.group(1))
    assert client.get(url).status_code == 303  # a browser without htmx goes back to the page
    for _ in range(600):
        body = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        if 'id="variants-body"' in body:
            break
        assert "<progress" in body
        time.sleep(0.1)
    assert rows(body) and "<html" not in body
    assert client.get("/variants/jobs/nope?d=1&d=2", headers={"HX-Request": "true"}).status_code == 404


def test_alignments_run_in_the_heavy_pool_and_a_full_registry_is_a_503(tmp_path: Path) -> None:
    app = make_app(tmp_path, LIMITS={"workers": 1, "queue": 2}, VARIANTS_MAX_JOBS=1, VARIANTS_SYNC_WAIT_S=0.0)
    client = app.test_client()
    pool = app.extensions["pools"].pool("heavy")
    holder = threading.Thread(target=pool.run, args=(time.sleep, 2.0),
                              kwargs={"deadline": time.monotonic() + 10, "label": "a long comparison"})
    holder.start()
    deadline = time.monotonic() + 5
    while pool.running < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    page = client.get(seeds_url(client)).get_data(as_text=True)
    assert "<progress" in page
    while pool.waiting < 1 and time.monotonic() < deadline:  # the alignment waits for the comparison's worker
        time.sleep(0.01)
    assert pool.waiting == 1
    one, two = seed_ids(client, ("000", "002"))
    busy = client.get(f"/variants?d={one}&d={two}")
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
    assert "alignments are queued or being built already" in unescape(busy.get_data(as_text=True))
    holder.join()
    for _ in range(300):  # then the alignment runs in that worker and its page shows the table
        page = client.get(seeds_url(client)).get_data(as_text=True)
        if rows(page):
            break
        time.sleep(0.1)
    assert rows(page)
    app.extensions["pools"].close()


def test_the_same_documents_reuse_their_alignment(client: FlaskClient) -> None:
    from web.variants import jobs

    client.get(seeds_url(client))
    with client.application.app_context():
        kept = len(jobs())
    client.get(seeds_url(client, "view=reading"))
    client.get(seeds_url(client, "min_divergence=0.5"))
    with client.application.app_context():
        assert len(jobs()) == kept == 1


def test_paging_splits_the_statements(tmp_path: Path) -> None:
    client = make_app(tmp_path, VARIANTS_PAGE_SIZE=4, **SETTLED).test_client()
    first = client.get(seeds_url(client)).get_data(as_text=True)
    second = client.get(seeds_url(client, "page=2")).get_data(as_text=True)
    assert len(rows(first)) == len(rows(second)) == 4
    assert set(rows(first)).isdisjoint(rows(second))
    assert "Page 2 of" in second and "‹ previous" in second
    last = client.get(seeds_url(client, "page=999")).get_data(as_text=True)
    assert "next ›" not in last and rows(last)


def test_csv_export_is_the_table_with_a_column_per_document(client: FlaskClient) -> None:
    page = client.get(seeds_url(client)).get_data(as_text=True)
    response = client.get(seeds_url(client, path="/variants/export.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="variants.csv"' in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [n[:3] for n in table[0][3:]] == ["000", "002", "004"]
    total = int(re.search(r"<strong>(\d+)</strong> shared", page).group(1))  # type: ignore[union-attr]
    assert len(table) - 1 == total
    filtered = list(csv.reader(io.StringIO(client.get(seeds_url(client, "min_divergence=0.5",
                                                                 path="/variants/export.csv")).get_data(as_text=True))))
    assert len(filtered) < len(table)


def test_json_export_spans_slice_the_documents(client: FlaskClient) -> None:
    data = client.get(seeds_url(client, path="/variants/export.json")).get_json()
    texts = [client.get(f"/api/documents/{i}").get_json()["document"]["text"] for i in seed_ids(client)]
    assert data["families"]
    for family in data["families"]:
        for rendering in family["renderings"]:
            start, end = rendering["span"]
            assert texts[rendering["document"]][start:end] == rendering["text"]


def test_tei_export_parses_and_names_every_witness(client: FlaskClient) -> None:
    response = client.get(seeds_url(client, path="/variants/export.tei"))
    assert response.status_code == 200 and response.mimetype == "application/tei+xml"
    assert 'filename="variants.tei.xml"' in response.headers["Content-Disposition"]
    root = etree.fromstring(response.get_data(), etree.XMLParser(resolve_entities=False, no_network=True))
    witnesses = [w.text for w in root.iter(f"{TEI}witness")]
    assert [w[:3] for w in witnesses] == ["000", "002", "004"]  # type: ignore[index]
    apps = list(root.iter(f"{TEI}app"))
    assert len(apps) > 10
    for app in apps:
        wits = sorted(w for rdg in app.iter(f"{TEI}rdg") for w in rdg.get("wit", "").split())
        assert wits == ["#w1", "#w2", "#w3"]
