"""The document store: one SQLite file holding the documents and cached comparisons.

Every method opens its own short-lived connection, so the store is safe to share
between the threads of a WSGI server and between processes: SQLite in WAL mode
lets readers go on while one writer writes, and a busy timeout makes a second
writer wait its turn instead of failing.  Writes run in ``BEGIN IMMEDIATE``
transactions so a batch of uploads is stored whole or not at all.

Standard library only; the web layer turns ``None`` / ``False`` results into 404s.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another writer
FIRST_LINE_CHARS = 160  # the library shows this much of a document's first line
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,          -- bytes of the UTF-8 text
    first_line TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE TABLE IF NOT EXISTS comparisons (
    a_sha256 TEXT NOT NULL,
    b_sha256 TEXT NOT NULL,
    options_key TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (a_sha256, b_sha256, options_key)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document about to be stored: a display name (never a path) and its text."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored document without its text, as the library lists it."""

    id: int
    name: str
    sha256: str
    size: int
    first_line: str
    created_at: str


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored document with its text."""

    info: DocumentInfo
    text: str


def content_hash(text: str) -> str:
    """Return the sha256 hex digest of a text's UTF-8 bytes.

    >>> content_hash("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_line(text: str) -> str:
    """Return the first non-blank line of a text, shortened for a listing.

    >>> first_line("\\n\\n  Title here  \\nbody")
    'Title here'
    """
    for line in text.splitlines():
        line = line.strip()
        if line:
            if len(line) > FIRST_LINE_CHARS:
                return line[: FIRST_LINE_CHARS - 1].rstrip() + "…"
            return line
    return ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_INFO_COLUMNS = "id, name, sha256, size, first_line, created_at"


def _info(row: sqlite3.Row) -> DocumentInfo:
    return DocumentInfo(
        id=row["id"],
        name=row["name"],
        sha256=row["sha256"],
        size=row["size"],
        first_line=row["first_line"],
        created_at=row["created_at"],
    )


class Store:
    """The documents and cached comparisons in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a read is a
        # single autocommit statement and a write holds the lock only as long as needed.
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def initialize(self) -> None:
        """Create the database file and its tables if they are missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            # WAL is a property of the file: set once, it stays for every connection.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def seed_once(self, documents: Iterable[NewDocument]) -> bool:
        """Store the seed documents on the very first start; tell whether it did.

        A flag in the store remembers the seeding, so documents the user deleted
        do not come back on the next start.  The check and the insert share one
        transaction, so two processes starting together seed only once.
        """
        with self._transaction() as connection:
            if connection.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                return False
            self._insert(connection, list(documents))
            connection.execute("INSERT INTO meta (key, value) VALUES ('seeded', ?)", (_now(),))
            return True

    def add_documents(self, documents: Sequence[NewDocument]) -> list[int]:
        """Store a batch of documents in one transaction and return their ids."""
        with self._transaction() as connection:
            return self._insert(connection, documents)

    @staticmethod
    def _insert(connection: sqlite3.Connection, documents: Sequence[NewDocument]) -> list[int]:
        ids = []
        for document in documents:
            cursor = connection.execute(
                "INSERT INTO documents (name, text, sha256, size, first_line, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    document.name,
                    document.text,
                    content_hash(document.text),
                    len(document.text.encode("utf-8")),
                    first_line(document.text),
                    _now(),
                ),
            )
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
        return ids

    def list_documents(self, query: str = "") -> list[DocumentInfo]:
        """Return the stored documents in upload order, optionally those whose name has ``query``."""
        with self._connect() as connection:
            if query:
                pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = connection.execute(
                    f"SELECT {_INFO_COLUMNS} FROM documents"
                    " WHERE name LIKE ? ESCAPE '\\' OR first_line LIKE ? ESCAPE '\\' ORDER BY id",
                    (pattern, pattern),
                ).fetchall()
            else:
                rows = connection.execute(f"SELECT {_INFO_COLUMNS} FROM documents ORDER BY id").fetchall()
        return [_info(row) for row in rows]

    def get_document(self, document_id: int) -> StoredDocument | None:
        """Return one document with its text, or ``None`` if there is no such id."""
        with self._connect() as connection:
            row = connection.execute(
                f"SELECT {_INFO_COLUMNS}, text FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
        return None if row is None else StoredDocument(_info(row), row["text"])

    def rename_document(self, document_id: int, name: str) -> bool:
        """Give a document a new display name; tell whether it existed."""
        with self._transaction() as connection:
            cursor = connection.execute("UPDATE documents SET name = ? WHERE id = ?", (name, document_id))
            return cursor.rowcount == 1

    def delete_document(self, document_id: int) -> bool:
        """Delete a document; tell whether it existed.

        Cached comparisons stay: they are keyed by content, not by document, and
        serve any other document with the same text.
        """
        with self._transaction() as connection:
            cursor = connection.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            return cursor.rowcount == 1

    def cached_comparison(self, a_sha256: str, b_sha256: str, options_key: str) -> str | None:
        """Return the cached comparison record for two contents and options, if any."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT record FROM comparisons WHERE a_sha256 = ? AND b_sha256 = ? AND options_key = ?",
                (a_sha256, b_sha256, options_key),
            ).fetchone()
        return None if row is None else str(row["record"])

    def cache_comparison(self, a_sha256: str, b_sha256: str, options_key: str, record: str) -> None:
        """Remember a comparison record; a concurrent identical one simply wins."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO comparisons (a_sha256, b_sha256, options_key, record, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (a_sha256, b_sha256, options_key, record, _now()),
            )

    def count_comparisons(self) -> int:
        """Return how many comparisons are cached."""
        with self._connect() as connection:
            return int(connection.execute("SELECT COUNT(*) FROM comparisons").fetchone()[0])
