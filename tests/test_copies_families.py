from __future__ import annotations

from compare import Document, find_families


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
