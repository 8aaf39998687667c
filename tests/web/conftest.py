"""Fixtures for the web tests: an app on a temporary database, and a real server on loopback.

Everything a test touches lives in its own temporary directory and every server
listens on a free port picked by the OS, so the suite runs under ``pytest -n 2``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from web import create_app

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO / "seeds"
ARTIFACTS = REPO / "test-artifacts"

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_LINK = "[click me](javascript:alert(1)) <a href=\"javascript:alert(1)\">link</a>"


def make_app(tmp_path: Path, **config: Any) -> Flask:
    """Return an app on a fresh database in ``tmp_path``, seeded from the repo's seeds."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "DATABASE": str(tmp_path / "compare.sqlite3"),
        "SEED_DIR": str(SEED_DIR),
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """Return the CSRF token a page's forms carry (it lives in the client's session)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def seed_id(client: FlaskClient, prefix: str) -> int:
    """Return the id of the seed document whose name starts with ``prefix`` (e.g. "002")."""
    for document in client.get("/api/documents").get_json()["documents"]:
        if document["name"].startswith(prefix):
            return int(document["id"])
    raise AssertionError(f"no seed document {prefix}")


@dataclass
class LiveServer:
    """A real WSGI server in a thread on 127.0.0.1 and a free port."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


def start_server(app: Flask) -> LiveServer:
    """Serve ``app`` with werkzeug's threaded server on a port the OS picks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app, server, thread)


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
