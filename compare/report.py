"""The duplication report of a corpus: which documents reuse which passages, and how much.

The report's pairs of two documents are the compare view's pairs of them:
it only decides, by candidate search, which pairs of documents to align, and
aligns each with ``compare_documents`` (the same model, the same options).
The pipeline, one pure step after another:

1. *prepare* each document (segment it, mark page noise, hash its words,
   phrases and texts: ``compare.shingles``), in parallel;
2. *retrieve* candidate segment pairs of different documents from one
   inverted index of phrases (cost grows with the number of phrases, not of
   pairs; stock phrases retrieve nothing);
3. *select* the pairs of documents where a retrieved segment pair could be
   an anchor of the compare view: an upper bound on its link log-odds,
   under the two documents' own word weights, beats the threshold
   (``compare.sharing``); a pair that cannot be anchored is left out
   without changing any number;
4. *align* each selected pair with ``compare_documents``: its passages and
   shares are the compare view's (``Comparison.shared_share``);
5. *aggregate*: per-document shares (characters of text segments in
   passages shared with any other document), and families: one statement
   and its renderings (``compare.statements``).  A clause-level passage
   that shares only stock phrases of the corpus (runs of three words more
   than ``compare.stock.STOCK_DOCUMENTS`` documents hold) is not counted,
   and the notes say how many were left out.

A pair's figures depend only on its two documents, the options and how many
documents hold the runs its clause-level passages share, so adding documents
unrelated to them changes none of them.  The same path runs for five
documents and for 100,000, on this machine's cores or on Dask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from compare.align import compare_documents
from compare.distributed import map_in_order, workers
from compare.model import (
    Document,
    DocumentReport,
    Options,
    PairKind,
    PairReport,
    Report,
    SharedPassage,
    Span,
)
from compare.sharing import AnchorBound, document_counts
from compare.shingles import Candidates, PreparedDocument, candidate_pairs, prepare_documents
from compare.statements import Statement, statement_families
from compare.stock import STOCK_DOCUMENTS, is_stock, stock_runs

Progress = Callable[[int, int], None]
PREPARE_CHUNK = 64  # documents per unit of parallel work
PARALLEL_FROM = 200  # smaller corpora run in this process (a pool costs more than it saves)
TASKS_PER_WORKER = 8  # alignment tasks per core (even load: one comparison takes from 1 ms to a second)
MAX_TASK_PAIRS = 64  # document pairs of one alignment task at most


def build_report(documents: Sequence[Document], options: Options | None = None, *,
                 progress: Progress | None = None, scheduler: str | None = None) -> Report:
    """Return the duplication report of a corpus.

    ``progress(done, total)`` is called as work advances (``total`` is twice
    the number of documents: preparing, then selecting and aligning pairs).
    ``scheduler`` runs the work on Dask distributed: a scheduler address, or
    ``"local"`` for a local cluster; by default it runs on this machine's cores.

    >>> docs = [Document("a", "The river floods the northern valley every spring season."),
    ...         Document("b", "Nothing here. The river floods the northern valley every spring season.")]
    >>> report = build_report(docs)
    >>> [(d.name, d.reused_chars, d.reused_share) for d in report.documents]
    [('a', 57, 1.0), ('b', 57, 0.8143)]
    """
    options = options or Options()
    if not documents:
        raise ValueError("a report needs at least one document, got none")
    total = 2 * len(documents)
    notify = progress or (lambda done, total: None)
    notify(0, total)
    parallel = len(documents) >= PARALLEL_FROM
    prepared: list[PreparedDocument] = []
    chunks = list(_chunks(documents, PREPARE_CHUNK))
    for chunk in map_in_order(partial(prepare_documents, options=options), chunks, scheduler, parallel):
        prepared.extend(chunk)
        notify(len(prepared), total)
    candidates = candidate_pairs(prepared, threads=workers() if parallel else 1)
    tasks = _pair_tasks(documents, prepared, candidates, options)
    aligned: dict[tuple[int, int], _Aligned] = {}
    done_pairs = 0
    all_pairs = sum(len(task.pairs) for task in tasks)
    for task, found in zip(tasks, map_in_order(_align_task, tasks, scheduler, parallel), strict=True):
        aligned.update(found)
        done_pairs += len(task.pairs)
        notify(len(documents) + (len(documents) * done_pairs) // max(all_pairs, 1), total)
    report = _assemble(prepared, aligned, candidates)
    notify(total, total)
    return report


def _chunks(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Selecting and aligning pairs of documents ----------------------------------


@dataclass(frozen=True, slots=True)
class _PairTask:
    """One unit of work: pairs of documents, each with its retrieved segment pairs, and what they need."""

    documents: dict[int, Document]
    prepared: dict[int, PreparedDocument]
    pairs: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]  # (a, b, segment pairs (i, j), best first)
    options: Options


@dataclass(frozen=True, slots=True)
class _Aligned:
    """What the compare view finds between two documents, in the report's terms."""

    a_share: float
    b_share: float
    passages: tuple[SharedPassage, ...]
    statements: tuple[Statement, ...]  # the comparison's pairs, by segment
    degraded: bool
    refused: str = ""  # why the pair could not be compared (it is then left out)


