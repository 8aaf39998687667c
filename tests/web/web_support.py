"""Helpers of the web tests: apps on temporary databases, CSRF tokens, a real server on loopback."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# pytest puts the folder of a conftest.py outside any package (tests/) at the front of
# sys.path, where tests/web would pass for a namespace package named ``web`` and hide
# the real one (the editable install's finder is asked only after the path).  The
# repository goes first, so ``import web`` finds the application package.
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))
if getattr(sys.modules.get("web"), "__file__", "") is None:
    del sys.modules["web"]  # a namespace package imported before this file

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from werkzeug.serving import BaseWSGIServer, make_server  # noqa: E402

from web import create_app  # noqa: E402

SEED_DIR = REPO / "seeds"
ARTIFACTS = REPO / "test-artifacts"

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_LINK = '[click me](javascript:alert(1)) <a href="javascript:alert(1)">link</a>'


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
