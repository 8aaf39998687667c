"""Tests of compare.formats through compare.reading: Word, PDF and HTML text, and the guards on each parser."""

from __future__ import annotations

import codecs
import io
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from format_fixtures import encrypt_pdf, make_docx, make_pdf, zip_bomb
from html_pages import PAGES, PRESS, SavedPage

from compare import Document, ReadLimits, extract, read_document, segment
from compare.formats import InputTooLargeError
from compare.formats.pdf import paragraphs_of_page


def paragraphs(document: Document) -> list[str]:
    """Return the paragraphs the segmenter finds, as text."""
    found: dict[int, list[str]] = {}
    for seg in segment(document).segments:
        found.setdefault(seg.paragraph, []).append(document.text[seg.span.start:seg.span.end])
    return [" ".join(parts) for _, parts in sorted(found.items())]


# --- Word ----------------------------------------------------------------------------------------

def test_docx_paragraphs_headings_and_tables_in_order_without_page_headers() -> None:
    data = make_docx(["Première phrase du texte.", "Second paragraph, with “curly quotes” and 文字."],
                     heading="Le titre", table=[["Name", "Value"], ["naïve", "€5"]], header="CONFIDENTIAL")
    document = extract(data, "rapport.docx")
    assert document == Document("rapport.docx", "Le titre\n\nPremière phrase du texte.\n\n"
                                "Second paragraph, with “curly quotes” and 文字.\n\nName\tValue\n\nnaïve\t€5")
    assert paragraphs(document)[:3] == ["Le titre", "Première phrase du texte.",
                                        "Second paragraph, with “curly quotes” and 文字."]


def test_docx_empty_paragraphs_are_dropped_and_merged_cells_read_once() -> None:
    source = io.BytesIO(make_docx(["One.", "", "   ", "Two."], table=[["a", "b", "c"]]))
    import docx

    document = docx.Document(source)
    row = document.tables[0].rows[0]
    row.cells[0].merge(row.cells[1])
    out = io.BytesIO()
    document.save(out)
    # The merged cell holds both texts and spans two grid columns: it is read once.
    assert extract(out.getvalue(), "m.docx").text == "One.\n\nTwo.\n\na b\tc"


@pytest.mark.parametrize(("data", "reason"), [
    (b"not a zip at all, just text", "not a zip archive"),
    (make_docx(["Text."])[:2000], "not a zip archive"),  # truncated: the directory at the end is gone
    (b"PK\x05\x06" + bytes(18), "There is no item named '[Content_Types].xml'"),  # an empty archive
], ids=["text", "truncated", "empty-archive"])
def test_corrupt_docx_is_refused_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=rf"^broken\.docx: not a readable Word document \(.*{re.escape(reason)}"):
        extract(data, "broken.docx")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match=r"^notes\.docx: not a readable Word document \(.*Content_Types"):
        extract(out.getvalue(), "notes.docx")


@dataclass
class Cost:
    seconds: float = 0.0
    peak_bytes: int = 0  # traced by tracemalloc while the block ran


@contextmanager
def cost() -> Iterator[Cost]:
    """Measure the wall time and peak traced memory of the block (filled in when it ends)."""
    measured = Cost()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield measured
    finally:
        measured.seconds = time.perf_counter() - started
        measured.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_a_one_gigabyte_zip_bomb_is_refused_fast_with_little_memory() -> None:
    bomb = zip_bomb(1024)  # 1 GB of zeros in about 1 MB
    with cost() as measured, pytest.raises(
            InputTooLargeError, match=r"^bomb\.docx: entry 'word/document\.xml' unpacks to 1,024 MB"):
        extract(bomb, "bomb.docx")
    assert measured.seconds < 1.0  # well under the 5 s the issue allows
    assert measured.peak_bytes < 16 * 1024 * 1024  # bytes allocated on top of the bomb itself


def test_a_zip_bomb_within_the_size_caps_is_refused_by_its_ratio() -> None:
    with pytest.raises(InputTooLargeError, match=r"is compressed \d+:1 \(at most 100:1; a zip bomb\?\)$"):
        extract(zip_bomb(20), "small-bomb.docx")


def test_an_entry_lying_about_its_size_is_refused_without_inflating_it() -> None:
    # The directory says 1 MB; the data inflates to 1 GB.  zipfile would inflate it all in one call.
    liar = zip_bomb(1024, declared_megabytes=1, name="[Content_Types].xml")
    with cost() as measured, pytest.raises(ValueError, match=r"^liar\.docx: not a readable Word document \(Bad CRC-32"):
        extract(liar, "liar.docx")
    assert measured.seconds < 1.0 and measured.peak_bytes < 16 * 1024 * 1024


