"""Several clients at once against real servers sharing one SQLite file: nothing is lost.

Two app instances (as two server processes would be) serve the same database
file with waitress on loopback; eight client threads upload, compare, rename
and list at the same time.  Bounded: a fixed number of requests, each with a timeout.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import waitress
from flask import Flask
from web_support import make_app

CLIENTS = 8
DOCUMENTS_PER_CLIENT = 6
TIMEOUT_S = 30


def serve(app: Flask, stop: threading.Event) -> tuple[str, Any, threading.Thread]:
    """Serve ``app`` with waitress on a free port until ``stop`` is set.

    waitress has no shutdown call: closing its sockets while its loop waits in
    ``select`` fails in that thread, so the loop here runs in short turns and
    ends between them.
    """
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=6)

    def run() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.effective_port}", server, thread


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[str]]:
    database = {"DATABASE": str(tmp_path / "shared.sqlite3")}
    stop = threading.Event()
    running = [serve(make_app(tmp_path, **database), stop), serve(make_app(tmp_path, **database), stop)]
    yield [url for url, _, _ in running]
    stop.set()
    for _, server, thread in running:
        thread.join(timeout=10)
        server.close()
        server.task_dispatcher.shutdown()


def call(url: str, body: object | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            raw = response.read()
            return response.status, json.loads(
                raw
            ) if response.headers.get_content_type() == "application/json" else raw
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def multipart(url: str, name: str, content: bytes) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return int(response.status)


def client_session(base: str, number: int) -> list[str]:
    """Upload documents, compare them with seeds and each other, list; return the names stored."""
    names = []
    seeds = [d["id"] for d in call(f"{base}/api/documents")[1]["documents"][:5]]  # type: ignore[index]
    for k in range(DOCUMENTS_PER_CLIENT):
        name = f"client{number}-doc{k}.txt"
        text = f"Client {number} wrote document {k}. The Work Conference was held in Beijing."
        if k % 2:
            assert multipart(f"{base}/api/documents", name, text.encode()) == 201
        else:
            status, body = call(f"{base}/api/documents", {"name": name, "text": text})
            assert status == 201, body
        names.append(name)
        status, body = call(
            f"{base}/api/compare?a={seeds[k % 5]}&b={seeds[(k + 2) % 5]}&threshold=0.{3 + k % 3}"
        )
        assert status == 200 and "pairs" in body, body  # type: ignore[operator]
        status, page = call(f"{base}/compare?a={seeds[2]}&b={seeds[4]}&hide_identical={k % 2}")
        assert status == 200 and b"<ins>" in page  # type: ignore[operator]
    return names


def test_concurrent_clients_lose_nothing(servers: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(client_session, servers[n % 2], n) for n in range(CLIENTS)]
        expected = {name for future in futures for name in future.result(timeout=120)}
    for base in servers:
        status, body = call(f"{base}/api/documents")
        stored = [d["name"] for d in body["documents"]]  # type: ignore[index]
        assert status == 200
        assert expected <= set(stored)
        assert len(stored) == 5 + CLIENTS * DOCUMENTS_PER_CLIENT, "seeded once, every upload stored once"
