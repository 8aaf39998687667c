"""Every page route through Flask's test client: pages vs fragments, forms, CSRF, errors, exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import csrf_token, make_app, seed_id

from compare import Options

HX = {"HX-Request": "true"}


def compare_url(client: FlaskClient, a: str = "002", b: str = "004", **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in extra.items())
    return f"/compare?a={seed_id(client, a)}&b={seed_id(client, b)}" + (f"&{query}" if query else "")


# ---- library ----


def test_library_lists_the_five_seeds(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    for prefix in ("000_", "001_", "002_", "003_", "004_"):
        assert prefix in html
    assert "10.8 KB" in html  # 004 is 11 096 bytes
    assert "China Opposes Global Rollback Attempts" in html  # the first line of 000 that is not page noise
    assert "Type to search" not in html


def test_library_fragment_for_htmx_filters(client: FlaskClient) -> None:
    fragment = client.get("/?q=002", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in html and "<table" in html
    assert "002_" in html and "004_" not in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_seeding_happens_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    token = csrf_token(client)
    client.post(f"/documents/{seed_id(client, '000')}/delete", data={"csrf_token": token})
    again = make_app(tmp_path).test_client()  # a restart on the same database
    names = [d["name"] for d in again.get("/api/documents").get_json()["documents"]]
    assert len(names) == 4 and not any(n.startswith("000_") for n in names)


def test_seed_dir_is_configurable(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "only.txt").write_text("Just one seed.", encoding="utf-8")
    client = make_app(tmp_path, SEED_DIR=str(seeds)).test_client()
    assert [d["name"] for d in client.get("/api/documents").get_json()["documents"]] == ["only.txt"]


# ---- upload and paste ----


def upload(client: FlaskClient, files: list[tuple[bytes, str]], token: str | None = None) -> object:
    data: dict[str, object] = {"files": [(io.BytesIO(content), name) for content, name in files]}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/documents", data=data, content_type="multipart/form-data")


def test_upload_several_files(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = upload(
        client,
        [(b"First file text.", "one.txt"), ("Zweite Datei: \u00e4\u00f6\u00fc.".encode(), "two.md")],
        token,
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "one.txt" in page and "two.md" in page and "Added 2 documents" in page


def test_upload_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = upload(client, [(b"text", "x.txt")])
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert len(client.get("/api/documents").get_json()["documents"]) == 5


def test_upload_with_forged_csrf_token_is_refused(client: FlaskClient) -> None:
    csrf_token(client)
    assert upload(client, [(b"text", "x.txt")], token="forged").status_code == 400


@pytest.mark.parametrize(
    ("content", "name", "reason", "status"),
    [
        (b"", "empty.txt", "empty", 422),
        (b"   \n\t ", "blank.txt", "empty", 422),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)) * 4,
            "picture.txt",
            "looks binary",
            422,
        ),
        (b"plain", "script.exe", "unsupported file type", 415),
    ],
)
def test_a_bad_file_is_refused_naming_it_and_the_good_ones_are_stored(
    client: FlaskClient, content: bytes, name: str, reason: str, status: int
) -> None:
    token = csrf_token(client)
    response = upload(client, [(b"A good file.", "good.txt"), (content, name)], token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # something was stored; the library page lists each file's fate
    assert "1 of 2 files added" in html
    assert re.search(r"✓ added</span> <strong>good\.txt</strong>", html)
    assert re.search(rf"✗ not added</span> <strong>{re.escape(name)}</strong>: [^<]*{re.escape(reason)}", html)
    assert 'name="files"' in html and 'name="text"' in html  # the forms are still there
    names = [d["name"] for d in client.get("/api/documents").get_json()["documents"]]
    assert "good.txt" in names and name not in names
    alone = upload(client, [(content, name)], csrf_token(client))
    assert alone.status_code == status and "0 of 1 file added" in alone.get_data(as_text=True)


def test_upload_file_names_are_display_names_only(client: FlaskClient) -> None:
    token = csrf_token(client)
    upload(client, [(b"Sneaky.", "../../etc/passwd.txt")], token)
    names = [d["name"] for d in client.get("/api/documents").get_json()["documents"]]
    assert "passwd.txt" in names and not any("/" in n for n in names)


def test_too_many_files_is_refused(tmp_path: Path) -> None:
    client = make_app(tmp_path, MAX_UPLOAD_FILES=2).test_client()
    token = csrf_token(client)
    response = upload(client, [(b"x", f"{i}.txt") for i in range(3)], token)
    assert response.status_code == 413
    assert "too many files: 3 sent, at most 2" in response.get_data(as_text=True)


def test_too_large_upload_gets_413_with_the_limit(tmp_path: Path) -> None:
    client = make_app(tmp_path, MAX_CONTENT_LENGTH=1024 * 1024).test_client()
    token = csrf_token(client)
    response = upload(client, [(b"a" * (1024 * 1024 + 10), "big.txt")], token)
    assert response.status_code == 413
    assert "at most 1 MB per upload" in response.get_data(as_text=True)


def test_upload_with_no_file_chosen(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/documents", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "no file was sent" in response.get_data(as_text=True)


def test_paste_text(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/documents/paste", data={"csrf_token": token, "name": "Notes", "text": "Line one.\r\nTwo."}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Notes" in page and "Line one." in page
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/api/documents/{document_id}").get_json()["document"]["text"] == "Line one.\nTwo."


def test_paste_empty_text_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/documents/paste", data={"csrf_token": token, "name": "x", "text": "  "})
    assert response.status_code == 422 and "the text is empty" in response.get_data(as_text=True)


# ---- document page, rename, delete ----


def test_document_page_and_fragment(client: FlaskClient) -> None:
    document_id = seed_id(client, "002")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "<html" in page and "Central Foreign Affairs Work Conference" in page
    fragment = client.get(f"/documents/{document_id}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Central Foreign Affairs Work Conference" in fragment


def test_unknown_document_is_404(client: FlaskClient) -> None:
    response = client.get("/documents/9999")
    assert response.status_code == 404
    assert "no document with id 9999" in response.get_data(as_text=True)


def test_rename(client: FlaskClient) -> None:
    document_id = seed_id(client, "002")
    token = csrf_token(client)
    response = client.post(
        f"/documents/{document_id}/rename", data={"csrf_token": token, "name": "Conference.txt"}
    )
    assert response.status_code == 303
    assert client.get(f"/api/documents/{document_id}").get_json()["document"]["name"] == "Conference.txt"
    back = client.post(
        f"/documents/{document_id}/rename", data={"csrf_token": token, "name": "x.txt", "back": "document"}
    )
    assert back.headers["Location"] == f"/documents/{document_id}"


def test_rename_refusals(client: FlaskClient) -> None:
    token = csrf_token(client)
    assert client.post("/documents/9999/rename", data={"csrf_token": token, "name": "x"}).status_code == 404
    assert (
        client.post(
            f"/documents/{seed_id(client, '002')}/rename", data={"csrf_token": token, "name": " "}
        ).status_code
        == 400
    )
    assert client.post(f"/documents/{seed_id(client, '002')}/rename", data={"name": "x"}).status_code == 400


def test_delete(client: FlaskClient) -> None:
    document_id = seed_id(client, "003")
    token = csrf_token(client)
    assert client.post(f"/documents/{document_id}/delete").status_code == 400  # no token
    response = client.post(f"/documents/{document_id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert client.post(f"/documents/{document_id}/delete", data={"csrf_token": token}).status_code == 404


def test_delete_asks_first_and_a_get_deletes_nothing(client: FlaskClient) -> None:
    document_id = seed_id(client, "003")
    page = client.get(f"/documents/{document_id}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Delete 003_d06d772fc26c9136.txt?" in html
    assert f'action="/documents/{document_id}/delete" method="post"' in html and "Keep it" in html
    assert client.get(f"/api/documents/{document_id}").status_code == 200
    library = client.get("/").get_data(as_text=True)
    assert f'href="/documents/{document_id}/delete"' in library
    assert f'action="/documents/{document_id}/delete"' not in library


# ---- compare ----


def test_compare_without_documents_shows_the_chooser(client: FlaskClient) -> None:
    html = client.get("/compare").get_data(as_text=True)
    assert "Choose two documents" in html and 'name="a"' in html


def test_compare_full_page(client: FlaskClient) -> None:
    response = client.get(compare_url(client))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>") and 'id="compare"' in html
    assert "<ins>" in html and "<del>" in html
    assert 'class="legend"' in html and "A shared" in html
    assert "kind-moved" in html and "kind-b-only" in html
    assert "HX-Request" in response.headers["Vary"]


def test_compare_fragment_for_htmx_pushes_canonical_url(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    response = client.get(f"/compare?b={b}&a={a}&threshold=0.5", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<ins>" in html and 'class="controls"' in html
    assert response.headers["HX-Push-Url"] == f"/compare?a={a}&b={b}&threshold=0.5&granularity=sentence"


def test_history_restore_gets_the_full_page(client: FlaskClient) -> None:
    headers = {**HX, "HX-History-Restore-Request": "true"}
    html = client.get(compare_url(client), headers=headers).get_data(as_text=True)
    assert html.startswith("<!doctype html>")


def test_compare_controls_change_the_result(client: FlaskClient) -> None:
    low = client.get(compare_url(client, threshold="0.2")).get_data(as_text=True)
    high = client.get(compare_url(client, threshold="0.9")).get_data(as_text=True)
    assert low.count("kind-b-only") < high.count("kind-b-only")
    paragraph = client.get(compare_url(client, granularity="paragraph")).get_data(as_text=True)
    assert 'value="paragraph" checked' in paragraph
    hidden = client.get(compare_url(client, "002", "002", hide_identical="1")).get_data(as_text=True)
    assert re.search(r"\d+ identical sentences? hidden", hidden)
    assert "<details class=\"fold fold-identical\">" in hidden and "data-stop" not in hidden


def test_swap_link_exchanges_a_and_b(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    html = client.get(f"/compare?a={a}&b={b}").get_data(as_text=True)
    threshold = Options().min_score
    assert f'href="/compare?a={b}&amp;b={a}&amp;threshold={threshold}&amp;granularity=sentence"' in html
    swapped = client.get(f"/compare?a={b}&b={a}").get_data(as_text=True)
    first_head = re.search(r'<span class="side-tag">A</span> ([^<]+)', swapped)
    assert first_head and first_head.group(1).startswith("004_")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a=1", "missing parameter b"),
        ("a=x&b=2", "parameter a must be a document id"),
        ("a=1&b=2&threshold=2", "threshold must be between 0 and 1"),
        ("a=1&b=2&threshold=nan", "threshold must be between 0 and 1"),
        ("a=1&b=2&threshold=abc", "threshold must be a number"),
        ("a=1&b=2&granularity=word", "granularity must be sentence or paragraph"),
        ("a=1&b=2&hide_identical=maybe", "hide_identical must be 1 or 0"),
    ],
)
def test_compare_bad_parameters_are_400(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_compare_bad_parameters_fragment_for_htmx(client: FlaskClient) -> None:
    response = client.get("/compare?a=1&b=2&threshold=7", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" not in html and 'role="alert"' in html


def test_compare_unknown_document_is_404(client: FlaskClient) -> None:
    response = client.get("/compare?a=1&b=999")
    assert response.status_code == 404 and "no document with id 999" in response.get_data(as_text=True)


def test_second_view_comes_from_the_cache(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["store"]
    url = compare_url(client)
    assert "aligned in" in client.get(url).get_data(as_text=True)
    cached_count = store.count_comparisons()
    assert "from cache in" in client.get(url).get_data(as_text=True)
    assert store.count_comparisons() == cached_count == 1
    client.get(compare_url(client, threshold="0.7"))
    assert store.count_comparisons() == 2  # other options, another entry


def test_cache_survives_a_rename(client: FlaskClient) -> None:
    url = compare_url(client)
    client.get(url)
    token = csrf_token(client)
    client.post(
        f"/documents/{seed_id(client, '002')}/rename", data={"csrf_token": token, "name": "Renamed.txt"}
    )
    html = client.get(url).get_data(as_text=True)
    assert "from cache in" in html and "Renamed.txt" in html


# ---- exports ----


def test_export_json_is_the_engine_alignment(client: FlaskClient) -> None:
    response = client.get(compare_url(client).replace("/compare?", "/compare/export.json?"))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["pairs"] and {"a", "b", "kind", "score", "moved", "ops"} <= set(data["pairs"][0])


def test_export_csv_has_one_row_per_pair(client: FlaskClient) -> None:
    json_pairs = json.loads(
        client.get(compare_url(client).replace("/compare?", "/compare/export.json?")).data
    )["pairs"]
    response = client.get(compare_url(client).replace("/compare?", "/compare/export.csv?"))
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(json_pairs)
    assert rows[0]["kind"] == json_pairs[0]["kind"] and int(rows[0]["a_start"]) == json_pairs[0]["a"][0]
    assert rows[0]["a_text"]


def test_export_html_is_self_contained(client: FlaskClient) -> None:
    response = client.get(compare_url(client).replace("/compare?", "/compare/export.html?"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<style>" in html and "<ins>" in html and "<del>" in html
    assert "<script" not in html and 'src="' not in html and "<link" not in html
    assert "/static/" not in html
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'sha256-" in policy
    assert 'http-equiv="Content-Security-Policy"' in html


def test_unknown_export_format_is_404(client: FlaskClient) -> None:
    assert client.get(compare_url(client).replace("/compare?", "/compare/export.pdf?")).status_code == 404


# ---- headers and errors ----


@pytest.mark.parametrize(
    "path", ["/", "/compare", "/documents/1", "/api/documents", "/nope", "/static/style.css"]
)
def test_security_headers_everywhere(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)


def test_pages_have_no_inline_script_or_handlers(client: FlaskClient) -> None:
    for path in ["/", compare_url(client), f"/documents/{seed_id(client, '002')}", "/nope"]:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert " style=" not in html, path


def test_static_assets_are_vendored(client: FlaskClient) -> None:
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.data
    assert client.get("/static/vendor/htmx.LICENSE").status_code == 200
    assert client.get("/static/compare.js").status_code == 200
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
