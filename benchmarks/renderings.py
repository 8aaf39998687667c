"""Deterministic synthetic renderings of one text, with the gold of where each base sentence went.

A rendering rewords the base sentence by sentence, the ways translations
and revisions differ: about ``REWORD_SHARE`` of the words replaced by other
words of the text, a sentence now and then run into the next one with a
comma (``JOIN_SHARE``), cut in two at a comma (``SPLIT_SHARE``) or left out
(``DROP_SHARE``), and paragraphs laid out anew.  ``gold[i]`` is the span of
base sentence ``i`` in the rendering (None when it was left out): the
"verse" gold of the families evaluation, for tests that cannot read the
Bible corpus.

>>> base = make_base(3_000, seed=1)
>>> first, second = make_rendering(base, seed=2), make_rendering(base, seed=2)
>>> first == second and len(first.gold) == len(base.sentences)
True
>>> all(first.text[s:e] for s, e in filter(None, first.gold))
True
>>> edit_text("The cat sat on the mat. It was warm there.", seed=3) != ""
True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from benchmarks.synthetic import make_pair

REWORD_SHARE = 0.12  # words replaced by other words of the text
JOIN_SHARE = 0.08  # sentences run into the next with a comma
SPLIT_SHARE = 0.08  # sentences cut in two at a comma
DROP_SHARE = 0.02  # sentences left out
PARAGRAPH_SENTENCES = (2, 6)  # sentences per paragraph of a rendering, drawn at random

_SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"'’”)]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")


@dataclass(frozen=True, slots=True)
class Base:
    """The text every rendering renders, as a list of sentences."""

    sentences: tuple[str, ...]
    vocabulary: tuple[str, ...]

    @property
    def text(self) -> str:
        """Return the base itself as one rendering: its sentences in paragraphs of four."""
        groups = [self.sentences[i : i + 4] for i in range(0, len(self.sentences), 4)]
        return "\n\n".join(" ".join(group) for group in groups) + "\n"


@dataclass(frozen=True, slots=True)
class Rendering:
    """A rendering's text and, for each base sentence, its span there (None when left out)."""

    text: str
    gold: tuple[tuple[int, int] | None, ...]


def make_base(size_bytes: int, seed: int = 0) -> Base:
    """Return a base text of about ``size_bytes`` made of seed-like sentences."""
    text = make_pair(size_bytes, seed=seed).a
    sentences = tuple(s.strip() for s in _SENTENCE.findall(text) if len(s.split()) >= 4)
    vocabulary = tuple(sorted({w.lower() for w in _WORD.findall(text) if len(w) > 3}))
    return Base(sentences, vocabulary)


def _reword(sentence: str, rng: random.Random, vocabulary: tuple[str, ...]) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if rng.random() >= REWORD_SHARE:
            return word
        new = rng.choice(vocabulary)
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return _WORD.sub(swap, sentence)


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence


def make_rendering(base: Base, seed: int) -> Rendering:
    """Return one rendering of ``base`` (deterministic for a seed)."""
    rng = random.Random(seed)
    # Each unit is a list of (base index, text) parts that form one sentence of the rendering.
    units: list[list[tuple[int, str]]] = []
    joining = False
    for index, sentence in enumerate(base.sentences):
        if rng.random() < DROP_SHARE:
            joining = False
            continue
        text = _reword(sentence, rng, base.vocabulary)
        if joining and units:
            previous_index, previous = units[-1][-1]
            units[-1][-1] = (previous_index, previous[:-1] + ",")
            units[-1].append((index, _lower_first(text)))
        elif rng.random() < SPLIT_SHARE and ", " in text[:-1]:
            cut = text.index(", ")
            head, tail = text[:cut] + ".", text[cut + 2 :]
            units.append([(index, head)])
            units.append([(index, tail[:1].upper() + tail[1:])])
        else:
            units.append([(index, text)])
        joining = rng.random() < JOIN_SHARE and text.endswith(".")
    pieces: list[str] = []
    gold: list[tuple[int, int] | None] = [None] * len(base.sentences)
    position, in_paragraph, paragraph_size = 0, 0, rng.randint(*PARAGRAPH_SENTENCES)
    for unit in units:
        if pieces:
            separator = " " if in_paragraph < paragraph_size else "\n\n"
            if separator == "\n\n":
                in_paragraph, paragraph_size = 0, rng.randint(*PARAGRAPH_SENTENCES)
            pieces.append(separator)
            position += len(separator)
        in_paragraph += 1
        for k, (index, text) in enumerate(unit):
            if k:
                pieces.append(" ")
                position += 1
            start = position
            pieces.append(text)
            position += len(text)
            old = gold[index]
            gold[index] = (start, position) if old is None else (old[0], position)
    return Rendering("".join(pieces) + "\n", tuple(gold))


def edit_text(text: str, seed: int) -> str:
    """Return a copy of any text with its sentences edited as ``make_rendering`` edits a base (paragraphs kept)."""
    rng = random.Random(seed)
    vocabulary = tuple(sorted({w.lower() for w in _WORD.findall(text) if len(w) > 3})) or ("word",)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        sentences = [s.strip() for s in _SENTENCE.findall(paragraph)] or [paragraph.strip()]
        out: list[str] = []
        for sentence in sentences:
            if rng.random() < DROP_SHARE and len(sentences) > 1:
                continue
            edited = _reword(sentence, rng, vocabulary)
            if out and rng.random() < JOIN_SHARE and out[-1].endswith("."):
                out[-1] = out[-1][:-1] + ", " + _lower_first(edited)
            elif rng.random() < SPLIT_SHARE and ", " in edited[:-1]:
                cut = edited.index(", ")
                out.extend((edited[:cut] + ".", edited[cut + 2 :][:1].upper() + edited[cut + 3 :]))
            else:
                out.append(edited)
        paragraphs.append(" ".join(out))
    return "\n\n".join(paragraphs) + "\n"
