"""Saved web pages (.html, .htm): the main text (trafilatura), without navigation and boilerplate.

The page is decoded here (byte order mark, then the ``<meta charset>`` it
declares, then the same checked decoding as plain text), so a page and a text
file with the same bytes read the same way.  trafilatura finds the main
content; its blocks (headings, paragraphs, list items, quotations, table rows)
become blank-line-separated paragraphs, and line breaks inside them stay.  The
page's size is capped before parsing (parsing costs about a second per MB).
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
from typing import TYPE_CHECKING, Any

from compare.formats import InputTooLargeError, reason_of, size_text
from compare.formats.text import decode
from compare.model import ReadLimits

if TYPE_CHECKING:
    from lxml.etree import _Element

# trafilatura reports broken input through logging; without a handler Python prints its warnings
# to stderr, next to our one-line error.  Applications that configure logging still see them.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())

# The HTML standard looks for a declared encoding in the first 1024 bytes.
_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"""<meta[^<>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Labels the HTML standard reads as windows-1252 (its bytes 0x80-0x9F are letters and quotes).
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                                  "windows-1252", "cp1252", "x-cp1252"})
# trafilatura's block elements (its XML output): each becomes one paragraph.
_BLOCKS = frozenset({"head", "p", "item", "quote", "code", "row", "list", "table", "div", "main", "body"})
_LEAF_BLOCKS = frozenset({"head", "p", "item", "quote", "code", "row"})
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def html_text(data: bytes, name: str, limits: ReadLimits) -> str:
    """Return the main text of an HTML page, or raise ``ValueError`` naming ``name``."""
    if len(data) > limits.max_html_bytes:
        raise InputTooLargeError(
            f"{name}: the page is {size_text(len(data))} (at most {size_text(limits.max_html_bytes)} of HTML are read)"
        )
    page = decode_html(data, name)
    try:
        import trafilatura  # imported here so plain-text reading does not load it

        extracted = trafilatura.bare_extraction(
            page, config=_trafilatura_config(), include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False, with_metadata=False,
            deduplicate=False,
        )
        body = getattr(extracted, "body", None)  # None when the page has no text
        blocks: list[str] = []
        if body is not None:
            _collect_blocks(body, blocks)
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken pages
        raise ValueError(f"{name}: not a readable HTML page ({reason_of(exc)})") from exc
    text = "\n\n".join(blocks)
    if not text:
        raise ValueError(f"{name}: no main text found in the page")
    return text


@functools.cache
def _trafilatura_config() -> Any:
    """Return trafilatura's settings, with its fallback extractors used only when it finds nothing.

    By default a result under 250 characters is replaced by a fallback's, which
    on short pages joins navigation and paragraphs into one block.
    """
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


def decode_html(data: bytes, name: str) -> str:
    """Decode a page by its byte order mark, else its declared charset, else like plain text.

    >>> decode_html(b'<meta charset="windows-1252"><p>na\\xefve', "p.html")
    '<meta charset="windows-1252"><p>naïve'
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name)
    declared = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if declared is not None:
        label = declared.group(1).decode("ascii").lower()
        codec = "cp1252" if label in _WINDOWS_1252_LABELS else label
        try:
            if not codecs.lookup(codec).name.startswith(("utf-16", "utf-32")):  # a page declaring UTF-16 without a
                return data.decode(codec)  # byte order mark is ASCII-compatible, i.e. not UTF-16 after all
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: decode like plain text
    return decode(data, name)


def _collect_blocks(element: _Element, blocks: list[str]) -> None:
    """Append the paragraphs of one of trafilatura's output elements to ``blocks``, in document order."""
    if element.tag == "row":
        cells = [" ".join(_inline_text(cell).split()) for cell in element]
        _append(blocks, "\t".join(cells))
        return
    if element.tag in _LEAF_BLOCKS and not any(child.tag in _BLOCKS for child in element):
        _append(blocks, _inline_text(element))
        return
    loose = [element.text or ""]  # text outside any block, e.g. a page made of <br>-separated lines
    for child in element:
        if child.tag in _BLOCKS:
            _append(blocks, "".join(loose))
            _collect_blocks(child, blocks)
            loose = [child.tail or ""]
        else:
            loose.extend((_inline_text(child), child.tail or ""))
    _append(blocks, "".join(loose))


def _inline_text(element: _Element) -> str:
    """Return an element's text with ``<lb/>`` as a newline (without the element's tail)."""
    parts = ["\n" if element.tag == "lb" else element.text or ""]
    for child in element:
        parts.extend((_inline_text(child), child.tail or ""))
    return "".join(parts)


def _append(blocks: list[str], text: str) -> None:
    """Append a block's paragraphs (a blank line, i.e. ``<br><br>``, separates two), lines stripped."""
    for chunk in _BLANK_LINE.split(text):
        paragraph = "\n".join(line.strip() for line in chunk.split("\n") if line.strip())
        if paragraph:
            blocks.append(paragraph)
