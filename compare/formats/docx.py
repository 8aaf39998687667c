"""Word documents (.docx): the body's paragraphs and table rows, in order, as blank-line-separated blocks.

A .docx is a zip archive, so its directory is checked against the ``ReadLimits``
(entry count, declared sizes, compression ratio) before anything is decompressed;
then every entry is inflated in bounded chunks, and the main document's text is
counted as it inflates (a streaming XML parse), so a document holding more text
than ``max_chars`` is refused before python-docx builds its tree (21 million
characters took 16 s to refuse after a full parse).  python-docx then parses
the XML without resolving entities.  Headers, footers and comments are left
out: they are page furniture, not the text.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import TYPE_CHECKING

from compare.formats import InputTooLargeError, reason_of, size_text
from compare.model import ReadLimits

if TYPE_CHECKING:
    from docx.table import Table

# End of central directory record: signature, then the total entry count at
# offset 10 and the directory's size at offset 12.  A comment of up to 64 KB may follow it.
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_DIRECTORY_BYTES_PER_ENTRY = 512  # generous: a directory entry is 46 bytes plus its name
_UNPACK_CHUNK = 1024 * 1024  # the checking pass inflates at most this much at a time
_MAIN_PART = "word/document.xml"  # where Word keeps the body (python-docx follows the package's relationship)
_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT, _PARAGRAPH = f"{{{_WORD_NS}}}t", f"{{{_WORD_NS}}}p"  # a run's text, a paragraph


def docx_text(data: bytes, name: str, limits: ReadLimits) -> str:
    """Return the text of a .docx file, or raise ``ValueError`` naming ``name``."""
    check_zip_archive(data, name, limits)
    try:
        import docx  # python-docx, imported here so plain-text reading does not load lxml
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
        blocks = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_table_rows(item))
            else:
                blocks.append(item.text)
    except Exception as exc:  # python-docx and lxml raise many kinds; all mean the same to the user
        raise ValueError(f"{name}: not a readable Word document ({reason_of(exc)})") from exc
    return "\n\n".join(block.strip() for block in blocks if block.strip())


def _table_rows(table: Table) -> list[str]:
    """Return each row of a table as one block, its cells separated by tabs (merged cells once)."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append("\t".join(cells))
    return rows


def check_zip_archive(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse a zip archive that unpacks to more than the limits allow, before anything is parsed.

    The entry count and directory size are read from the end record first, so a
    directory of a million entries is refused without being parsed.  Then the
    declared sizes and ratios are checked, and every entry is unpacked in bounded
    chunks: ``zipfile`` stops at the declared size and fails the CRC check if an
    entry lies about it.  (python-docx later unpacks each entry in one call,
    which only this pass makes safe: one call inflates everything it is given.)
    """
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - _END_RECORD_SIZE - _MAX_COMMENT))
    if end < 0 or len(data) < end + _END_RECORD_SIZE:
        raise ValueError(f"{name}: not a readable Word document (not a zip archive)")
    entries, directory_size = struct.unpack_from("<HI", data, end + 10)
    if entries > limits.max_zip_entries or directory_size > limits.max_zip_entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise InputTooLargeError(
            f"{name}: the archive has too many entries (at most {limits.max_zip_entries} are read)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # BadZipFile, and ValueError or OverflowError on crafted headers
        raise ValueError(f"{name}: not a readable Word document ({reason_of(exc)})") from exc
    if len(infos) > limits.max_zip_entries:
        raise InputTooLargeError(
            f"{name}: the archive has {len(infos)} entries (at most {limits.max_zip_entries} are read)"
        )
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.max_zip_entry_bytes:
            raise InputTooLargeError(
                f"{name}: entry {info.filename!r} unpacks to {size_text(size)} "
                f"(at most {size_text(limits.max_zip_entry_bytes)} per entry)"
            )
        if size >= limits.inflate_ratio_from_bytes and size > limits.max_inflate_ratio * max(info.compress_size, 1):
            raise InputTooLargeError(
                f"{name}: entry {info.filename!r} is compressed {size / max(info.compress_size, 1):.0f}:1 "
                f"(at most {limits.max_inflate_ratio:g}:1; a zip bomb?)"
            )
        total += size
    if total > limits.max_zip_total_bytes:
        raise InputTooLargeError(
            f"{name}: the archive unpacks to {size_text(total)} "
            f"(at most {size_text(limits.max_zip_total_bytes)})"
        )
    try:
        for info in infos:
            counter = TextCounter(name, limits.max_chars) if info.filename == _MAIN_PART else None
            with archive.open(info) as entry:
                while chunk := entry.read(_UNPACK_CHUNK):
                    if counter is not None:
                        counter.feed(chunk)
    except InputTooLargeError:
        raise
    except Exception as exc:  # a bad CRC, a lying size, an encrypted or unknown compression, broken XML
        raise ValueError(f"{name}: not a readable Word document ({reason_of(exc)})") from exc


class TextCounter:
    """Count the characters of a Word document's text runs (``w:t``) as its XML arrives; refuse past a cap.

    A streaming parse: each paragraph is dropped once counted, so memory stays
    small whatever the document's size.  The count is a lower bound of the
    extracted text (tabs, breaks and paragraph gaps come on top), so no
    document within the cap is refused.
    """

    def __init__(self, name: str, max_chars: int) -> None:
        from lxml import etree

        self.name, self.max_chars, self.chars = name, max_chars, 0
        self._parser = etree.XMLPullParser(events=("end",), tag=(_TEXT, _PARAGRAPH), resolve_entities=False,
                                           no_network=True)

    def feed(self, chunk: bytes) -> None:
        """Parse the next piece of the XML; raise ``InputTooLargeError`` once the text passes the cap."""
        self._parser.feed(chunk)
        for _, element in self._parser.read_events():
            if element.tag == _TEXT:
                self.chars += len(element.text or "")
            else:
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]  # the paragraphs before this one are counted already
            if self.chars > self.max_chars:
                raise InputTooLargeError(f"{self.name}: the document's text is longer than {self.max_chars:,} "
                                         "characters (stopped while unpacking it)")
