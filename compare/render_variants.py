"""Renderers of N-way statements (``compare.find_families``): JSON, terminal text, CSV and TEI.

Each is a plain function on a ``FamilySet``.  The JSON is the contract with
programs (and the evaluation kit): ``families[].renderings[]`` with
``document`` (index into ``documents``) and half-open ``span`` offsets.  The
CSV is the variant table for a spreadsheet, one row per family and one
column per document.  The TEI is *parallel segmentation* (TEI P5, chapter
12), the form collation tools exchange: every statement is an ``<app>``, each
distinct wording a ``<rdg>`` naming its witnesses, an empty ``<rdg>`` for the
witnesses that lack the statement.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from compare.model import FamilySet, Span
from compare.normalize import fold
from compare.render_report import safe_cell
from compare.variants import FamilyVariants, RenderingVariants, find_variants

JSON_VERSION = 1
TEI_NAMESPACE = "http://www.tei-c.org/ns/1.0"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ANSI = {"ins": "\x1b[4;38;5;33m", "bold": "\x1b[1m", "off": "\x1b[0m"}


def _span(span: Span) -> list[int]:
    return [span.start, span.end]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_safe(text: str) -> str:
    """Replace the characters XML 1.0 cannot hold (most control characters) by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _shown(result: FamilySet, min_divergence: float) -> list[tuple[int, FamilyVariants]]:
    """Return the families (with their statement numbers, from 1) whose divergence reaches the bar."""
    numbers = {id(s): n for n, s in enumerate(result.statements, 1)}
    return [(numbers[id(found.family)], found) for found in find_variants(result)
            if found.divergence >= min_divergence]


def families_to_json(result: FamilySet, *, min_divergence: float = 0.0) -> dict[str, Any]:
    """Return the families as JSON: documents, and each family's renderings with offsets and variant words.

    Each family carries its ``statement`` number (its place among all the
    statements of the alignment, from 1), its ``divergence`` (0 = same words,
    1 = nothing in common) and each rendering its ``variants``: the spans of
    its words that differ from most other renderings (``compare.variants``).
    """
    texts = [s.document.text for s in result.documents]
    return {
        "version": JSON_VERSION,
        "documents": [{"index": i, "name": s.document.name, "length": len(s.document.text)}
                      for i, s in enumerate(result.documents)],
        "pivot": result.pivot,
        "statements": len(result.statements),
        "families": [
            {
                "statement": number,
                "score": found.family.score,
                "divergence": found.divergence,
                "renderings": [
                    {"document": r.document, "span": _span(r.span), "text": r.span.slice(texts[r.document]),
                     "variants": [_span(v) for v in r.variants]}
                    for r in found.renderings
                ],
            }
            for number, found in _shown(result, min_divergence)
        ],
    }


def _marked(text: str, rendering: RenderingVariants, color: bool) -> str:
    """Return a rendering's text on one line, its variant words marked ``*…*`` (or underlined in colour)."""
    out, cursor = [], rendering.span.start
    for span in rendering.variants:
        out.append(text[cursor : span.start])
        word = span.slice(text)
        out.append(f"{_ANSI['ins']}{word}{_ANSI['off']}" if color else f"*{word}*")
        cursor = span.end
    out.append(text[cursor : rendering.span.end])
    return _one_line("".join(out))


def families_to_text(result: FamilySet, color: bool = False) -> str:
    """Return the families as text: one block per family, one line per rendering, variant words marked."""
    names = [s.document.name for s in result.documents]
    lines: list[str] = []
    for number, found in _shown(result, 0.0):
        head = f"statement {number}  (similarity {found.family.score:.2f}, divergence {found.divergence:.2f})"
        lines.append(f"{_ANSI['bold']}{head}{_ANSI['off']}" if color else head)
        for r in found.renderings:
            lines.append(f"  {names[r.document]}: {_marked(result.documents[r.document].document.text, r, color)}")
        lines.append("")
    return "\n".join(lines)


def families_to_csv(result: FamilySet, *, min_divergence: float = 0.0) -> str:
    """Return the variant table as CSV: a row per family, a column per document (empty where it lacks it).

    Cells that a spreadsheet would run as formulas get a leading ``'``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [s.document.name for s in result.documents]
    writer.writerow([safe_cell(cell) for cell in ("statement", "divergence", "similarity", *names)])
    texts = [s.document.text for s in result.documents]
    for number, found in _shown(result, min_divergence):
        by_document = {r.document: _one_line(r.span.slice(texts[r.document])) for r in found.renderings}
        row = (number, found.divergence, found.family.score, *(by_document.get(d, "") for d in range(len(names))))
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _tei(tag: str) -> str:
    return f"{{{TEI_NAMESPACE}}}{tag}"


def families_to_tei(result: FamilySet, *, title: str = "Variants") -> str:
    """Return every statement as TEI parallel segmentation: an ``<app>`` each, a ``<rdg>`` per distinct wording.

    Witnesses are ``w1`` … ``wN`` in document order, named in the header's
    ``<listWit>``; readings with the same words (up to case, quotes and
    spacing) share one ``<rdg>``; the witnesses lacking a statement share one
    empty ``<rdg>``.  Each witness's readings, in ``<app>`` order, are its
    statements in the order of the alignment.
    """
    ET.register_namespace("", TEI_NAMESPACE)
    root = ET.Element(_tei("TEI"))
    header = ET.SubElement(root, _tei("teiHeader"))
    description = ET.SubElement(header, _tei("fileDesc"))
    ET.SubElement(ET.SubElement(description, _tei("titleStmt")), _tei("title")).text = _xml_safe(title)
    ET.SubElement(ET.SubElement(description, _tei("publicationStmt")), _tei("p")).text = (
        "Aligned statement by statement by compare.")
    witnesses = ET.SubElement(ET.SubElement(description, _tei("sourceDesc")), _tei("listWit"))
    for index, segmentation in enumerate(result.documents, 1):
        witness = ET.SubElement(witnesses, _tei("witness"), {f"{{{XML_NAMESPACE}}}id": f"w{index}"})
        witness.text = _xml_safe(segmentation.document.name)
    encoding = ET.SubElement(header, _tei("encodingDesc"))
    ET.SubElement(encoding, _tei("variantEncoding"), {"method": "parallel-segmentation", "location": "internal"})
    block = ET.SubElement(ET.SubElement(ET.SubElement(root, _tei("text")), _tei("body")), _tei("ab"))
    texts = [s.document.text for s in result.documents]
    for number, statement in enumerate(result.statements, 1):
        app = ET.SubElement(block, _tei("app"), {"n": str(number)})
        groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for rendering in statement.renderings:
            text = _xml_safe(_one_line(rendering.span.slice(texts[rendering.document])))
            groups[fold(text)].append((rendering.document, text))
        for group in sorted(groups.values(), key=lambda g: (-len(g), g[0][0])):
            ET.SubElement(app, _tei("rdg"), {"wit": " ".join(f"#w{d + 1}" for d, _ in group)}).text = group[0][1]
        present = {r.document for r in statement.renderings}
        if absent := [d for d in range(len(texts)) if d not in present]:
            ET.SubElement(app, _tei("rdg"), {"wit": " ".join(f"#w{d + 1}" for d in absent)})
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

