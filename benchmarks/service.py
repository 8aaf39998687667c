"""A real ``python -m web serve`` process, clients that drive it, and an audit of what it stored.

Shared by the load and crash runs (``benchmarks/load.py``, ``benchmarks/crash.py``) and
their short forms in ``tests/web``.  Everything talks to 127.0.0.1 only; every request
has a timeout and every loop a deadline, so a run always ends by itself.

The clients keep a ledger of what the server *acknowledged* (a 201 with the stored
documents' ids and hashes): whatever happens to the server afterwards, each of those
must be found intact.  Uploads are batches whose names say ``batch <id> part i of n``,
so the audit can tell a batch stored whole from one stored in part.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "seeds"
REQUEST_TIMEOUT_S = 60.0
SERVING = re.compile(r"compare: serving (http://127\.0\.0\.1:\d+)/")
BATCH_NAME = re.compile(r"^load (?P<batch>[0-9a-f]{12}) part (?P<part>\d+) of (?P<parts>\d+)\.txt$")
LOCKED = "database is locked"


def sha256(text: str) -> str:
    """Return the hex SHA-256 of a text's UTF-8 bytes (as the store computes it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie (nearest rank).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([1.0, 2.0, 3.0, 4.0], 0.95)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.499999)))
    return ordered[rank - 1]


# --- the server process -------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """``python -m web serve`` on 127.0.0.1 and a port the system picks, logging to a file."""

    database: Path
    instance: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    threads: int | None = None  # None: the server's default (more than its workers and queue)
    process: subprocess.Popen[bytes] | None = None
    url: str = ""

    def start(self, timeout_s: float = 60.0) -> float:
        """Start the server and wait until it answers; return the seconds to the first good answer."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web", "serve", "--port", "0",
                 *(["--threads", str(self.threads)] if self.threads else []),
                 "--database", str(self.database), "--instance", str(self.instance)],
                cwd=REPO,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}: {self.log_since(offset)}")
            match = SERVING.search(self.log_since(offset))
            if match:
                self.url = match.group(1)
                try:
                    status, _ = request(f"{self.url}/api/documents", timeout_s=5)
                    if status == 200:
                        return time.monotonic() - started
                except OSError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"the server did not answer within {timeout_s:.0f} s: {self.log_since(offset)}")

    def log_since(self, offset: int = 0) -> str:
        """Return the server's log from a byte offset on."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL: no cleanup, as a crash or an OOM kill)."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server politely, or kill it if it does not stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- HTTP ---------------------------------------------------------------------------------------


