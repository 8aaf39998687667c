"""Uploading Word files, PDFs, web pages and text in any encoding, through the form and the API, and the refusals."""

from __future__ import annotations

import codecs
import io
import time

import pytest
from flask.testing import FlaskClient
from web_support import csrf_token

from tests.format_fixtures import encrypt_pdf, make_docx, make_pdf, zip_bomb
from tests.html_pages import NEWS

SENTENCE = "The ministers signed the river treaty on Thursday."


def upload(client: FlaskClient, files: list[tuple[bytes, str]]) -> object:
    data = {"csrf_token": csrf_token(client), "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post("/documents", data=data, content_type="multipart/form-data")


def stored(client: FlaskClient) -> dict[str, str]:
    """Return the stored documents' texts by name."""
    texts = {}
    for info in client.get("/api/documents").get_json()["documents"]:
        texts[info["name"]] = client.get(f"/api/documents/{info['id']}").get_json()["document"]["text"]
    return texts


def test_every_format_is_uploaded_and_its_extracted_text_stored(client: FlaskClient) -> None:
    files = [
        (make_docx([SENTENCE, "Second paragraph."], heading="Report"), "報告.docx"),
        (make_pdf([[SENTENCE], ["Second page."]]), "report.pdf"),
        (NEWS.html.encode(), "page.html"),
        (b"<html><body><p>" + SENTENCE.encode() + b"</p></body></html>", "old.HTM"),
        (("# Title\r\n\r\n" + SENTENCE).encode("utf-16"), "notes.md"),
        ("Un café “naïve” à 5 €.".encode("cp1252"), "文件.txt"),
    ]
    response = upload(client, files)
    assert response.status_code == 303  # type: ignore[attr-defined]
    texts = stored(client)
    assert texts["報告.docx"] == f"Report\n\n{SENTENCE}\n\nSecond paragraph."
    assert texts["report.pdf"] == f"{SENTENCE}\n\nSecond page."
    assert texts["page.html"].startswith("Ministers agree on river treaty") and "cookies" not in texts["page.html"]
    assert texts["old.HTM"] == SENTENCE
    assert texts["notes.md"] == f"# Title\r\n\r\n{SENTENCE}"  # text formats keep their newlines
    assert texts["文件.txt"] == "Un café “naïve” à 5 €."
    library = client.get("/").get_data(as_text=True)
    assert "報告.docx" in library and "文件.txt" in library


def test_offsets_of_a_comparison_index_the_extracted_text(client: FlaskClient) -> None:
    upload(client, [(make_docx([SENTENCE]), "a.docx"),
                    (make_pdf([[SENTENCE.replace("Thursday", "Friday")]]), "b.pdf")])
    ids = {d["name"]: d["id"] for d in client.get("/api/documents").get_json()["documents"]}
    texts = stored(client)
    result = client.get(f"/api/compare?a={ids['a.docx']}&b={ids['b.pdf']}").get_json()
    (pair,) = result["pairs"]
    changed = [op for op in pair["ops"] if op["op"] == "replace"]
    assert [texts["a.docx"][slice(*op["a"])] for op in changed] == ["Thursday"]
    assert [texts["b.pdf"][slice(*op["b"])] for op in changed] == ["Friday"]


def test_the_document_page_shows_extracted_paragraphs(client: FlaskClient) -> None:
    upload(client, [(make_docx(["First paragraph.", "Second paragraph."]), "two.docx")])
    (info,) = [d for d in client.get("/api/documents").get_json()["documents"] if d["name"] == "two.docx"]
    page = client.get(f"/documents/{info['id']}").get_data(as_text=True)
    assert page.count("First paragraph.") == 1 and "Second paragraph." in page


def test_the_api_accepts_the_new_formats(client: FlaskClient) -> None:
    data = {"file": [(io.BytesIO(make_pdf([[SENTENCE]])), "api.pdf")]}
    response = client.post("/api/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 201
    (document,) = response.get_json()["documents"]
    assert document["name"] == "api.pdf"
    assert client.get(f"/api/documents/{document['id']}").get_json()["document"]["text"] == SENTENCE


@pytest.mark.parametrize(("content", "name", "status", "reason"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.doc", 415, "old.doc: unsupported file type"),
    (b"MZ\x90\x00", "setup.exe", 415, "setup.exe: unsupported file type"),
    (zip_bomb(1024), "bomb.docx", 413, "bomb.docx: entry &#39;word/document.xml&#39; unpacks to 1,024 MB"),
    (zip_bomb(20), "ratio.docx", 413, "ratio.docx: entry &#39;word/document.xml&#39; is compressed"),
    (b"PK\x03\x04 this is no archive", "fake.docx", 422, "fake.docx: not a readable Word document"),
    (b"%PDF-1.7\n1 0 obj garbage", "broken.pdf", 422, "broken.pdf: not a readable PDF"),
    (encrypt_pdf(make_pdf([["Secret."]]), "pw"), "locked.pdf", 422, "locked.pdf: the PDF is protected by a password"),
    (make_pdf([[]]), "scan.pdf", 422, "scan.pdf: the PDF has no text layer"),
    (b"<html><body><script>x()</script></body></html>", "blank.html", 422, "blank.html: no main text found"),
    (b"\x00\x01\x02\xff" * 100, "blob.txt", 422, "blob.txt: looks binary"),
    (codecs.BOM_UTF8 + b"ok\xff", "bad.md", 422, "bad.md: starts with a UTF-8 byte order mark but does not decode"),
    (b"", "empty.pdf", 422, "empty.pdf: the file is empty"),
], ids=["doc", "exe", "zip-bomb", "ratio-bomb", "fake-docx", "broken-pdf", "locked-pdf", "scan-pdf", "no-text-html",
        "binary-txt", "bad-bom", "empty"])
def test_refusals_name_the_file_with_the_fitting_status_and_store_nothing_of_it(
    client: FlaskClient, content: bytes, name: str, status: int, reason: str
) -> None:
    before = stored(client)
    started = time.perf_counter()
    response = upload(client, [(content, name)])
    elapsed = time.perf_counter() - started
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == status, html  # type: ignore[attr-defined]
    shown_name, _, shown_reason = reason.partition(": ")
    assert f"<strong>{shown_name}</strong>: {shown_reason}" in html and "0 of 1 file added" in html
    assert stored(client) == before
    assert elapsed < 5
    beside_a_good_file = upload(client, [(b"A good file.", "good.txt"), (content, name)])
    assert beside_a_good_file.status_code == 200  # type: ignore[attr-defined]
    assert len(stored(client)) == len(before) + 1


def test_api_refusals_are_json_with_the_same_status(client: FlaskClient) -> None:
    data = {"file": [(io.BytesIO(zip_bomb(1024)), "bomb.docx")]}
    response = client.post("/api/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "bomb.docx" in response.get_json()["error"]["message"]
    data = {"file": [(io.BytesIO(b"%PDF-1.7 garbage"), "broken.pdf")]}
    response = client.post("/api/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "broken.pdf: not a readable PDF" in response.get_json()["error"]["message"]


def test_a_long_name_keeps_its_extension_and_format(client: FlaskClient) -> None:
    name = "r" * 300 + ".docx"
    assert upload(client, [(make_docx([SENTENCE]), name)]).status_code == 303  # type: ignore[attr-defined]
    (shown,) = [n for n in stored(client) if n.endswith(".docx")]
    assert len(shown) == 200 and shown.endswith("….docx")
    assert stored(client)[shown] == SENTENCE


def test_the_upload_form_offers_the_new_formats(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'accept=".txt,.text,.md,.markdown,.docx,.pdf,.html,.htm"' in page


def test_bidirectional_overrides_cannot_disguise_a_name(client: FlaskClient) -> None:
    disguised = "invoice\u202efdp.txt"  # shows as "invoicetxt.pdf" when the override is kept
    assert upload(client, [(SENTENCE.encode(), disguised)]).status_code == 303  # type: ignore[attr-defined]
    names = set(stored(client))
    assert "invoice fdp.txt" in names
    assert not any(ch in name for name in names for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
