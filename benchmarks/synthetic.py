"""Deterministic synthetic document pairs of any size, built from the seed documents.

A is made of "seed-like" paragraphs: each takes the sentence count of a
sampled seed paragraph, fills it with sentences drawn from all the seeds
(so sentences are shuffled across paragraphs), and substitutes about a fifth
of the words with other words of the seed vocabulary, so that no paragraph
repeats another.  B is A edited: about 5% of the words replaced, inserted or
deleted, some paragraphs moved elsewhere, some dropped, some new ones added.
The generator records where every paragraph of A went in B (the ground truth).

>>> pair = make_pair(8_000, seed=1)
>>> pair == make_pair(8_000, seed=1)
True
>>> 7_000 < len(pair.a.encode()) < 9_500
True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
PARAGRAPH_BREAK = "\n\n"
MIN_SEED_PARAGRAPH_CHARS = 100  # shorter seed blocks are titles and page noise
SUBSTITUTE_SHARE = 0.20  # words of each A sentence swapped for other seed words
EDIT_SHARE = 0.05  # words of B changed (replaced, inserted or deleted)
MOVE_SHARE = 0.03  # paragraphs of A moved to another place in B
DROP_SHARE = 0.03  # paragraphs of A missing from B
NEW_SHARE = 0.03  # paragraphs of B that A does not have (relative to A's count)

_SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"'’”)]*(?:\s+|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")


@dataclass(frozen=True, slots=True)
class SyntheticPair:
    """Two texts and where each paragraph of A went in B.

    ``a_paragraphs`` and ``b_paragraphs`` are ``(start, end)`` character
    offsets; ``truth[i]`` is the index of the paragraph of B holding A's
    paragraph ``i``, or ``None`` when B dropped it; ``moved`` lists the
    paragraphs of A that B has at another place.
    """

    a: str
    b: str
    a_paragraphs: tuple[tuple[int, int], ...]
    b_paragraphs: tuple[tuple[int, int], ...]
    truth: tuple[int | None, ...]
    moved: frozenset[int]


@dataclass(frozen=True, slots=True)
class _SeedMaterial:
    sentence_counts: tuple[int, ...]  # sentences per seed paragraph
    sentences: tuple[str, ...]
    vocabulary: tuple[str, ...]  # distinct words, sorted for determinism


@cache
def _seed_material() -> _SeedMaterial:
    counts: list[int] = []
    sentences: list[str] = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            block = " ".join(block.split()).strip("*# ")
            found = [s.strip() for s in _SENTENCE.findall(block) if len(s.split()) >= 4]
            if len(block) >= MIN_SEED_PARAGRAPH_CHARS and found:
                counts.append(len(found))
                sentences.extend(found)
    words = sorted({w for s in sentences for w in _WORD.findall(s) if len(w) > 2})
    if not sentences:
        raise ValueError(f"no seed paragraphs found in {SEEDS_DIR}")
    return _SeedMaterial(tuple(counts), tuple(sentences), tuple(words))


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _substitute(sentence: str, share: float, rng: random.Random, vocabulary: tuple[str, ...]) -> str:
    """Swap about ``share`` of the words for random vocabulary words."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        return _match_case(rng.choice(vocabulary), word) if rng.random() < share else word

    return _WORD.sub(swap, sentence)


def _new_paragraph(rng: random.Random, seed: _SeedMaterial) -> str:
    count = rng.choice(seed.sentence_counts)
    chosen = (rng.choice(seed.sentences) for _ in range(count))
    return " ".join(_substitute(s, SUBSTITUTE_SHARE, rng, seed.vocabulary) for s in chosen)


def _edit_words(paragraph: str, rng: random.Random, vocabulary: tuple[str, ...]) -> str:
    """Change about ``EDIT_SHARE`` of the words: half replaced, a quarter deleted, a quarter inserted."""
    out: list[str] = []
    for token in paragraph.split(" "):
        roll = rng.random()
        if roll >= EDIT_SHARE or not _WORD.search(token):
            out.append(token)
        elif roll < EDIT_SHARE / 2:
            out.append(_WORD.sub(lambda m: _match_case(rng.choice(vocabulary), m.group()), token, count=1))
        elif roll < EDIT_SHARE * 3 / 4 and len(out) > 0:
            continue  # delete
        else:
            out.extend((token, rng.choice(vocabulary)))
    return " ".join(out)


def _layout(paragraphs: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for paragraph in paragraphs:
        spans.append((start, start + len(paragraph)))
        start += len(paragraph) + len(PARAGRAPH_BREAK)
    return PARAGRAPH_BREAK.join(paragraphs), tuple(spans)


def make_pair(size_bytes: int, seed: int = 0) -> SyntheticPair:
    """Return a pair whose A text is about ``size_bytes`` of UTF-8, with ground truth."""
    if size_bytes <= 0:
        raise ValueError(f"size_bytes must be positive, got {size_bytes}")
    rng = random.Random(seed)
    material = _seed_material()
    a_texts: list[str] = []
    total = 0
    while total < size_bytes:
        a_texts.append(_new_paragraph(rng, material))
        total += len(a_texts[-1].encode()) + len(PARAGRAPH_BREAK)

    # B as a list of (index in A or None for a new paragraph, text).
    b_items: list[tuple[int | None, str]] = []
    moving: list[tuple[int, str]] = []
    for i, text in enumerate(a_texts):
        roll = rng.random()
        if roll < DROP_SHARE:
            continue
        edited = _edit_words(text, rng, material.vocabulary)
        if roll < DROP_SHARE + MOVE_SHARE:
            moving.append((i, edited))
        else:
            b_items.append((i, edited))
        if rng.random() < NEW_SHARE:
            b_items.append((None, _new_paragraph(rng, material)))
    moved: set[int] = set()
    for i, edited in moving:
        # Land at least a few paragraphs away from where it was, so it really moved.
        place = rng.randrange(len(b_items) + 1)
        neighbours = [k for k, _ in b_items[max(0, place - 3) : place + 3] if k is not None]
        if not neighbours or min(abs(k - i) for k in neighbours) > 3:
            moved.add(i)
        b_items.insert(place, (i, edited))

    truth: list[int | None] = [None] * len(a_texts)
    for j, (i, _) in enumerate(b_items):
        if i is not None:
            truth[i] = j
    a, a_spans = _layout(a_texts)
    b, b_spans = _layout([text for _, text in b_items])
    return SyntheticPair(a, b, a_spans, b_spans, tuple(truth), frozenset(moved))
