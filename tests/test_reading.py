"""Tests of compare.reading: decoding bytes exactly, refusing what is not text."""

from __future__ import annotations

import codecs
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compare.model import Document, ReadLimits
from compare.reading import (
    InputTooLargeError,
    UnsupportedFormatError,
    clean_text,
    decode,
    extract,
    read_document,
)

WESTERN = "naïve café, déjà vu — “quoted”"
LATIN1 = "naïve café, déjà vu"  # latin-1 has no dash or curly quotes
PNG_START = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- Unicode, with and without a byte order mark -------------------------------------------------

@pytest.mark.parametrize("data", [
    WESTERN.encode("utf-8"),
    codecs.BOM_UTF8 + WESTERN.encode("utf-8"),
    codecs.BOM_UTF16_LE + WESTERN.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + WESTERN.encode("utf-16-be"),
    codecs.BOM_UTF32_LE + WESTERN.encode("utf-32-le"),
    codecs.BOM_UTF32_BE + WESTERN.encode("utf-32-be"),
], ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_unicode_is_decoded_and_the_bom_stripped(tmp_path: Path, data: bytes) -> None:
    assert read_document(write(tmp_path, "a.txt", data)).text == WESTERN


def test_only_one_bom_is_stripped() -> None:
    assert decode(codecs.BOM_UTF8 + "\ufeffx".encode(), "a.txt") == "\ufeffx"


def test_a_bom_with_invalid_text_after_it_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^a\.txt: starts with a UTF-8 byte order mark .* at byte 4\)$"):
        decode(codecs.BOM_UTF8 + b"x\xff", "a.txt")


# --- Western single-byte text -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "codec"), [
    (WESTERN, "cp1252"),
    (LATIN1, "latin-1"),
    ("\n".join([WESTERN] * 200), "cp1252"),
    ("\r\n".join([LATIN1] * 200), "latin-1"),
    ("café", "cp1252"),  # detection alone reads these as UTF-16, EBCDIC, big5...
    ("été", "cp1252"),
    ("Übergröße", "cp1252"),
    ("Le garçon était très fatigué après la journée à l’hôtel.", "cp1252"),
], ids=["cp1252-short", "latin1-short", "cp1252-long", "latin1-long", "cafe", "ete", "de", "fr"])
def test_western_text_is_read_as_cp1252_not_a_lookalike(text: str, codec: str) -> None:
    # charset-normalizer alone guesses cp1250 ("naďve") or cp1257 ("naļve") here.
    assert decode(text.encode(codec), "a.txt") == text


@pytest.mark.parametrize(("text", "codec"), [
    ("Съешь же ещё этих мягких французских булок, да выпей чаю.", "cp1251"),
    ("Zażółć gęślą jaźń. Może wielkie miasto, gdzie żółw śpi.", "cp1250"),
    ("Ξεσκεπάζω την ψυχοφθόρα βδελυγμία, είπε ο δάσκαλος.", "cp1253"),
])
def test_other_scripts_are_left_to_detection(text: str, codec: str) -> None:
    assert decode(text.encode(codec), "a.txt") == text


def test_utf8_is_preferred_over_any_single_byte_reading() -> None:
    assert decode("Ã©".encode(), "a.txt") == "Ã©"


# --- Exact characters: newlines, control characters, empty files ---------------------------------

@pytest.mark.parametrize("codec", ["utf-8", "cp1252", "utf-16"])
def test_crlf_and_lone_cr_are_kept(tmp_path: Path, codec: str) -> None:
    text = "Première ligne.\r\nDeuxième.\rTroisième.\n\n  fin  \r\n"
    assert read_document(write(tmp_path, "a.md", text.encode(codec))).text == text


def test_a_few_control_characters_are_decoded_then_replaced_one_for_one() -> None:
    text = "A line\x0bstill the same line.\x0cNext page, \x1b[0mcoloured.\x7f\x85" + " More text." * 10
    assert decode(text.encode(), "a.txt") == text
    # Tab, newlines, vertical tab and form feed are layout; ESC, DEL and C1 are not text.
    expected = text.replace("\x1b", "\ufffd").replace("\x7f", "\ufffd").replace("\x85", "\ufffd")
    assert extract(text.encode(), "a.txt").text == expected


def test_nul_in_utf16_text_with_a_bom_becomes_a_replacement_character() -> None:
    data = codecs.BOM_UTF16_LE + "one\x00two, three and four\r\n".encode("utf-16-le")
    assert extract(data, "a.txt").text == "one\ufffdtwo, three and four\r\n"


def test_unpaired_surrogates_from_utf16_are_refused_naming_the_file() -> None:
    data = codecs.BOM_UTF16_LE + b"a\x00\x00\xd8b\x00"  # "a", a lone high surrogate, "b"
    with pytest.raises(ValueError, match=r"^a\.txt: starts with a UTF-16-LE byte order mark but does not decode"):
        extract(data, "a.txt")


def test_clean_text_leaves_every_other_character_in_place() -> None:
    text = "a\x00b\ud800c\udfffd\t\n\x0b\x0c\r é 文 😀"
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert cleaned == "a\ufffdb\ufffdc\ufffdd\t\n\x0b\x0c\r é 文 😀"
    cleaned.encode("utf-8")  # always storable