def test_too_many_entries_and_too_much_in_total_are_refused() -> None:
    data = make_docx(["Text."])
    entries = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    too_many = rf"^a\.docx: the archive has too many entries \(at most {entries - 1}"
    with pytest.raises(InputTooLargeError, match=too_many):
        extract(data, "a.docx", ReadLimits(max_zip_entries=entries - 1))
    with pytest.raises(InputTooLargeError, match=r"^a\.docx: the archive unpacks to .* \(at most 1000 bytes\)$"):
        extract(data, "a.docx", ReadLimits(max_zip_total_bytes=1000))
    assert extract(data, "a.docx", ReadLimits(max_zip_entries=entries)).text == "Text."


# --- PDF -----------------------------------------------------------------------------------------

LINES = [
    "The first paragraph of the report runs across a full line",
    "and ends on this shorter line.",
    "A second paragraph starts here and also runs over a line,",
    "with a café and a naïve “quote”.",
    "",
    "After a blank line, a third one.",
]


def test_pdf_pages_and_paragraphs_become_blank_line_separated_blocks() -> None:
    document = extract(make_pdf([LINES, ["Page two has one line."]]), "report.pdf")
    assert document.text == (
        "The first paragraph of the report runs across a full line\nand ends on this shorter line.\n\n"
        "A second paragraph starts here and also runs over a line,\nwith a café and a naïve “quote”.\n\n"
        "After a blank line, a third one.\n\nPage two has one line."
    )
    assert len(paragraphs(document)) == 4


def test_page_paragraph_guess_keeps_full_lines_together() -> None:
    assert paragraphs_of_page("one two three four five six\nseven eight nine ten eleven\ntwelve.") == \
        "one two three four five six\nseven eight nine ten eleven\ntwelve."
    assert paragraphs_of_page("") == ""


def test_password_protected_pdf_is_refused_and_edit_protected_pdf_is_read() -> None:
    plain = make_pdf([["Secret text."]])
    with pytest.raises(ValueError, match=r"^locked\.pdf: the PDF is protected by a password"):
        extract(encrypt_pdf(plain, "secret"), "locked.pdf")
    assert extract(encrypt_pdf(plain, ""), "open.pdf").text == "Secret text."


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n%garbage that is no PDF at all",
    make_pdf([LINES])[:150],
    b"",
    b"\x00" * 100,
], ids=["garbage", "truncated", "empty", "zeros"])
def test_corrupt_pdf_is_refused_naming_the_file(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"^broken\.pdf: (not a readable PDF|the PDF has no text layer)"):
        extract(data, "broken.pdf")


def test_pdf_without_text_is_refused_as_a_scan() -> None:
    with pytest.raises(ValueError, match=r"^scan\.pdf: the PDF has no text layer \(a scanned image\?\)"):
        extract(make_pdf([[]]), "scan.pdf")


def test_pdf_page_time_and_character_caps() -> None:
    data = make_pdf([["Page one."], ["Page two."], ["Page three."]])
    with pytest.raises(InputTooLargeError, match=r"^p\.pdf: the PDF has 3 pages \(at most 2 are read\)$"):
        extract(data, "p.pdf", ReadLimits(max_pdf_pages=2))
    with pytest.raises(InputTooLargeError, match=r"^p\.pdf: reading the PDF took longer than 1e-09 s \(stopped after"):
        extract(data, "p.pdf", ReadLimits(max_pdf_seconds=1e-9))
    with pytest.raises(InputTooLargeError, match=r"^p\.pdf: the PDF's text is longer than 15 characters"):
        extract(data, "p.pdf", ReadLimits(max_chars=15))


# --- HTML ----------------------------------------------------------------------------------------

def encoded(page: SavedPage) -> bytes:
    return page.html.encode("cp1252" if page is PRESS else "utf-8")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_saved_pages_keep_the_article_paragraphs_and_drop_the_boilerplate(page: SavedPage) -> None:
    document = extract(encoded(page), page.name)
    blocks = document.text.split("\n\n")
    kept = [next((i for i, block in enumerate(blocks) if block.startswith(start)), None) for start in page.keep]
    assert None not in kept, f"missing paragraphs in {blocks}"
    assert kept == sorted(set(kept)), "each kept paragraph is a block of its own, in order"
    assert [phrase for phrase in page.drop if phrase in document.text] == []
    assert len(paragraphs(document)) == len(blocks)


