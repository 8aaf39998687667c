"""N documents at once: their statements and the families of corresponding ones, from one multiple alignment.

A statement is one column of the N-way alignment (``compare.multialign``):
at most one rendering of it (one span, possibly several sentences) per
document.  A family is a statement two or more documents render.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from compare.model import Document, Family, FamilySet, Options, Rendering
from compare.multialign import MultipleAlignment, Progress, align_renderings


def find_families(documents: Sequence[Document], options: Options | None = None, *,
                  pivot: int | None = None, progress: Progress | None = None) -> FamilySet:
    """Align N documents statement by statement; ``families`` of the result are the statements they share.

    ``pivot`` and ``progress`` are passed to ``compare.multialign.align_renderings``.

    >>> docs = [Document("a", "The sky is blue today. Cats purr."),
    ...         Document("b", "The sky was blue today."), Document("c", "Today the sky is blue.")]
    >>> result = find_families(docs)
    >>> [len(f.renderings) for f in result.families], [len(s.renderings) for s in result.statements]
    ([3], [3, 1])
    """
    if len(documents) < 2:
        raise ValueError(f"families need at least two documents, got {len(documents)}")
    return statements_of(align_renderings(documents, options, pivot=pivot, progress=progress))


def statements_of(alignment: MultipleAlignment) -> FamilySet:
    """Return the columns of a multiple alignment as statements, each a family of its renderings."""
    bounds = [([s.span.end for s in seg.segments], [s.span.start for s in seg.segments])
              for seg in alignment.documents]
    statements = []
    for column in alignment.columns:
        renderings = []
        for cell in column.cells:
            ends, starts = bounds[cell.document]
            first, last = bisect_right(ends, cell.span.start), bisect_left(starts, cell.span.end)
            renderings.append(Rendering(cell.document, cell.span, tuple(range(first, max(first, last)))))
        scored = [c.score for c in column.cells if c.score is not None]
        statements.append(Family(tuple(renderings), round(sum(scored) / len(scored), 4) if scored else 0.0))
    return FamilySet(alignment.documents, tuple(statements), alignment.pivot)
