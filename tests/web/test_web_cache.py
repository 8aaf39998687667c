"""Comparison records: a cached comparison rebuilds equal to the one computed; the cache stays bounded."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from pathlib import Path

import pytest

from compare import Document, Granularity, Options, compare_documents, read_document
from web.cache import cached_compare, comparison_from_record, comparison_to_record, options_key
from web.store import Store, StoreSettings

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(range(5), 2)))
def test_record_roundtrip_is_exact(a: int, b: int) -> None:
    doc_a, doc_b = read_document(SEEDS[a]), read_document(SEEDS[b])
    comparison = compare_documents(doc_a, doc_b)
    assert comparison_from_record(comparison_to_record(comparison), doc_a, doc_b) == comparison


def test_options_key_tells_options_apart() -> None:
    assert options_key(Options()) == options_key(Options())
    assert options_key(Options()) != options_key(Options(min_score=0.7))
    assert options_key(Options()) != options_key(Options(granularity=Granularity.PARAGRAPH))


def test_cached_compare_computes_once_and_uses_new_names(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.initialize()
    a, b = Document("a.txt", "The cat sat. It was warm."), Document("b.txt", "It was warm. The cat sat down.")
    first, cached = cached_compare(store, a, b, Options())
    assert not cached
    renamed = dataclasses.replace(a, name="renamed.txt")
    second, cached = cached_compare(store, renamed, b, Options())
    assert cached and second.a.document.name == "renamed.txt"
    assert second.pairs == first.pairs


def test_a_damaged_record_is_recomputed(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.initialize()
    a, b = Document("a", "One two three."), Document("b", "One two four.")
    from web.store import content_hash

    store.cache_comparison(content_hash(a.text), content_hash(b.text), options_key(Options()), "{broken")
    comparison, cached = cached_compare(store, a, b, Options())
    assert not cached and comparison.pairs
    assert cached_compare(store, a, b, Options())[1]


def bounded_store(tmp_path: Path, **settings: object) -> Store:
    store = Store(tmp_path / "db.sqlite3", StoreSettings(cache_touch_after_s=0, **settings))  # type: ignore[arg-type]
    store.initialize()
    return store


def cached_keys(store: Store) -> set[str]:
    with sqlite3.connect(store.path) as connection:
        return {row[0] for row in connection.execute("SELECT a_sha256 FROM comparisons")}


def test_the_cache_keeps_at_most_its_entries_least_recently_used_go_first(tmp_path: Path) -> None:
    store = bounded_store(tmp_path, cache_max_entries=3)
    for key in "abc":
        assert store.cache_comparison(key, "x", "k", f"record {key}")
    assert store.cached_comparison("a", "x", "k") == "record a"  # a is now the most recently used
    store.cache_comparison("d", "x", "k", "record d")
    assert cached_keys(store) == {"a", "c", "d"}, "b was the least recently used"
    store.cache_comparison("e", "x", "k", "record e")
    assert cached_keys(store) == {"a", "d", "e"}
    assert store.cache_usage()[0] == 3


def test_the_cache_keeps_at_most_its_bytes(tmp_path: Path) -> None:
    store = bounded_store(tmp_path, cache_max_bytes=2500)
    for key in "abcde":
        store.cache_comparison(key, "x", "k", key * 1000)
    count, size = store.cache_usage()
    assert (count, size) == (2, 2000)
    assert cached_keys(store) == {"d", "e"}
    assert not store.cache_comparison("f", "x", "k", "é" * 1300), "a record larger than the whole cache is not kept"
    assert cached_keys(store) == {"d", "e"}


def test_a_hit_records_its_use_only_after_the_touch_interval(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3", StoreSettings(cache_max_entries=2, cache_touch_after_s=3600))
    store.initialize()
    store.cache_comparison("a", "x", "k", "record a")
    store.cache_comparison("b", "x", "k", "record b")
    assert store.cached_comparison("a", "x", "k") == "record a"  # a recent use: not written again
    store.cache_comparison("c", "x", "k", "record c")
    assert cached_keys(store) == {"b", "c"}, "without a recorded use, a stays the oldest"


def test_cached_compare_stays_within_the_bounds_and_still_answers(tmp_path: Path) -> None:
    store = bounded_store(tmp_path, cache_max_entries=2)
    documents = [Document(f"{n}.txt", f"Text number {n}. The cat sat on the mat.") for n in range(4)]
    for a, b in itertools.combinations(documents, 2):
        comparison, cached = cached_compare(store, a, b, Options())
        assert not cached and comparison.pairs
    assert store.cache_usage()[0] == 2
    assert cached_compare(store, documents[2], documents[3], Options())[1], "the last one is still cached"


def test_an_old_cache_table_is_replaced_on_start_and_documents_stay(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:  # the layout of schema version 1
        connection.executescript(
            "CREATE TABLE documents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, text TEXT NOT NULL,"
            " sha256 TEXT NOT NULL, size INTEGER NOT NULL, first_line TEXT NOT NULL, created_at TEXT NOT NULL);"
            "CREATE TABLE comparisons (a_sha256 TEXT NOT NULL, b_sha256 TEXT NOT NULL, options_key TEXT NOT NULL,"
            " record TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (a_sha256, b_sha256, options_key));"
            "INSERT INTO documents VALUES (1, 'kept.txt', 'text', 'h', 4, 'text', 'now');"
            "INSERT INTO comparisons VALUES ('a', 'b', 'k', 'old record', 'now');"
            "PRAGMA user_version = 1;"
        )
    store = Store(path)
    store.initialize()
    assert [d.name for d in store.list_documents()] == ["kept.txt"]
    assert store.cache_usage() == (0, 0)
    store.cache_comparison("a", "b", "k", "new record")
    assert store.cached_comparison("a", "b", "k") == "new record"


def test_degraded_comparisons_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import web.cache as cache_module

    monkeypatch.setattr(cache_module, "compare_documents",
                        lambda a, b, options: dataclasses.replace(compare_documents(a, b, options), degraded=True))
    store = Store(tmp_path / "c.sqlite3")
    store.initialize()
    a, b = Document("a", "The cat sat. It was warm."), Document("b", "It was warm. The cat sat down.")
    first, hit = cached_compare(store, a, b, Options())
    assert first.degraded and not hit
    _, hit = cached_compare(store, a, b, Options())
    assert not hit, "a degraded comparison must be recomputed, not served from the cache"
