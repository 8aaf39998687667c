"""N documents at once: the families of corresponding statements, from one multiple alignment.

A family is one column of the N-way alignment (``compare.multialign``) that
two or more documents render: one statement, and at most one rendering of it
(one span, possibly several sentences) per document.
"""

from __future__ import annotations

from collections.abc import Sequence

from compare.model import Document, Family, FamilySet, Options, Rendering, Segmentation, Span
from compare.multialign import MultipleAlignment, Progress, align_renderings


def find_families(documents: Sequence[Document], options: Options | None = None, *,
                  pivot: int | None = None, progress: Progress | None = None) -> FamilySet:
    """Align N documents statement by statement and return the statements two or more of them render.

    >>> docs = [Document("a", "The sky is blue today. Cats purr."),
    ...         Document("b", "The sky was blue today."), Document("c", "Today the sky is blue.")]
    >>> [len(f.renderings) for f in find_families(docs).families]
    [3]
    """
    if len(documents) < 2:
        raise ValueError(f"families need at least two documents, got {len(documents)}")
    return families_of(align_renderings(documents, options, pivot=pivot, progress=progress))


def families_of(alignment: MultipleAlignment) -> FamilySet:
    """Return the columns of a multiple alignment that two or more documents render, as families."""
    families = []
    for column in alignment.columns:
        if len(column.cells) < 2:
            continue
        renderings = tuple(Rendering(c.document, c.span, _segments(alignment.documents[c.document], c.span))
                           for c in column.cells)
        scored = [c.score for c in column.cells if c.score is not None]
        families.append(Family(renderings, round(sum(scored) / len(scored), 4) if scored else 0.0))
    return FamilySet(alignment.documents, tuple(families))


def _segments(segmentation: Segmentation, span: Span) -> tuple[int, ...]:
    return tuple(s.index for s in segmentation.segments if s.span.overlaps(span))
