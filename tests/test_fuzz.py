"""Fuzzing the reading and word-diff functions with Hypothesis, in a fast form (CI) and a long one (on demand).

Properties:

- reading any bytes under any supported name gives a ``Document`` whose text is
  storable (valid UTF-8, no NUL, no unpaired surrogate), or a one-line
  ``ValueError`` naming the file, never any other exception;
- ``diff_words`` on any two texts gives operations that tile both texts, so
  both rebuild from them.

Inputs are random bytes, random text in many encodings, and valid Word files,
PDFs and pages with random bytes flipped, cut or inserted (what a parser's
error paths are made of).  The fast form runs a few hundred examples in
seconds.  The long form runs for ``FUZZ_SECONDS``, in rounds of fresh random
examples::

    FUZZ_SECONDS=300 .venv/bin/pytest tests/test_fuzz.py -k long -p no:xdist -s
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from format_fixtures import make_docx, make_pdf
from html_pages import BLOG
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import Document, Span, diff_words, extract, supported_extensions
from compare.model import OpTag

NAMES = [f"fuzz{extension}" for extension in supported_extensions()] + ["fuzz", "fuzz.rst", "fuzz.doc"]
VALID_FILES = {
    ".docx": make_docx(["A first paragraph of the document.", "Second one, naïve café."], heading="Title",
                       table=[["a", "b"]]),
    ".pdf": make_pdf([["A first paragraph of the document,", "on two lines.", "", "Second one."], ["Page two."]]),
    ".html": BLOG.html.encode(),
    ".txt": "A first paragraph.\r\n\r\nSecond one, naïve “café”.".encode("cp1252"),
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid file with a few random edits (flip, cut, insert), under its own or another supported name."""
    extension = draw(st.sampled_from(sorted(VALID_FILES)))
    data = bytearray(VALID_FILES[extension])
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "cut", "insert"]))
        if edit == "flip" and position < len(data):
            data[position] ^= draw(st.integers(1, 255))
        elif edit == "cut":
            del data[position:position + draw(st.integers(1, 64))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
    name = draw(st.sampled_from([f"fuzz{extension}", *NAMES]))
    return bytes(data), name


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "cp1250",
             "cp1251", "shift_jis", "gb18030"]


@st.composite
def encoded_text(draw: st.DrawFn) -> tuple[bytes, str]:
    """Random text, HTML-wrapped or not, in a random encoding (with surrogates passed through)."""
    text = draw(st.text(st.characters(exclude_categories=()), max_size=300))  # surrogates too
    if draw(st.booleans()):
        declared = draw(st.sampled_from(ENCODINGS))
        text = f"<html><head><meta charset='{declared}'></head><body><p>{text}</p></body></html>"
    codec = draw(st.sampled_from(ENCODINGS))
    data = text.encode(codec, errors="surrogatepass" if codec.startswith("utf") and draw(st.booleans()) else "replace")
    return data, draw(st.sampled_from(NAMES))


INPUTS = st.one_of(st.tuples(st.binary(max_size=2000), st.sampled_from(NAMES)), mutated(), encoded_text())


def check_reading(case: tuple[bytes, str]) -> None:
    """Reading gives storable text or a one-line ValueError naming the file; nothing else."""
    data, name = case
    try:
        document = extract(data, name)
    except ValueError as error:
        message = str(error)
        assert message.startswith(f"{name}: ") and "\n" not in message, message
        return
    assert isinstance(document, Document) and document.name == name
    assert "\x00" not in document.text
    document.text.encode("utf-8")  # no unpaired surrogate: storable in SQLite as is


TEXTS = st.text(st.characters(exclude_categories=("Cs",)), max_size=200) | st.lists(
    st.sampled_from(["the", "cat", "sat", " ", "  ", ",", ".", "\n", "\n\n", "Cat", "’s", "naïve", "文"]), max_size=60
).map("".join)


def check_word_diff(texts: tuple[str, str]) -> None:
    """The operations tile both texts in order, so both rebuild; equal parts match word for word."""
    a_text, b_text = texts
    ops = diff_words(a_text, b_text)
    assert "".join(op.a.slice(a_text) for op in ops) == a_text
    assert "".join(op.b.slice(b_text) for op in ops) == b_text
    a_end = b_end = 0
    for op in ops:
        assert (op.a.start, op.b.start) == (a_end, b_end)
        a_end, b_end = op.a.end, op.b.end
        if op.tag is OpTag.INSERT:
            assert op.a == Span(op.a.start, op.a.start)
        if op.tag is OpTag.DELETE:
            assert op.b == Span(op.b.start, op.b.start)
    assert (a_end, b_end) == (len(a_text), len(b_text))


PROPERTIES: dict[str, tuple[Callable[[Any], None], st.SearchStrategy[Any]]] = {
    "reading": (check_reading, INPUTS),
    "word_diff": (check_word_diff, st.tuples(TEXTS, TEXTS)),
}


@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_fuzz_fast(name: str) -> None:
    check, strategy = PROPERTIES[name]
    FAST(given(strategy)(check))()


@pytest.mark.skipif(not os.environ.get("FUZZ_SECONDS"), reason="long fuzzing runs on demand: set FUZZ_SECONDS")
@pytest.mark.timeout(0)
@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_fuzz_long(name: str) -> None:
    """Run rounds of fresh random examples until FUZZ_SECONDS (split between the properties) are spent."""
    check, strategy = PROPERTIES[name]
    end = time.monotonic() + float(os.environ["FUZZ_SECONDS"]) / len(PROPERTIES)
    rounds = 0
    while time.monotonic() < end:
        settings(FAST, max_examples=1000)(given(strategy)(check))()
        rounds += 1
    print(f"\nfuzzed {name}: {rounds} rounds of 1000 examples")
