"""Variant words of a family's renderings, and its divergence, on tiny literal texts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compare import Document, Family, Rendering, Span, families_to_json, families_to_text, find_families
from compare.variants import family_variants, find_variants


def family_of(texts: list[str]) -> Family:
    """A family whose renderings are the whole texts."""
    return Family(tuple(Rendering(i, Span(0, len(text)), (0,)) for i, text in enumerate(texts)), 0.5)


def marked(texts: list[str]) -> list[list[str]]:
    result = family_variants(family_of(texts), texts)
    return [[span.slice(texts[r.document]) for span in r.variants] for r in result.renderings]


def test_identical_renderings_have_no_variants_and_divergence_zero() -> None:
    texts = ["The cat sat on the mat.", "the cat sat on the  mat.", "The cat sat on the mat."]
    result = family_variants(family_of(texts), texts)
    assert result.divergence == 0.0
    assert all(r.variants == () for r in result.renderings)


def test_nothing_in_common_gives_divergence_one_and_every_word_marked() -> None:
    texts = ["Red apples fall.", "Blue rivers run."]
    result = family_variants(family_of(texts), texts)
    assert result.divergence == 1.0
    assert marked(texts) == [["Red apples fall"], ["Blue rivers run"]]  # the full stop is never marked


def test_two_renderings_mark_the_word_diff() -> None:
    assert marked(["China has become a major country.", "China has evolved into a major country."]) == [
        ["become"], ["evolved into"]]


def test_majority_rule_leaves_the_wording_two_renderings_share_unmarked() -> None:
    texts = ["A big dog came home and barked.", "A big dog came home and slept.", "A small dog came home and barked."]
    # "big" is shared by 0 and 1, "barked" by 0 and 2: only each rendering's own wording is marked.
    assert marked(texts) == [[], ["slept"], ["small"]]
    # Pairs differ by 2, 2 and 4 of their 14 words.
    assert family_variants(family_of(texts), texts).divergence == pytest.approx(8 / 42, abs=1e-4)


def test_four_renderings_need_most_others_to_differ() -> None:
    texts = ["one two three", "one two four", "one two four", "one five four"]
    # Rendering 0's "three" differs from all three others; rendering 3's "five" from all; "four" from one.
    assert marked(texts) == [["three"], [], [], ["five"]]


def test_hyphenated_words_marked_together_become_one_span() -> None:
    assert marked(["a major-country role", "a great power role"]) == [["major-country"], ["great power"]]


def test_spans_point_into_the_original_text_beyond_the_rendering_start() -> None:
    texts = ["Intro. The sky is blue.", "The sky was blue."]
    family = Family((Rendering(0, Span(7, 23), (1,)), Rendering(1, Span(0, 17), (0,))), 0.8)
    result = family_variants(family, texts)
    assert [span.slice(texts[0]) for span in result.renderings[0].variants] == ["is"]
    assert result.renderings[0].variants[0].start == texts[0].index(" is ") + 1


@given(st.lists(st.text(alphabet="ab c.", max_size=30), min_size=2, max_size=4))
def test_variants_are_sorted_disjoint_whole_words_inside_their_rendering(texts: list[str]) -> None:
    result = family_variants(family_of(texts), texts)
    assert 0.0 <= result.divergence <= 1.0
    for rendering in result.renderings:
        text = texts[rendering.document]
        previous_end = rendering.span.start
        for span in rendering.variants:
            assert previous_end <= span.start < span.end <= rendering.span.end
            assert span.slice(text)[0].isalnum() and span.slice(text)[-1].isalnum()
            assert span.start == 0 or not text[span.start - 1].isalnum()
            previous_end = span.end


def test_families_json_has_statement_numbers_variants_and_divergence() -> None:
    docs = [Document("a", "The sky is blue today."), Document("b", "The sky was blue today.")]
    data = json.loads(json.dumps(families_to_json(find_families(docs))))
    (family,) = data["families"]
    assert set(family) == {"statement", "score", "renderings", "divergence"}
    assert family["statement"] == 1 and data["statements"] == 1 and data["pivot"] in (0, 1)
    assert family["divergence"] == pytest.approx(0.2)
    first, second = family["renderings"]
    assert set(first) == {"document", "span", "text", "variants"}
    assert [docs[0].text[s:e] for s, e in first["variants"]] == ["is"]
    assert [docs[1].text[s:e] for s, e in second["variants"]] == ["was"]


def test_families_text_marks_variant_words() -> None:
    docs = [Document("a", "The sky is blue today."), Document("b", "The sky was blue today.")]
    text = families_to_text(find_families(docs))
    assert "divergence 0.20" in text
    assert "a: The sky *is* blue today." in text and "b: The sky *was* blue today." in text
    assert "\x1b[" in families_to_text(find_families(docs), color=True)


def test_find_variants_follows_the_families_order() -> None:
    docs = [Document("a", "Cats purr softly. Dogs bark loudly."), Document("b", "Dogs bark loud. Cats purr softly.")]
    families = find_families(docs)
    assert [v.family for v in find_variants(families)] == list(families.families)
