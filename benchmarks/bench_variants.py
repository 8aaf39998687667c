"""Speed of the N-way alignment (``find_families`` and the variant words) as renderings are added.

Each measurement runs in a fresh interpreter (``RUSAGE_CHILDREN`` gives its
own peak memory).  Three figures:

- **7 renderings of a ~100 KB book**: with ``--corpus DIR --book NAME`` the
  seven translations of that book in the Bible corpus of the evaluation kit
  (never copied into the repository); otherwise seven synthetic renderings
  of a 100 KB text (``benchmarks.renderings``);
- **20 renderings**: those seven and 13 copies of them with edits (words
  replaced, sentences joined, split or left out);
- **growth in N** (2, 5, 10, 20 renderings): the exponent of time against the
  renderings aligned, N - 1 (1 = linear: each is aligned once, to the consensus), and the
  time per rendering against one pairwise comparison of two renderings
  measured in the same child (a peer against machine load).

Run ``python -m benchmarks.bench_variants`` (writes
``benchmarks/variants_results.md``) or ``--quick`` (a 30 KB text, printed only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.renderings import edit_text, make_base, make_rendering
from compare import Document, compare_documents, find_families, read_document, statement_variants

RESULTS = Path(__file__).resolve().parent / "variants_results.md"
TRANSLATIONS = ("kjv", "asv", "bbe", "web", "ylt", "darby", "webster")
COUNTS = (2, 5, 10, 20)
BOOK_BYTES = 100_000

_LAUNCHER = """import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
print(done.stdout.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if done.returncode == 0 else -1)
"""


def renderings(count: int, corpus: Path | None, book: str, size: int) -> list[Document]:
    """Return ``count`` renderings: the corpus's translations (or synthetic ones), then edited copies of them."""
    if corpus is not None:
        first = [read_document(corpus / t / f"{book}.txt") for t in TRANSLATIONS]
        first = [Document(f"{book}-{t}", d.text) for t, d in zip(TRANSLATIONS, first, strict=True)]
    else:
        base = make_base(size, seed=1)
        first = [Document(f"rendering-{k}", make_rendering(base, seed=10 + k).text) for k in range(len(TRANSLATIONS))]
    chosen = first[:count]
    for k in range(count - len(chosen)):
        source = first[k % len(first)]
        chosen.append(Document(f"{source.name}-edited-{k + 1}", edit_text(source.text, seed=100 + k)))
    return chosen


def child(count: int, corpus: Path | None, book: str, size: int) -> None:
    """Time one alignment of ``count`` renderings (and one pairwise comparison as the peer); print JSON."""
    documents = renderings(count, corpus, book, size)
    start = time.perf_counter()
    compare_documents(documents[0], documents[1])
    peer = time.perf_counter() - start
    start = time.perf_counter()
    result = find_families(documents)
    aligned = time.perf_counter() - start
    start = time.perf_counter()
    statement_variants(result)
    variants = time.perf_counter() - start
    print(json.dumps({"count": count, "chars": sum(len(d.text) for d in documents), "align_s": aligned,
                      "variants_s": variants, "pair_s": peer, "statements": len(result.statements),
                      "families": len(result.families)}))


def in_child(count: int, corpus: Path | None, book: str, size: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; return its figures and peak memory (MiB)."""
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "benchmarks.bench_variants", "--child",
               str(count), "--book", book, "--size", str(size)]
    if corpus is not None:
        command += ["--corpus", str(corpus)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    lines = done.stdout.strip().splitlines()
    figures: dict[str, float] = json.loads(lines[-2])
    figures["peak_mib"] = int(lines[-1]) / 1024
    return figures


def exponent(runs: list[dict[str, float]]) -> float:
    """Return the least-squares slope of log(time) against log(renderings aligned after the pivot, N - 1)."""
    xs = [math.log(r["count"] - 1) for r in runs]
    ys = [math.log(r["align_s"] + r["variants_s"]) for r in runs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="the Bible corpus of the evaluation kit (translations/book.txt)")
    parser.add_argument("--book", default="mark", help="the book to align when --corpus is given")
    parser.add_argument("--size", type=int, default=BOOK_BYTES, help="bytes of the synthetic text")
    parser.add_argument("--quick", action="store_true", help="a 30 KB synthetic text, printed only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpus, args.book, args.size)
        return
    size = 30_000 if args.quick else args.size
    corpus = None if args.quick else args.corpus
    runs = []
    for count in COUNTS if not args.quick else (2, 5, 10):
        figures = in_child(count, corpus, args.book, size)
        runs.append(figures)
        print(f"{count:>2} renderings, {figures['chars'] / 1e6:.2f} M chars: align {figures['align_s']:.2f} s, "
              f"variants {figures['variants_s']:.2f} s, one pair {figures['pair_s']:.2f} s, "
              f"{figures['statements']:.0f} statements, peak {figures['peak_mib']:.0f} MiB", flush=True)
    seven = in_child(len(TRANSLATIONS), corpus, args.book, size)
    slope = exponent(runs)
    what = f"the book {args.book} in the Bible corpus" if corpus else f"a synthetic {size // 1000} KB text"
    print(f" 7 renderings: align {seven['align_s']:.2f} s, variants {seven['variants_s']:.2f} s; "
          f"growth exponent in N - 1: {slope:.2f}")
    if args.quick:
        return
    lines = [
        "# N-way alignment benchmark (`python -m benchmarks.bench_variants`)",
        "",
        f"Renderings of {what}; the first seven are {'its translations' if corpus else 'synthetic renderings'}, "
        "the rest copies of them with edits. Each row is a fresh process on this machine "
        f"({platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| renderings | characters | align | variant words | per rendering after the first | one pairwise "
        "comparison (peer) | statements | peak memory |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*runs[:2], seven, *runs[2:]]:
        per = (r["align_s"] + r["variants_s"]) / (r["count"] - 1)
        lines.append(f"| {r['count']:.0f} | {r['chars']:,.0f} | {r['align_s']:.2f} s | {r['variants_s']:.2f} s | "
                     f"{per:.2f} s | {r['pair_s']:.2f} s | {r['statements']:.0f} | {r['peak_mib']:.0f} MiB |")
    lines += ["", f"Growth exponent of time in the renderings aligned after the pivot (N - 1, from 1 to 19): "
                  f"**{slope:.2f}** (1 = linear; every pair of 20 renderings would be 190 comparisons)."]
    with tempfile.NamedTemporaryFile("w", delete=False, dir=RESULTS.parent, encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    os.replace(out.name, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
