"""N documents at once: group corresponding passages into families.

Every pair of documents is aligned; each aligned pair links segments of two
documents.  Linked segments form a graph whose connected components are the
families: one statement, and its rendering in each document that has it.  A
document that renders the statement with several non-adjacent segments
(a repetition) keeps the run most strongly linked to the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from itertools import combinations

from compare.align import compare_documents
from compare.model import Document, Family, FamilySet, Options, Rendering

Node = tuple[int, int]  # (document index, segment index)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, node: Node) -> Node:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, x: Node, y: Node) -> None:
        self.parent[self.find(x)] = self.find(y)


def find_families(documents: Sequence[Document], options: Options | None = None) -> FamilySet:
    """Align every pair of documents and return the families of corresponding passages.

    >>> docs = [Document("a", "The sky is blue today. Cats purr."),
    ...         Document("b", "The sky was blue today."), Document("c", "Today the sky is blue.")]
    >>> [len(f.renderings) for f in find_families(docs).families]
    [3]
    """
    options = options or Options()
    if len(documents) < 2:
        raise ValueError(f"families need at least two documents, got {len(documents)}")
    comparisons = {(x, y): compare_documents(documents[x], documents[y], options)
                   for x, y in combinations(range(len(documents)), 2)}
    segmentations = [comparisons[(0, 1)].a] + [comparisons[(0, y)].b for y in range(1, len(documents))]

    links = _UnionFind()
    weight: dict[Node, float] = defaultdict(float)
    edge_scores: dict[Node, list[float]] = defaultdict(list)
    for (x, y), comparison in comparisons.items():
        for pair in comparison.pairs:
            for i in pair.a_segments:
                for j in pair.b_segments:
                    links.union((x, i), (y, j))
                    weight[(x, i)] += pair.score
                    weight[(y, j)] += pair.score
                    edge_scores[(x, i)].append(pair.score)

    components: dict[Node, list[Node]] = defaultdict(list)
    for node in list(links.parent):
        components[links.find(node)].append(node)

    families = []
    for nodes in components.values():
        by_document: dict[int, list[int]] = defaultdict(list)
        for document, seg_index in nodes:
            by_document[document].append(seg_index)
        renderings = []
        for document in sorted(by_document):
            run = _strongest_run(sorted(by_document[document]), partial(_node_weight, weight, document))
            segs = segmentations[document].segments
            renderings.append(Rendering(document, segs[run[0]].span.cover(segs[run[-1]].span), tuple(run)))
        scores = [s for node in nodes for s in edge_scores.get(node, [])]
        families.append(Family(tuple(renderings), round(sum(scores) / len(scores), 4) if scores else 0.0))
    families.sort(key=lambda f: (f.renderings[0].document, f.renderings[0].span))
    return FamilySet(tuple(segmentations), tuple(families))


def _node_weight(weight: dict[Node, float], document: int, segment: int) -> float:
    return weight[(document, segment)]


def _strongest_run(indices: list[int], weight_of: Callable[[int], float]) -> list[int]:
    """Split sorted segment indices into runs of consecutive ones; return the heaviest run."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return max(runs, key=lambda run: sum(weight_of(i) for i in run))
