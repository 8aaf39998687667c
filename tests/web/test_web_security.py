"""Hostile documents and names through every view and export; hostile JSON; CSRF; errors without internals.

The property test stores generated documents made of script tags, attribute
breakers, htmx attributes, template syntax, ``javascript:`` URLs, bidi
overrides and NUL, then parses every page, fragment and export and checks that
none of it became markup: no script but the app's own files, no event-handler
attribute, no ``hx-*`` attribute or tag that the templates do not have, no
``javascript:`` link, no evaluated template expression.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree
from web_support import REPO, csrf_token, make_app

from web.comparison import FORMULA_STARTS, spreadsheet_safe

TEMPLATES = REPO / "web" / "templates"
EVALUATED = "83810205"  # 12345 * 6789: must never appear, the template syntax below must stay text
HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    '<div hx-get="/documents/1/delete" hx-trigger="load" hx-swap="outerHTML">',
    "<button hx-post='/documents/1/delete' hx-on:click='alert(1)'>x</button>",
    "{{ 12345 * 6789 }}",
    "{% for x in range(3) %}{{ 12345 * 6789 }}{% endfor %}",
    "${12345*6789}",
    "</textarea></title></style><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<!-- ",
    "&lt;script&gt; &amp; &#60;",
    "\u202eexe.txt\u202c",  # right-to-left override
    "\u2067rtl\u2069 \u200f",
    "\x00",
    "=HYPERLINK(\"http://x\")",
    "+1+1",
    "-2",
    "@SUM(A1)",
    "<",
    ">",
    "&",
    '"',
    "'",
]
PROSE = ["The cat sat on the mat.", "It was warm.", "Then it left.", "\n\n", " ", "\n"]
piece = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(PROSE),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)
hostile_text = st.lists(piece, min_size=1, max_size=14).map("".join)
hostile_name = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6).filter(str.isprintable)),
                        min_size=1, max_size=4).map(lambda parts: "".join(parts) + ".txt")


def template_vocabulary() -> tuple[set[str], set[str]]:
    """Return the tag names and the hx-* attribute names the app's own markup uses.

    That markup lives in the templates and in the code that draws the report's SVG heatmap.
    """
    sources = [*TEMPLATES.glob("*.html"), *(REPO / "web").glob("*.py"), *(REPO / "compare").glob("report*.py")]
    source = "".join(path.read_text(encoding="utf-8") for path in sources)
    tags = {tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)\b", source)}  # the parser lowercases
    hx = set(re.findall(r"\b(hx-[a-z:-]+)=", source))
    return tags, hx


TAGS, HX_ATTRIBUTES = template_vocabulary()


class MarkupAudit(HTMLParser):
    """Collect what in an HTML document is markup: tags, attributes, scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}> that no template has")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"script not from the app's files: {attrs}")
            self.in_script = True
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name}={value!r}")
            if name.startswith(("hx-", "data-hx-")) and (name not in HX_ATTRIBUTES or "alert" in text
                                                         or "delete" in text):
                self.problems.append(f"htmx attribute from user text {name}={value!r}")
            if name in ("href", "src", "action", "formaction") and text.startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def assert_inert(html: str, where: str) -> None:
    audit = MarkupAudit()
    audit.feed(html)
    audit.close()
    assert not audit.problems, f"{where}: {audit.problems[:5]}"
    assert EVALUATED not in html, f"{where}: a template expression from user text was evaluated"


def assert_csv_formula_safe(body: str, where: str) -> None:
    rows = list(csv.reader(io.StringIO(body)))
    for row in rows[1:]:
        for cell in row:
            if cell and not re.fullmatch(r"-?[0-9.]+", cell):  # numbers are the app's own columns
                assert not cell.startswith(FORMULA_STARTS), f"{where}: a cell a spreadsheet would run: {cell!r}"


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("security"))