def _pair_tasks(documents: Sequence[Document], prepared: Sequence[PreparedDocument], candidates: Candidates,
                options: Options) -> list[_PairTask]:
    """Group the candidate segment pairs by pair of documents and cut them into tasks.

    Within a pair of documents, segment pairs sharing more keys come first
    (the likeliest anchors are bounded first, and one is enough).
    """
    seg_counts = np.array([len(p.spans) for p in prepared], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(seg_counts)])
    doc_x = np.searchsorted(offsets, candidates.x, side="right") - 1
    doc_y = np.searchsorted(offsets, candidates.y, side="right") - 1
    order = np.lexsort((candidates.y, candidates.x, -candidates.shared, doc_y, doc_x))
    by_pair: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for k in order.tolist():
        a, b = int(doc_x[k]), int(doc_y[k])
        by_pair[(a, b)].append((int(candidates.x[k] - offsets[a]), int(candidates.y[k] - offsets[b])))
    pairs = sorted(by_pair)
    size = max(1, min(MAX_TASK_PAIRS, -(-len(pairs) // (TASKS_PER_WORKER * workers()))))
    tasks = []
    for start in range(0, len(pairs), size):
        chunk = pairs[start : start + size]
        involved = sorted({d for pair in chunk for d in pair})
        tasks.append(_PairTask({d: documents[d] for d in involved}, {d: prepared[d] for d in involved},
                               tuple((a, b, tuple(by_pair[(a, b)])) for a, b in chunk), options))
    return tasks


def _align_task(task: _PairTask) -> dict[tuple[int, int], _Aligned]:
    """Align, with the compare view's engine, the pairs of a task that a retrieved segment pair could anchor."""
    bound = AnchorBound({d: doc.text for d, doc in task.documents.items()},
                        {d: doc.segments for d, doc in task.prepared.items()},
                        {d: document_counts(doc, task.documents[d].text) for d, doc in task.prepared.items()},
                        task.options)
    found = {}
    for a, b, segment_pairs in task.pairs:
        if any(bound.could_anchor(a, i, b, j) for i, j in segment_pairs):
            result = _aligned(task.documents[a], task.documents[b], task.options)
            if result.passages or result.refused:
                found[(a, b)] = result
    return found


def _aligned(a: Document, b: Document, options: Options) -> _Aligned:
    """Return what ``compare_documents`` finds between two documents."""
    try:
        comparison = compare_documents(a, b, options)
    except ValueError as error:
        return _Aligned(0.0, 0.0, (), (), False, str(error))
    passages = []
    for passage in comparison.passages:
        kinds = {comparison.pairs[k].kind for k in passage.pairs}
        kind = next(iter(kinds)) if len(kinds) == 1 else PairKind.VARIANT  # a mix of kinds is a variant
        passages.append(SharedPassage(passage.a, passage.b, kind, passage.score))
    statements = tuple(Statement(p.a_segments, p.b_segments, p.a, p.b, p.kind, p.score) for p in comparison.pairs)
    return _Aligned(round(comparison.shared_share("a"), 4), round(comparison.shared_share("b"), 4),
                    tuple(passages), statements, comparison.degraded)


# --- Aggregation -----------------------------------------------------------------


def _assemble(prepared: Sequence[PreparedDocument], aligned: dict[tuple[int, int], _Aligned],
              candidates: Candidates) -> Report:
    """Turn the compare view's findings on every aligned pair into the report's figures and families."""
    stock = stock_runs(prepared)
    unstocked = {pair: _without_stock(prepared, pair, found, stock) for pair, found in sorted(aligned.items())}
    left_out = sum(len(aligned[pair].passages) - len(found.passages) for pair, found in unstocked.items())
    shared = {pair: found for pair, found in unstocked.items() if found.passages}
    families, family_of = statement_families({pair: found.statements for pair, found in shared.items()})
    pairs: list[PairReport] = []
    reused: dict[int, list[Span]] = defaultdict(list)
    shared_with: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), found in shared.items():
        numbered = tuple(SharedPassage(p.a, p.b, p.kind, p.score, _family_of(p, found.statements, family_of, a, b))
                         for p in sorted(found.passages, key=lambda p: (p.a, p.b)))
        pairs.append(PairReport(a, b, found.a_share, found.b_share, numbered))
        reused[a].extend(p.a for p in numbered)
        reused[b].extend(p.b for p in numbered)
        shared_with[a][b] = found.a_share
        shared_with[b][a] = found.b_share
    reports = []
    for index, doc in enumerate(prepared):
        spans = _merged(reused.get(index, []))
        partners = sorted(shared_with.get(index, {}).items(), key=lambda item: (-item[1], item[0]))
        reports.append(DocumentReport(
            index=index, name=doc.name, chars=doc.chars, counted_chars=doc.counted_chars,
            reused_chars=_counted_union(doc, spans), reused_share=_share(doc, spans), reused=tuple(spans),
            boilerplate=doc.boilerplate, partners=tuple(p for p, _ in partners)))
    degraded = any(found.degraded for found in shared.values())
    return Report(tuple(reports), tuple(pairs), tuple(families), degraded,
                  _notes(prepared, aligned, candidates, degraded, left_out))


def _without_stock(prepared: Sequence[PreparedDocument], pair: tuple[int, int], found: _Aligned,
                   stock: frozenset[int]) -> _Aligned:
    """Return a pair's findings without its stock passages (``compare.stock``), its shares counted again."""
    a, b = pair
    dropped = [p for p in found.passages
               if p.kind is PairKind.PARTIAL and is_stock(prepared[a], p.a, prepared[b], p.b, stock)]
    if not dropped:
        return found
    kept = tuple(p for p in found.passages if p not in dropped)
    statements = tuple(s for s in found.statements
                       if not any(s.a.overlaps(p.a) and s.b.overlaps(p.b) for p in dropped))
    return replace(found, a_share=_share(prepared[a], _merged([p.a for p in kept])),
                   b_share=_share(prepared[b], _merged([p.b for p in kept])), passages=kept, statements=statements)


def _share(doc: PreparedDocument, spans: list[Span]) -> float:
    """Return the share of a document's text segments that the (disjoint, sorted) spans cover, as reported."""
    counted = doc.counted_chars
    return round(min(1.0, _counted_union(doc, spans) / counted), 4) if counted else 0.0


def _family_of(passage: SharedPassage, statements: Sequence[Statement], family_of: dict[tuple[int, int, Span], int],
               a: int, b: int) -> int | None:
    """Return the family of a passage's longest statement (a passage may render several statements)."""
    inside = [s for s in statements if s.renders and s.a.overlaps(passage.a) and s.b.overlaps(passage.b)]
    if not inside:
        return None
    longest = max(inside, key=lambda s: (len(s.a) + len(s.b), -s.a.start))
    return family_of.get((a, b, longest.a))


def _notes(prepared: Sequence[PreparedDocument], aligned: dict[tuple[int, int], _Aligned], candidates: Candidates,
           degraded: bool, stock_passages: int) -> tuple[str, ...]:
    """Return what a reader of the figures must know: stock phrases left out, pairs that could not be compared."""
    notes = [candidates.notes()] if candidates.notes() else []
    if stock_passages:
        notes.append(f"{stock_passages:,} passage{'s' if stock_passages > 1 else ''} of a clause or less sharing only "
                     f"stock phrases (runs of three words held by more than {STOCK_DOCUMENTS} documents) "
                     f"{'are' if stock_passages > 1 else 'is'} not counted: the compare view shows them")
    for (a, b), found in sorted(aligned.items()):
        if found.refused:
            notes.append(f"{prepared[a].name} and {prepared[b].name} could not be compared: {found.refused}")
    if degraded:
        notes.append("some pairs reached the time budget of one comparison: their passages may be incomplete")
    return tuple(notes)


def _merged(spans: list[Span]) -> list[Span]:
    """Return the union of spans as disjoint sorted spans."""
    union: list[Span] = []
    for span in sorted(spans):
        if union and span.start <= union[-1].end:
            union[-1] = union[-1].cover(span)
        else:
            union.append(span)
    return union


def _counted_union(doc: PreparedDocument, spans: list[Span]) -> int:
    """Return how many characters of the document's text segments lie in the (disjoint, sorted) spans."""
    total, k = 0, 0
    for start, end in doc.spans.tolist():  # text segments are sorted and disjoint
        while k < len(spans) and spans[k].end <= start:
            k += 1
        m = k
        while m < len(spans) and spans[m].start < end:
            total += min(end, spans[m].end) - max(start, spans[m].start)
            m += 1
    return total
