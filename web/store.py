"""The document store: one SQLite file holding the documents and cached comparisons.

Every method opens its own short-lived connection, so the store is safe to share
between the threads of a WSGI server and between processes: SQLite in WAL mode
lets readers go on while one writer writes, and a busy timeout makes a second
writer wait its turn instead of failing.  Writes run in ``BEGIN IMMEDIATE``
transactions so a batch of uploads is stored whole or not at all, and SQLite's
journal keeps the file intact when the process is killed mid-write.

When SQLite cannot do what is asked (the file is locked past the busy timeout,
read-only, full, missing or damaged), the store raises a :class:`StoreError` whose
message is meant for people; the web layer turns it into a 503 or 507.  The
cache of comparisons is bounded (entries and bytes) and pruned least recently used first.

Standard library only; the web layer turns ``None`` / ``False`` results into 404s.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another writer
FIRST_LINE_CHARS = 160  # the library shows this much of a document's first line
SCHEMA_VERSION = 3  # 2: comparisons carry their size and last use (the cache is pruned); 3: first lines redone
CACHE_MAX_ENTRIES = 2_000  # cached comparisons kept at most ...
CACHE_MAX_BYTES = 64 * 1024 * 1024  # ... and at most this many bytes of records
CACHE_TOUCH_AFTER_S = 60.0  # a cache hit records its use if the last one is older than this
MAX_DOCUMENT_ID = 2**63 - 1  # SQLite's largest INTEGER: a larger id is no document (never an OverflowError)

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
    size INTEGER NOT NULL,          -- bytes of the UTF-8 record
    created_at TEXT NOT NULL,
    last_used REAL NOT NULL,        -- unix time of the last write or (coarse) read
    PRIMARY KEY (a_sha256, b_sha256, options_key)
);
CREATE INDEX IF NOT EXISTS comparisons_last_used ON comparisons (last_used);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class StoreError(Exception):
    """The store cannot do what was asked right now; the message says why, for people."""


class StoreUnavailable(StoreError):
    """The store cannot be used: locked past the busy timeout, read-only, missing or unreadable."""


class StoreCorrupt(StoreUnavailable):
    """The database file is not a SQLite database or is damaged; it is left untouched."""


class StoreFull(StoreError):
    """The store has no room left: the disk or the configured size cap is full."""


# SQLite's primary result codes (https://sqlite.org/rescode.html) that are about the
# file or its lock, not about the SQL: each becomes a StoreError with a message for people.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26


def store_error(error: sqlite3.Error, path: Path) -> StoreError | None:
    """Return the StoreError an SQLite error stands for, or ``None`` for an error in the SQL itself.

    The result code decides; an error without one (as tests and some drivers
    raise) is recognised by SQLite's standard message.

    >>> store_error(sqlite3.OperationalError("database or disk is full"), Path("db")).__class__.__name__
    'StoreFull'
    >>> store_error(sqlite3.OperationalError("no such table: x"), Path("db")) is None
    True
    """
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error).lower()
    if code == _SQLITE_FULL or "disk is full" in text:
        return StoreFull(
            f"the document store is full (the disk or its size cap): nothing was stored ({error}); "
            "delete documents or make room, then try again"
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text or "database table is locked" in text:
        return StoreUnavailable(
            "the document store is busy: another process has held its lock for too long; "
            "nothing was changed, try again in a moment"
        )
    if code == _SQLITE_READONLY or "readonly database" in text:
        return StoreUnavailable("the document store is read-only: documents can be read but not added or changed")
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return StoreCorrupt(
            f"the database file {path} is not a SQLite database or is damaged ({error}); it was left "
            "untouched: restore it from a backup, or move it away to start an empty store"
        )
    if code in (_SQLITE_CANTOPEN, _SQLITE_PERM, _SQLITE_IOERR) or "unable to open" in text:
        return StoreUnavailable(f"the database file {path} cannot be opened or read ({error})")
    return None


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """How the store uses its file: waiting for locks, size caps, the cache's bounds."""

    busy_timeout_ms: int = BUSY_TIMEOUT_MS
    max_bytes: int | None = None  # cap on the database file; past it writes fail with StoreFull
    read_only: bool = False  # open the file read-only (a snapshot, a read-only volume)
    cache_max_entries: int = CACHE_MAX_ENTRIES
    cache_max_bytes: int = CACHE_MAX_BYTES
    cache_touch_after_s: float = CACHE_TOUCH_AFTER_S

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoreSettings:
        """Return the settings named ``DATABASE_*`` and ``CACHE_*`` in an app's configuration."""
        defaults = cls()
        return cls(
            busy_timeout_ms=int(config.get("DATABASE_BUSY_TIMEOUT_MS") or defaults.busy_timeout_ms),
            max_bytes=int(config["DATABASE_MAX_BYTES"]) if config.get("DATABASE_MAX_BYTES") else None,
            read_only=bool(config.get("DATABASE_READ_ONLY", False)),
            cache_max_entries=int(config.get("CACHE_MAX_ENTRIES", defaults.cache_max_entries)),
            cache_max_bytes=int(config.get("CACHE_MAX_BYTES", defaults.cache_max_bytes)),
            cache_touch_after_s=float(config.get("CACHE_TOUCH_AFTER_S", defaults.cache_touch_after_s)),
        )


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


