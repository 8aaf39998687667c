"""Plain text from bytes: byte order marks, strict UTF-8, a checked cp1252 reading, detection.

Decoding keeps the file's characters exactly: newlines stay as written (CRLF,
lone CR), nothing is stripped, and only a byte order mark is dropped.  Input
that is not text is refused with a one-line ``ValueError`` naming the file.

Decoding tries, in order:

1. a byte order mark (UTF-32, UTF-8, UTF-16; the mark is stripped);
2. strict UTF-8;
3. cp1252, when the result looks like Western text (see ``_looks_western``):
   on short Western texts charset detection is unreliable (it reads the
   cp1252 bytes of "naïve café" as cp1250 "naďve café", of "été" as EBCDIC);
4. charset-normalizer's best guess.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Byte order marks and their codecs, UTF-32 before UTF-16: the UTF-32 LE mark
# begins with the UTF-16 LE one.  A mark whose codec fails falls to the next.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Leading bytes of common binary formats, checked before any decoding.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive, e.g. .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 file, e.g. .doc"),
    (b"\x1f\x8b", "gzip archive"),
)

# Control characters other than \t \n \r \f (C0, DEL, C1).  Text keeps them,
# but when they exceed this share of the characters the input is binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05

# Western heuristic.  Texts in Cyrillic, Greek, Hebrew or Arabic read as
# cp1252 turn (nearly) every letter into an accented Latin one, while in
# Western languages non-ASCII letters are a few percent of the letters.
_MAX_NON_ASCII_LETTER_SHARE = 0.5
_MIN_LETTERS_TO_JUDGE = 8  # below this, the share says nothing (and neither does detection)
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")
# A non-ASCII non-letter between two letters, other than apostrophes, hyphens,
# the Catalan middle dot and the multiplication sign ("A×B"): cp1250 text read
# as cp1252 ("Za¿ó³æ" for "Zażółć").
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])(?![^\W\d_]|[’‘ʼ‐‑–—·×])[^\x00-\x7f](?=[^\W\d_])")


def decode(data: bytes, name: str) -> str:
    """Return the text of a document's bytes, or raise ``ValueError`` naming ``name``.

    >>> decode("naïve\\r\\n".encode("cp1252"), "a.txt")
    'naïve\\r\\n'
    >>> decode(b"\\x00\\x01", "x.bin")
    Traceback (most recent call last):
    ...
    ValueError: x.bin: looks binary (NUL bytes), not a text document
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise ValueError(f"{name}: looks binary ({kind}), not a text document")
    text = _decode_with_bom(data, name)
    if text is None:
        if b"\x00" in data:
            raise ValueError(f"{name}: looks binary (NUL bytes), not a text document")
        text = _decode_without_bom(data, name)
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise ValueError(
            f"{name}: looks binary ({controls / len(text):.0%} control characters), not a text document"
        )
    return text


def _decode_with_bom(data: bytes, name: str) -> str | None:
    """Decode text that starts with a byte order mark; ``None`` if there is none."""
    failure: UnicodeDecodeError | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                failure = exc
    if failure is None:
        return None
    offset = failure.start + len(data) - len(failure.object)
    raise ValueError(
        f"{name}: starts with a {failure.encoding.upper()} byte order mark but does not decode as such "
        f"({failure.reason} at byte {offset})"
    )


def _decode_without_bom(data: bytes, name: str) -> str:
    """Decode text without a byte order mark: UTF-8, else cp1252 if Western, else detection."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_western(text):
            return text
    for match in from_bytes(data):
        # Without a mark, UTF-16/32 would hold NUL bytes (refused above): such
        # a guess is spurious, e.g. "café" read as two CJK characters.
        if match.encoding.startswith(("utf_16", "utf_32")):
            continue
        try:
            return data.decode(match.encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValueError(f"{name}: cannot decode as text (tried UTF-8, cp1252 and charset detection)")


def _looks_western(text: str) -> bool:
    """Tell whether cp1252-decoded text reads as a Western language, not as mojibake.

    Two signs of a wrong reading: a symbol inside a word ("Mo¿e" for Polish
    "Może"), and accented letters making up half the letters or more ("Ñúåøü"
    for Russian "Съешь").  Tiny texts are judged on the first sign only.

    >>> _looks_western("naïve café, déjà vu — “quoted”")
    True
    >>> _looks_western("Za¿ó³æ gêœl¹ jaŸñ"), _looks_western("Ñúåøü æå åù¸ ýòèõ ìÿãêèõ")
    (False, False)
    """
    if _SYMBOL_IN_WORD.search(text):
        return False
    non_ascii = len(_NON_ASCII_LETTER.findall(text))
    letters = non_ascii + sum(len(run) for run in _ASCII_LETTERS.findall(text))
    return letters < _MIN_LETTERS_TO_JUDGE or non_ascii < _MAX_NON_ASCII_LETTER_SHARE * letters
