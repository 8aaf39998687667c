"""The command line: ``doccompare align A B``, ``doccompare families FILE...``, ``doccompare report PATH...``.

(or ``python -m compare``).

``align`` and ``families`` read, compare and render in a worker process that
is killed when it runs past the time budget (``--time-budget``, by default the
web service's ``compare.model.TIME_BUDGET_S``) plus ``KILL_MARGIN_S``: the
engine takes shortcuts at the budget, and whatever still runs is stopped with
a one-line message.  ``report`` runs as long as the corpus needs (its progress
bar shows on a terminal).

Exit codes: 0 success, 2 bad usage, unreadable input, or input the time budget cannot afford (one line on
stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from compare.align import compare_documents
from compare.families import find_families
from compare.model import Document, Granularity, Options, Report
from compare.reading import read_document, supported_extensions
from compare.render import comparison_to_json, comparison_to_text, families_to_json, families_to_text
from compare.workers import KILL_MARGIN_S, DeadlineExceeded, WorkerFailed, WorkerPool


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _options(args: argparse.Namespace) -> Options:
    options = replace(Options(), granularity=Granularity(args.granularity))
    if args.threshold is not None:
        options = replace(options, min_score=args.threshold)
    if args.time_budget is not None:
        options = replace(options, time_budget_s=args.time_budget)
    if args.semantic:
        options = replace(options, semantic=True)
    return options


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the command line."""
    parser = _Parser(prog="doccompare", description="Align near-duplicate documents and show their differences.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = _Parser(add_help=False)
    common.add_argument("--format", choices=["json", "text"], default="text", help="output format")
    common.add_argument("--granularity", choices=[g.value for g in Granularity], default="sentence")
    common.add_argument("--threshold", type=float,
                        help="the probability a pair needs, 0..1 (default 0.5: whatever the model finds likelier)")
    common.add_argument("--semantic", action="store_true",
                        help="weigh sentence embeddings too (needs pip install 'compare-docs[semantic]')")
    common.add_argument("--time-budget", type=float, metavar="SECONDS",
                        help=f"seconds the command may take: past them shortcuts are taken, and what still runs "
                             f"is stopped (default {Options().time_budget_s:g}, the web service's)")
    common.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    align = sub.add_parser("align", parents=[common], help="align two documents")
    align.add_argument("a")
    align.add_argument("b")
    families = sub.add_parser("families", parents=[common], help="group corresponding passages of N documents")
    families.add_argument("files", nargs="+")
    report = sub.add_parser("report", help="duplication report of a corpus (files or folders)")
    report.add_argument("paths", nargs="+", help="files, or folders whose supported files are all read")
    report.add_argument("--format", choices=["md", "json", "csv", "html"], default="md", help="output format")
    report.add_argument("--granularity", choices=[g.value for g in Granularity], default="sentence")
    report.add_argument("--threshold", type=float, help="minimum similarity of a pair of sentences, 0..1")
    report.add_argument("--scheduler", help="run on Dask: a scheduler address (tcp://host:8786) or 'local'")
    report.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                        help="progress bar on stderr (auto: when stderr is a terminal)")
    report.set_defaults(time_budget=None, color="never", semantic=False)
    return parser


def _corpus(paths: Sequence[str]) -> list[Document]:
    """Read the files named, and every supported file inside the folders named (sorted)."""
    extensions = set(supported_extensions())
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in extensions))
        else:
            files.append(path)
    if not files:
        raise ValueError(f"no documents found in {', '.join(paths)} (supported: {', '.join(sorted(extensions))})")
    return [read_document(f) for f in files]


def _report(args: argparse.Namespace, options: Options) -> str:
    """Build the corpus report and render it in the format asked for."""
    from compare.render_report import report_to_csv, report_to_json, report_to_markdown
    from compare.report import build_report

    documents = _corpus(args.paths)
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    report: Report
    if show:
        from tqdm import tqdm

        with tqdm(total=2 * len(documents), unit="step", file=sys.stderr, desc="report") as bar:
            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = build_report(documents, options, progress=advance, scheduler=args.scheduler)
    else:
        report = build_report(documents, options, scheduler=args.scheduler)
    if args.format == "json":
        return json.dumps(report_to_json(report), ensure_ascii=False)
    if args.format == "csv":
        return report_to_csv(report)
    if args.format == "html":
        from compare.report_html import report_to_html

        return report_to_html(report, documents)
    return report_to_markdown(report)


def _aligned(args: argparse.Namespace, options: Options, color: bool) -> str:
    """Read, compare and render what ``align`` or ``families`` asks for (in the worker process)."""
    if args.command == "align":
        result = compare_documents(read_document(args.a), read_document(args.b), options)
        return (json.dumps(comparison_to_json(result), ensure_ascii=False) if args.format == "json"
                else comparison_to_text(result, color))
    found = find_families([read_document(f) for f in args.files], options)
    return (json.dumps(families_to_json(found), ensure_ascii=False) if args.format == "json"
            else families_to_text(found, color))


def _within_budget(args: argparse.Namespace, options: Options, color: bool) -> str:
    """Run ``_aligned`` in a worker process that is killed past the time budget; refuse with a ValueError then."""
    files = [args.a, args.b] if args.command == "align" else list(args.files)
    budget = options.time_budget_s
    with WorkerPool(1, queue=0, context="fork", name="command") as pool:  # this process has no other threads
        try:
            return pool.run(_aligned, args, options, color, deadline=time.monotonic() + budget + KILL_MARGIN_S)
        except DeadlineExceeded as error:
            raise ValueError(f"{' and '.join(files)}: did not finish within the time budget of {budget:g} s "
                             f"(stopped after {error.seconds:.1f} s); allow more with --time-budget") from None
        except WorkerFailed as error:
            raise ValueError(f"{' and '.join(files)}: {error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    try:
        options = _options(args)
        if args.command == "report":
            out = _report(args, options)
        else:
            if args.command == "families" and len(args.files) < 2:
                raise ValueError("families needs at least two files")
            out = _within_budget(args, options, color)
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
