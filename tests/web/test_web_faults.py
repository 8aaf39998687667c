"""Store faults give clear answers, never a 500 or a damaged store.

Each fault is real: another SQLite connection holding the lock past the busy
timeout, a file opened read-only, a size cap reached (SQLite's ``max_page_count``,
the same SQLITE_FULL a full disk gives), a database file that vanished, a damaged
or foreign file at start, an instance folder that cannot be created.  Requests go
through the app (Flask's test client, the handlers the server runs); startup
errors through ``python -m web serve`` in a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from web_support import REPO, csrf_token, make_app, seed_id

from web.store import StoreCorrupt, StoreUnavailable

HTMX = {"HX-Request": "true"}


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def names(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM documents ORDER BY id")]


def assert_store_failure(response: object, status: int, words: str) -> None:
    """A JSON error (API) or an error page naming the problem, with no traceback."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]  # type: ignore[attr-defined]
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Traceback" not in body and "Internal Server Error" not in body
    if response.is_json:  # type: ignore[attr-defined]
        error = response.get_json()["error"]  # type: ignore[attr-defined]
        assert error["status"] == status and words in error["message"]
    else:
        assert words in body and 'class="error"' in body


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "compare.sqlite3"


@pytest.fixture
def fast_app(tmp_path: Path) -> Flask:
    """An app whose writes wait only 200 ms for a lock."""
    return make_app(tmp_path, DATABASE_BUSY_TIMEOUT_MS=200)


