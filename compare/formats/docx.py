"""Word documents (.docx): the body's paragraphs and table rows, in order, as blank-line-separated blocks.

A .docx is a zip archive, so its directory is checked against the ``ReadLimits``
(entry count, declared sizes, compression ratio) before anything is decompressed;
python-docx then parses the XML without resolving entities.  Headers, footers
and comments are left out: they are page furniture, not the text.
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
        if size >= limits.zip_ratio_from_bytes and size > limits.max_zip_ratio * max(info.compress_size, 1):
            raise InputTooLargeError(
                f"{name}: entry {info.filename!r} is compressed {size / max(info.compress_size, 1):.0f}:1 "
                f"(at most {limits.max_zip_ratio:g}:1; a zip bomb?)"
            )
        total += size
    if total > limits.max_zip_total_bytes:
        raise InputTooLargeError(
            f"{name}: the archive unpacks to {size_text(total)} "
            f"(at most {size_text(limits.max_zip_total_bytes)})"
        )
    try:
        for info in infos:
            with archive.open(info) as entry:
                while entry.read(_UNPACK_CHUNK):
                    pass
    except Exception as exc:  # a bad CRC, a lying size, an encrypted or unknown compression
        raise ValueError(f"{name}: not a readable Word document ({reason_of(exc)})") from exc
