"""The duplication report of a corpus: which documents reuse which passages, and how much.

The pipeline, one pure step after another:

1. *prepare* each document (segment it, mark page noise, hash its words and
   phrases: ``compare.shingles``), in parallel;
2. *retrieve* candidate segment pairs of different documents from one
   inverted index of phrases (cost grows with the number of phrases, not of
   pairs);
3. *verify* each candidate exactly with the engine's scorer, its words
   weighted by how rare they are among all the corpus's segments (so stock
   phrases weigh little), and keep pairs by ``compare_documents``'s rules:
   per document pair, pairs on the heaviest order-keeping chain count from
   ``Options.min_score``, pairs off it (moved) from ``moved_min_score``, and
   a neighbour joins a kept pair when it renders the rest of its
   counterpart (1:n and n:1 merges); two
   documents whose chain covers ``parallel_coverage`` of both are renderings
   of each other, and ``compare_documents`` aligns them whole; the compare
   view's pairs of sentences sharing one clause (``compare.clauses``) are
   left out: at 10,000 documents they cost a third more time and lowered
   precision on the synthetic benchmark (word-salad background);
4. *join* the kept segment pairs of two documents into passages (adjacent
   segments on both sides, reordered sentences included) and name their kind;
5. *aggregate*: per-document and per-pair shares of counted characters
   (boilerplate excluded), and families of passages found in several
   documents (connected components of overlapping passages).

The same path runs for five documents and for 100,000, so the result for a
pair of documents depends only on the pair and on the corpus's word weights.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from compare.align import TIE_BREAK, compare_documents
from compare.candidates import heaviest_chain
from compare.distributed import map_in_order, workers
from compare.links import MERGE_GAIN
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
from compare.scoring import Features, Scorer, character_ratio, passage_features
from compare.shingles import (
    FrequencyTable,
    PreparedDocument,
    candidate_pairs,
    phrase_hash,
    prepare_documents,
    word_hash,
)

Progress = Callable[[int, int], None]
NEAR_SEGMENTS = 2  # segment pairs this close on both sides join into one passage (reordered sentences)
PREPARE_CHUNK = 64  # documents per unit of parallel work
PARALLEL_FROM = 200  # smaller corpora run in this process (a pool costs more than it saves)
TASKS_PER_WORKER = 4  # verification tasks per core (even load)
MIN_TASK_CANDIDATES = 20_000  # fewer candidate pairs than this make one task
EXTEND_ROUNDS = 2  # rounds of scoring the neighbours of kept segment pairs
NEIGHBOURS = tuple((di, dj) for di in (-1, 0, 1) for dj in range(-NEAR_SEGMENTS, NEAR_SEGMENTS + 1)
                   if (di, dj) != (0, 0) and (di or abs(dj) == 1))  # neighbouring pairs, as passages join them


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
    passages: dict[tuple[int, int], list[SharedPassage]] = {}
    renderings: list[tuple[int, int]] = []
    for task, verified in zip(tasks, map_in_order(_verify_chunk, tasks, scheduler, parallel), strict=True):
        passages.update(verified.passages)
        renderings.extend(verified.parallel)
        notify(len(documents) + task.last_document + 1, total)
    aligned = map_in_order(partial(_aligned_passages, options=options),
                           [(documents[a], documents[b]) for a, b in renderings], scheduler, parallel)
    for (a, b), found in zip(renderings, aligned, strict=True):
        if found:
            passages[(a, b)] = found
    report = _assemble(prepared, passages)
    notify(total, total)
    return report


def _aligned_passages(pair: tuple[Document, Document], options: Options) -> list[SharedPassage]:
    """Return the pairs ``compare_documents`` finds between two renderings of one text, as passages."""
    comparison = compare_documents(pair[0], pair[1], options)
    return [SharedPassage(p.a, p.b, p.kind, p.score) for p in comparison.pairs]


def _chunks(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Verification --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    """A verified pair of text segments: ``i`` of document a, ``j`` of document b (local indices)."""

    i: int
    j: int
    score: float


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
    """What verifying a task found: passages per document pair, and the pairs of parallel documents."""

    passages: dict[tuple[int, int], list[SharedPassage]]
    parallel: list[tuple[int, int]]  # document pairs to align whole with ``compare_documents``


def _verify_chunk(task: _VerifyTask) -> _Verified:
    """Score a task's candidate segment pairs; keep them as ``compare_documents`` would; join them into passages.

    Per document pair, as in the pairwise engine: pairs on the heaviest
    order-keeping chain count from ``min_score``, pairs off it (moved) from
    ``moved_min_score``; when the chain at ``gap_min_score`` covers
    ``parallel_coverage`` of both documents they are renderings of each
    other, and the pair is left to ``compare_documents`` whole.
    """
    options = task.options
    segments = {(d, k): (span, span.slice(task.texts[d])) for d, spans in task.spans.items()
                for k, span in enumerate(spans)}
    nodes = sorted({(a, i) for a, i, _, _ in task.candidates} | {(b, j) for _, _, b, j in task.candidates})
    raw = {node: passage_features(segments[node][1], 0, len(segments[node][1])) for node in nodes}
    scorer = _corpus_scorer(task.words, task.keys, list(raw.values()), task.total_segments)
    features = {node: scorer.weighed(f) for node, f in raw.items()}

    links: dict[tuple[int, int], list[_Link]] = defaultdict(list)
    for a, i, b, j in task.candidates:
        score = scorer.score(features[(a, i)], features[(b, j)])
        if score >= options.gap_min_score:
            links[(a, b)].append(_Link(i, j, score))
    scorer = _extend_links(links, task, segments, raw, features, scorer)

    passages: dict[tuple[int, int], list[SharedPassage]] = {}
    parallel: list[tuple[int, int]] = []
    for (a, b) in sorted(links):
        kept = _best_links(links[(a, b)], options.candidates_per_segment)
        weak = _chain(kept, a, b, features)
        if _covers(weak, task.spans[a], task.spans[b], a, b, segments, options.parallel_coverage):
            parallel.append((a, b))
            continue
        on_chain = {(k.i, k.j) for k in _chain([k for k in kept if k.score >= options.min_score], a, b, features)}
        ordered = [k for k in kept if k.score >= (options.min_score if (k.i, k.j) in on_chain
                                                  else options.moved_min_score)]
        ordered = _merge_neighbours(ordered, a, b, features, scorer, options.max_merge)
        found = [_passage(group, a, b, segments, features, scorer, options) for group in _join_links(ordered)]
        if found:
            passages[(a, b)] = found
    return _Verified(passages, parallel)


def _extend_links(links: dict[tuple[int, int], list[_Link]], task: _VerifyTask,
                  segments: dict[tuple[int, int], tuple[Span, str]], raw: dict[tuple[int, int], Features],
                  features: dict[tuple[int, int], Features], scorer: Scorer) -> Scorer:
    """Score the neighbours of every pair reaching ``min_score`` too, for ``EXTEND_ROUNDS`` rounds; return the scorer.

    A copied passage is retrieved by its rarer phrases; its sentences made of
    common phrases only are found next to them (retrieve approximately, then
    verify the neighbourhood exactly).  Added pairs go into ``links``,
    features of newly read segments into ``raw`` and ``features``.
    """
    options = task.options
    seen = {(a, b, k.i, k.j) for (a, b), found in links.items() for k in found}
    seeds = [(a, b, k.i, k.j) for (a, b), found in links.items() for k in found if k.score >= options.min_score]
    for _ in range(EXTEND_ROUNDS):
        trials = []
        for a, b, i, j in seeds:
            for di, dj in NEIGHBOURS:
                trial = (a, b, i + di, j + dj)
                if trial not in seen and (a, i + di) in segments and (b, j + dj) in segments:
                    seen.add(trial)
                    trials.append(trial)
        if not trials:
            break
        new = sorted(({(a, i) for a, _, i, _ in trials} | {(b, j) for _, b, _, j in trials}) - raw.keys())
        for node in new:
            text = segments[node][1]
            raw[node] = passage_features(text, 0, len(text))
        if new:  # the same corpus weights, now also for the new segments' words
            more = _corpus_scorer(task.words, task.keys, [raw[node] for node in new], task.total_segments)
            scorer = replace(scorer, idf={**scorer.idf, **more.idf},
                             phrase_idf={**scorer.phrase_idf, **more.phrase_idf})
            features.update((node, scorer.weighed(raw[node])) for node in new)
        seeds = []
        for a, b, i, j in trials:
            score = scorer.score(features[(a, i)], features[(b, j)])
            if score >= options.gap_min_score:
                links[(a, b)].append(_Link(i, j, score))
                if score >= options.min_score:
                    seeds.append((a, b, i, j))
    return scorer


def _merge_neighbours(links: list[_Link], a: int, b: int, features: dict[tuple[int, int], Features],
                      scorer: Scorer, max_merge: int) -> list[_Link]:
    """Grow each kept pair by free neighbouring segments while that raises its whole-passage score.

    The rule of ``compare_documents`` (1:n and n:1 merges): a segment joins
    a pair when it renders the rest of the counterpart, by ``MERGE_GAIN``.
    Only segments already read are tried (the neighbours of kept pairs are);
    at most ``max_merge`` segments a side.
    Returns the links sorted by ``(i, j)``, the merged segments linked to
    the pair's segment on the other side.
    """
    used = ({k.i for k in links}, {k.j for k in links})
    grown = list(links)
    for link in links:
        sides = ([link.i], [link.j])
        improved = True
        while improved:
            improved = False
            current = scorer.score_parts(scorer.combine([features[(a, i)] for i in sides[0]]),
                                         scorer.combine([features[(b, j)] for j in sides[1]]))[1]
            for side, doc in ((0, a), (1, b)):
                if len(sides[side]) >= max_merge:
                    continue
                for neighbour in (min(sides[side]) - 1, max(sides[side]) + 1):
                    if neighbour in used[side] or (doc, neighbour) not in features:
                        continue
                    trial = (sorted([*sides[0], neighbour]), sides[1]) if side == 0 else \
                        (sides[0], sorted([*sides[1], neighbour]))
                    whole = scorer.score_parts(scorer.combine([features[(a, i)] for i in trial[0]]),
                                               scorer.combine([features[(b, j)] for j in trial[1]]))[1]
                    if whole >= current + MERGE_GAIN:
                        used[side].add(neighbour)
                        sides[side].append(neighbour)
                        grown.append(_Link(neighbour, link.j, link.score) if side == 0 else
                                     _Link(link.i, neighbour, link.score))
                        improved = True
                        break
                if improved:
                    break
    return sorted(grown, key=lambda k: (k.i, k.j))


def _chain(links: list[_Link], a: int, b: int, features: dict[tuple[int, int], Features]) -> list[_Link]:
    """Return the links on the heaviest order-keeping chain, weighed as ``compare_documents`` weighs its backbone."""
    by_pair = {(k.i, k.j): k for k in links}
    chain = heaviest_chain([(k.i, k.j, k.score + TIE_BREAK * character_ratio(features[(a, k.i)], features[(b, k.j)]))
                            for k in links])
    return [by_pair[pair] for pair in chain]


def _covers(chain: list[_Link], spans_a: tuple[Span, ...], spans_b: tuple[Span, ...], a: int, b: int,
            segments: dict[tuple[int, int], tuple[Span, str]], coverage: float) -> bool:
    """Tell whether a chain covers ``coverage`` of both documents, in characters and in segments.

    ``spans`` are a document's text segments; coverage is measured as
    ``compare_documents`` measures it to call two texts parallel.
    """
    for doc, spans, linked in ((a, spans_a, {k.i for k in chain}), (b, spans_b, {k.j for k in chain})):
        chars, count = sum(len(span) for span in spans), len(spans)
        if not chars or not count:
            return False
        by_chars = sum(len(segments[(doc, s)][0]) for s in linked) / chars
        if min(by_chars, len(linked) / count) < coverage:
            return False
    return True


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


def _best_links(links: list[_Link], keep: int) -> list[_Link]:
    """Keep a link when it is among the ``keep`` best of its segment of a or of b."""
    by_i: dict[int, list[_Link]] = defaultdict(list)
    by_j: dict[int, list[_Link]] = defaultdict(list)
    for link in links:
        by_i[link.i].append(link)
        by_j[link.j].append(link)
    kept: set[tuple[int, int]] = set()
    for group in (*by_i.values(), *by_j.values()):
        group.sort(key=lambda k: (-k.score, k.i, k.j))
        kept.update((k.i, k.j) for k in group[:keep])
    return sorted((k for k in links if (k.i, k.j) in kept), key=lambda k: (k.i, k.j))


def _join_links(links: list[_Link]) -> list[list[_Link]]:
    """Group links (sorted by ``(i, j)``) whose segments follow each other on both sides.

    Segments of b may come in another order (reordered sentences), within
    ``NEAR_SEGMENTS`` of the group.
    """
    groups: list[list[_Link]] = []
    bounds: list[list[int]] = []  # per group: [i_max, j_min, j_max]
    for link in links:
        for k in range(len(groups) - 1, -1, -1):
            i_max, j_min, j_max = bounds[k]
            if i_max < link.i - 1:
                k = -1
                break
            if j_min - NEAR_SEGMENTS <= link.j <= j_max + NEAR_SEGMENTS:
                groups[k].append(link)
                bounds[k] = [max(i_max, link.i), min(j_min, link.j), max(j_max, link.j)]
                break
        else:
            k = -1
        if k < 0:
            groups.append([link])
            bounds.append([link.i, link.j, link.j])
    return groups


def _passage(group: list[_Link], a: int, b: int, segments: dict[tuple[int, int], tuple[Span, str]],
             features: dict[tuple[int, int], Features], scorer: Scorer, options: Options) -> SharedPassage:
    """Turn a group of links into a shared passage: spans, score and kind."""
    seg_i = sorted({k.i for k in group})
    seg_j = sorted({k.j for k in group})
    span_a = segments[(a, seg_i[0])][0].cover(segments[(a, seg_i[-1])][0])
    span_b = segments[(b, seg_j[0])][0].cover(segments[(b, seg_j[-1])][0])
    fa = scorer.combine([features[(a, i)] for i in seg_i])
    fb = scorer.combine([features[(b, j)] for j in seg_j])
    score, variant = scorer.score_parts(fa, fb)
    score = max(score, max(k.score for k in group))
    if character_ratio(fa, fb) >= options.verbatim_ratio:
        kind = PairKind.VERBATIM
    elif variant >= options.variant_score:
        kind = PairKind.VARIANT
    else:
        kind = PairKind.PARTIAL
    return SharedPassage(span_a, span_b, kind, round(min(1.0, score), 4))


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
