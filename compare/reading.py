"""Reading documents from files and bytes: the one place where the engine touches them.

Every offset the engine reports indexes the text returned here.  Plain text
and Markdown keep the file's characters exactly (newlines as written, CRLF or
lone CR, which the segmenter handles; only a byte order mark is dropped).  Word
documents, PDFs and web pages are converted (``compare.formats``), and their
offsets index the extracted text, which callers store and show.

After decoding or extraction, characters that are not text become U+FFFD, one
for one (so no other character moves): NUL and the other control characters
except tab, newlines, vertical tab and form feed, and unpaired surrogates.  The
text is therefore always valid to encode as UTF-8 and to store.

Anything else is refused with a one-line ``ValueError`` naming the file:
``UnsupportedFormatError`` for formats not read, ``InputTooLargeError`` past
a ``ReadLimits`` cap, a plain ``ValueError`` for undecodable or corrupt files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePath

from compare.formats import InputTooLargeError, UnsupportedFormatError, size_text
from compare.formats.docx import docx_text
from compare.formats.html import html_text
from compare.formats.pdf import pdf_text
from compare.formats.text import decode
from compare.model import Document, ReadLimits

__all__ = [
    "EXTRACTED_FORMATS",
    "TEXT_FORMATS",
    "InputTooLargeError",
    "UnsupportedFormatError",
    "clean_text",
    "decode",
    "extract",
    "read_document",
    "supported_extensions",
]


def _plain_text(data: bytes, name: str, limits: ReadLimits) -> str:
    return decode(data, name)


Reader = Callable[[bytes, str, ReadLimits], str]

# Readers by file extension (lower case).  Text formats are read as they are
# written; the others are converted.  A format is added by writing its module
# in compare/formats/ and listing it here.
TEXT_FORMATS: dict[str, Reader] = {".txt": _plain_text, ".text": _plain_text, ".md": _plain_text,
                                   ".markdown": _plain_text}
EXTRACTED_FORMATS: dict[str, Reader] = {".docx": docx_text, ".pdf": pdf_text, ".html": html_text,
                                        ".htm": html_text}
_READERS: dict[str, Reader] = {**TEXT_FORMATS, **EXTRACTED_FORMATS}
# Formats that look like documents but are not read.  Other extensions (.rst,
# .csv, none) are read as plain text, and decoding refuses them if they are binary.
_UNSUPPORTED = frozenset({
    ".doc", ".odt", ".rtf", ".epub", ".pages", ".docm", ".dotx",
    ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp",
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic",
    ".zip", ".gz", ".tar", ".7z", ".rar",
})

# Control characters other than \t \n \v \f \r (C0, DEL, C1), and unpaired surrogates.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace characters that are not text with U+FFFD, one for one, so every offset still holds.

    >>> clean_text("a\\x00b\\ud800c\\td\\r\\n")
    'a�b�c\\td\\r\\n'
    """
    return _NOT_TEXT.sub("\ufffd", text)


def supported_extensions() -> tuple[str, ...]:
    """Return the file extensions read as documents, text formats first.

    >>> supported_extensions()
    ('.txt', '.text', '.md', '.markdown', '.docx', '.pdf', '.html', '.htm')
    """
    return tuple(_READERS)


def _reader_for(extension: str, label: str) -> Reader:
    """Return the reader of a file extension (plain text for unknown ones), or refuse the format."""
    if extension in _UNSUPPORTED:
        raise UnsupportedFormatError(
            f"{label}: unsupported format {extension} (supported: {', '.join(supported_extensions())})"
        )
    return _READERS.get(extension, _plain_text)


def _check_file_size(size: int, label: str, limits: ReadLimits) -> None:
    if size > limits.max_file_bytes:
        raise InputTooLargeError(
            f"{label}: the file is {size_text(size)} (at most {size_text(limits.max_file_bytes)} are read)"
        )


def _text_of(data: bytes, label: str, reader: Reader, limits: ReadLimits) -> str:
    """Return the cleaned text of a file's bytes; errors name ``label``."""
    _check_file_size(len(data), label, limits)
    text = reader(data, label, limits)
    if len(text) > limits.max_chars:
        raise InputTooLargeError(f"{label}: the text has {len(text):,} characters (at most {limits.max_chars:,})")
    return clean_text(text)


def extract(data: bytes, name: str, limits: ReadLimits | None = None) -> Document:
    """Read a file's bytes as a document named ``name``; its extension chooses the format.

    ``name`` is only a display name (e.g. an upload's file name): it is never
    used as a path.

    >>> extract("Un café\\r\\n".encode("cp1252"), "文件.txt")
    Document(name='文件.txt', text='Un café\\r\\n')
    >>> extract(b"<html><body><nav>Home</nav><p>The text.</p></body></html>", "page.html").text
    'The text.'
    """
    limits = limits or ReadLimits()
    reader = _reader_for(PurePath(name).suffix.lower(), name)
    return Document(name, _text_of(data, name, reader, limits))


def read_document(
    path: str | os.PathLike[str], name: str | None = None, limits: ReadLimits | None = None
) -> Document:
    """Read a file as a document named ``name`` (by default the file's name).

    Errors name ``name`` if given, else the path.  The file's size is checked
    before it is read.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = Path(folder, "a.txt")
    ...     _ = file.write_bytes(b"One.\\r\\nTwo.")
    ...     read_document(file)
    Document(name='a.txt', text='One.\\r\\nTwo.')
    """
    limits = limits or ReadLimits()
    file = Path(path)
    label = name if name is not None else str(path)
    reader = _reader_for(file.suffix.lower(), label)
    try:
        _check_file_size(file.stat().st_size, label, limits)
        data = file.read_bytes()
    except OSError as exc:
        raise ValueError(f"{label}: cannot read file ({exc.strerror or exc})") from exc
    return Document(name if name is not None else file.name, _text_of(data, label, reader, limits))
