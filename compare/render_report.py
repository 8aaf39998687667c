"""Renderers of a corpus report: JSON (the documented contract), CSV and Markdown.

Pure functions on a ``Report``; the HTML page is ``compare.report_html``.  The
JSON follows ``compare/report.schema.json`` (shipped with the package; see
``report_schema()``), with half-open ``[start, end)`` character offsets for
every span.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib import resources
from typing import Any

from compare.model import Report, Span
from compare.stock import STOCK_DOCUMENTS

REPORT_JSON_VERSION = 1
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def _span(span: Span) -> list[int]:
    return [span.start, span.end]


def report_to_json(report: Report) -> dict[str, Any]:
    """Return the report JSON (a dict ready for ``json.dumps``), valid under ``report_schema()``."""
    return {
        "version": REPORT_JSON_VERSION,
        "documents": [
            {"index": d.index, "name": d.name, "chars": d.chars, "counted_chars": d.counted_chars,
             "reused_chars": d.reused_chars, "reused_share": d.reused_share,
             "reused": [_span(s) for s in d.reused], "boilerplate": [_span(s) for s in d.boilerplate],
             "partners": list(d.partners)}
            for d in report.documents
        ],
        "pairs": [
            {"a": p.a, "b": p.b, "a_share": p.a_share, "b_share": p.b_share,
             "passages": [{"a": _span(x.a), "b": _span(x.b), "kind": x.kind.value, "score": x.score,
                           "family": x.family} for x in p.passages]}
            for p in report.pairs
        ],
        "families": [
            {"index": n, "spread": f.spread, "size": f.size, "score": f.score,
             "members": [{"document": m.document, "span": _span(m.span)} for m in f.members]}
            for n, f in enumerate(report.families)
        ],
        "degraded": report.degraded,
        "notes": list(report.notes),
    }


@cache
def report_schema() -> dict[str, Any]:
    """Return the JSON Schema of the report JSON."""
    text = resources.files("compare").joinpath("report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


HOW_SHARES_ARE_COUNTED = (
    "A share counts characters of text: the share of A in B is the part of A's sentences (text segments) that "
    "lies in the passages A shares with B. Page noise (navigation, credits, datelines, pagination) is left out "
    "of every figure and listed per document; the spaces between sentences are not counted either.",
    "Each pair's passages are those of the compare view of the two documents, with the same options: its "
    "figure is the compare view's 'shared' figure for them. A document's 'reused' share counts the part of "
    "its text shared with any other document of the report.",
    f"One exception: a passage of a clause or less whose shared wording is only stock phrases of the corpus "
    f"(runs of three words that more than {STOCK_DOCUMENTS} of its documents hold, such as a formula every report "
    f"repeats) is not counted; the notes say how many were left out, and the compare view still shows them.",
    "A compare view opened with other options (another similarity threshold, paragraphs instead of sentences) "
    "pairs other passages, so its figure differs. Adding documents unrelated to two documents changes neither "
    "their passages nor their shares.",
    "A family is one statement and its renderings: the sentences (or the few sentences rendering one) that the "
    "compare view pairs with each other across documents. A passage holding only a part of another (a partial "
    "pair) counts in the shares but joins no family.",
)


def safe_cell(value: object) -> object:
    """Return a CSV cell that a spreadsheet will not run as a formula (text starting ``= + - @`` gets a ``'``).

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("a.txt"), safe_cell(0.5)
    ("'=HYPERLINK(1)", 'a.txt', 0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


CSV_COLUMNS = ("a", "a_name", "b", "b_name", "a_share", "b_share", "a_start", "a_end", "b_start", "b_end",
               "kind", "score", "family")


def report_to_csv(report: Report) -> str:
    """Return the report as CSV: one row per shared passage, with its pair's shares in both directions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    names = [d.name for d in report.documents]
    for pair in report.pairs:
        for p in pair.passages:
            row = (pair.a, names[pair.a], pair.b, names[pair.b], pair.a_share, pair.b_share,
                   p.a.start, p.a.end, p.b.start, p.b.end, p.kind.value, p.score,
                   "" if p.family is None else p.family)
            writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _md(text: str) -> str:
    """Escape a value for a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _percent(share: float) -> str:
    return f"{share:.1%}"


def report_to_markdown(report: Report) -> str:
    """Return the report as Markdown: documents, document pairs and passage families, one table each."""
    names = [_md(d.name) for d in report.documents]
    lines = ["# Duplication report", "",
             f"{len(report.documents)} documents, {len(report.pairs)} pairs sharing text, "
             f"{len(report.families)} passage families.", "", *(f"{line}\n" for line in HOW_SHARES_ARE_COUNTED)]
    lines += ["## Documents", "",
              "| # | document | counted chars | reused chars | reused | boilerplate spans | shares with |",
              "|---:|---|---:|---:|---:|---:|---|"]
    for d in report.documents:
        partners = ", ".join(names[p] for p in d.partners) or "—"
        lines.append(f"| {d.index} | {names[d.index]} | {d.counted_chars} | {d.reused_chars} | "
                     f"{_percent(d.reused_share)} | {len(d.boilerplate)} | {partners} |")
    lines += ["", "## Pairs", "", "| A | B | share of A in B | share of B in A | passages (kinds) |",
              "|---|---|---:|---:|---|"]
    for p in report.pairs:
        kinds: dict[str, int] = {}
        for x in p.passages:
            kinds[x.kind.value] = kinds.get(x.kind.value, 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        lines.append(f"| {names[p.a]} | {names[p.b]} | {_percent(p.a_share)} | {_percent(p.b_share)} | {summary} |")
    lines += ["", "## Families", "", "| # | documents | longest (chars) | score | copies (document [start, end)) |",
              "|---:|---:|---:|---:|---|"]
    for n, f in enumerate(report.families):
        members = "; ".join(f"{names[m.document]} [{m.span.start}, {m.span.end})" for m in f.members)
        lines.append(f"| {n} | {f.spread} | {f.size} | {f.score:.2f} | {members} |")
    if report.notes:
        lines += ["", *(f"> {_md(note)}" for note in report.notes)]
    return "\n".join(lines) + "\n"
