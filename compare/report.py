"""The duplication report of a corpus: which documents reuse which passages, and how much.

The pipeline, one pure step after another:

1. *prepare* each document (segment it, mark page noise, hash its words and
   phrases: ``compare.shingles``), in parallel;
2. *retrieve* candidate segment pairs of different documents from one
   inverted index of phrases (cost grows with the number of phrases, not of
   pairs);
3. *verify* each candidate with the engine's scorer, its words weighted by
   how rare they are among all the corpus's segments: two documents with a
   candidate pair alike enough may share something;
4. *align* each such pair of documents with ``compare_documents``, the
   compare view's engine and model: the report's passages of two documents
   are the compare view's passages of them (one pairing path);
5. *aggregate*: per-document and per-pair shares of counted characters
   (boilerplate excluded), and families of passages found in several
   documents (connected components of overlapping passages).

The same path runs for five documents and for 100,000.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
    PassageFamily,
    PassageMember,
    Report,
    SharedPassage,
    Span,
)
from compare.scoring import Features, Scorer, passage_features
from compare.shingles import (
    FrequencyTable,
    PreparedDocument,
    candidate_pairs,
    phrase_hash,
    prepare_documents,
    word_hash,
)

SHARING_SCORE = 0.25  # a candidate sentence pair this alike makes two documents worth aligning (the seeds' lowest)

Progress = Callable[[int, int], None]
PREPARE_CHUNK = 64  # documents per unit of parallel work
PARALLEL_FROM = 200  # smaller corpora run in this process (a pool costs more than it saves)
TASKS_PER_WORKER = 4  # verification tasks per core (even load)
MIN_TASK_CANDIDATES = 20_000  # fewer candidate pairs than this make one task


def build_report(documents: Sequence[Document], options: Options | None = None, *,
                 progress: Progress | None = None, scheduler: str | None = None) -> Report:
    """Return the duplication report of a corpus.

    ``progress(done, total)`` is called as work advances (``total`` is twice
    the number of documents: preparing, then verifying).  ``scheduler`` runs
    the per-document work on Dask distributed: a scheduler address, or
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
    tasks = _verify_tasks(documents, prepared, options, parallel)
    sharing: list[tuple[int, int]] = []
    for task, verified in zip(tasks, map_in_order(_verify_chunk, tasks, scheduler, parallel), strict=True):
        sharing.extend(verified.sharing)
        notify(len(documents) + task.last_document + 1, total)
    passages: dict[tuple[int, int], list[SharedPassage]] = {}
    aligned = map_in_order(partial(_aligned_passages, options=options),
                           [(documents[a], documents[b]) for a, b in sharing], scheduler, parallel)
    for (a, b), found in zip(sharing, aligned, strict=True):
        if found:
            passages[(a, b)] = found
    report = _assemble(prepared, passages)
    notify(total, total)
    return report


def _aligned_passages(pair: tuple[Document, Document], options: Options) -> list[SharedPassage]:
    """Return the passages ``compare_documents`` finds between two renderings of one text."""
    comparison = compare_documents(pair[0], pair[1], options)
    shared = []
    for passage in comparison.passages:
        kinds = {comparison.pairs[k].kind for k in passage.pairs}
        kind = next(iter(kinds)) if len(kinds) == 1 else PairKind.VARIANT  # a mix of kinds is a variant
        shared.append(SharedPassage(passage.a, passage.b, kind, passage.score))
    return shared


