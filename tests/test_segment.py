from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compare import Document, Granularity, Options, SegmentRole, Span, segment
from compare.segment import is_page_noise


def texts(doc: str) -> list[tuple[str, str]]:
    seg = segment(Document("d", doc))
    return [(s.span.slice(doc), s.role.value) for s in seg.segments]


def test_sentences_and_paragraphs_are_spans_of_the_original() -> None:
    doc = "First one. Second, Dr. Smith said so.\r\n\r\nNew paragraph here!"
    seg = segment(Document("d", doc))
    assert [p.slice(doc) for p in seg.paragraphs] == ["First one. Second, Dr. Smith said so.", "New paragraph here!"]
    assert texts(doc) == [("First one.", "text"), ("Second, Dr. Smith said so.", "text"),
                          ("New paragraph here!", "text")]
    assert [s.paragraph for s in seg.segments] == [0, 0, 1]


def test_paragraph_granularity_yields_whole_paragraphs() -> None:
    doc = "One. Two.\n\nThree."
    seg = segment(Document("d", doc), Options(granularity=Granularity.PARAGRAPH))
    assert [s.span.slice(doc) for s in seg.segments] == ["One. Two.", "Three."]


def test_markdown_markers_are_left_out_of_segments() -> None:
    doc = "# Title here\n\n**Bold start of a sentence.** Next one.\n- item one\n- item two"
    assert [t for t, _ in texts(doc)] == ["Title here", "Bold start of a sentence.", "Next one.",
                                          "item one", "item two"]


def test_page_noise_is_marked_by_shape_not_by_known_strings() -> None:
    doc = ("Type to search\n\nA real sentence about the conference, which was long.\n\n"
           "Read more: Something else entirely\n\n<  1  2  3  >\n\nPhoto by Jane Roe\n\n"
           "Published on 2024-03-01\n\nInclusive economic globalization")
    roles = dict(texts(doc))
    assert roles["A real sentence about the conference, which was long."] == "text"
    assert roles["Inclusive economic globalization"] == "text"  # a heading, not noise
    for noise in ("Type to search", "Read more: Something else entirely", "<  1  2  3  >",
                  "Photo by Jane Roe", "Published on 2024-03-01"):
        assert roles[noise] == "boilerplate", noise


def test_long_prose_is_never_noise() -> None:
    assert not is_page_noise("Share prices rose sharply on Monday as investors welcomed the central bank's "
                             "decision to hold interest rates steady for another quarter.")


def test_overlong_sentences_are_cut_at_clauses() -> None:
    doc = "; ".join(f"clause number {n} keeps going with words" for n in range(60)) + "."
    seg = segment(Document("d", doc))
    assert len(seg.segments) > 1
    assert all(len(s.span) <= 1000 for s in seg.segments)


def test_seed_noise(seeds: dict[str, Document]) -> None:
    seg = segment(seeds["004"])
    noise = [s.span.slice(seeds["004"].text) for s in seg.segments if s.role is SegmentRole.BOILERPLATE]
    assert "Related Pages" in noise
    assert "Editor in charge: Jia Hongwei." in noise
    assert not any("Foreign Affairs Work Conference" in n for n in noise)


def test_too_long_document_is_refused() -> None:
    try:
        segment(Document("big.txt", "x" * 101), Options(max_chars=100))
    except ValueError as error:
        assert "big.txt" in str(error) and "limit" in str(error)
    else:
        raise AssertionError("no error")


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_segments_slice_the_original_in_order(doc: str) -> None:
    seg = segment(Document("d", doc))
    last = 0
    for s in seg.segments:
        assert 0 <= s.span.start < s.span.end <= len(doc)
        assert s.span.start >= last
        piece = s.span.slice(doc)
        assert piece == piece.strip()
        last = s.span.end
    for p in seg.paragraphs:
        assert p.slice(doc).strip()


SPEECH = ("He spoke to them at length. `And take ye heed to yourselves, for they shall deliver you up to councils, "
          "and in synagogues ye shall be beaten; and to all the nations it behoveth first that the good news be "
          "proclaimed. `And when they may lead you, delivering up, be not anxious beforehand what ye may speak, but "
          "whatever may be given to you in that hour, that speak ye. `And brother shall deliver up brother to "
          "death.' Then he left. He said \"Stop. Now.\" and went.")


def test_a_long_quoted_speech_is_split_into_its_sentences_with_their_opening_marks() -> None:
    seg = segment(Document("d", SPEECH))
    assert [s.span.slice(SPEECH)[:12] for s in seg.segments] == [
        "He spoke to ", "`And take ye", "`And when th", "`And brother", "Then he left", "He said \"Sto"]
    assert seg.segments[3].span.slice(SPEECH).endswith("death.'")  # the closing mark stays with its sentence


def test_a_short_quotation_is_not_split() -> None:
    text = 'He said "Stop. Now." and went. Then he came back.'
    assert [s.span.slice(text) for s in segment(Document("d", text)).segments] == [
        'He said "Stop. Now." and went.', "Then he came back."]


def test_sentences_the_splitter_leaves_joined_after_an_early_bracket_are_split_on_their_own() -> None:
    # sentencex pairs "(for PlayStation 2)" with the next one and splits nothing between (a PAN essay's product
    # list kept a copied passage inside one 940-character segment that no source sentence could pair with)
    told = " ".join(f"Sentence number {n} tells of the game world and its heroes."
                    for n in ("one", "two", "three", "four", "five"))
    text = (f"Help and Support DVD Remote Control (for PlayStation 2) Stylishly modelled, it is neat. {told} "
            "Help and Support EyeToy USB Camera (for PlayStation 2) Be part of the game.")
    pieces = [s.span.slice(text) for s in segment(Document("d", text)).segments]
    assert [p for p in pieces if p.startswith("Sentence number")] == told.replace(". ", ".\n").split("\n")
    assert all(len(p) < 100 for p in pieces)


def test_a_long_sentence_between_two_brackets_far_apart_is_split_into_its_sentences() -> None:
    told = " ".join(f"Sentence number {n} tells of the game world and its heroes."
                    for n in ("one", "two", "three", "four", "five"))
    text = f"The first model (a prototype came out. {told} The second model came later) sold well. It (a car) won."
    pieces = [s.span.slice(text) for s in segment(Document("d", text)).segments]
    assert [p for p in pieces if p.startswith("Sentence number")] == told.replace(". ", ".\n").split("\n")
    assert pieces[-1] == "It (a car) won."


@given(st.text(alphabet="ab .`'\"“”()[]\n", min_size=300, max_size=1500))
def test_quoted_segments_slice_the_original_in_order(doc: str) -> None:
    last = 0
    for s in segment(Document("d", doc)).segments:
        piece = s.span.slice(doc)
        assert s.span.start >= last and piece and piece == piece.strip()
        last = s.span.end


def test_a_long_run_of_quotation_marks_alone_is_one_segment() -> None:
    assert [s.span for s in segment(Document("d", "`" * 400)).segments] == [Span(0, 400)]
