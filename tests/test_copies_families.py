from __future__ import annotations

from compare import Document, find_families
from compare.copies import find_copies
from compare.normalize import tokenize

WORDS = " ".join(f"word{n}" for n in range(30))


def test_copy_found_with_exact_bounds_across_sentence_boundaries() -> None:
    a = "Own text first. Then " + WORDS + ". More own text."
    b = "Different opening here " + WORDS + " and a different end."
    copies = find_copies(tokenize(a), tokenize(b))
    assert len(copies) == 1
    assert copies[0].a.slice(a) == WORDS and copies[0].b.slice(b) == WORDS


def test_copy_bridges_a_few_edited_words() -> None:
    edited = WORDS.replace("word14", "changed").replace("word15", "words")
    copies = find_copies(tokenize(WORDS), tokenize(edited))
    assert len(copies) == 1 and copies[0].words == 30


def test_short_shared_phrases_are_not_copies() -> None:
    a = "the quick brown fox jumps over the lazy dog today"
    assert find_copies(tokenize(a), tokenize("yesterday " + a)) == []


def test_repeated_source_passage_yields_one_copy() -> None:
    b = WORDS + ". Interlude text. " + WORDS + " extended with more words here and there."
    a = "Intro. " + WORDS + " extended with more words here and there."
    copies = find_copies(tokenize(a), tokenize(b))
    assert len(copies) == 1
    assert copies[0].b.start > len(WORDS)  # the longer of the two occurrences


def test_three_translations_form_families_with_empty_rows(seeds: dict[str, Document]) -> None:
    result = find_families([seeds["000"], seeds["002"], seeds["004"]])
    assert result.families
    texts = [{r.document: r.span.slice(result.documents[r.document].document.text) for r in f.renderings}
             for f in result.families]
    moral = [t for t in texts if any("moral appeal" in v for v in t.values())]
    assert moral, "the 'responsible major country ... moral appeal' statement forms a family"
    assert set(moral[0]) == {0, 1, 2}
    assert all(len({r.document for r in f.renderings}) == len(f.renderings) for f in result.families)


def test_families_need_two_documents() -> None:
    try:
        find_families([Document("a", "x")])
    except ValueError as error:
        assert "two" in str(error)
    else:
        raise AssertionError("no error")
