"""The duplication report as one self-contained HTML file, and its heatmap as inline SVG.

The file needs nothing from outside: the stylesheet is inline (allowed by a
hash in the page's own Content-Security-Policy), the heatmap is SVG drawn
here, and there is no script at all, so it opens offline from ``file://``.
Every name and text from a document goes through ``html.escape``; the engine
imports no template library (see ``tests/web/test_web_layers.py``).

The heatmap reads row → column: the cell in row *r*, column *c* is the share
of document *r*'s counted characters also found in document *c*
(``PairReport.a_share`` when *r* is the pair's ``a``, ``b_share`` otherwise).
Shades run from pale to dark blue with the value printed in the cell, so they
never carry the figure by colour alone.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from html import escape

from compare.model import Document, PairReport, PassageMember, Report, Span
from compare.render_report import HOW_SHARES_ARE_COUNTED

# Shades of the heatmap: share 0 is ``LIGHT``, share 1 is ``DARK``; a cell's value is printed in black or
# white, whichever stands out more from its shade (never below 4.5:1: the worst shade gives 4.6:1).
LIGHT = (0xF4, 0xF6, 0xFB)
DARK = (0x17, 0x34, 0x82)
EMPTY_FILL = "#ffffff"  # a pair that shares nothing
SELF_FILL = "#e4e7ee"  # the diagonal
GRID_LINE = "#c9cfdb"

CELL_MAX = 52  # pixels per cell for a few documents ...
CELL_MIN = 14  # ... shrinking to this for many
CELL_VALUES_FROM = 22  # cells at least this wide print their percentage
MATRIX_PIXELS = 720  # the matrix aims at about this width
LABEL_CHARS = 30  # labels are cut to this many characters (the full name is in the tooltip)
CHAR_PIXELS = 8  # the width of a label's character (13 px type), for the room labels take
SLANT = 0.7071  # column labels slant at 45 degrees: sin 45°
HEATMAP_MAX_DOCUMENTS = 60  # beyond this, the heatmap shows the most reused documents only

EXCERPT_CHARS = 320  # passages and family members are shown up to this length
MAX_PAIRS = 500  # rows of the pairs table in the exported file
MAX_PASSAGES = 20  # passages listed under each pair
MAX_FAMILIES = 200  # families listed in the exported file

ShareLink = Callable[[int, int], str | None]


def share(report: Report, row: int, column: int) -> float:
    """Return the share of document ``row`` found in document ``column`` (0 when they share nothing)."""
    pair = pair_of(report, row, column)
    if pair is None:
        return 0.0
    return pair.a_share if pair.a == row else pair.b_share


def pair_of(report: Report, x: int, y: int) -> PairReport | None:
    """Return the report of documents ``x`` and ``y`` (in either order), or None if they share nothing."""
    a, b = min(x, y), max(x, y)
    for pair in report.pairs:
        if (pair.a, pair.b) == (a, b):
            return pair
    return None


def shade(value: float) -> str:
    """Return the heatmap colour of a share in [0, 1] as ``#rrggbb``.

    >>> shade(0.0), shade(1.0)
    ('#f4f6fb', '#173482')
    """
    value = min(1.0, max(0.0, value))
    return "#" + "".join(f"{round(low + (high - low) * value):02x}" for low, high in zip(LIGHT, DARK, strict=True))


def percent(value: float) -> str:
    """Format a share as a whole percentage; a share above 0 never shows as 0.

    >>> percent(0.426), percent(0.001), percent(0.0)
    ('43%', '<1%', '0%')
    """
    if 0 < value < 0.005:
        return "<1%"
    return f"{value * 100:.0f}%"


def _luminance(colour: str) -> float:
    """Return the relative luminance (WCAG 2) of a ``#rrggbb`` colour."""
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink_on(fill: str) -> str:
    """Return black or white, whichever contrasts more with ``fill`` (WCAG contrast ratio).

    >>> ink_on("#f4f6fb"), ink_on("#173482")
    ('#000000', '#ffffff')
    """
    luminance = _luminance(fill)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def heatmap_documents(report: Report, limit: int = HEATMAP_MAX_DOCUMENTS) -> list[int]:
    """Return the documents the heatmap shows, in report order: all, or the ``limit`` most reused."""
    if len(report.documents) <= limit:
        return list(range(len(report.documents)))
    ranked = sorted(report.documents, key=lambda d: (-d.reused_share, d.index))[:limit]
    return sorted(d.index for d in ranked)


