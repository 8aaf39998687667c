"""Renderers of engine results: the alignment JSON and terminal text (N-way statements: ``render_variants``).

Each is a plain function on a result; the algorithm never formats.  The
alignment JSON is the contract with programs (and the evaluation kit): a
top-level ``pairs`` list whose items carry half-open ``a``/``b`` offset
spans into the original texts.
"""

from __future__ import annotations

from typing import Any

from compare.model import Comparison, DiffOp, OpTag, Segmentation, SegmentRole, Span

JSON_VERSION = 1

_ANSI = {"del": "\x1b[9;38;5;166m", "ins": "\x1b[4;38;5;33m", "dim": "\x1b[2m", "bold": "\x1b[1m", "off": "\x1b[0m"}


def _span(span: Span) -> list[int]:
    return [span.start, span.end]


def _op(op: DiffOp) -> dict[str, Any]:
    return {"op": op.tag.value, "a": _span(op.a), "b": _span(op.b)}


def _document(seg: Segmentation) -> dict[str, Any]:
    return {
        "name": seg.document.name,
        "length": len(seg.document.text),
        "segments": len(seg.segments),
        "boilerplate": [_span(s.span) for s in seg.segments if s.role is SegmentRole.BOILERPLATE],
    }


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """Return the alignment JSON of a comparison (a dict ready for ``json.dumps``)."""
    kinds: dict[str, int] = {}
    for pair in comparison.pairs:
        kinds[pair.kind.value] = kinds.get(pair.kind.value, 0) + 1
    return {
        "version": JSON_VERSION,
        "a": _document(comparison.a),
        "b": _document(comparison.b),
        "pairs": [
            {
                "a": _span(p.a),
                "b": _span(p.b),
                "kind": p.kind.value,
                "score": p.score,
                "moved": p.moved,
                "edits": p.edits,
                "ops": [_op(op) for op in p.ops],
            }
            for p in comparison.pairs
        ],
        "passages": [
            {"a": _span(p.a), "b": _span(p.b), "pairs": list(p.pairs), "moved": p.moved, "score": p.score}
            for p in comparison.passages
        ],
        "a_only": [_span(comparison.a.segments[i].span) for i in comparison.a_only],
        "b_only": [_span(comparison.b.segments[j].span) for j in comparison.b_only],
        "summary": {
            "shared_a": round(comparison.shared_share("a"), 4),
            "shared_b": round(comparison.shared_share("b"), 4),
            "kinds": kinds,
            "edits": comparison.edits,
            "edited_pairs": sum(p.edits > 0 for p in comparison.pairs),
            "moved": sum(p.moved for p in comparison.pairs),
            "a_only": len(comparison.a_only),
            "b_only": len(comparison.b_only),
            "passages": len(comparison.passages),
        },
        "degraded": comparison.degraded,
        "notes": list(comparison.notes),
    }


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_ANSI[style]}{text}{_ANSI['off']}" if color and text else text


def _diff_line(ops: tuple[DiffOp, ...], text_a: str, text_b: str, color: bool) -> str:
    """Render one pair's word diff inline: deletions ``[-…-]``, insertions ``{+…+}`` (or colours)."""
    out = []
    for op in ops:
        old, new = op.a.slice(text_a), op.b.slice(text_b)
        if op.tag is OpTag.EQUAL:
            out.append(old)
            continue
        if old:
            out.append(_paint(old, "del", color) if color else f"[-{old}-]")
        if new:
            out.append(_paint(new, "ins", color) if color else f"{{+{new}+}}")
    return " ".join("".join(out).split())


def comparison_to_text(comparison: Comparison, color: bool = False) -> str:
    """Return the aligned pairs as readable text, differences marked inline."""
    text_a, text_b = comparison.a.document.text, comparison.b.document.text
    name_a, name_b = comparison.a.document.name, comparison.b.document.name
    edits = comparison.edits
    lines = [
        _paint(f"A: {name_a}  ({comparison.shared_share('a'):.0%} shared)", "bold", color),
        _paint(f"B: {name_b}  ({comparison.shared_share('b'):.0%} shared)", "bold", color),
        f"{edits} edit{'s' if edits != 1 else ''} in {sum(p.edits > 0 for p in comparison.pairs)} of "
        f"{len(comparison.pairs)} pairs; {len(comparison.a_only)} segments only in A, "
        f"{len(comparison.b_only)} only in B",
        "",
    ]
    for p in comparison.pairs:
        moved = " moved" if p.moved else ""
        edited = f", {p.edits} edit{'s' if p.edits != 1 else ''}" if p.edits else ""
        lines.append(_paint(f"A[{p.a.start}:{p.a.end}] ~ B[{p.b.start}:{p.b.end}]  {p.kind.value}{moved}"
                            f" {p.score:.2f}{edited}", "dim", color))
        lines.append("  " + _diff_line(p.ops, text_a, text_b, color))
    for side, seg, only in (("A", comparison.a, comparison.a_only), ("B", comparison.b, comparison.b_only)):
        for i in only:
            span = seg.segments[i].span
            snippet = " ".join(span.slice(seg.document.text).split())
            lines.append(_paint(f"only in {side} [{span.start}:{span.end}]", "dim", color) + f"  {snippet}")
    if comparison.degraded:
        lines.append("note: " + "; ".join(comparison.notes))
    return "\n".join(lines) + "\n"
