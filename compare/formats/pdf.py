"""PDF documents: the text layer of each page (pypdf), pages and paragraphs as blank-line-separated blocks.

A PDF holds positioned lines, not paragraphs, so paragraphs are guessed from
the lines' lengths: a paragraph's last line is usually short.  Guards: a page
cap checked before extraction, a time cap checked between pages, a cap on the
extracted characters, and decompression bombs: before a page is read, every
Flate-compressed stream it uses (contents, forms, fonts' character maps) is
inflated in 1 MB chunks and refused as soon as it passes the ratio or size
cap (``ReadLimits.max_inflate_ratio``, ``max_pdf_stream_bytes``), and pypdf
itself inflates no stream past ``max_pdf_stream_bytes``.  A stream of 33 KB
that inflates to 32 MiB of text operators took 30 s and 270 MB to refuse
(pypdf's own 75 MB and token caps); it is now refused in milliseconds.
Password-protected PDFs are refused; PDFs encrypted only against editing (an
empty user password) are read.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compare.formats import InputTooLargeError, reason_of, size_text
from compare.model import ReadLimits

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

# pypdf reports broken input through logging; without a handler Python prints its warnings
# to stderr, next to our one-line error.  Applications that configure logging still see them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# Paragraph guess: a line ending a sentence and shorter than this share of the
# page's typical line ends its paragraph; so does any line shorter than the second share.
_SHORT_SENTENCE_END = 0.75
_SHORT_LINE = 0.5
_TYPICAL_LINE_PERCENTILE = 0.8
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_INFLATE_CHUNK = 1024 * 1024  # the checking pass inflates at most this much at a time
_FLATE = frozenset({"/FlateDecode", "/Fl"})
_MAX_NESTED_FORMS = 1_000  # form XObjects checked per page (pypdf invokes at most 5,000 per page)


def pdf_text(data: bytes, name: str, limits: ReadLimits) -> str:
    """Return the text of a PDF file, or raise ``ValueError`` naming ``name``."""
    from pypdf import apply_configuration  # imported here so plain-text reading does not load it

    cap = limits.max_pdf_stream_bytes
    with apply_configuration(zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
                             run_length_maximum_output_length=cap, brotli_maximum_output_length=cap,
                             array_based_stream_maximum_output_length=cap, stream_decoding_work_maximum_length=cap):
        return _pdf_text(data, name, limits)


def _pdf_text(data: bytes, name: str, limits: ReadLimits) -> str:
    deadline = time.monotonic() + limits.max_pdf_seconds
    try:
        from pypdf import PdfReader

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
            page = reader.pages[number]
            check_page_streams(page, f"{name}: page {number + 1} of the PDF", limits)
            text = page.extract_text()
        except InputTooLargeError:
            raise
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


def check_page_streams(page: PageObject, label: str, limits: ReadLimits) -> None:
    """Refuse a page whose compressed streams inflate past the caps, before pypdf decodes any of them."""
    for stream in _page_streams(page):
        raw = getattr(stream, "_data", b"")  # the stored (still compressed) bytes
        filters = stream.get("/Filter")
        names = [str(f) for f in (filters if isinstance(filters, list) else [filters] if filters else [])]
        layers = 0
        while layers < len(names) and names[layers] in _FLATE:
            layers += 1
        if layers and isinstance(raw, bytes):
            check_inflation(raw, layers, label, limits)


def _page_streams(page: PageObject) -> Iterator[Any]:
    """Yield the streams text extraction decodes: contents, form XObjects (nested) and fonts' character maps."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    for item in contents if isinstance(contents, ArrayObject) else [contents]:
        item = item.get_object() if item is not None else None
        if isinstance(item, StreamObject):
            yield item
    seen: set[int] = set()
    pending = [page.get("/Resources")]
    while pending and len(seen) < _MAX_NESTED_FORMS:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            continue
        for kind in ("/XObject", "/Font"):
            table = resources.get(kind)
            table = table.get_object() if table is not None else None
            if not isinstance(table, DictionaryObject):
                continue
            for value in table.values():
                item = value.get_object()
                if id(item) in seen or not isinstance(item, DictionaryObject):
                    continue
                seen.add(id(item))
                if kind == "/Font":
                    cmap = item.get("/ToUnicode")
                    cmap = cmap.get_object() if cmap is not None else None
                    if isinstance(cmap, StreamObject):
                        yield cmap
                elif isinstance(item, StreamObject) and item.get("/Subtype") == "/Form":
                    yield item
                    pending.append(item.get("/Resources"))


def check_inflation(raw: bytes, layers: int, label: str, limits: ReadLimits) -> None:
    """Inflate ``layers`` nested Flate layers of ``raw`` chunk by chunk; refuse past the ratio or size cap.

    Nothing is kept: memory stays within a few chunks whatever the stream
    inflates to.  Data that is not valid Flate is left to pypdf (which
    refuses it or recovers what it can).

    >>> bomb = zlib.compress(zlib.compress(b" " * (32 << 20), 9), 9)
    >>> try:
    ...     check_inflation(bomb, 2, "b.pdf", ReadLimits())
    ... except InputTooLargeError as error:
    ...     print(error)
    b.pdf: a stream of 195 bytes inflates to more than 1 MB (over 100:1; a decompression bomb?)
    """
    produced = 0
    try:
        for chunk in _inflated(raw, layers):
            produced += len(chunk)
            ratio_passed = (produced >= limits.inflate_ratio_from_bytes
                            and produced > limits.max_inflate_ratio * max(len(raw), 1))
            if ratio_passed or produced > limits.max_pdf_stream_bytes:
                cap = (f"over {limits.max_inflate_ratio:g}:1; a decompression bomb?" if ratio_passed
                       else f"at most {size_text(limits.max_pdf_stream_bytes)} per stream")
                raise InputTooLargeError(f"{label}: a stream of {size_text(len(raw))} inflates to more than "
                                         f"{size_text(produced)} ({cap})")
    except zlib.error:
        return


def _inflated(raw: bytes, layers: int) -> Iterator[bytes]:
    """Yield the output of ``layers`` nested Flate decompressors, at most one chunk at a time."""
    chunks: Iterator[bytes] = iter([raw])
    for _ in range(layers):
        chunks = _inflate(chunks)
    yield from chunks


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj()
    for chunk in chunks:
        data = chunk
        while data and not decompressor.eof:
            out = decompressor.decompress(data, _INFLATE_CHUNK)
            if out:
                yield out
            data = decompressor.unconsumed_tail
    while not decompressor.eof and (out := decompressor.decompress(b"", _INFLATE_CHUNK)):
        yield out


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
