"""PDF documents: the text layer of each page (pypdf), pages and paragraphs as blank-line-separated blocks.

A PDF holds positioned lines, not paragraphs, so paragraphs are guessed from
the lines' lengths: a paragraph's last line is usually short.  Guards: a page
cap checked before extraction, a time cap checked between pages, and a cap on
the extracted characters; pypdf itself bounds decompression (see the minimum
version in pyproject.toml).  Password-protected PDFs are refused; PDFs
encrypted only against editing (an empty user password) are read.
"""

from __future__ import annotations

import io
import logging
import re
import time
from typing import TYPE_CHECKING

from compare.formats import InputTooLargeError, reason_of
from compare.model import ReadLimits

if TYPE_CHECKING:
    from pypdf import PdfReader

# pypdf reports broken input through logging; without a handler Python prints its warnings
# to stderr, next to our one-line error.  Applications that configure logging still see them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# Paragraph guess: a line ending a sentence and shorter than this share of the
# page's typical line ends its paragraph; so does any line shorter than the second share.
_SHORT_SENTENCE_END = 0.75
_SHORT_LINE = 0.5
_TYPICAL_LINE_PERCENTILE = 0.8
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def pdf_text(data: bytes, name: str, limits: ReadLimits) -> str:
    """Return the text of a PDF file, or raise ``ValueError`` naming ``name``."""
    deadline = time.monotonic() + limits.max_pdf_seconds
    try:
        from pypdf import PdfReader  # imported here so plain-text reading does not load it

        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same to the user
        raise ValueError(f"{name}: not a readable PDF ({reason_of(exc)})") from exc
    if encrypted and not _opens_without_password(reader):
        raise ValueError(f"{name}: the PDF is protected by a password; save a copy without protection and try again")
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise ValueError(f"{name}: not a readable PDF ({reason_of(exc)})") from exc
    if count > limits.max_pdf_pages:
        raise InputTooLargeError(f"{name}: the PDF has {count} pages (at most {limits.max_pdf_pages} are read)")
    pages: list[str] = []
    chars = 0
    for number in range(count):
        if time.monotonic() > deadline:
            raise InputTooLargeError(
                f"{name}: reading the PDF took longer than {limits.max_pdf_seconds:g} s "
                f"(stopped after page {number} of {count})"
            )
        try:
            text = reader.pages[number].extract_text()
        except Exception as exc:
            raise ValueError(f"{name}: page {number + 1} of the PDF is not readable ({reason_of(exc)})") from exc
        chars += len(text)
        if chars > limits.max_chars:
            raise InputTooLargeError(
                f"{name}: the PDF's text is longer than {limits.max_chars:,} characters (stopped at page {number + 1})"
            )
        pages.append(paragraphs_of_page(text))
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise ValueError(f"{name}: the PDF has no text layer (a scanned image?); text recognition is not done here")
    return text


def _opens_without_password(reader: PdfReader) -> bool:
    """Tell whether an encrypted PDF opens with the empty user password (protected against editing only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher is as good as a password here
        return False


def paragraphs_of_page(text: str) -> str:
    """Group a page's lines into paragraphs separated by blank lines; lines of a paragraph stay lines.

    >>> paragraphs_of_page("A long first line of the paragraph\\nends here.\\nNext one starts here and\\ngoes on.")
    'A long first line of the paragraph\\nends here.\\n\\nNext one starts here and\\ngoes on.'
    """
    lines = [line.strip() for line in text.splitlines()]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    typical = lengths[min(len(lengths) - 1, int(len(lengths) * _TYPICAL_LINE_PERCENTILE))]
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line:
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
        short = len(line) < _SHORT_LINE * typical
        ends_sentence = len(line) < _SHORT_SENTENCE_END * typical and _SENTENCE_END.search(line) is not None
        if short or ends_sentence:
            blocks.append([])
    return "\n\n".join("\n".join(block) for block in blocks if block)
