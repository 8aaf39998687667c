"""Normalisation for matching: word tokens with a key and their original offsets.

Matching compares *keys* (NFKC, case-folded, curly quotes and dashes made
plain, possessives dropped, stemmed); every token keeps the span of the
original text it came from, so whatever matching finds maps straight back.
The original text is never changed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer

from compare.model import Span

# A word is a run of letters/digits, with inner apostrophes ("China's") and
# dots between digits ("2.5"); hyphens split words, so "major-country" and
# "major country" share their tokens.  A hyphen at a line end followed by the
# word's rest ("develop-\nment") is joined by ``tokenize``.
_WORD = re.compile(r"\w+(?:['’‘ʼ.]\w+)*", re.UNICODE)
# Linear: a match starts only at a word's first character and never gives back what it consumed (searched from
# every position of a long word, it was quadratic).
_LINE_HYPHEN = re.compile(r"(?<!\w)(\w++)-[ \t]*+\r?\n[ \t]*+(\w+)")

_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
    }
)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the original text and the key it is matched by."""

    span: Span
    key: str


@functools.lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Return ``text`` in the form matching compares: NFKC, case-folded, plain quotes and dashes.

    >>> fold("China’s “Major‑Country” ROLE")
    'china\\'s "major-country" role'
    """
    return unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()


@functools.lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """Return the matching key of one word: folded, possessive dropped, stemmed.

    >>> word_key("Achievements"), word_key("China’s"), word_key("innovative")
    ('achiev', 'china', 'innov')
    """
    folded = fold(word)
    if folded.endswith("'s"):
        folded = folded[:-2]
    folded = folded.replace("'", "")
    return _stemmer().stemWord(folded) if folded.isalpha() else folded


# English closed-class words (articles, pronouns, prepositions, conjunctions,
# auxiliaries), as keys.  Content words are weighted from the documents being
# compared instead (see ``compare.scoring``); this list only keeps the glue of
# the language from counting as shared content in short texts.
FUNCTION_WORDS: frozenset[str] = frozenset(
    word_key(w)
    for w in [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "such",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "it",
        "its",
        "they",
        "them",
        "their",
        "theirs",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "whatever",
        "whoever",
        "and",
        "or",
        "nor",
        "but",
        "so",
        "yet",
        "if",
        "then",
        "else",
        "than",
        "because",
        "as",
        "while",
        "whereas",
        "although",
        "though",
        "unless",
        "until",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "without",
        "within",
        "into",
        "onto",
        "upon",
        "about",
        "above",
        "below",
        "over",
        "under",
        "between",
        "among",
        "through",
        "during",
        "before",
        "after",
        "since",
        "against",
        "toward",
        "towards",
        "across",
        "along",
        "around",
        "beyond",
        "via",
        "per",
        "out",
        "up",
        "down",
        "off",
        "be",
        "am",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "ought",
        "not",
        "no",
        "also",
        "too",
        "very",
        "just",
        "only",
        "all",
        "any",
        "both",
        "each",
        "either",
        "neither",
        "every",
        "some",
        "most",
        "more",
        "much",
        "other",
        "another",
        "same",
        "own",
    ]
)


def iter_tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """Yield the word tokens of ``text[start:end]`` with spans into ``text``."""
    for match in _WORD.finditer(text, start, len(text) if end is None else end):
        yield Token(Span(match.start(), match.end()), word_key(match.group()))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Return the word tokens of ``text[start:end]``, joining words hyphenated across lines.

    >>> [t.key for t in tokenize("a develop-\\nment plan")]
    ['a', 'develop', 'plan']
    """
    tokens = list(iter_tokens(text, start, end))
    if "-" not in text[start:end]:
        return tokens
    joined: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            between = text[tok.span.end : nxt.span.start]
            if _LINE_HYPHEN.fullmatch(text, tok.span.start, nxt.span.end) and "\n" in between:
                word = text[tok.span.start : tok.span.end] + text[nxt.span.start : nxt.span.end]
                joined.append(Token(Span(tok.span.start, nxt.span.end), word_key(word)))
                i += 2
                continue
        joined.append(tok)
        i += 1
    return joined


def token_keys(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """Return the keys of ``tokenize(text, start, end)`` without building tokens (the fast path of scoring).

    >>> token_keys("a develop-\\nment plan") == [t.key for t in tokenize("a develop-\\nment plan")]
    True
    """
    piece = text[start:end]
    if "-" in piece and _LINE_HYPHEN.search(piece):
        return [token.key for token in tokenize(text, start, end)]  # rare: words hyphenated across lines
    return [word_key(word) for word in _WORD.findall(piece)]