def test_declared_windows_1252_and_latin1_pages_decode_as_windows_1252() -> None:
    assert "Genève" in extract(encoded(PRESS), "p.html").text
    latin1 = PRESS.html.replace("windows-1252", "ISO-8859-1").replace("Genève", "Genève “quoted”")
    assert "Genève “quoted”" in extract(latin1.encode("cp1252"), "p.html").text


def test_a_wrongly_declared_charset_falls_back_to_checked_decoding() -> None:
    page = PRESS.html.replace("windows-1252", "utf-8")
    assert "Genève" in extract(page.encode("cp1252"), "p.html").text


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_pages_with_a_byte_order_mark(codec: str) -> None:
    page = PAGES[0].html.replace('<meta charset="utf-8">', "")
    assert "rulebook" in extract(page.encode(codec), "n.html").text


def test_xhtml_with_an_xml_declaration() -> None:
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            "<body><p>Première ligne du texte.</p><p>Deuxième ligne.</p></body></html>")
    assert extract(page.encode(), "x.htm").text == "Première ligne du texte.\n\nDeuxième ligne."


def test_line_breaks_stay_and_double_breaks_separate_paragraphs() -> None:
    page = (b"<html><body><div class='content'>First part of the text.<br>Its second line.<br><br>Next part.</div>"
            b"</body></html>")
    assert extract(page, "b.html").text == "First part of the text.\nIts second line.\n\nNext part."


def test_scripts_styles_and_markup_never_reach_the_text() -> None:
    page = (b"<html><head><meta charset='utf-8'><style>p{color:red}</style></head><body><article>"
            b"<p>Visible text here.</p><script>alert('x')</script><p>&lt;b&gt;escaped&lt;/b&gt; and a NUL:\x00.</p>"
            b"</article></body></html>")
    text = extract(page, "s.html").text
    assert "alert" not in text and "color" not in text
    assert "<b>escaped</b>" in text and "\x00" not in text
    # Without a declared charset, NUL bytes make a page look binary, as they do a text file.
    with pytest.raises(ValueError, match=r"^s\.html: looks binary \(NUL bytes\)"):
        extract(page.replace(b"<meta charset='utf-8'>", b""), "s.html")


@pytest.mark.parametrize("page", [b"<html><body><script>var x = 1;</script></body></html>", b"<html></html>",
                                  b"   ", b"<<<>>>"])
def test_a_page_without_main_text_is_refused(page: bytes) -> None:
    with pytest.raises(ValueError, match=r"^empty\.html: (no main text found in the page|not a readable HTML page)"):
        extract(page, "empty.html")


def test_html_size_cap_is_checked_before_parsing() -> None:
    with pytest.raises(InputTooLargeError, match=r"^big\.html: the page is 1\.2 KB \(at most 1000 bytes of HTML"):
        extract(b"<p>" + b"x" * 1200 + b"</p>", "big.html", ReadLimits(max_html_bytes=1000))


# --- Every format through the file API and the command line ---------------------------------------

def test_read_document_reads_every_format_from_disk(tmp_path: Path) -> None:
    files = {
        "a.docx": make_docx(["Same sentence in every file."]),
        "b.pdf": make_pdf([["Same sentence in every file."]]),
        "c.html": b"<html><body><p>Same sentence in every file.</p></body></html>",
        "d.md": codecs.BOM_UTF8 + b"Same sentence in every file.",
        "文件.txt": "Same sentence in every file.".encode("utf-16"),
    }
    for filename, data in files.items():
        (tmp_path / filename).write_bytes(data)
        assert read_document(tmp_path / filename) == Document(filename, "Same sentence in every file.")


def test_the_command_line_compares_a_word_file_with_a_pdf(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(make_docx(["The ministers signed the river treaty on Thursday."]))
    (tmp_path / "b.pdf").write_bytes(make_pdf([["The ministers signed the river treaty on Friday."]]))
    (tmp_path / "c.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    command = [sys.executable, "-m", "compare", "align", str(tmp_path / "a.docx"), str(tmp_path / "b.pdf")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert "The ministers signed the river treaty on [-Thursday-]{+Friday+}." in result.stdout
    refused = subprocess.run([*command[:-1], str(tmp_path / "c.doc")], capture_output=True, text=True, timeout=60,
                             check=False)
    assert refused.returncode == 2 and "unsupported format .doc" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")  # pypdf logs warnings on it
    broken = subprocess.run([*command[:-1], str(tmp_path / "broken.pdf")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert broken.returncode == 2 and broken.stderr.strip().splitlines() == [
        f"doccompare: {tmp_path / 'broken.pdf'}: not a readable PDF (Stream has ended unexpectedly)"]