def request(url: str, body: object | None = None, timeout_s: float = REQUEST_TIMEOUT_S) -> tuple[int, bytes]:
    """GET (or POST JSON) a URL; return the status and the body, for error statuses too."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout_s) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


# --- the clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledged:
    """A document the server said it stored."""

    id: int
    name: str
    sha256: str


@dataclass
class Ledger:
    """What the clients saw: acknowledged documents, latencies per operation, errors."""

    acknowledged: dict[int, Acknowledged] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # requests sent, not answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, seconds: float) -> None:
        with self.lock:
            self.latencies[operation].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def summary(self) -> list[tuple[str, int, float, float, float]]:
        """Return (operation, count, p50 ms, p95 ms, max ms) per operation."""
        return [
            (op, len(values), percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000, max(values) * 1000)
            for op, values in sorted(self.latencies.items())
            if values
        ]


def seed_paragraphs() -> list[str]:
    """Return the paragraphs of the seed documents, the material of generated uploads."""
    paragraphs = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    return paragraphs


def new_batch(rng: random.Random, paragraphs: list[str], client: int) -> list[dict[str, str]]:
    """Return 1-3 documents named as parts of one batch, each a few seed paragraphs and a unique line."""
    batch, parts = uuid.UUID(int=rng.getrandbits(128)).hex[:12], rng.randint(1, 3)
    documents = []
    for part in range(1, parts + 1):
        body = "\n\n".join(rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(2, 6))))
        text = f"Load test client {client}, batch {batch}, part {part}.\n\n{body}"
        documents.append({"name": f"load {batch} part {part} of {parts}.txt", "text": text})
    return documents


class Client:
    """One client: uploads batches, lists the library, compares documents, until told to stop."""

    def __init__(self, base: Callable[[], str], ledger: Ledger, number: int, seed: int) -> None:
        self.base, self.ledger, self.number = base, ledger, number
        self.rng = random.Random(seed * 1000 + number)
        self.paragraphs = seed_paragraphs()
        self.ids: list[int] = []

    def timed(self, operation: str, url: str, body: object | None = None, expect: int = 200) -> bytes | None:
        """Run one request; record its latency if it succeeded, else an error; return the body."""
        kind = operation.split()[0]
        with self.ledger.lock:
            self.ledger.in_flight[kind] += 1
        started = time.perf_counter()
        try:
            status, payload = request(url, body)
        finally:
            with self.ledger.lock:
                self.ledger.in_flight[kind] -= 1
        elapsed = time.perf_counter() - started
        if LOCKED.encode() in payload:
            self.ledger.error(f"{operation} {url}: {LOCKED!r} in the response")
        if status != expect:
            self.ledger.error(f"{operation} {url}: {status} {payload[:300]!r}")
            return None
        self.ledger.record(operation, elapsed)
        return payload

    def upload(self) -> None:
        documents = new_batch(self.rng, self.paragraphs, self.number)
        payload = self.timed("upload", f"{self.base()}/api/documents", documents, expect=201)
        if payload is None:
            return
        stored = json.loads(payload)["documents"]
        sent = {d["name"]: sha256(d["text"]) for d in documents}
        for document in stored:
            if sent.get(document["name"]) != document["sha256"]:
                self.ledger.error(f"upload acknowledged {document['name']!r} with a hash of other content")
            with self.ledger.lock:
                self.ledger.acknowledged[document["id"]] = Acknowledged(
                    document["id"], document["name"], document["sha256"]
                )
            self.ids.append(document["id"])

    def list(self) -> None:
        if self.rng.random() < 0.5:
            payload = self.timed("list", f"{self.base()}/api/documents")
            if payload is not None and self.rng.random() < 0.2:
                self.ids += [d["id"] for d in json.loads(payload)["documents"][:5] if d["id"] not in self.ids]
        else:
            self.timed("list page", f"{self.base()}/")

    def compare(self) -> None:
        if len(self.ids) < 2:
            self.list()
            return
        a, b = self.rng.sample(self.ids, 2)
        threshold = self.rng.choice(("0.35", "0.4", "0.5"))
        if self.rng.random() < 0.6:
            self.timed("compare", f"{self.base()}/api/compare?a={a}&b={b}&threshold={threshold}")
        else:
            self.timed("compare page", f"{self.base()}/compare?a={a}&b={b}&threshold={threshold}")

    def run(self, until: float, stop: threading.Event | None = None, tolerate_errors: bool = False) -> None:
        """Mix uploads (30%), listings (30%) and comparisons (40%) until the deadline or the stop event.

        With ``tolerate_errors`` (a crash run), a refused connection, a reset or a cut
        answer is the server being killed, not an error, and the loop goes on until told to stop.
        """
        while time.monotonic() < until and not (stop and stop.is_set()):
            draw = self.rng.random()
            try:
                if draw < 0.3:
                    self.upload()
                elif draw < 0.6:
                    self.list()
                else:
                    self.compare()
            except (OSError, http.client.HTTPException, json.JSONDecodeError, KeyError) as error:
                if not tolerate_errors:
                    self.ledger.error(f"client {self.number}: {type(error).__name__}: {error}")
                else:
                    time.sleep(0.05)


def run_clients(base: Callable[[], str], clients: int, seconds: float, ledger: Ledger, seed: int = 0,
                stop: threading.Event | None = None, tolerate_errors: bool = False) -> list[threading.Thread]:
    """Start ``clients`` client threads that run for ``seconds`` (or until ``stop``); return the threads."""
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=Client(base, ledger, number, seed).run, args=(until, stop, tolerate_errors), daemon=True
        )
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads


# --- the audit ----------------------------------------------------------------------------------


def audit_database(database: Path, acknowledged: dict[int, Acknowledged]) -> list[str]:
    """Open the database file directly and return every problem found (an empty list: all is well).

    Checks SQLite's integrity check; every acknowledged document present with its
    name and content hash; no half-written document (stored hash or size not those
    of the stored text); no batch stored in part; every cached comparison readable.
    Open it with the server stopped (or killed): the open recovers the write-ahead log.
    """
    problems = []
    connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            problems.append(f"integrity check: {integrity[:5]}")
        stored: dict[int, tuple[str, str]] = {}
        batches: dict[str, tuple[int, set[int]]] = {}
        for document_id, name, text, digest, size in connection.execute(
            "SELECT id, name, text, sha256, size FROM documents"
        ):
            stored[document_id] = (name, digest)
            if not isinstance(text, str) or sha256(text) != digest or len(text.encode("utf-8")) != size:
                problems.append(f"document {document_id} ({name!r}) is half-written: its text does not match its hash")
            match = BATCH_NAME.match(name)
            if match:
                parts, seen = batches.setdefault(match["batch"], (int(match["parts"]), set()))
                seen.add(int(match["part"]))
        for batch, (parts, seen) in batches.items():
            if seen != set(range(1, parts + 1)):
                problems.append(f"batch {batch} is stored in part: parts {sorted(seen)} of {parts}")
        for document in acknowledged.values():
            if document.id not in stored:
                problems.append(f"acknowledged document {document.id} ({document.name!r}) is lost")
            elif stored[document.id] != (document.name, document.sha256):
                problems.append(f"acknowledged document {document.id} changed: {stored[document.id]} != {document}")
        for record, size in connection.execute("SELECT record, size FROM comparisons"):
            try:
                json.loads(record)
            except ValueError:
                problems.append("a cached comparison is not readable JSON")
            if len(record.encode("utf-8")) != size:
                problems.append("a cached comparison's size is not that of its record")
    finally:
        connection.close()
    return problems


def audit_service(base: str, acknowledged: dict[int, Acknowledged]) -> list[str]:
    """Fetch every acknowledged document through the API and check its text by hash."""
    problems = []
    for document in acknowledged.values():
        status, payload = request(f"{base}/api/documents/{document.id}")
        if status != 200:
            problems.append(f"acknowledged document {document.id}: {status} {payload[:200]!r}")
            continue
        text = json.loads(payload)["document"]["text"]
        if sha256(text) != document.sha256:
            problems.append(f"acknowledged document {document.id}: the text served does not match its hash")
    return problems


def latency_table(ledger: Ledger) -> str:
    """Return the latencies per operation as a Markdown table."""
    lines = ["| operation | requests | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    lines += [f"| {op} | {n} | {p50:.1f} | {p95:.1f} | {top:.1f} |" for op, n, p50, p95, top in ledger.summary()]
    return "\n".join(lines)


def median(values: list[float]) -> float:
    """Return the median of some values (0 for none)."""
    return statistics.median(values) if values else 0.0


