from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compare import Document, segment
from compare.normalize import token_keys, tokenize, word_key
from compare.scoring import fit_scorer


def scorer_for(*docs: str):  # type: ignore[no-untyped-def]
    return fit_scorer([segment(Document(str(n), d)) for n, d in enumerate(docs)])


def score(scorer, a: str, b: str) -> float:  # type: ignore[no-untyped-def]
    return scorer.score(scorer.features_of(a, 0, len(a)), scorer.features_of(b, 0, len(b)))


def test_tokens_keep_original_offsets_and_fold_case_quotes_and_inflection() -> None:
    text = "China’s “Achievements”, re-\nported"
    tokens = tokenize(text)
    assert [text[t.span.start:t.span.end] for t in tokens] == ["China’s", "Achievements", "re-\nported"]
    assert [t.key for t in tokens] == [word_key("china's"), word_key("achievement"), word_key("reported")]


def test_identical_passages_score_one_and_unrelated_zero() -> None:
    scorer = scorer_for("Alpha beta gamma delta.", "Epsilon zeta eta theta.")
    assert score(scorer, "Alpha beta gamma delta.", "alpha BETA gamma delta") == 1.0
    assert score(scorer, "Alpha beta gamma delta.", "Epsilon zeta eta theta.") == 0.0


def test_rare_shared_words_outweigh_common_vocabulary() -> None:
    # "China" and "development" are everywhere in these documents; "rollback" is not.
    corpus_a = ("China pursues development. China values development. China and development matter. "
                "Attempts at rollback are opposed by China.")
    corpus_b = "China seeks development. Development in China grows. China opposes any rollback attempts."
    scorer = scorer_for(corpus_a, corpus_b)
    variant = score(scorer, "Attempts at rollback are opposed by China.", "China opposes any rollback attempts.")
    topical = score(scorer, "China values development.", "Development in China grows.")
    assert variant > topical


def test_real_variant_beats_shared_vocabulary_on_the_seeds(seeds: dict[str, Document]) -> None:
    scorer = fit_scorer([segment(seeds["002"]), segment(seeds["004"])])
    variant = score(scorer,
                    "It was noted that China has become a responsible major country with more international "
                    "influence, innovative leadership, and moral appeal.",
                    "China has become a responsible major country with more international influence, "
                    "innovation leadership and moral appeal.")
    topical = score(scorer,
                    "The strategic autonomy and initiative of China’s diplomacy have been significantly "
                    "enhanced, and the country has successfully established itself as a confident, "
                    "independent, and open great power in the international community.",
                    "China has become a responsible major country with more international influence, "
                    "innovation leadership and moral appeal.")
    assert variant > 0.8 > 0.2 > topical


def test_short_contained_phrase_is_weak_evidence() -> None:
    scorer = scorer_for("Building a community with a shared future for mankind is the goal we set for the "
                        "whole region and its many peoples.", "Building a community with a shared future.")
    long_sentence = ("Building a community with a shared future for mankind is the goal we set for the whole "
                     "region and its many peoples.")
    assert score(scorer, long_sentence, "Building a community with a shared future.") < 0.5


def test_score_is_symmetric() -> None:
    scorer = scorer_for("The cat sat on the mat today.", "A cat was sitting on a mat.")
    assert score(scorer, "The cat sat on the mat today.", "A cat was sitting on a mat.") == \
        score(scorer, "A cat was sitting on a mat.", "The cat sat on the mat today.")


@given(st.text(alphabet=st.sampled_from(list("ab-\n .’'9É")), max_size=40))
def test_fast_token_keys_agree_with_tokenize(text: str) -> None:
    assert token_keys(text) == [t.key for t in tokenize(text)]
