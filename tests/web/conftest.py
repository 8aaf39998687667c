"""Fixtures for the web tests: an app on a temporary database, and a real server on loopback.

Everything a test touches lives in its own temporary directory and every server
listens on a free port picked by the OS, so the suite runs under ``pytest -n 2``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import XSS_IMG, XSS_LINK, XSS_SCRIPT, LiveServer, make_app, start_server


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    # A report page waits for its job up to this long before showing progress: on a loaded machine the seeds'
    # report takes longer than the service's 1.5 s, and these tests read the finished page (the progress
    # page and its polling have tests of their own).
    return make_app(tmp_path, REPORT_SYNC_WAIT_S=30.0)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(make_app(tmp_path))
    yield server
    server.stop()


@pytest.fixture
def xss_documents(client: FlaskClient) -> dict[str, int]:
    """Store three hostile documents through the API; return their ids by kind."""
    texts = {
        "script": f"Title {XSS_SCRIPT}\n\nThe cat sat on the mat. {XSS_SCRIPT} Then it left.",
        "img": f"Title {XSS_IMG}\n\nThe cat sat on the hat. {XSS_IMG} Then it left.",
        "link": f"Links\n\nThe dog sat on the mat. {XSS_LINK} Then it left.",
    }
    response = client.post(
        "/api/documents",
        json=[{"name": f"{kind} {XSS_IMG}.txt", "text": text} for kind, text in texts.items()],
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    ids = [d["id"] for d in response.get_json()["documents"]]
    return dict(zip(texts, ids, strict=True))


# Browser tests: one real server and one Chromium per test module (see browser_support).
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    live = start_server(make_app(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from browser_support import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: object) -> Iterator[Any]:
    """A watched page that fails its test on a console error, a CSP violation or a dialog."""
    from browser_support import open_page

    watched = open_page(browser)
    yield watched
    watched.check()
    watched.page.context.close()