def test_empty_file_is_an_empty_document(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "empty.txt", b"")).text == ""
    assert decode(codecs.BOM_UTF8, "bom-only.txt") == ""


# --- Binary and unreadable input -----------------------------------------------------------------

@pytest.mark.parametrize(("data", "reason"), [
    (PNG_START, "PNG image"),
    (PNG_START[8:], "NUL bytes"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (bytes(random.Random(1).randrange(256) for _ in range(4096)) + b"\x00", "NUL bytes"),
    (bytes(random.Random(2).randrange(1, 32) for _ in range(200)), "control characters"),
    (b"text\x01\x02\x03\x04", "50% control characters"),
])
def test_binary_is_refused_naming_the_file(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path, "photo.txt", data)
    pattern = rf"^{re.escape(str(path))}: looks binary \(.*{reason}.*\), not a text document$"
    with pytest.raises(ValueError, match=pattern):
        read_document(path)
    with pytest.raises(ValueError, match=r"^shown\.txt: looks binary"):
        read_document(path, name="shown.txt")


def test_nul_bytes_without_a_bom_are_binary_even_if_utf16() -> None:
    with pytest.raises(ValueError, match=r"^a\.txt: looks binary \(NUL bytes\)"):
        decode("plain".encode("utf-16-le"), "a.txt")


def test_missing_file_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    pattern = rf"^{re.escape(str(path))}: cannot read file \(No such file or directory\)$"
    with pytest.raises(ValueError, match=pattern):
        read_document(path)


def test_a_folder_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^folder: cannot read file"):
        read_document(tmp_path, name="folder")


SUPPORTED = ".txt, .text, .md, .markdown, .docx, .pdf, .html, .htm"


@pytest.mark.parametrize(("filename", "extension"),
                         [("x.doc", ".doc"), ("X.XLSX", ".xlsx"), ("p.png", ".png"), ("a.odt", ".odt")])
def test_other_document_formats_are_unsupported(tmp_path: Path, filename: str, extension: str) -> None:
    path = write(tmp_path, filename, b"\xd0\xcf\x11\xe0")
    message = f"{path}: unsupported format {extension} (supported: {SUPPORTED})"
    with pytest.raises(UnsupportedFormatError, match=f"^{re.escape(message)}$"):
        read_document(path)
    with pytest.raises(UnsupportedFormatError, match=f"^{re.escape(filename)}: unsupported format"):
        extract(b"anything", filename)


def test_a_file_past_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"word " * 300)
    with pytest.raises(InputTooLargeError, match=r"^big\.txt: the file is 1\.5 KB \(at most 1000 bytes are read\)$"):
        read_document(path, name="big.txt", limits=ReadLimits(max_file_bytes=1000))


def test_text_past_the_character_cap_is_refused() -> None:
    with pytest.raises(InputTooLargeError, match=r"^a\.txt: the text has 1,500 characters \(at most 1,000\)$"):
        extract(b"word " * 300, "a.txt", ReadLimits(max_chars=1000))


# --- Names and extensions ------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["notes.txt", "README.md", "a.markdown", "LICENSE", "notes.rst"])
def test_text_files_are_read_whatever_their_extension(tmp_path: Path, filename: str) -> None:
    document = read_document(str(write(tmp_path, filename, b"# Title\n")))
    assert (document.name, document.text) == (filename, "# Title\n")


def test_name_overrides_the_file_name(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "upload-1234", b"x"), name="essay.txt").name == "essay.txt"


@pytest.mark.parametrize("filename", ["文件.txt", "Ünïcödé notes.md", "καλημέρα.TXT"])
def test_non_ascii_names_are_kept_for_display(tmp_path: Path, filename: str) -> None:
    assert read_document(write(tmp_path, filename, b"Text.")).name == filename
    assert extract(b"Text.", filename) == Document(filename, "Text.")


# --- Properties ----------------------------------------------------------------------------------

# The binary heuristic refuses NUL bytes outside BOM'd text and text that is
# mostly control characters, so the strategy draws no C0/C1 control characters
# except \t \n \r \f: a random string full of them is indistinguishable from a
# binary file, and refusing it is the intended trade-off (the threshold is
# tested above).  A leading U+FEFF without a BOM would itself read as a BOM.
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r\f"))


@given(TEXT.filter(lambda s: not s.startswith("\ufeff")))
def test_utf8_round_trips(text: str) -> None:
    assert decode(text.encode("utf-8"), "p.txt") == text


@given(TEXT, st.sampled_from(["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"]))
def test_text_with_a_bom_round_trips(text: str, codec: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-be": codecs.BOM_UTF32_BE}.get(codec, b"")
    assert decode(bom + text.encode(codec), "p.txt") == text


@given(st.binary())
def test_any_bytes_give_text_or_a_one_line_value_error(data: bytes) -> None:
    try:
        text = decode(data, "p.bin")
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("p.bin: ") and "\n" not in message
    else:
        assert isinstance(text, str)
