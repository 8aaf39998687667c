"""Comparison records: a cached comparison rebuilds equal to the one computed."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from compare import Document, Granularity, Options, compare_documents, read_document
from web.cache import cached_compare, comparison_from_record, comparison_to_record, options_key
from web.store import Store

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(range(5), 2)))
def test_record_roundtrip_is_exact(a: int, b: int) -> None:
    doc_a, doc_b = read_document(SEEDS[a]), read_document(SEEDS[b])
    comparison = compare_documents(doc_a, doc_b)
    assert comparison_from_record(comparison_to_record(comparison), doc_a, doc_b) == comparison


def test_options_key_tells_options_apart() -> None:
    assert options_key(Options()) == options_key(Options())
    assert options_key(Options()) != options_key(Options(min_score=0.5))
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
