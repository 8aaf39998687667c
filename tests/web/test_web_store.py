"""The SQLite store: schema, WAL, seeding once, atomic batches, rename/delete, the comparison cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from web.store import NewDocument, Store, content_hash, first_line


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
