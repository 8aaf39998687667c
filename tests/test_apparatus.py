"""The reading view's apparatus: one rendering followed, the others' readings grouped beside its words."""

from __future__ import annotations

import pytest

from compare import Document, Family, FamilySet, Rendering, Span, apparatus, find_families, segment

TEXTS = ["The sky is blue over the town. The river runs fast.",
         "The sky was blue over the town. The river runs fast.",
         "The sky was blue above the town. The old mill burned down. The river runs fast."]


def statements(*columns: dict[int, str], texts: list[str] = TEXTS) -> FamilySet:
    """A FamilySet whose statements hold the given sentences of ``texts`` (document -> sentence)."""
    families = tuple(
        Family(tuple(Rendering(d, Span(texts[d].index(s), texts[d].index(s) + len(s)), (0,))
                     for d, s in sorted(column.items())), 0.5)
        for column in columns)
    return FamilySet(tuple(segment(Document(str(i), t)) for i, t in enumerate(texts)), families, 0)


SKY = {0: "The sky is blue over the town.", 1: "The sky was blue over the town.", 2: "The sky was blue above the town."}
MILL = {2: "The old mill burned down."}
RIVER = {0: "The river runs fast.", 1: "The river runs fast.", 2: "The river runs fast."}


def test_readings_are_grouped_under_the_base_words_they_replace() -> None:
    first = apparatus(statements(SKY, MILL, RIVER), 0)[0]
    assert first.base is not None and first.base.slice(TEXTS[0]) == SKY[0]
    entries = {TEXTS[0][e.lemma.start:e.lemma.end]: [(r.text, r.documents) for r in e.readings]
               for e in first.entries}
    assert entries == {"is": [("was", (1, 2))], "over": [("above", (2,))]}
    assert first.agreeing == () and first.absent == ()


def test_statements_the_base_lacks_are_additions_and_renderings_agreeing_are_listed() -> None:
    found = apparatus(statements(SKY, MILL, RIVER), 1)
    assert found[1].base is None and found[1].absent == (0, 1)
    assert [(r.text, r.documents) for r in found[1].additions] == [("The old mill burned down.", (2,))]
    assert found[2].entries == () and found[2].agreeing == (0, 2)


def test_an_omission_is_an_empty_reading() -> None:
    texts = ["The sky is blue over the town.", "The sky is blue."]
    (only,) = apparatus(statements({0: texts[0], 1: texts[1]}, texts=texts), 0)
    assert [(texts[0][e.lemma.start:e.lemma.end], [r.text for r in e.readings]) for e in only.entries] == [
        ("over the town", [""])]


def test_follows_the_aligner_on_real_renderings_and_checks_the_base() -> None:
    result = find_families([Document(str(i), t) for i, t in enumerate(TEXTS)])
    found = apparatus(result, 2)
    assert [s.statement for s in found] == list(range(len(result.statements)))
    assert all(s.base is not None for s in found)  # the longest rendering has every statement
    with pytest.raises(ValueError, match="base must be"):
        apparatus(result, 3)
