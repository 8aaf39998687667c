"""The SQLite store: schema, WAL, seeding once, atomic batches, rename/delete, the comparison cache, failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from web.store import (
    NewDocument,
    Store,
    StoreCorrupt,
    StoreFull,
    StoreSettings,
    StoreUnavailable,
    content_hash,
    first_line,
    store_error,
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "sub" / "db.sqlite3")
    store.initialize()
    return store


def test_initialize_creates_file_in_wal_mode(store: Store) -> None:
    assert store.path.exists()
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_initialize_twice_keeps_documents(store: Store) -> None:
    store.add_documents([NewDocument("a.txt", "alpha")])
    store.initialize()
    assert [d.name for d in store.list_documents()] == ["a.txt"]


def test_seed_once_only_seeds_the_first_time(store: Store) -> None:
    assert store.seed_once([NewDocument("seed.txt", "seed text")])
    (seed,) = store.list_documents()
    store.delete_document(seed.id)
    assert not store.seed_once([NewDocument("seed.txt", "seed text")])
    assert store.list_documents() == []


def test_add_documents_stores_hash_size_first_line(store: Store) -> None:
    (document_id,) = store.add_documents([NewDocument("x.md", "\n\n  Héllo world  \nmore")])
    document = store.get_document(document_id)
    assert document is not None
    assert document.text == "\n\n  Héllo world  \nmore"
    assert document.info.sha256 == content_hash(document.text)
    assert document.info.size == len(document.text.encode("utf-8"))
    assert document.info.first_line == "Héllo world"


def test_a_failing_batch_stores_nothing(store: Store) -> None:
    # A lone surrogate cannot be encoded: the second insert fails after the first ran.
    with pytest.raises(UnicodeEncodeError):
        store.add_documents([NewDocument("ok.txt", "fine"), NewDocument("bad.txt", "\ud800")])
    assert store.list_documents() == []


def test_get_unknown_document_is_none(store: Store) -> None:
    assert store.get_document(12345) is None


def test_rename_and_delete(store: Store) -> None:
    (document_id,) = store.add_documents([NewDocument("old.txt", "text")])
    assert store.rename_document(document_id, "new.txt")
    info = store.get_document(document_id)
    assert info is not None and info.info.name == "new.txt"
    assert store.delete_document(document_id)
    assert store.get_document(document_id) is None
    assert not store.delete_document(document_id)
    assert not store.rename_document(document_id, "again")


def test_list_filter_matches_name_or_first_line_and_escapes_wildcards(store: Store) -> None:
    store.add_documents(
        [
            NewDocument("report_2024.txt", "Annual numbers"),
            NewDocument("notes.md", "100% sure"),
            NewDocument("other.txt", "nothing"),
        ]
    )
    assert [d.name for d in store.list_documents("report")] == ["report_2024.txt"]
    assert [d.name for d in store.list_documents("annual")] == ["report_2024.txt"]
    assert [d.name for d in store.list_documents("%")] == ["notes.md"]
    assert [d.name for d in store.list_documents("_")] == ["report_2024.txt"]


def test_comparison_cache_roundtrip(store: Store) -> None:
    assert store.cached_comparison("a", "b", "k") is None
    store.cache_comparison("a", "b", "k", "record 1")
    store.cache_comparison("a", "b", "k", "record 2")
    assert store.cached_comparison("a", "b", "k") == "record 2"
    assert store.cached_comparison("b", "a", "k") is None
    assert store.count_comparisons() == 1


def test_first_line_is_shortened() -> None:
    line = first_line("x" * 500)
    assert len(line) <= 160 and line.endswith("…")
    assert first_line("   \n\t\n") == ""


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (sqlite3.OperationalError("database or disk is full"), StoreFull, "full"),
        (sqlite3.OperationalError("database is locked"), StoreUnavailable, "busy"),
        (sqlite3.OperationalError("attempt to write a readonly database"), StoreUnavailable, "read-only"),
        (sqlite3.DatabaseError("database disk image is malformed"), StoreCorrupt, "damaged"),
        (sqlite3.DatabaseError("file is not a database"), StoreCorrupt, "not a SQLite database"),
        (sqlite3.OperationalError("unable to open database file"), StoreUnavailable, "cannot be opened"),
    ],
)
def test_sqlite_errors_about_the_file_become_store_errors(error: sqlite3.Error, kind: type, words: str) -> None:
    translated = store_error(error, Path("some.sqlite3"))
    assert type(translated) is kind and words in str(translated)


def test_errors_in_the_sql_itself_stay_as_they_are() -> None:
    assert store_error(sqlite3.OperationalError("no such table: documents"), Path("x")) is None
    assert store_error(sqlite3.IntegrityError("UNIQUE constraint failed"), Path("x")) is None


def test_an_injected_disk_full_mid_batch_stores_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    inserted = Store._insert

    def insert_then_fail(self: Store, connection: sqlite3.Connection, documents: list[NewDocument]) -> list[int]:
        inserted(self, connection, documents[:1])  # the first row is written, then the disk fills up
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_insert", insert_then_fail)
    with pytest.raises(StoreFull, match="nothing was stored"):
        store.add_documents([NewDocument("a.txt", "alpha"), NewDocument("b.txt", "beta")])
    monkeypatch.undo()
    assert store.list_documents() == []
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_size_cap_gives_store_full_and_keeps_earlier_documents(tmp_path: Path) -> None:
    capped = Store(tmp_path / "capped.sqlite3", StoreSettings(max_bytes=64 * 1024))
    capped.initialize()
    capped.add_documents([NewDocument("small.txt", "small")])
    with pytest.raises(StoreFull):
        capped.add_documents([NewDocument("big.txt", "x" * 200_000)])
    assert [d.name for d in capped.list_documents()] == ["small.txt"]


def test_settings_come_from_the_app_config() -> None:
    settings = StoreSettings.from_config(
        {"DATABASE_BUSY_TIMEOUT_MS": 250, "DATABASE_MAX_BYTES": 1_000_000, "DATABASE_READ_ONLY": True,
         "CACHE_MAX_ENTRIES": 10, "CACHE_MAX_BYTES": 5000}
    )
    assert settings == StoreSettings(250, 1_000_000, True, 10, 5000)
    assert StoreSettings.from_config({}) == StoreSettings()
