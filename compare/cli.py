"""The command line: ``doccompare align A B`` and ``doccompare families FILE...`` (or ``python -m compare``).

Exit codes: 0 success, 2 bad usage or unreadable input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace

from compare.align import compare_documents
from compare.families import find_families
from compare.model import Granularity, Options
from compare.reading import read_document
from compare.render import comparison_to_json, comparison_to_text, families_to_json, families_to_text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _options(args: argparse.Namespace) -> Options:
    options = replace(Options(), granularity=Granularity(args.granularity))
    if args.threshold is not None:
        options = replace(options, min_score=args.threshold)
    if args.time_budget is not None:
        options = replace(options, time_budget_s=args.time_budget)
    return options


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the command line."""
    parser = _Parser(prog="doccompare", description="Align near-duplicate documents and show their differences.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = _Parser(add_help=False)
    common.add_argument("--format", choices=["json", "text"], default="text", help="output format")
    common.add_argument("--granularity", choices=[g.value for g in Granularity], default="sentence")
    common.add_argument("--threshold", type=float, help="minimum similarity of a pair, 0..1")
    common.add_argument("--time-budget", type=float, help="seconds before shortcuts are taken")
    common.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    align = sub.add_parser("align", parents=[common], help="align two documents")
    align.add_argument("a")
    align.add_argument("b")
    families = sub.add_parser("families", parents=[common], help="group corresponding passages of N documents")
    families.add_argument("files", nargs="+")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    try:
        options = _options(args)
        if args.command == "align":
            result = compare_documents(read_document(args.a), read_document(args.b), options)
            out = (json.dumps(comparison_to_json(result), ensure_ascii=False) if args.format == "json"
                   else comparison_to_text(result, color))
        else:
            if len(args.files) < 2:
                raise ValueError("families needs at least two files")
            found = find_families([read_document(f) for f in args.files], options)
            out = (json.dumps(families_to_json(found), ensure_ascii=False) if args.format == "json"
                   else families_to_text(found, color))
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
