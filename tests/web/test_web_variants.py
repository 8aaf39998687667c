"""The Variants page through Flask's test client: families, variant marks, filter, fragments, errors, escaping."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from flask.testing import FlaskClient
from web_support import XSS_IMG, XSS_SCRIPT, make_app, seed_id

from web.limits import Limits


def seeds_url(client: FlaskClient, *extra: str) -> str:
    ids = [seed_id(client, prefix) for prefix in ("000", "002", "004")]
    return "/variants?" + "&".join([*(f"d={i}" for i in ids), *extra])


def family_tables(page: str) -> list[str]:
    return re.findall(r'<table class="family".*?</table>', page, flags=re.S)


def test_without_a_choice_the_page_offers_the_library(client: FlaskClient) -> None:
    page = client.get("/variants").get_data(as_text=True)
    assert page.count('type="checkbox" name="d"') == 5
    assert "Choose two or more documents" in page and "<table" not in page
    assert '<a href="/variants">Variants</a>' in page and '<a href="/report">Report</a>' in page


def test_seed_families_show_one_row_per_document_with_variant_words(client: FlaskClient) -> None:
    page = client.get(seeds_url(client)).get_data(as_text=True)
    tables = family_tables(page)
    assert tables
    for table in tables:
        names = re.findall(r'<th scope="row" class="document-name">([^<]+)</th>', table)
        assert [n[:3] for n in names] == ["000", "002", "004"]  # every chosen document has its row
    marks = [unescape(m) for m in re.findall(r'<mark class="variant">([^<]+)</mark>', page)]
    # 002 and 004 write "innovative" / "innovation"; 000 words that clause on its own.
    assert "innovative" in marks and "innovation" in marks
    assert any("not in this document" in t for t in tables), "some statement is missing from some document"
    links = re.findall(r'href="(/compare/at\?[^"]+)"', page)
    assert links and all("start=" in unescape(link) for link in links)


def test_missing_rendering_row_links_nothing_and_present_rows_open_the_passage(client: FlaskClient) -> None:
    page = client.get(seeds_url(client)).get_data(as_text=True)
    table = next(t for t in family_tables(page) if "not in this document" in t)
    missing = re.search(r'<tr class="missing">.*?</tr>', table, flags=re.S)
    assert missing and "compare" not in missing.group(0)
    link = unescape(re.search(r'href="(/compare/at\?[^"]+)"', table).group(1))  # type: ignore[union-attr]
    response = client.get(link)
    assert response.status_code == 303 and "#" in response.headers["Location"]


def test_divergence_filter_keeps_only_families_differing_enough(client: FlaskClient) -> None:
    everything = family_tables(client.get(seeds_url(client)).get_data(as_text=True))
    figures = [int(f) for t in everything for f in re.findall(r"renderings differ by (\d+)%", t)]
    cut = sorted(figures)[len(figures) // 2] / 100
    page = client.get(seeds_url(client, f"min_divergence={cut}")).get_data(as_text=True)
    kept = [int(f) for f in re.findall(r"renderings differ by (\d+)%", page)]
    assert kept and len(kept) < len(figures)
    assert all(k >= cut * 100 - 0.5 for k in kept)
    assert f'value="{cut:g}" selected' in page


def test_htmx_gets_the_fragment_and_the_canonical_url_to_push(client: FlaskClient) -> None:
    url = seeds_url(client, "min_divergence=0.3")
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<title>Variants" in body
    assert response.headers["HX-Push-Url"].startswith("/variants?d=")
    assert "min_divergence=0.3" in response.headers["HX-Push-Url"]
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-push-url="true"' in body


MAX_SHOWN = Limits().variants_max_documents


def test_bad_choices_get_clear_4xx_messages(client: FlaskClient) -> None:
    one = seed_id(client, "000")
    cases = [
        (f"/variants?d={one}", 400, "Choose at least two documents"),
        ("/variants?d=x", 400, "parameter d must be a document id"),
        (f"/variants?d={one}&d=999", 404, "no document with id 999"),
        (f"/variants?d={one}&d={one + 1}&min_divergence=2", 400, "min_divergence must be between 0 and 1"),
        ("/variants?" + "&".join(f"d={i}" for i in range(1, MAX_SHOWN + 2)), 400, f"at most {MAX_SHOWN}"),
    ]
    for url, status, message in cases:
        response = client.get(url)
        assert response.status_code == status, url
        assert message in unescape(response.get_data(as_text=True)), url


def test_too_many_characters_are_refused_with_the_sizes(client: FlaskClient) -> None:
    big = "Word after word makes a sentence. " * 7000  # about 238,000 characters
    response = client.post("/api/documents", json=[{"name": "big1", "text": big}, {"name": "big2", "text": big}])
    ids = [d["id"] for d in response.get_json()["documents"]]
    response = client.get(f"/variants?d={ids[0]}&d={ids[1]}")
    assert response.status_code == 400
    assert "476,000 characters" in response.get_data(as_text=True)


def test_hostile_names_and_texts_are_escaped(client: FlaskClient, xss_documents: dict[str, int]) -> None:
    url = "/variants?" + "&".join(f"d={i}" for i in xss_documents.values())
    page = client.get(url).get_data(as_text=True)
    assert family_tables(page)
    for raw in (XSS_SCRIPT, XSS_IMG, "<img", "<script>alert"):
        assert raw not in page
    text = re.sub(r"</?mark[^>]*>", "", page)  # variant marks may cut through the hostile words
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_the_document_cap_comes_from_the_limits_table(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"variants_max_documents": 2}).test_client()
    ids = [seed_id(client, name) for name in ("000", "002", "004")]
    response = client.get("/variants?" + "&".join(f"d={i}" for i in ids))
    assert response.status_code == 400
    assert "at most 2 documents" in unescape(response.get_data(as_text=True))
    assert client.get("/variants?" + "&".join(f"d={i}" for i in ids[:2])).status_code == 200