def _chunks(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Verification --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _VerifyTask:
    """One unit of verification: candidate segment pairs ``(a, i, b, j)`` and what scoring them needs."""

    last_document: int  # the highest document a of the task (for progress)
    texts: dict[int, str]  # the involved documents' texts
    spans: dict[int, tuple[Span, ...]]  # and their text segments
    candidates: tuple[tuple[int, int, int, int], ...]  # sorted
    words: FrequencyTable  # corpus frequencies of words and phrases (only those above 1)
    keys: FrequencyTable
    total_segments: int
    options: Options


def _verify_tasks(documents: Sequence[Document], prepared: Sequence[PreparedDocument],
                  options: Options, parallel: bool) -> list[_VerifyTask]:
    """Retrieve the candidate segment pairs and cut them into tasks at document boundaries.

    Each task carries only what its candidates need: their documents' texts and
    segments, and the corpus frequencies of those documents' words and phrases.
    """
    x, y, _ = candidate_pairs(prepared, threads=workers() if parallel else 1)
    seg_counts = np.array([len(p.segments) for p in prepared], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(seg_counts)])
    doc_x = np.searchsorted(offsets, x, side="right") - 1
    doc_y = np.searchsorted(offsets, y, side="right") - 1
    words = FrequencyTable.count(p.words for p in prepared).repeated()
    keys = FrequencyTable.count(p.keys for p in prepared).repeated()
    total_segments = int(offsets[-1])
    size = max(MIN_TASK_CANDIDATES, -(-len(x) // (TASKS_PER_WORKER * workers())))
    tasks: list[_VerifyTask] = []
    start = 0
    while start < len(x):
        end = min(len(x), start + size)
        if end < len(x):  # a document's candidates stay in one task
            end = int(np.searchsorted(doc_x, doc_x[end - 1], side="right"))
        chunk = tuple(zip(doc_x[start:end].tolist(), (x[start:end] - offsets[doc_x[start:end]]).tolist(),
                          doc_y[start:end].tolist(), (y[start:end] - offsets[doc_y[start:end]]).tolist(),
                          strict=True))
        involved = sorted(set(doc_x[start:end].tolist()) | set(doc_y[start:end].tolist()))
        texts = {d: documents[d].text for d in involved}
        spans = {d: prepared[d].segments for d in involved}
        task_words = words.restricted(np.concatenate([prepared[d].words for d in involved]))
        task_keys = keys.restricted(np.concatenate([prepared[d].keys for d in involved]))
        tasks.append(_VerifyTask(chunk[-1][0], texts, spans, chunk, task_words, task_keys, total_segments, options))
        start = end
    return tasks


@dataclass(frozen=True, slots=True)
class _Verified:
    """What verifying a task found: the document pairs that share something, to align with ``compare_documents``."""

    sharing: list[tuple[int, int]]


def _verify_chunk(task: _VerifyTask) -> _Verified:
    """Score a task's candidate segment pairs with corpus weights; return the document pairs worth aligning.

    Two documents with a candidate pair scoring ``SHARING_SCORE`` (well under
    what any link of the compare view needs) may share something; the
    compare view's engine then says what (``_aligned_passages``).
    """
    segments = {(d, k): (span, span.slice(task.texts[d])) for d, spans in task.spans.items()
                for k, span in enumerate(spans)}
    nodes = sorted({(a, i) for a, i, _, _ in task.candidates} | {(b, j) for _, _, b, j in task.candidates})
    raw = {node: passage_features(segments[node][1], 0, len(segments[node][1])) for node in nodes}
    scorer = _corpus_scorer(task.words, task.keys, list(raw.values()), task.total_segments)
    features = {node: scorer.weighed(f) for node, f in raw.items()}

    sharing = {(a, b) for a, i, b, j in task.candidates
               if scorer.score(features[(a, i)], features[(b, j)]) >= SHARING_SCORE}
    return _Verified(sorted(sharing))


def _corpus_scorer(words: FrequencyTable, keys: FrequencyTable, features: Sequence[Features],
                   total_segments: int) -> Scorer:
    """Return a scorer weighting the words and phrases of ``features`` by their corpus frequency.

    Frequencies count text segments of the whole corpus, as ``fit_scorer``
    does for two documents; only the weights the candidates need are looked up.
    """
    word_keys = sorted({k for f in features for k in f.words})
    phrases = sorted({ph for f in features for ph in f.phrases})
    total = max(total_segments, 1)

    def idf(count: int) -> float:
        return math.log(1 + total / max(count, 1))

    word_counts = words.lookup([word_hash(k) for k in word_keys])
    phrase_counts = keys.lookup([phrase_hash(p) for p in phrases])
    return Scorer({k: idf(c) for k, c in zip(word_keys, word_counts, strict=True)},
                  {p: idf(c) for p, c in zip(phrases, phrase_counts, strict=True)},
                  math.log(1 + total), ())


# --- Aggregation -----------------------------------------------------------------


def _assemble(prepared: Sequence[PreparedDocument],
              passages: dict[tuple[int, int], list[SharedPassage]]) -> Report:
    """Turn the verified passages of every document pair into the report's figures and families."""
    families, family_of = _families(passages)
    pairs: list[PairReport] = []
    reused: dict[int, list[Span]] = defaultdict(list)
    shared_with: dict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), found in sorted(passages.items()):
        if not found:
            continue
        found = sorted(found, key=lambda p: (p.a, p.b))
        numbered = tuple(SharedPassage(p.a, p.b, p.kind, p.score, family_of.get((a, p.a)))
                         for p in found)
        a_chars = _counted_union(prepared[a], [p.a for p in found])
        b_chars = _counted_union(prepared[b], [p.b for p in found])
        pairs.append(PairReport(a, b, _share(a_chars, prepared[a]), _share(b_chars, prepared[b]), numbered))
        reused[a].extend(p.a for p in found)
        reused[b].extend(p.b for p in found)
        shared_with[a][b] = a_chars
        shared_with[b][a] = b_chars
    reports = []
    for index, doc in enumerate(prepared):
        spans = _merged(reused.get(index, []))
        chars = _counted_union(doc, spans)
        partners = sorted(shared_with.get(index, {}).items(), key=lambda item: (-item[1], item[0]))
        reports.append(DocumentReport(
            index=index, name=doc.name, chars=doc.chars, counted_chars=_counted(doc), reused_chars=chars,
            reused_share=_share(chars, doc), reused=tuple(spans), boilerplate=doc.boilerplate,
            partners=tuple(p for p, _ in partners)))
    return Report(tuple(reports), tuple(pairs), tuple(families))


def _counted(doc: PreparedDocument) -> int:
    return sum(len(s) for s in doc.segments)


def _share(chars: int, doc: PreparedDocument) -> float:
    counted = _counted(doc)
    return round(min(1.0, chars / counted), 4) if counted else 0.0


def _merged(spans: list[Span]) -> list[Span]:
    """Return the union of spans as disjoint sorted spans."""
    union: list[Span] = []
    for span in sorted(spans):
        if union and span.start <= union[-1].end:
            union[-1] = union[-1].cover(span)
        else:
            union.append(span)
    return union


def _clip(doc: PreparedDocument, spans: list[Span]) -> list[Span]:
    """Return the union of spans restricted to the document's text segments, disjoint and sorted."""
    union = _merged(spans)
    out: list[Span] = []
    k = 0
    for seg in doc.segments:  # segments are sorted and disjoint
        while k < len(union) and union[k].end <= seg.start:
            k += 1
        m = k
        while m < len(union) and union[m].start < seg.end:
            start, end = max(seg.start, union[m].start), min(seg.end, union[m].end)
            if out and out[-1].end >= start:
                out[-1] = Span(out[-1].start, max(out[-1].end, end))
            else:
                out.append(Span(start, end))
            m += 1
    return out


def _counted_union(doc: PreparedDocument, spans: list[Span]) -> int:
    return sum(len(s) for s in _clip(doc, spans))


def _families(passages: dict[tuple[int, int], list[SharedPassage]]
              ) -> tuple[list[PassageFamily], dict[tuple[int, Span], int]]:
    """Return the passage families, ranked, and the family index of each ``(document, a-span)``.

    Per document, overlapping passage spans merge into one region; each
    shared passage links its region in a with its region in b; a family is a
    connected component of regions.  A document with several regions in one
    family keeps its longest as the family's member.
    """
    spans_of: dict[int, list[Span]] = defaultdict(list)
    for (a, b), found in passages.items():
        for p in found:
            spans_of[a].append(p.a)
            spans_of[b].append(p.b)
    regions: dict[int, list[Span]] = {}
    for doc, spans in spans_of.items():
        merged: list[Span] = []
        for span in sorted(spans):
            if merged and span.start < merged[-1].end:
                merged[-1] = merged[-1].cover(span)
            else:
                merged.append(span)
        regions[doc] = merged
    starts = {doc: [r.start for r in rs] for doc, rs in regions.items()}

    def region(doc: int, span: Span) -> tuple[int, int]:
        from bisect import bisect_right
        return doc, bisect_right(starts[doc], span.start) - 1

    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(node: tuple[int, int]) -> tuple[int, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    scores: dict[tuple[int, int], list[float]] = defaultdict(list)
    edges = [(region(a, p.a), region(b, p.b), p.score) for (a, b), found in passages.items() for p in found]
    for ra, rb, _ in edges:
        parent[find(ra)] = find(rb)
    for ra, _, score in edges:
        scores[find(ra)].append(score)
    components: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for node in sorted(parent):
        components[find(node)].append(node)

    built: list[tuple[PassageFamily, tuple[int, int]]] = []
    for root, nodes in components.items():
        best: dict[int, Span] = {}
        for doc, k in nodes:
            span = regions[doc][k]
            if doc not in best or len(span) > len(best[doc]):
                best[doc] = span
        members = tuple(PassageMember(doc, best[doc]) for doc in sorted(best))
        family_scores = scores[root]
        built.append((PassageFamily(members, len(members), max(len(m.span) for m in members),
                                    round(math.fsum(family_scores) / len(family_scores), 4)), root))
    built.sort(key=lambda item: (-item[0].spread, -item[0].size, item[0].members[0].document,
                                 item[0].members[0].span))
    index_of_root = {root: n for n, (_, root) in enumerate(built)}
    family_of = {(a, p.a): index_of_root[find(region(a, p.a))] for (a, _), found in passages.items() for p in found}
    return [family for family, _ in built], family_of
