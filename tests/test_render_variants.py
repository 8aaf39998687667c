"""Exports of N-way statements: the variant table as CSV, and TEI parallel segmentation checked by parsing it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from lxml import etree

from compare import Document, FamilySet, families_to_csv, families_to_json, families_to_tei, find_families

TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

DOCUMENTS = [
    Document("kjv.txt", "And Ruth said, Entreat me not to leave thee. Thy people shall be my people."),
    Document("web.txt", "Ruth said, Don't entreat me to leave you. Your people shall be my people. Amen."),
    Document("=cmd|' /C calc'!A0", "And Ruth said, Entreat me not to leave thee. Thy people shall be my people."),
]


def parsed(result: FamilySet) -> etree._Element:
    return etree.fromstring(families_to_tei(result).encode("utf-8"), etree.XMLParser(resolve_entities=False))


def test_tei_declares_every_witness_and_each_app_names_each_witness_once() -> None:
    result = find_families(DOCUMENTS)
    root = parsed(result)
    assert root.tag == f"{TEI}TEI"
    witnesses = root.findall(f".//{TEI}listWit/{TEI}witness")
    assert [(w.get(XML_ID), w.text) for w in witnesses] == [(f"w{i}", d.name) for i, d in enumerate(DOCUMENTS, 1)]
    assert root.find(f".//{TEI}variantEncoding").get("method") == "parallel-segmentation"  # type: ignore[union-attr]
    apps = root.findall(f".//{TEI}body//{TEI}app")
    assert len(apps) == len(result.statements)
    for app in apps:
        named = [w for rdg in app.findall(f"{TEI}rdg") for w in rdg.get("wit", "").split()]
        assert sorted(named) == sorted(f"#w{i}" for i in range(1, len(DOCUMENTS) + 1))


def test_tei_readings_rebuild_each_witness_in_order_and_group_identical_wording() -> None:
    result = find_families(DOCUMENTS)
    texts = [d.text for d in DOCUMENTS]
    rebuilt: dict[str, list[str]] = {f"#w{i}": [] for i in range(1, len(DOCUMENTS) + 1)}
    for app in parsed(result).findall(f".//{TEI}app"):
        for rdg in app.findall(f"{TEI}rdg"):
            for witness in rdg.get("wit", "").split():
                if rdg.text:
                    rebuilt[witness].append(rdg.text)
    for index, text in enumerate(texts, 1):
        assert " ".join(rebuilt[f"#w{index}"]) == " ".join(text.split())
    first = parsed(result).find(f".//{TEI}app")
    assert first is not None and first.find(f"{TEI}rdg").get("wit") == "#w1 #w3"  # type: ignore[union-attr]


def test_tei_escapes_markup_and_replaces_characters_xml_cannot_hold() -> None:
    hostile = [Document("<b>&name", "A <script>alert(1)</script> & more\x0b here. Second one."),
               Document("plain", "A <script>alert(1)</script> & more here. Second one.")]
    root = parsed(find_families(hostile))
    assert root.find(f".//{TEI}witness").text == "<b>&name"  # type: ignore[union-attr]
    readings = [r.text for r in root.iter(f"{TEI}rdg") if r.text]
    assert any("<script>alert(1)</script> & more" in r for r in readings)
    assert not root.findall(f".//{TEI}script")


def test_csv_has_a_column_per_document_and_guards_formulas() -> None:
    result = find_families(DOCUMENTS)
    rows = list(csv.reader(io.StringIO(families_to_csv(result))))
    assert rows[0][:3] == ["statement", "divergence", "similarity"]
    assert rows[0][3:] == ["kjv.txt", "web.txt", "'=cmd|' /C calc'!A0"]
    assert len(rows) == 1 + len(result.families)
    assert rows[1][3] == rows[1][5] == "And Ruth said, Entreat me not to leave thee."
    assert all(len(row) == 3 + len(DOCUMENTS) for row in rows)
    shown = list(csv.reader(io.StringIO(families_to_csv(result, min_divergence=0.01))))
    assert 1 < len(shown) <= len(rows) and all(float(row[1]) >= 0.01 for row in shown[1:])


def test_json_filter_keeps_statement_numbers() -> None:
    result = find_families(DOCUMENTS)
    everything = families_to_json(result)["families"]
    differing = families_to_json(result, min_divergence=0.3)["families"]
    assert {f["statement"] for f in differing} < {f["statement"] for f in everything}
    assert all(f["divergence"] >= 0.3 for f in differing)


def test_cli_writes_tei_and_csv(tmp_path: Path) -> None:
    files = [str(SEEDS / n) for n in ("000_4b4d1cb7ea2a3886.txt", "002_3a6851b46bc49101.txt")]
    tei = subprocess.run([sys.executable, "-m", "compare", "families", *files, "--format", "tei"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert etree.fromstring(tei.encode()).findall(f".//{TEI}app")
    table = subprocess.run([sys.executable, "-m", "compare", "families", *files, "--format", "csv"],
                           capture_output=True, text=True, timeout=120, check=True).stdout
    assert next(csv.reader(io.StringIO(table)))[3:] == [Path(f).name for f in files]
    data = json.loads(subprocess.run([sys.executable, "-m", "compare", "families", *files, "--format", "json",
                                      "--pivot", "1"], capture_output=True, text=True, timeout=120,
                                     check=True).stdout)
    assert data["pivot"] == 1
