"""Every regular expression over user text, and the steps built on them, take linear time on hostile shapes.

A growth test: each pattern is run (``finditer``, its worst use) on shapes
made to make regular expressions backtrack (runs of one mark, a mark after a
long run, a word that never ends, Markdown markers), at ``SIZE`` characters
and at ten times that; the larger may take at most ``MAX_GROWTH`` times as
long (linear takes about 10 times as long on an idle machine, up to ~27 on
a loaded one; a quadratic step about 100 times).  Five were quadratic before:
the segment estimate on a run of dots (600,000 dots took hours), the
trailing-emphasis search on a run of ``*`` inside a sentence, the
hyphenated-word search on a long word, the charset prescan on ``<meta``
without an end, and sentencex on runs of opening quotation marks.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable
from types import ModuleType

import pytest

import compare.clauses
import compare.formats.html
import compare.formats.pdf
import compare.formats.text
import compare.normalize
import compare.reading
import compare.segment
import compare.variants
import compare.worddiff
import web.uploads
from compare import Document, decode, estimate_segments, segment
from compare.formats.pdf import paragraphs_of_page
from compare.normalize import token_keys, tokenize
from compare.segment import is_page_noise

SIZE = 2_000  # characters of the small input; the large one has ten times as many
MAX_GROWTH = 30.0  # linear is ~10x alone (up to ~27x on a loaded 2-core machine); quadratic ~100x
FLOOR_S = 0.001  # timings below this are noise: the small input counts as taking this long
MODULES: tuple[ModuleType, ...] = (
    compare.segment, compare.normalize, compare.clauses, compare.worddiff, compare.variants,
    compare.formats.text, compare.formats.pdf, compare.formats.html, compare.reading, web.uploads,
)

MARKS = [".", "!", "?", '"', "'", "”", "’", "`", "«", "*", "_", "#", ">", "-", "+", ",", ";", ":", "(", ")",
         "[", "]", "…", "。", "&", "<", "=", "\n", "\r", "\t", " ", "a", "1", "\xa0"]


def repeated(unit: str) -> Callable[[int], str]:
    """Return a shape: ``unit`` repeated to about ``n`` characters."""
    return lambda n: unit * (n // len(unit))


SHAPES: dict[str, Callable[[int], str]] = {
    **{f"run of {m!r}": repeated(m) for m in MARKS},
    **{f"{m!r} and a space": repeated(m + " ") for m in MARKS},
    **{f"a word and {m!r}": repeated("ab" + m) for m in MARKS},
    "a word that never ends, then a hyphen": lambda n: "a" * n + "-",
    "a word, a hyphen and a line end, repeated": lambda n: "develop-\n" * (n // 9),
    "words and a final mark": lambda n: "word " * (n // 5) + "!",
    "a full stop before a long gap": lambda n: ". " + " " * n + "x",
    "a line end before a long gap": lambda n: "\n" + " " * n + "x",
    "a comma before a long gap": lambda n: ", " + " " * n + "and",
    "emphasis markers inside a sentence": lambda n: "a" + "*" * n + "b",
    "spaces before a closing marker": lambda n: "a" + " " * n + "*b",
    "heading markers": lambda n: "#" * n + " x",
    "nested quotes": lambda n: "> " * (n // 2) + "x",
    "list markers": lambda n: "- " * (n // 2),
    "numbered items": lambda n: "1. " * (n // 3),
    "decimal dots": lambda n: "1." * (n // 2),
    "possessives": lambda n: "a's" * (n // 3),
    "apostrophes inside a word": lambda n: "a'" * (n // 2),
    "meta tags without an end": lambda n: "<meta " * (n // 6),
    "datelines": lambda n: "Updated " * (n // 8),
    "site furniture": lambda n: "Read more " * (n // 10),
    "blank lines with spaces": lambda n: "\n \n" * (n // 3),
    "CRLF lines": lambda n: "\r\n" * (n // 2),
    "dashes between spaces": lambda n: " — " * (n // 3),
}


def best_times(small: Callable[[], object], large: Callable[[], object], repeats: int = 3) -> tuple[float, float]:
    """Return the least CPU time of a few runs of each, taken in turn, the garbage collector paused.

    CPU time of this process, not wall time: on a busy machine the wall time
    of the longer run also counts the other processes it waited for.  The
    collector's passes are not the step's cost.
    """
    times: tuple[list[float], list[float]] = ([], [])
    gc.disable()
    try:
        for _ in range(repeats):
            for run, kept in ((small, times[0]), (large, times[1])):
                started = time.process_time()
                run()
                kept.append(time.process_time() - started)
    finally:
        gc.enable()
    return min(times[0]), min(times[1])


def growth(work: Callable[[str], object], shape: Callable[[int], str], size: int = SIZE) -> float:
    """Return how many times longer ``work`` takes on the shape at ten times ``size``.

    A ratio past ``MAX_GROWTH`` is measured twice more and the lowest kept: a
    busy machine can slow one run, but a quadratic step is slow every time.
    """
    small, large = shape(size), shape(10 * size)
    ratios = []
    for _ in range(3):
        small_s, large_s = best_times(lambda: work(small), lambda: work(large))
        ratios.append(large_s / max(small_s, FLOOR_S))
        if ratios[-1] <= MAX_GROWTH:
            break
    return min(ratios)


def patterns() -> list[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    """Return every compiled pattern at the top level of the modules that read user text."""
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append((f"{module.__name__}.{name}", value))
    tokens, marks = compare.worddiff._marked_tokens()  # built at first use (a class of every combining mark)
    found += [("compare.worddiff marked tokens", tokens), ("compare.worddiff marks", marks)]
    return found


@pytest.mark.parametrize(("name", "pattern"), patterns(), ids=[name for name, _ in patterns()])
def test_every_pattern_is_linear_on_every_hostile_shape(name: str,
                                                        pattern: re.Pattern[str] | re.Pattern[bytes]) -> None:
    def scan(text: str) -> object:
        subject: str | bytes = text.encode("utf-8") if isinstance(pattern.pattern, bytes) else text
        return sum(1 for _ in pattern.finditer(subject))  # type: ignore[arg-type]

    slow = {shape: round(ratio, 1) for shape, make in SHAPES.items() if (ratio := growth(scan, make)) > MAX_GROWTH}
    assert not slow, f"{name} grows faster than linear on {slow}"


# Sentences are split a 4,000-character window at a time past a bound (compare.segment.SPLIT_WINDOW): its growth
# is linear from there on, so it is measured from there.
STEP_SIZES = {"segment (sentences)": 8_000}
STEPS: dict[str, Callable[[str], object]] = {
    "segment (sentences)": lambda text: segment(Document("d.md", text)),
    "estimate_segments": estimate_segments,
    "tokenize": tokenize,
    "token_keys": token_keys,
    "is_page_noise": is_page_noise,
    "decode": lambda text: decode(text.encode("utf-8"), "d.txt"),
    "paragraphs_of_page": paragraphs_of_page,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_the_steps_over_user_text_are_linear(step: str) -> None:
    size = STEP_SIZES.get(step, SIZE)
    slow = {shape: round(ratio, 1) for shape, make in SHAPES.items()
            if (ratio := growth(STEPS[step], make, size)) > MAX_GROWTH}
    assert not slow, f"{step} grows faster than linear on {slow}"


def test_the_growth_test_tells_a_quadratic_pattern() -> None:
    """The old segment-estimate pattern, scanned from every dot of a run: the test must catch it."""
    old = re.compile(r"[.!?。！？]+[\"')\]’”]*(?:[ \t]+|[ \t]*(?:\r\n|\r|\n)[ \t]*)(?=\S)")
    assert growth(lambda text: list(old.finditer(text)), SHAPES["run of '.'"], size=700) > MAX_GROWTH