def _shorten(name: str, limit: int = LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def heatmap_svg(report: Report, *, link: ShareLink | None = None, limit: int = HEATMAP_MAX_DOCUMENTS) -> str:
    """Return the documents × documents matrix as an SVG element (a string of escaped markup).

    ``link(row, column)`` may return a URL for a cell (the side-by-side
    comparison); cells without one are not links.  Each cell carries a
    ``<title>`` naming both documents and the share, and the whole figure an
    ``aria-label``; the numbers are also in the report's tables.
    """
    shown = heatmap_documents(report, limit)
    count = len(shown)
    cell = max(CELL_MIN, min(CELL_MAX, MATRIX_PIXELS // max(count, 1)))
    names = [report.documents[i].name for i in shown]
    longest = max((len(_shorten(n)) for n in names), default=4)
    label_width = 8 + CHAR_PIXELS * longest
    top = 12 + round(SLANT * CHAR_PIXELS * longest)  # room for the slanted column labels
    width = label_width + count * cell + 2 + round(SLANT * CHAR_PIXELS * longest)
    height = top + count * cell + 2
    font = max(9, min(13, cell // 3))
    out = [
        f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" font-family="system-ui, sans-serif"'
        f' aria-label="Share of each row document found in each column document, {count} documents">'
    ]
    for position, index in enumerate(shown):  # names on top (slanted) and on the left
        full = escape(report.documents[index].name)
        x, y = label_width + position * cell + cell / 2, top - 6
        out.append(f'<text class="col-label" x="{x:.1f}" y="{y}" transform="rotate(-45 {x:.1f} {y})"'
                   f' font-size="{max(font, 11)}" fill="currentColor"><title>{full}</title>'
                   f"{escape(_shorten(names[position]))}</text>")
        y_row = top + position * cell + cell / 2 + font / 3
        out.append(f'<text class="row-label" x="4" y="{y_row:.1f}" font-size="{max(font, 11)}" fill="currentColor">'
                   f"<title>{full}</title>{escape(_shorten(names[position]))}</text>")
    for r, row in enumerate(shown):
        for c, column in enumerate(shown):
            x, y = label_width + c * cell, top + r * cell
            row_name, column_name = escape(names[r]), escape(names[c])
            if row == column:
                dash = (f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + font / 3:.1f}" text-anchor="middle"'
                        f' font-size="{font}" fill="{ink_on(SELF_FILL)}">—</text>' if cell >= CELL_VALUES_FROM else "")
                out.append(f'<g class="self"><rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{SELF_FILL}"'
                           f' stroke="{GRID_LINE}"/>{dash}<title>{row_name} (itself)</title></g>')
                continue
            value = share(report, row, column)
            fill = shade(value) if value > 0 else EMPTY_FILL
            ink = ink_on(fill)
            title = f"{escape(percent(value))} of {row_name} is found in {column_name}"
            label = (f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + font / 3:.1f}" text-anchor="middle"'
                     f' font-size="{font}" fill="{ink}">{percent(value)[:-1]}</text>'
                     if cell >= CELL_VALUES_FROM and value > 0 else "")
            shape = (f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="{GRID_LINE}"/>'
                     f"{label}<title>{title}</title>")
            href = link(row, column) if link and value > 0 else None
            if href:
                out.append(f'<a class="cell" href="{escape(href)}" aria-label="{title}">{shape}</a>')
            else:
                out.append(f'<g class="cell">{shape}</g>')
    out.append("</svg>")
    return "".join(out)


def heatmap_legend_svg() -> str:
    """Return the heatmap's legend: the shade scale from 0% to 100%, with ticks."""
    width, bar = 260, 220
    stops = "".join(f'<stop offset="{t / 4:.2f}" stop-color="{shade(t / 4)}"/>' for t in range(5))
    ticks = "".join(
        f'<text x="{10 + bar * t / 4:.0f}" y="36" text-anchor="middle" font-size="11" fill="currentColor">{25 * t}%'
        f'</text><line x1="{10 + bar * t / 4:.0f}" x2="{10 + bar * t / 4:.0f}" y1="20" y2="25" stroke="currentColor"/>'
        for t in range(5)
    )
    return (
        f'<svg class="heatmap-legend" xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"'
        f' viewBox="0 0 {width} 40" role="img" font-family="system-ui, sans-serif"'
        ' aria-label="Shade scale: pale is little shared, dark blue is all shared">'
        f'<defs><linearGradient id="heatmap-scale">{stops}</linearGradient></defs>'
        f'<rect x="10" y="4" width="{bar}" height="16" fill="url(#heatmap-scale)" stroke="{GRID_LINE}"/>'
        f"{ticks}</svg>"
    )


def excerpt(text: str, span: Span, limit: int = EXCERPT_CHARS, leave_out: Sequence[Span] = ()) -> str:
    """Return a span's text with whitespace collapsed, cut to ``limit`` characters (not escaped).

    The sorted spans ``leave_out`` (page noise) are left out of it.

    >>> excerpt("The  cat\\nsat on the mat.", Span(0, 24), 12)
    'The cat sat…'
    >>> excerpt("Title\\n\\nPage 2 of 9\\n\\nBody text.", Span(0, 30), leave_out=[Span(7, 18)])
    'Title Body text.'
    """
    parts, cursor = [], span.start
    for noise in leave_out:
        if noise.end <= cursor or noise.start >= span.end:
            continue
        parts.append(text[cursor : max(cursor, noise.start)])
        cursor = max(cursor, noise.end)
    parts.append(text[cursor : span.end])
    flat = " ".join(" ".join(parts).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


STYLE = """
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;
color:#1c2230;background:#f7f6f2}
main{max-width:1200px;margin:0 auto;padding:1.5rem clamp(.5rem,3vw,2rem) 3rem}
h1{font-size:1.5rem;margin:.2rem 0 .5rem}h2{font-size:1.15rem;margin:1.5rem 0 .6rem}
.meta,.note{color:#5a6372}
section{background:#fff;border:1px solid #d8dce4;border-radius:6px;padding:1rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d8dce4;vertical-align:top}
th{font-size:.85rem;color:#5a6372;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.name{overflow-wrap:break-word;min-width:13rem}
.excerpt{font-family:Charter,"Bitstream Charter","Noto Serif","DejaVu Serif",Georgia,serif;overflow-wrap:anywhere}
.offsets{color:#5a6372;font-size:.85rem;white-space:nowrap}
.family{border-top:1px solid #d8dce4;padding:.6rem 0}
.family h3{font-size:1rem;margin:0 0 .3rem}
.family ol{margin:0;padding-left:1.2rem}
details summary{cursor:pointer;color:#2b4c9b}
.heatmap text{font-variant-numeric:tabular-nums}
"""


def _policy(style: str) -> str:
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"


def report_to_html(report: Report, documents: Sequence[Document]) -> str:
    """Return the report as one self-contained HTML page: heatmap, documents, pairs and families.

    ``documents`` are the report's documents in the same order (their texts
    give the excerpts).  The page has inline CSS, inline SVG and no script.

    >>> from compare.model import DocumentReport
    >>> docs = [Document("<a>", "x"), Document("b", "y")]
    >>> empty = Report(tuple(DocumentReport(i, d.name, 1, 1, 0, 0.0, (), (), ()) for i, d in enumerate(docs)), (), ())
    >>> page = report_to_html(empty, docs)
    >>> "&lt;a&gt;" in page and "<script" not in page
    True
    """
    if len(documents) != len(report.documents):
        raise ValueError(f"the report covers {len(report.documents)} documents but {len(documents)} were given")
    names = [d.name for d in report.documents]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(STYLE)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Duplication report · {len(names)} documents · compare</title>",
        f"<style>{STYLE}</style></head><body><main>",
        "<h1>Duplication report</h1>",
        f'<p class="meta">{len(names)} documents · {len(report.pairs)} pairs share text · '
        f"{len(report.families)} passage families.</p>",
        '<details class="explained"><summary>How these numbers are counted</summary>'
        + "".join(f"<p>{escape(line)}</p>" for line in HOW_SHARES_ARE_COUNTED) + "</details>",
    ]
    if report.degraded or report.notes:
        notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
        degraded = "<li>The report took shortcuts to finish in time; some reuse may be missing.</li>"
        parts.append(f'<ul class="note">{degraded if report.degraded else ""}{notes}</ul>')
    shown = heatmap_documents(report)
    cut = (f'<p class="note">The matrix shows the {len(shown)} most reused of {len(names)} documents.</p>'
           if len(shown) < len(names) else "")
    parts += [
        '<section aria-labelledby="heatmap-title"><h2 id="heatmap-title">Who reuses whom</h2>',
        '<p class="note">Row document’s share found in the column document (hover a cell for names).</p>',
        cut, heatmap_svg(report), heatmap_legend_svg(), "</section>",
        _documents_table(report, names), _pairs_table(report, documents, names),
        _families(report, documents, names), "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _documents_table(report: Report, names: list[str]) -> str:
    rows = []
    for document in sorted(report.documents, key=lambda d: (-d.reused_share, d.index)):
        partners = ", ".join(escape(names[p]) for p in document.partners) or "—"
        noise = sum(len(span) for span in document.boilerplate)
        rows.append(
            f'<tr><td class="name">{escape(document.name)}</td>'
            f'<td class="num">{percent(document.reused_share)}</td><td class="num">{document.reused_chars:,}</td>'
            f'<td class="num">{document.counted_chars:,}</td><td class="num">{noise:,}</td><td>{partners}</td></tr>'
        )
    return (
        '<section aria-labelledby="documents-title"><h2 id="documents-title">Documents</h2><table>'
        '<thead><tr><th>Document</th><th class="num">Reused</th>'
        '<th class="num">Reused chars</th><th class="num">Counted chars</th><th class="num">Page noise chars</th>'
        "<th>Shares text with</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def _pairs_table(report: Report, documents: Sequence[Document], names: list[str]) -> str:
    ranked = sorted(report.pairs, key=lambda p: (-max(p.a_share, p.b_share), p.a, p.b))
    rows = []
    for pair in ranked[:MAX_PAIRS]:
        a_text, noise_a = documents[pair.a].text, report.documents[pair.a].boilerplate
        passages = "".join(
            f'<li><span class="offsets">{passage.kind.value} {passage.score:.2f} · '
            f"A [{passage.a.start}:{passage.a.end}] · B [{passage.b.start}:{passage.b.end}]</span><br>"
            f'<span class="excerpt">{escape(excerpt(a_text, passage.a, leave_out=noise_a))}</span></li>'
            for passage in pair.passages[:MAX_PASSAGES]
        )
        more = (f'<li class="note">… and {len(pair.passages) - MAX_PASSAGES} more</li>'
                if len(pair.passages) > MAX_PASSAGES else "")
        rows.append(
            f'<tr><td class="name">{escape(names[pair.a])}</td><td class="name">{escape(names[pair.b])}</td>'
            f'<td class="num">{percent(pair.a_share)}</td><td class="num">{percent(pair.b_share)}</td>'
            f'<td class="num">{len(pair.passages)}</td>'
            f"<td><details><summary>passages</summary><ol>{passages}{more}</ol></details></td></tr>"
        )
    cut = (f'<p class="note">The {MAX_PAIRS} pairs sharing the most of {len(ranked)} are listed.</p>'
           if len(ranked) > MAX_PAIRS else "")
    body = "".join(rows) or '<tr><td colspan="6" class="note">No two documents share text.</td></tr>'
    return (
        '<section aria-labelledby="pairs-title"><h2 id="pairs-title">Pairs</h2>' + cut + "<table>"
        '<thead><tr><th>A</th><th>B</th><th class="num">A found in B</th><th class="num">B found in A</th>'
        '<th class="num">Passages</th><th>Shared passages (text of A)</th></tr></thead><tbody>'
        + body + "</tbody></table></section>"
    )


def _families(report: Report, documents: Sequence[Document], names: list[str]) -> str:
    blocks = []
    def member(m: PassageMember) -> str:
        text = excerpt(documents[m.document].text, m.span, leave_out=report.documents[m.document].boilerplate)
        return (f'<li><strong>{escape(names[m.document])}</strong> <span class="offsets">[{m.span.start}:'
                f'{m.span.end}]</span><br><span class="excerpt">{escape(text)}</span></li>')

    for number, family in enumerate(report.families[:MAX_FAMILIES], 1):
        members = "".join(member(m) for m in family.members)
        blocks.append(
            f'<div class="family"><h3>Family {number} · in {family.spread} documents · {family.size:,} characters'
            f" · similarity {family.score:.2f}</h3><ol>{members}</ol></div>"
        )
    cut = (f'<p class="note">The first {MAX_FAMILIES} of {len(report.families)} families are listed.</p>'
           if len(report.families) > MAX_FAMILIES else "")
    body = "".join(blocks) or '<p class="note">No passage appears in two documents.</p>'
    return ('<section aria-labelledby="families-title"><h2 id="families-title">Passage families</h2>'
            '<p class="note">Passages found in two or more documents, most widespread and longest first.</p>'
            + cut + body + "</section>")
