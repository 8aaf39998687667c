"""Exports of the corpus report (JSON under its schema, CSV, Markdown, HTML) and the ``report`` command."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import jsonschema
import pytest

from compare import Document, build_report
from compare.cli import main
from compare.render_report import report_schema, report_to_csv, report_to_json, report_to_markdown, safe_cell

PASSAGE = ("The harbour authority approved a floating breakwater for the eastern pier. "
           "Engineers expect the structure to calm winter swells by half.")
DOCS = [Document("=HYPERLINK(evil).txt", f"Local bakers compete every autumn for the golden loaf trophy. {PASSAGE}"),
        Document("b|pipe.txt", f"{PASSAGE}\n\nRead more: Harbour news"),
        Document("c.txt", "Chess prodigies gathered in the old library for a blitz tournament.")]


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return build_report(DOCS)


def test_json_is_valid_under_the_schema_and_points_at_the_passage(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(report_to_json(report)))
    jsonschema.validate(data, report_schema(), format_checker=jsonschema.FormatChecker())
    assert set(data) >= {"documents", "pairs", "families"}
    [pair] = data["pairs"]
    [passage] = pair["passages"]
    start, end = passage["a"]
    assert DOCS[pair["a"]].text[start:end] == PASSAGE
    assert data["documents"][1]["boilerplate"] and data["families"][0]["spread"] == 2


def test_schema_rejects_a_malformed_report(report) -> None:  # type: ignore[no-untyped-def]
    data = report_to_json(report)
    data["pairs"][0]["passages"][0]["kind"] = "copied"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


def test_csv_parses_and_neutralises_formulas(report) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(report_to_csv(report))))
    assert len(rows) == 1
    assert rows[0]["a_name"] == "'=HYPERLINK(evil).txt" and rows[0]["b_name"] == "b|pipe.txt"
    assert DOCS[0].text[int(rows[0]["a_start"]):int(rows[0]["a_end"])] == PASSAGE
    assert [safe_cell(v) for v in ("+1", "-1", "@x", "\tx", "\rx", "ok")] == ["'+1", "'-1", "'@x", "'\tx", "'\rx", "ok"]


def test_markdown_has_one_table_row_per_document_and_pair(report) -> None:  # type: ignore[no-untyped-def]
    text = report_to_markdown(report)
    assert "| 1 | b\\|pipe.txt |" in text  # a pipe in a name does not break the table
    document_rows = [line for line in text.split("## Pairs")[0].splitlines() if line.startswith("| ") and
                     line[2].isdigit()]
    assert len(document_rows) == 3
    assert "| 0 | 2 |" in text.split("## Families")[1]  # family 0, spread 2


def write_corpus(folder: Path) -> None:
    for doc in DOCS:
        (folder / doc.name.replace("|", "_").replace("=", "")).write_text(doc.text, encoding="utf-8")
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not a supported extension: skipped in folders


def test_cli_reports_a_folder_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_corpus(tmp_path)
    assert main(["report", str(tmp_path), "--format", "json", "--progress", "never"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, report_schema())
    assert [d["name"] for d in data["documents"]] == sorted(d["name"] for d in data["documents"])
    assert len(data["documents"]) == 3 and len(data["pairs"]) == 1


def test_cli_shows_progress_on_stderr_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_corpus(tmp_path)
    assert main(["report", str(tmp_path), "--format", "csv", "--progress", "always"]) == 0
    captured = capsys.readouterr()
    assert "report" in captured.err and "6/6" in captured.err
    assert captured.out.startswith("a,a_name,b,b_name")


@pytest.mark.parametrize("make, message", [
    (lambda p: [str(p / "missing.txt")], "cannot read file"),
    (lambda p: [str(p)], "no documents found"),
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             make, message: str) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", *make(tmp_path), "--progress", "never"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.skipif(importlib.util.find_spec("compare.report_html") is None, reason="compare.report_html absent")
def test_cli_html_is_one_self_contained_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_corpus(tmp_path)
    assert main(["report", str(tmp_path), "--format", "html", "--progress", "never"]) == 0
    page = capsys.readouterr().out
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page and "<script src" not in page
