"""The limits table: configuration, and every limit refused with a 4xx that names the file and the limit."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
from flask import Flask, g, render_template
from flask.testing import FlaskClient
from web_support import csrf_token, make_app, seed_id
from werkzeug.exceptions import HTTPException

from compare import KILL_MARGIN_S
from web import execution
from web.execution import render_in_time
from web.limits import Limits


def stored_names(client: FlaskClient) -> list[str]:
    return [d["name"] for d in client.get("/api/documents").get_json()["documents"]]


def upload(client: FlaskClient, files: list[tuple[bytes, str]], **headers: str) -> object:
    data = {"csrf_token": csrf_token(client), "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post("/documents", data=data, content_type="multipart/form-data", headers=headers)


# ---- the table ----


def test_defaults_let_any_two_stored_documents_fit_the_time_budget() -> None:
    from compare.align import CHARS_PER_SECOND

    limits = Limits()
    assert 2 * limits.max_chars <= CHARS_PER_SECOND * limits.time_budget_s
    assert limits.max_file_bytes <= limits.max_request_bytes


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "10"])
def test_a_limit_must_be_a_positive_number(bad: object) -> None:
    with pytest.raises(ValueError, match="time_budget_s must be a positive number"):
        Limits(time_budget_s=bad)  # type: ignore[arg-type]


def test_limits_come_from_config_mapping_and_flask_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path, LIMITS={"time_budget_s": 3, "MAX_CHARS": 1000}, MAX_UPLOAD_FILES=4)
    limits = app.config["LIMITS"]
    assert (limits.time_budget_s, limits.max_chars, limits.max_files) == (3, 1000, 4)
    assert app.config["MAX_CONTENT_LENGTH"] == limits.max_request_bytes == Limits().max_request_bytes


def test_limits_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_LIMITS__TIME_BUDGET_S", "2.5")
    monkeypatch.setenv("FLASK_LIMITS__MAX_PARAGRAPHS", "123")
    limits = make_app(tmp_path).config["LIMITS"]
    assert (limits.time_budget_s, limits.max_paragraphs) == (2.5, 123)


def test_an_unknown_limit_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown limit 'max_cats'"):
        make_app(tmp_path, LIMITS={"max_cats": 3})


# ---- refusals: page and API ----


def test_file_over_the_per_file_limit_is_413_naming_it(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"max_file_bytes": 1000}).test_client()
    response = upload(client, [(b"Small.", "small.txt"), (b"word " * 300, "big.txt")])
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "<strong>big.txt</strong>: the file is larger than the limit of 1000 bytes per file" in html
    assert "small.txt" in stored_names(client) and "big.txt" not in stored_names(client)
    alone = upload(client, [(b"word " * 300, "big.txt")])
    assert alone.status_code == 413  # type: ignore[attr-defined]


def test_document_over_the_character_limit_is_413_in_page_and_api(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"max_chars": 100}).test_client()
    response = upload(client, [(("é" * 101).encode(), "accents.txt")])
    assert response.status_code == 413  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "accents.txt" in html and "101 characters" in html and "100" in html  # the reader's or the store's check
    api = client.post("/api/documents", json={"name": "long.txt", "text": "x" * 101})
    assert api.status_code == 413
    assert api.get_json()["error"]["message"] == (
        "Nothing was stored. long.txt: 101 characters is over the limit of 100 per document"
    )


def test_document_over_the_paragraph_limit_is_413(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"max_paragraphs": 10}).test_client()
    text = "\n\n".join(f"word{i}" for i in range(11))
    api = client.post("/api/documents", json={"name": "many.txt", "text": text})
    assert api.status_code == 413 and "many.txt: about 11 paragraphs" in api.get_json()["error"]["message"]
    paste = client.post("/documents/paste", data={"csrf_token": csrf_token(client), "name": "p.txt", "text": text})
    assert paste.status_code == 413 and "p.txt: about 11 paragraphs" in paste.get_data(as_text=True)
    assert "many.txt" not in stored_names(client) and "p.txt" not in stored_names(client)


def test_too_many_documents_in_one_api_request_is_413(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"max_files": 2}).test_client()
    response = client.post("/api/documents", json=[{"name": f"{i}", "text": "x"} for i in range(3)])
    assert response.status_code == 413 and "3 sent, at most 2" in response.get_json()["error"]["message"]


def test_request_over_the_request_limit_is_413(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"max_request_bytes": 2048}).test_client()
    response = client.post("/api/documents", json={"name": "big", "text": "x" * 4096})
    assert response.status_code == 413 and "at most 2 KB" in response.get_json()["error"]["message"]


# ---- the comparison's time budget ----


@pytest.fixture
def tight_app(tmp_path: Path) -> Flask:
    """An app whose time budget affords about 5,000 characters: the seeds 002 and 004 do not fit."""
    return make_app(tmp_path, LIMITS={"time_budget_s": 0.01})


def test_comparison_over_the_budget_is_422_naming_both_documents(tight_app: Flask) -> None:
    client = tight_app.test_client()
    a, b = seed_id(client, "002"), seed_id(client, "004")
    for url in (f"/api/compare?a={a}&b={b}", f"/compare/export.json?a={a}&b={b}"):
        response = client.get(url)
        assert response.status_code == 422, url
        message = response.get_json()["error"]["message"] if url.startswith("/api") else response.get_data(as_text=True)
        assert "002_" in message and "004_" in message and "time budget of 0.01 s" in message


@pytest.mark.parametrize("htmx", [False, True])
def test_compare_error_keeps_the_controls_and_shows_where_the_result_goes(tight_app: Flask, htmx: bool) -> None:
    """The known defect: an htmx error used to replace the controls along with the result."""
    client = tight_app.test_client()
    a, b = seed_id(client, "002"), seed_id(client, "004")
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(f"/compare?a={a}&b={b}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<form class="controls"' in html and 'role="alert"' in html
    assert html.index('<form class="controls"') < html.index('role="alert"')
    assert "time budget" in html
    assert ("<html" in html) is not htmx  # a fragment for htmx, the page otherwise
    assert f'<option value="{a}" selected>' in html  # the controls keep the choice


def test_rendering_stops_at_the_request_deadline(tmp_path: Path) -> None:
    """A page renders in full before its deadline; past it, the rendering ends in a 422 with the refusal."""
    app = make_app(tmp_path, LIMITS={"time_budget_s": 3})
    context = {"title": "Title", "code": 200, "message": "all of it"}
    with app.test_request_context("/compare"):
        g.request_started = time.monotonic()
        assert render_in_time("_error.html", "late", **context) == render_template("_error.html", **context)
        g.request_started = time.monotonic() - 3 - KILL_MARGIN_S  # the request's budget is spent
        with pytest.raises(HTTPException) as refused:
            render_in_time("_error.html", "too late to show", **context)
    assert refused.value.code == 422 and refused.value.description == "too late to show"


def test_a_compare_page_still_rendering_at_its_deadline_is_422_naming_both_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guess from the rows lets the page through; a machine that stalls mid-page still answers by the deadline."""
    client = make_app(tmp_path, LIMITS={"time_budget_s": 3}).test_client()
    a, b = seed_id(client, "002"), seed_id(client, "004")
    assert client.get(f"/compare?a={a}&b={b}").status_code == 200  # cached: the next request only renders

    class Clock:  # the server's clock, as web.execution reads it: a stall adds its seconds
        stalled = 0.0

        def monotonic(self) -> float:
            return time.monotonic() + self.stalled

    clock = Clock()

    def stalling(template: str, **context: object) -> Iterator[str]:
        for count, chunk in enumerate(flask.stream_template(template, **context)):
            if count == 50:
                clock.stalled += 3 + KILL_MARGIN_S  # the machine stalls mid-page, past the deadline
            yield chunk

    monkeypatch.setattr(execution, "time", clock)
    monkeypatch.setattr(execution, "stream_template", stalling)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/compare?a={a}&b={b}", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html[-300:]
        assert '<form class="controls"' in html and 'role="alert"' in html
        assert "the comparison of 002_" in html and " and 004_" in html
        assert "rows, more than this page can show within the 3 s time budget" in html


def test_unknown_document_in_compare_keeps_the_controls(client: FlaskClient) -> None:
    response = client.get("/compare?a=1&b=999", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<form class="controls"' in html and "there is no document with id 999" in html


def test_bad_parameter_in_compare_is_400_with_the_controls(client: FlaskClient) -> None:
    response = client.get("/compare?a=1&b=2&threshold=2", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<form class="controls"' in html and "threshold must be between 0 and 1" in html