def views_of(app: Flask, a: int, b: int) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield every HTML view and HTML export of two documents, with the headers to ask for it."""
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    fragment = {"HX-Request": "true"}
    yield "/", {}
    yield "/", fragment
    yield "/?q=%3Cscript%3E", fragment
    yield f"/documents/{a}", {}
    yield f"/documents/{b}", fragment
    for query in (f"a={a}&b={b}&threshold=0.1", f"a={b}&b={a}&threshold=0.1&granularity=paragraph"):
        yield f"/compare?{query}", {}
        yield f"/compare?{query}", fragment
    yield f"/compare/export.html?a={a}&b={b}&threshold=0.1", {}
    if "/variants" in rules:
        yield f"/variants?d={a}&d={b}", {}
        yield f"/variants?d={a}&d={b}", fragment
        yield f"/variants?d={a}&d={b}&view=reading", fragment
    if "/report" in rules:
        yield f"/report?d={a}&d={b}", {}
        yield f"/report?d={a}&d={b}", fragment
        yield f"/report/export.html?d={a}&d={b}", {}


# No shrinking: each example renders a dozen pages, and a failing example is readable as generated.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(text_a=hostile_text, text_b=hostile_text, name_a=hostile_name, name_b=hostile_name)
def test_hostile_documents_and_names_never_become_markup(
    shared_app: Flask, text_a: str, text_b: str, name_a: str, name_b: str
) -> None:
    client = shared_app.test_client()
    documents = [{"name": name_a, "text": text_a + " The cat sat."}, {"name": name_b, "text": text_b + " It sat."}]
    response = client.post("/api/documents", json=documents)
    assert response.status_code == 201, response.get_data(as_text=True)
    a, b = (d["id"] for d in response.get_json()["documents"])
    stored = client.get(f"/api/documents/{a}").get_json()["document"]
    assert stored["text"] == (text_a + " The cat sat.").replace("\r\n", "\n")  # intact, NUL and all
    for url, headers in views_of(shared_app, a, b):
        page = client.get(url, headers=headers)
        assert page.status_code == 200, (url, page.get_data(as_text=True)[:300])
        assert_inert(page.get_data(as_text=True), url)
    exported = client.get(f"/compare/export.json?a={a}&b={b}&threshold=0.1")
    assert exported.mimetype == "application/json" and json.loads(exported.get_data(as_text=True))["pairs"] is not None
    assert_csv_formula_safe(client.get(f"/compare/export.csv?a={a}&b={b}&threshold=0.1").get_data(as_text=True),
                            "compare CSV")
    if "/variants/export.<fmt>" in {rule.rule for rule in shared_app.url_map.iter_rules()}:
        assert_csv_formula_safe(client.get(f"/variants/export.csv?d={a}&d={b}").get_data(as_text=True),
                                "variants CSV")
        tei = client.get(f"/variants/export.tei?d={a}&d={b}").get_data()
        names = [w.text for w in etree.fromstring(tei, etree.XMLParser(resolve_entities=False)).iter(
            "{http://www.tei-c.org/ns/1.0}witness")]
        stored_names = [client.get(f"/api/documents/{i}").get_json()["document"]["name"] for i in (a, b)]
        assert sorted(names) == sorted(stored_names)  # well-formed XML, the names intact
    listing = client.get("/api/documents").get_json()  # the API answers JSON, never HTML
    assert {d["id"] for d in listing["documents"]} >= {a, b}


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","click") here.', "+SUM(1,2) is here.",
                                  "-3+4 opens this.", "@cmd runs here."])
def test_csv_export_neutralises_formulas(client: FlaskClient, text: str) -> None:
    response = client.post("/api/documents", json=[{"name": "f.txt", "text": text}, {"name": "g.txt", "text": text}])
    a, b = (d["id"] for d in response.get_json()["documents"])
    body = client.get(f"/compare/export.csv?a={a}&b={b}").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(body))
    cell = row["a_text"]
    assert cell == row["b_text"]
    # Shown as text, the words unchanged after the quote (or the segmenter already dropped a leading list marker).
    assert cell == "'" + text or (text.endswith(cell) and not cell.startswith(FORMULA_STARTS))
    assert_csv_formula_safe(body, "compare CSV")


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_spreadsheet_safe_quotes_every_formula_start(start: str) -> None:
    assert spreadsheet_safe(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"
    assert spreadsheet_safe("x" + start) == "x" + start


# ---- file names ----


def upload(client: FlaskClient, content: bytes, name: str) -> object:
    data = {"csrf_token": csrf_token(client), "files": [(io.BytesIO(content), name)]}
    return client.post("/documents", data=data, content_type="multipart/form-data")


def test_non_ascii_name_keeps_its_name_for_display(client: FlaskClient) -> None:
    assert upload(client, "中文的文本。".encode(), "文件.txt").status_code == 303  # type: ignore[attr-defined]
    documents = client.get("/api/documents").get_json()["documents"]
    (document,) = [d for d in documents if d["name"] == "文件.txt"]
    assert "文件.txt" in client.get("/").get_data(as_text=True)
    assert "<h1>文件.txt</h1>" in client.get(f"/documents/{document['id']}").get_data(as_text=True)


@pytest.mark.parametrize("name", ["../compare.sqlite3.txt", "/etc/passwd.txt", "..\\..\\secret_key.txt",
                                  "compare.sqlite3.txt", "instance/secret_key.txt", "NUL.txt", "con.txt"])
def test_file_names_are_never_paths(tmp_path: Path, name: str) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    instance_before = sorted(Path(app.instance_path).rglob("*"))
    assert upload(client, b"Some text.", name).status_code == 303  # type: ignore[attr-defined]
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert [p for p in after if p not in before and "sqlite3" not in p.name] == []  # only the store's own files
    assert sorted(Path(app.instance_path).rglob("*")) == instance_before
    stored = [d["name"] for d in client.get("/api/documents").get_json()["documents"]]
    assert not any("/" in n or "\\" in n for n in stored)
    assert any(n.endswith(name[-12:].replace("\\", "/").rsplit("/", 1)[-1]) for n in stored)
    assert len(stored) == 6  # the five seeds are intact


# ---- the JSON API refuses malformed input with a 400 and a message ----


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper"),
        ('{"documents": ' + "[" * 30 + "]" * 30 + "}", "nested deeper"),
        ('{"name": "a", "text": NaN}', "NaN is not a number JSON allows"),
        ('{"name": "a", "text": Infinity}', "Infinity is not a number JSON allows"),
        ('{"name": -Infinity, "text": "x"}', "-Infinity is not a number JSON allows"),
        ('{"name": 1e999, "text": "x"}', "must be strings"),
        ('{"name": "a", "text": ' + "9" * 5000 + "}", "not valid JSON"),
        ('{"name": "a", "text": "\\ud800 lone"}', "unpaired surrogate U+D800"),
        ('{"name": "\\udfff.txt", "text": "fine"}', "unpaired surrogate U+DFFF"),
        ('{"name": "a", "text": ["x"]}', "must be strings"),
        ('{"name": {"x": 1}, "text": "x"}', "must be strings"),
        ('{"name": "a"}', "the field text is missing"),
        ('{"documents": "x"}', "send {"),
        ('{"documents": ["x"]}', "expected an object"),
        ("null", "send {"),
        ("", "not valid JSON"),
        ('{"name": "a", "text": "x"', "not valid JSON"),
        ('{"name": "a", "text": "x"} trailing', "not valid JSON"),
    ],
)
def test_malformed_json_is_400_with_a_clear_message(client: FlaskClient, body: str, message: str) -> None:
    response = client.post("/api/documents", data=body.encode("utf-8"), content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert message in response.get_json()["error"]["message"]
    assert len(client.get("/api/documents").get_json()["documents"]) == 5


def test_json_body_that_is_not_utf8_is_400(client: FlaskClient) -> None:
    response = client.post("/api/documents", data=b'{"name": "a", "text": "\xff"}', content_type="application/json")
    assert response.status_code == 400 and "not UTF-8" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("query", ["a=x&b=1", "a=1&b=2&threshold=nan", "a=1&b=2&threshold=1e999",
                                   "a=1&b=2&granularity=%00", "a=" + "9" * 5000 + "&b=1", "a=-1&b=1"])
def test_bad_compare_parameters_are_4xx_json(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/compare?{query}")
    assert response.status_code in (400, 404) and response.get_json()["error"]["message"]


# ---- errors never show internals ----


@pytest.mark.parametrize(("path", "headers"), [("/boom", {}), ("/boom", {"HX-Request": "true"}), ("/api/boom", {})])
def test_unexpected_exception_is_a_generic_500_logged_on_the_server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str, headers: dict[str, str]
) -> None:
    app = make_app(tmp_path)

    def explode() -> str:
        raise RuntimeError("secret internals at /srv/app/config.py line 42")

    app.add_url_rule(path, "explode", explode)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(path, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "something went wrong on the server" in body
    if path.startswith("/api/"):
        assert response.get_json() == {"error": {"status": 500, "message": "something went wrong on the server; "
                                                 "try again"}}
    assert "secret internals" in caplog.text  # the traceback is logged for the operators


# ---- CSRF on every state-changing route; GET changes nothing ----


def example_url(rule: object) -> str:
    """Return a URL for a rule, with an existing document's id for every argument."""
    url = str(rule.rule)  # type: ignore[attr-defined]
    url = re.sub(r"<(?:int|document_id):[a-z_]+>", "1", url)
    url = re.sub(r"<(?:string:)?fmt>", "json", url)
    return re.sub(r"<[^>]+>", "x", url)


