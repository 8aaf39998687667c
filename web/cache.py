"""Cached comparisons: compute once per pair of contents and options, then rebuild.

A comparison is cached under the sha256 of both texts and a canonical key of the
options, so a second view of the same pair is a database read instead of an
alignment.  The record holds only offsets and labels; the texts come from the
documents being compared, so a renamed document (or another document with the
same content) reuses the record and still shows its own name.

The cache is bounded: at most ``CACHE_MAX_ENTRIES`` records and ``CACHE_MAX_BYTES``
bytes of them (app settings, see ``web.store.StoreSettings``); past either bound
the least recently used records go.  Writing to the cache is best effort: when the
store is busy, read-only or full, the comparison is still shown, just not kept.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import compare
from compare import (
    Comparison,
    DiffOp,
    Document,
    OpTag,
    Options,
    Pair,
    PairKind,
    Passage,
    Segment,
    Segmentation,
    SegmentRole,
    Span,
    compare_documents,
)
from web.store import Store, StoreError, content_hash

log = logging.getLogger(__name__)

RECORD_VERSION = 1  # bump when the record layout below changes


@functools.cache
def engine_fingerprint() -> str:
    """Return the engine's version and a hash of its source, so a changed engine misses the cache.

    The package version alone would keep serving old alignments after an engine
    change that did not bump it (as during development).
    """
    try:
        version = metadata.version("compare-docs")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for path in sorted(Path(compare.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{version}+{digest.hexdigest()[:16]}"


def options_key(options: Options) -> str:
    """Return a canonical text for options, the engine's version and the record layout.

    >>> options_key(Options()).startswith('{"engine"')
    True
    """
    fields = {field.name: getattr(options, field.name) for field in dataclasses.fields(options)}
    return json.dumps(
        {"engine": engine_fingerprint(), "record": RECORD_VERSION, "options": fields},
        sort_keys=True,
        default=str,
    )


def _span(span: Span) -> list[int]:
    return [span.start, span.end]


def _segmentation_record(segmentation: Segmentation) -> dict[str, Any]:
    return {
        "paragraphs": [_span(p) for p in segmentation.paragraphs],
        "segments": [
            [s.index, s.span.start, s.span.end, s.paragraph, s.role.value] for s in segmentation.segments
        ],
    }


def comparison_to_record(comparison: Comparison) -> str:
    """Return a comparison as compact JSON text, without the documents' texts."""
    record = {
        "a": _segmentation_record(comparison.a),
        "b": _segmentation_record(comparison.b),
        "pairs": [
            {
                "a": _span(p.a),
                "b": _span(p.b),
                "kind": p.kind.value,
                "score": p.score,
                "moved": p.moved,
                "ops": [[op.tag.value, op.a.start, op.a.end, op.b.start, op.b.end] for op in p.ops],
                "a_segments": list(p.a_segments),
                "b_segments": list(p.b_segments),
            }
            for p in comparison.pairs
        ],
        "a_only": list(comparison.a_only),
        "b_only": list(comparison.b_only),
        "passages": [[_span(p.a), _span(p.b), list(p.pairs), p.moved, p.score] for p in comparison.passages],
        "degraded": comparison.degraded,
        "notes": list(comparison.notes),
    }
    return json.dumps(record, separators=(",", ":"))


def _segmentation(record: dict[str, Any], document: Document) -> Segmentation:
    return Segmentation(
        document=document,
        paragraphs=tuple(Span(start, end) for start, end in record["paragraphs"]),
        segments=tuple(
            Segment(index, Span(start, end), paragraph, SegmentRole(role))
            for index, start, end, paragraph, role in record["segments"]
        ),
    )


def comparison_from_record(text: str, a: Document, b: Document) -> Comparison:
    """Rebuild a comparison from its record and the two documents it was made from."""
    record = json.loads(text)
    return Comparison(
        a=_segmentation(record["a"], a),
        b=_segmentation(record["b"], b),
        pairs=tuple(
            Pair(
                a=Span(*p["a"]),
                b=Span(*p["b"]),
                kind=PairKind(p["kind"]),
                score=p["score"],
                moved=p["moved"],
                ops=tuple(
                    DiffOp(OpTag(tag), Span(a_start, a_end), Span(b_start, b_end))
                    for tag, a_start, a_end, b_start, b_end in p["ops"]
                ),
                a_segments=tuple(p["a_segments"]),
                b_segments=tuple(p["b_segments"]),
            )
            for p in record["pairs"]
        ),
        a_only=tuple(record["a_only"]),
        b_only=tuple(record["b_only"]),
        passages=tuple(Passage(Span(*a), Span(*b), tuple(pairs), moved, score)
                       for a, b, pairs, moved, score in record["passages"]),
        degraded=record["degraded"],
        notes=tuple(record["notes"]),
    )


def record_of(a: Document, b: Document, options: Options) -> str:
    """Compare two documents here, in this thread; return the comparison's record."""
    return comparison_to_record(compare_documents(a, b, options))


def cached_compare(store: Store, a: Document, b: Document, options: Options, *,
                   compute: Callable[[Document, Document, Options], str] = record_of) -> tuple[Comparison, bool]:
    """Return the comparison of two documents and whether it came from the cache.

    On a miss, ``compute`` returns the comparison's record (the web app runs
    it in a worker process, see ``web.execution``).  A record that no longer
    reads (a layout change, a damaged row) is recomputed and replaced rather
    than shown.  A degraded comparison (the time budget cut corners, perhaps
    only because the machine was busy) is not kept, so a later request gets a
    full one.  A store that cannot take the record does not stop the
    comparison from being shown.
    """
    a_sha256, b_sha256, key = content_hash(a.text), content_hash(b.text), options_key(options)
    record = store.cached_comparison(a_sha256, b_sha256, key)
    if record is not None:
        try:
            return comparison_from_record(record, a, b), True
        except (ValueError, KeyError, TypeError, IndexError):
            pass
    record = compute(a, b, options)
    comparison = comparison_from_record(record, a, b)
    if comparison.degraded:
        return comparison, False
    try:
        store.cache_comparison(a_sha256, b_sha256, key, record)
    except StoreError as error:
        log.warning("comparison not cached: %s", error)
    return comparison, False