@pytest.fixture
def write_lock(fast_app: Flask, database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection holding the write lock."""
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('holder', 'x')")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def test_a_write_lock_held_past_the_busy_timeout_is_a_503(
    fast_app: Flask, database: Path, write_lock: sqlite3.Connection
) -> None:
    client = fast_app.test_client()
    token = csrf_token(client)  # reading works while another process writes (WAL)
    response = client.post("/api/documents", json={"name": "x.txt", "text": "Hello there."})
    assert_store_failure(response, 503, "busy")
    assert response.headers["Retry-After"]
    page = client.post("/documents/paste", data={"name": "y.txt", "text": "Hi.", "csrf_token": token})
    assert_store_failure(page, 503, "busy")
    assert "<html" in page.get_data(as_text=True)
    fragment = client.post("/documents/paste", data={"name": "y.txt", "text": "Hi.", "csrf_token": token},
                           headers=HTMX)
    assert_store_failure(fragment, 503, "busy")
    assert "<html" not in fragment.get_data(as_text=True)
    assert client.get("/api/documents").status_code == 200

    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")  # the fixture's teardown rolls this back
    assert client.post("/api/documents", json={"name": "x.txt", "text": "Hello there."}).status_code == 201
    assert integrity(database) == "ok"
    assert names(database).count("x.txt") == 1 and "y.txt" not in names(database)


def test_an_exclusive_lock_makes_reads_a_503_too(fast_app: Flask, database: Path) -> None:
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('holder', 'x')")
    holder.execute("COMMIT")  # in exclusive locking mode the lock stays until the connection closes
    try:
        client = fast_app.test_client()
        assert_store_failure(client.get("/api/documents"), 503, "busy")
        assert_store_failure(client.get("/"), 503, "busy")
        assert_store_failure(client.get("/", headers=HTMX), 503, "busy")
    finally:
        holder.close()
    assert fast_app.test_client().get("/api/documents").status_code == 200
    assert integrity(database) == "ok"


def test_a_read_only_store_reads_and_refuses_writes_with_a_503(tmp_path: Path, database: Path) -> None:
    make_app(tmp_path)  # creates and seeds the file
    before = names(database)
    app = make_app(tmp_path, DATABASE_READ_ONLY=True)
    client = app.test_client()
    documents = client.get("/api/documents").get_json()["documents"]
    assert [d["name"] for d in documents] == before
    assert_store_failure(client.post("/api/documents", json={"name": "x.txt", "text": "Hello."}), 503, "read-only")
    token = csrf_token(client)
    rename = client.post(f"/documents/{documents[0]['id']}/rename", data={"name": "new", "csrf_token": token})
    assert_store_failure(rename, 503, "read-only")
    # a comparison is still shown: only keeping it in the cache needs to write
    compared = client.get(f"/api/compare?a={seed_id(client, '002')}&b={seed_id(client, '004')}")
    assert compared.status_code == 200 and compared.get_json()["pairs"]
    assert names(database) == before and integrity(database) == "ok"


def test_a_full_store_is_a_507_and_stores_nothing_of_the_batch(tmp_path: Path, database: Path) -> None:
    make_app(tmp_path)
    with sqlite3.connect(database) as connection:
        pages, page_size = (connection.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    used = pages * page_size
    app = make_app(tmp_path, DATABASE_MAX_BYTES=used + 16 * 1024)  # room for a small document, not a large one
    client = app.test_client()
    before = names(database)
    large = "A sentence that fills the store. " * 20_000  # ~660 KB
    batch = [{"name": "small.txt", "text": "Small and fine."}, {"name": "large.txt", "text": large}]
    assert_store_failure(client.post("/api/documents", json=batch), 507, "full")
    token = csrf_token(client)
    page = client.post("/documents/paste", data={"name": "large.txt", "text": large, "csrf_token": token},
                       headers=HTMX)
    assert_store_failure(page, 507, "full")
    assert names(database) == before, "nothing of a refused batch is stored"
    assert client.post("/api/documents", json=batch[:1]).status_code == 201, "what fits still goes in"
    assert integrity(database) == "ok"


def test_a_database_that_vanished_while_serving_is_a_503_not_a_new_empty_store(tmp_path: Path, database: Path) -> None:
    client = make_app(tmp_path).test_client()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    assert_store_failure(client.get("/api/documents"), 503, "cannot be opened")
    assert not database.exists()


def test_a_missing_instance_folder_is_created(tmp_path: Path) -> None:
    instance = tmp_path / "not" / "yet" / "there"
    app = make_app(tmp_path, INSTANCE_PATH=str(instance), DATABASE=None)
    assert (instance / "compare.sqlite3").is_file()
    assert app.test_client().get("/api/documents").status_code == 200


def serve(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m web serve`` expecting it to stop at once."""
    return subprocess.run(
        [sys.executable, "-m", "web", "serve", "--port", "0", *arguments],
        cwd=REPO, env={**os.environ, "FLASK_SECRET_KEY": "fault test"}, capture_output=True, text=True, timeout=60,
    )


def assert_clear_startup_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert line.startswith("compare: cannot start:") and "\n" not in line, line
    for word in words:
        assert word in line, line


def test_an_instance_folder_that_cannot_be_created_stops_the_start_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = serve("--instance", str(blocker / "instance"))
    assert_clear_startup_error(result, "cannot create the instance folder", str(blocker / "instance"))


def test_a_foreign_file_as_database_stops_the_start_and_is_left_untouched(tmp_path: Path, database: Path) -> None:
    database.write_bytes(b"these are not the droids\n" * 400)
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    result = serve("--database", str(database), "--instance", str(tmp_path / "instance"))
    assert_clear_startup_error(result, str(database), "not a SQLite database or is damaged", "left untouched")
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert not Path(f"{database}-wal").exists()


def test_a_damaged_database_stops_the_start_and_is_left_untouched(tmp_path: Path, database: Path) -> None:
    make_app(tmp_path)  # a real store with the seeds, checkpointed when its last connection closed
    data = bytearray(database.read_bytes())
    page_size = 4096
    assert len(data) >= 4 * page_size
    data[2 * page_size : 3 * page_size] = b"\xa5" * page_size  # one whole b-tree page overwritten
    database.write_bytes(bytes(data))
    before = hashlib.sha256(data).hexdigest()
    with pytest.raises(StoreCorrupt, match="left untouched"):
        make_app(tmp_path)
    result = serve("--database", str(database), "--instance", str(tmp_path / "instance"))
    assert_clear_startup_error(result, str(database), "damaged")
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_a_read_only_store_without_its_file_stops_the_start(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(StoreUnavailable, match="does not exist"):
        make_app(tmp_path, DATABASE=str(missing), DATABASE_READ_ONLY=True)
    assert not missing.exists()
