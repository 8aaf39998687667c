"""Families of a corpus report: one statement and its renderings in the documents that have it.

The compare view pairs two documents segment run by segment run: each of
its pairs says that one statement of A (a sentence, or the few sentences
rendering one) is rendered by one of B.  Across the pairs of a corpus these
links form a graph over ``(document, segment)`` nodes; a family is a
connected component of it: one statement, with its rendering in each
document that has it.  A family is never a whole document: two
near-duplicate documents give one family per statement they share, not
one family of both documents whole (which is what families of overlapping
*passages* gave, passages of near-copies running from end to end).

Only renderings link: a pair the compare view calls *partial* (one passage
holds a part of the other) says that two statements share a clause, not
that they are one statement, so it joins no family (it still counts in the
pair's passages and shares); joined, a chain of them would run through a
corpus of near-duplicates from statement to statement.

A document whose segments in one component fall in several runs (it
repeats the statement, or one of its sentences says clauses of two) keeps
the run most strongly linked to the others as its member, as the N-way
families of ``compare.families`` do.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compare.model import PairKind, PassageFamily, PassageMember, Span

Node = tuple[int, int]  # (document, segment index in the document's segmentation)


@dataclass(frozen=True, slots=True)
class Statement:
    """One pair of the compare view: segments of A rendering segments of B, their spans, kind and score."""

    a_segments: tuple[int, ...]
    b_segments: tuple[int, ...]
    a: Span
    b: Span
    kind: PairKind
    score: float

    @property
    def renders(self) -> bool:
        """Tell whether the two sides say one statement (not one holding a part of the other)."""
        return self.kind is not PairKind.PARTIAL


def statement_families(statements: Mapping[tuple[int, int], Sequence[Statement]]
                       ) -> tuple[list[PassageFamily], dict[tuple[int, int, Span], int]]:
    """Return the families of the statements of every pair of documents, ranked, and each statement's family.

    ``statements`` maps a pair of documents ``(a, b)`` to the compare view's
    pairs of them.  Families are ranked by spread, then size (largest first);
    the second result maps ``(a, b, statement's a-span)`` to its family.

    >>> def s(i, j, start):
    ...     return Statement((i,), (j,), Span(start, start + 10), Span(start, start + 10), PairKind.VARIANT, 0.9)
    >>> families, _ = statement_families({(0, 1): [s(0, 0, 0), s(1, 1, 20)], (1, 2): [s(0, 3, 0)]})
    >>> [(f.spread, [m.document for m in f.members]) for f in families]
    [(3, [0, 1, 2]), (2, [0, 1])]
    """
    parent: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(x: Node, y: Node) -> None:
        root_x, root_y = find(x), find(y)
        if root_x != root_y:
            parent[max(root_x, root_y)] = min(root_x, root_y)  # the smaller node roots: the same every run

    renderings = {pair: [s for s in found if s.renders] for pair, found in statements.items()}
    for (a, b), found in renderings.items():
        for s in found:
            first = (a, s.a_segments[0])
            for node in [*((a, i) for i in s.a_segments), *((b, j) for j in s.b_segments)]:
                union(first, node)

    # Per component and document: the spans and link weight of each segment it holds.
    spans: dict[Node, dict[int, dict[int, list[Span]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    weight: dict[Node, float] = defaultdict(float)
    scores: dict[Node, list[float]] = defaultdict(list)
    for (a, b), found in renderings.items():
        for s in found:
            root = find((a, s.a_segments[0]))
            scores[root].append(s.score)
            for doc, segs, span in ((a, s.a_segments, s.a), (b, s.b_segments, s.b)):
                for k in segs:
                    spans[root][doc][k].append(span)
                    weight[(doc, k)] += s.score

    built: list[tuple[PassageFamily, Node]] = []
    for root, by_document in spans.items():
        members = []
        for doc in sorted(by_document):
            run = _strongest_run(sorted(by_document[doc]), [weight[(doc, k)] for k in sorted(by_document[doc])])
            held = [span for k in run for span in by_document[doc][k]]
            members.append(PassageMember(doc, Span(min(s.start for s in held), max(s.end for s in held))))
        family_scores = scores[root]
        built.append((PassageFamily(tuple(members), len(members), max(len(m.span) for m in members),
                                    round(math.fsum(family_scores) / len(family_scores), 4)), root))
    built.sort(key=lambda item: (-item[0].spread, -item[0].size, item[0].members[0].document,
                                 item[0].members[0].span))
    number = {root: n for n, (_, root) in enumerate(built)}
    family_of = {(a, b, s.a): number[find((a, s.a_segments[0]))] for (a, b), found in renderings.items()
                 for s in found}
    return [family for family, _ in built], family_of


def _strongest_run(indices: list[int], weights: list[float]) -> list[int]:
    """Split sorted segment indices into runs of consecutive ones; return the heaviest (the first of equals)."""
    runs: list[list[int]] = []
    run_weights: list[float] = []
    for k, w in zip(indices, weights, strict=True):
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
            run_weights[-1] += w
        else:
            runs.append([k])
            run_weights.append(w)
    best = max(range(len(runs)), key=lambda n: (run_weights[n], -n))
    return runs[best]