def valid_document_id(document_id: object) -> bool:
    """Tell whether a value can be a document's id: an int from 1 to ``MAX_DOCUMENT_ID`` (bools are not).

    >>> valid_document_id(1), valid_document_id(2**63), valid_document_id(0), valid_document_id(True)
    (True, False, False, False)
    """
    return type(document_id) is int and 1 <= document_id <= MAX_DOCUMENT_ID


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
            return shortened(line)
    return ""


def shortened(line: str) -> str:
    """Return a line cut to ``FIRST_LINE_CHARS`` for a listing (an ellipsis marks the cut)."""
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1].rstrip() + "…"


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

    def __init__(self, path: str | Path, settings: StoreSettings | None = None,
                 describe: Callable[[str], str] = first_line) -> None:
        self.path = Path(path)
        self.settings = settings or StoreSettings()
        self.describe = describe  # the line of a text the library lists (the web app skips page noise)

    @contextmanager
    def _connect(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        """Open a connection for one operation; SQLite errors about the file become StoreErrors.

        Only ``initialize`` may create the file: a file that vanished while serving
        is an error, not a reason to start an empty store.
        """
        mode = "ro" if self.settings.read_only else "rwc" if create else "rw"
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a read is a
            # single autocommit statement and a write holds the lock only as long as needed.
            connection = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode={mode}",
                uri=True,
                timeout=self.settings.busy_timeout_ms / 1000,
                isolation_level=None,
            )
        except sqlite3.Error as error:
            raise self._translated(error) from error
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(self.settings.busy_timeout_ms)}")
            connection.execute("PRAGMA foreign_keys = ON")
            if self.settings.max_bytes is not None:
                page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
                connection.execute(f"PRAGMA max_page_count = {max(1, self.settings.max_bytes // page_size)}")
            yield connection
        except sqlite3.Error as error:
            raise self._translated(error) from error
        finally:
            connection.close()

    def _translated(self, error: sqlite3.Error) -> Exception:
        return store_error(error, self.path) or error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:  # SQLite already rolled back after some errors (disk full)
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def initialize(self) -> None:
        """Create the database file and its tables if they are missing; refuse a damaged file.

        The check runs before anything is written, so a file that is not a sound
        SQLite database is never changed: a StoreCorrupt says what to do with it.
        """
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the folder {folder} for the document store: {error.strerror or error}"
            ) from error
        if self.settings.read_only and not self.path.is_file():
            raise StoreUnavailable(f"the database file {self.path} does not exist, and the store is read-only")
        with self._connect(create=True) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreCorrupt(
                    f"the database file {self.path} is damaged ({'; '.join(problems[:3])}); it was left "
                    "untouched: restore it from a backup, or move it away to start an empty store"
                )
            if self.settings.read_only:
                return
            # WAL is a property of the file: set once, it stays for every connection.
            connection.execute("PRAGMA journal_mode = WAL")
            self._migrate(connection)
            connection.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring an older file up to this schema.

        Version 1's comparison cache is dropped (it rebuilds); before version 3,
        every document's first line is described again (the library now skips page noise).
        """
        columns = {row[1] for row in connection.execute("PRAGMA table_info(comparisons)").fetchall()}
        if columns and "last_used" not in columns:
            connection.execute("DROP TABLE comparisons")
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        has_documents = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone()
        if has_documents and version < 3:
            connection.execute("BEGIN IMMEDIATE")
            for row in connection.execute("SELECT id, text FROM documents").fetchall():
                connection.execute("UPDATE documents SET first_line = ? WHERE id = ?",
                                   (self.describe(row["text"]), row["id"]))
            connection.execute("COMMIT")

    def seed_once(self, documents: Iterable[NewDocument]) -> bool:
        """Store the seed documents on the very first start; tell whether it did.

        A flag in the store remembers the seeding, so documents the user deleted
        do not come back on the next start.  The check and the insert share one
        transaction, so two processes starting together seed only once.  A
        read-only store is served as it is.
        """
        if self.settings.read_only:
            return False
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

    def _insert(self, connection: sqlite3.Connection, documents: Sequence[NewDocument]) -> list[int]:
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
                    self.describe(document.text),
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
        if not valid_document_id(document_id):
            return None
        with self._connect() as connection:
            row = connection.execute(
                f"SELECT {_INFO_COLUMNS}, text FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
        return None if row is None else StoredDocument(_info(row), row["text"])

    def rename_document(self, document_id: int, name: str) -> bool:
        """Give a document a new display name; tell whether it existed."""
        if not valid_document_id(document_id):
            return False
        with self._transaction() as connection:
            cursor = connection.execute("UPDATE documents SET name = ? WHERE id = ?", (name, document_id))
            return cursor.rowcount == 1

    def delete_document(self, document_id: int) -> bool:
        """Delete a document; tell whether it existed.

        Cached comparisons stay: they are keyed by content, not by document, and
        serve any other document with the same text.
        """
        if not valid_document_id(document_id):
            return False
        with self._transaction() as connection:
            cursor = connection.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            return cursor.rowcount == 1

    def cached_comparison(self, a_sha256: str, b_sha256: str, options_key: str) -> str | None:
        """Return the cached comparison record for two contents and options, if any.

        A hit records its use (for least-recently-used pruning) when the last
        record of it is older than ``cache_touch_after_s``, so most reads write nothing;
        that write is best effort: a busy or read-only store still serves the record.
        """
        key = (a_sha256, b_sha256, options_key)
        with self._connect() as connection:
            row = connection.execute(
                "SELECT record, last_used FROM comparisons WHERE a_sha256 = ? AND b_sha256 = ? AND options_key = ?",
                key,
            ).fetchone()
        if row is None:
            return None
        now = time.time()
        if now - float(row["last_used"]) >= self.settings.cache_touch_after_s and not self.settings.read_only:
            try:
                with self._connect() as connection:
                    connection.execute(
                        "UPDATE comparisons SET last_used = ? WHERE a_sha256 = ? AND b_sha256 = ? AND options_key = ?",
                        (now, *key),
                    )
            except StoreError:
                pass  # the use goes unrecorded; the record is still good
        return str(row["record"])

    def cache_comparison(self, a_sha256: str, b_sha256: str, options_key: str, record: str) -> bool:
        """Remember a comparison record, prune the cache to its bounds, tell whether it was kept.

        A concurrent identical record simply wins; a record larger than the whole
        cache's byte bound is not stored at all.
        """
        size = len(record.encode("utf-8"))
        if size > self.settings.cache_max_bytes or self.settings.cache_max_entries < 1:
            return False
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO comparisons"
                " (a_sha256, b_sha256, options_key, record, size, created_at, last_used)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (a_sha256, b_sha256, options_key, record, size, _now(), time.time()),
            )
            self._prune(connection)
        return True

    def _prune(self, connection: sqlite3.Connection) -> int:
        """Delete the least recently used comparisons until the cache is within its bounds; return how many."""
        count, total = connection.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM comparisons").fetchone()
        max_entries, max_bytes = self.settings.cache_max_entries, self.settings.cache_max_bytes
        if count <= max_entries and total <= max_bytes:
            return 0
        victims = []
        for rowid, size in connection.execute("SELECT rowid, size FROM comparisons ORDER BY last_used, rowid"):
            if count <= max_entries and total <= max_bytes:
                break
            victims.append(rowid)
            count, total = count - 1, total - size
        connection.executemany("DELETE FROM comparisons WHERE rowid = ?", [(rowid,) for rowid in victims])
        return len(victims)

    def cache_usage(self) -> tuple[int, int]:
        """Return how many comparisons are cached and their bytes."""
        with self._connect() as connection:
            count, total = connection.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM comparisons").fetchone()
        return int(count), int(total)

    def count_comparisons(self) -> int:
        """Return how many comparisons are cached."""
        with self._connect() as connection:
            return int(connection.execute("SELECT COUNT(*) FROM comparisons").fetchone()[0])
