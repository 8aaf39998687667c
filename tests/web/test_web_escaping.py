"""Hostile document text and names render as text everywhere: pages, fragments, exports."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from web_support import XSS_IMG, XSS_SCRIPT

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_inert(html: str) -> None:
    assert XSS_SCRIPT not in html
    assert "<img" not in html
    assert not re.search(r"<a[^>]+href=\"javascript:", html, re.I)
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)


def test_library_escapes_names_and_first_lines(client: FlaskClient, xss_documents: dict[str, int]) -> None:
    html = client.get("/").get_data(as_text=True)
    assert_inert(html)
    assert ESCAPED_IMG in html and ESCAPED_SCRIPT in html


@pytest.mark.parametrize("kind", ["script", "img", "link"])
def test_document_page_escapes_text(client: FlaskClient, xss_documents: dict[str, int], kind: str) -> None:
    html = client.get(f"/documents/{xss_documents[kind]}").get_data(as_text=True)
    assert_inert(html)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_compare_escapes_both_sides(
    client: FlaskClient, xss_documents: dict[str, int], headers: dict[str, str]
) -> None:
    for a, b in (("script", "img"), ("img", "link"), ("link", "script")):
        url = f"/compare?a={xss_documents[a]}&b={xss_documents[b]}&threshold=0.1"
        html = client.get(url, headers=headers).get_data(as_text=True)
        assert_inert(html)
        assert "alert(1)" in html  # shown, as text


def test_exports_escape(client: FlaskClient, xss_documents: dict[str, int]) -> None:
    query = f"a={xss_documents['script']}&b={xss_documents['img']}&threshold=0.1"
    html = client.get(f"/compare/export.html?{query}").get_data(as_text=True)
    assert_inert(html)
    assert "alert(1)" in html and "&lt;" in html
    response = client.get(f"/compare/export.json?{query}")
    assert response.mimetype == "application/json"  # never sniffed as HTML (nosniff)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_flash_message_escapes_the_name(client: FlaskClient) -> None:
    from web_support import csrf_token

    token = csrf_token(client)
    client.post("/documents/paste", data={"csrf_token": token, "name": XSS_IMG, "text": XSS_SCRIPT})
    html = client.get("/").get_data(as_text=True)
    assert_inert(html)