def snapshot(client: FlaskClient) -> list[tuple[int, str, str]]:
    documents = client.get("/api/documents").get_json()["documents"]
    return sorted((d["id"], d["name"], d["sha256"]) for d in documents)


def test_every_state_changing_route_refuses_a_request_without_a_token(app: Flask, client: FlaskClient) -> None:
    before = snapshot(client)
    checked = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            url = example_url(rule)
            checked.append((method, url))
            if url.startswith("/api/"):  # no tokens for programs: other sites and form bodies are refused instead
                form = client.open(url, method=method, data={"name": "x", "text": "y"})
                assert form.status_code == 415, (method, url)
                cross = client.open(url, method=method, json={"name": "x", "text": "y"},
                                    headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
                assert cross.status_code == 403, (method, url)
            else:
                response = client.open(url, method=method, data={"name": "renamed", "text": "pasted"})
                assert response.status_code == 400, (method, url)
                assert "did not come from this site" in response.get_data(as_text=True)
                forged = client.open(url, method=method, data={"csrf_token": "forged", "name": "renamed"})
                assert forged.status_code == 400, (method, url)
    assert ("POST", "/documents/1/delete") in checked and ("POST", "/documents") in checked
    assert snapshot(client) == before


def test_get_routes_change_no_document(app: Flask, client: FlaskClient) -> None:
    before = snapshot(client)
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        url = example_url(rule)
        for query in ("", "?a=1&b=2&d=1&d=2&name=x&text=y", "?a=2&b=1&delete=1"):
            response = client.get(url + query)
            assert response.status_code < 500, (url + query, response.status_code)
    for url in ("/documents/1/rename", "/documents/paste"):
        assert client.get(url).status_code == 405
    assert client.get("/documents/1/delete").status_code == 200  # the confirmation; only its form deletes
    assert snapshot(client) == before
