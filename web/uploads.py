"""Turn uploaded files and pasted text into documents to store, or a clear refusal.

Checks run on the whole batch before anything is stored, so a batch with one bad
file stores nothing.  An upload's file name is kept only as a display name: it
is cleaned of directories and control characters and never touches the file system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from compare import decode
from web.store import NewDocument

ALLOWED_SUFFIXES = (".txt", ".md")
MAX_NAME_CHARS = 200


class UploadError(ValueError):
    """A batch of documents was refused; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """An uploaded file as received: the client's file name and its bytes."""

    filename: str
    data: bytes


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(raw: str, fallback: str = "untitled") -> str:
    """Return a safe display name: no directories, no control characters, bounded length.

    >>> display_name("../../etc/passwd")
    'passwd'
    >>> display_name("C:\\\\Users\\\\me\\\\notes.txt")
    'notes.txt'
    >>> display_name("  ")
    'untitled'
    """
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub(" ", name).strip()
    if len(name) > MAX_NAME_CHARS:
        name = name[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return name or fallback


def document_from_file(upload: UploadedFile) -> NewDocument:
    """Decode one uploaded file into a document, or raise UploadError naming it."""
    name = display_name(upload.filename)
    if not upload.filename.strip():
        raise UploadError("a file was sent without a name; choose a file to upload")
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadError(f"{name}: unsupported file type; upload {' or '.join(ALLOWED_SUFFIXES)} files")
    if not upload.data.strip():
        raise UploadError(f"{name}: the file is empty")
    try:
        text = decode(upload.data, name)
    except ValueError as error:
        reason = str(error)
        raise UploadError(reason if name in reason else f"{name}: {reason}") from error
    if not text.strip():
        raise UploadError(f"{name}: the file has no text")
    return NewDocument(name, text)


def document_from_paste(name: str, text: str) -> NewDocument:
    """Make a document of pasted text, or raise UploadError."""
    shown = display_name(name, fallback="pasted text")
    if not text.strip():
        raise UploadError(f"{shown}: the text is empty; paste some text")
    # Browsers send form text with CRLF line ends; store what the person typed.
    return NewDocument(shown, text.replace("\r\n", "\n"))


def documents_from_files(uploads: Sequence[UploadedFile], max_files: int) -> list[NewDocument]:
    """Check and decode a batch of uploaded files; refuse the whole batch on the first problem."""
    if not uploads:
        raise UploadError("no file was sent; choose one or more .txt or .md files")
    if len(uploads) > max_files:
        raise UploadError(f"too many files: {len(uploads)} sent, at most {max_files} per upload")
    return [document_from_file(upload) for upload in uploads]
