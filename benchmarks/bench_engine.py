"""Speed of ``compare_documents`` on the seeds and on synthetic pairs, against simple peers.

Run ``python -m benchmarks.bench_engine`` (several minutes; writes
``benchmarks/results.md``) or ``--quick`` (a smaller run, printed only).
Peak memory comes from a child process per measurement (``os.wait4`` gives
that child's own ``ru_maxrss``), so one run never inflates another's figure.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import hashlib
import itertools
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import rapidfuzz
from rapidfuzz import fuzz, process

from benchmarks.synthetic import SEEDS_DIR, SyntheticPair, make_pair
from compare import Comparison, Options, compare_documents, read_document

RESULTS = Path(__file__).resolve().parent / "results.md"
SEED_REPEATS = 20
SEED_TARGET_S = 0.050  # issue 12: seed pairs at most 50 ms each
MB = 1_000_000
PAIR_SIZE = MB
ENGINE_TARGET_S = 3.0
MEMORY_TARGET_MB = 500
EXPONENT_TARGET = 1.15
RECALL_COVER = 0.5  # a paragraph counts as found when pairs to its true place cover this share of it
SCALING = {64_000: 3, 128_000: 3, 256_000: 3, 512_000: 3, 1_000_000: 2, 2_000_000: 1, 4_000_000: 1}
QUICK_SCALING = {64_000: 3, 256_000: 2, 1_000_000: 1}
BUSY_LOAD = 1.5  # a 1-minute load average above this at the end means other work competed
SCALING_BUDGET_S = 600.0  # the default budget refuses the largest pairs outright; the curve measures the work
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")

T = TypeVar("T")


# -- the measured jobs ---------------------------------------------------------------------------


def run_engine(path_a: Path, path_b: Path, options: Options | None = None) -> Comparison:
    """Read both files and align them, word diffs included: what a user waits for."""
    return compare_documents(read_document(path_a), read_document(path_b), options)


def split_sentences(text: str) -> list[str]:
    """Cut a text into sentences with one simple regex (the peers' segmentation)."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def run_floor(path_a: Path, path_b: Path) -> int:
    """Read both texts, split them into sentences and hash each one: the least any aligner does."""
    hashes = set()
    for path in (path_a, path_b):
        for sentence in split_sentences(path.read_text(encoding="utf-8")):
            hashes.add(hashlib.blake2b(sentence.encode(), digest_size=8).digest())
    return len(hashes)


def run_cdist(a: str, b: str) -> int:
    """Naive all-pairs sentence matching: every sentence of A scored against every one of B."""
    scores = process.cdist(split_sentences(a), split_sentences(b), scorer=fuzz.ratio, workers=-1)
    return int(scores.shape[0] * scores.shape[1])


def run_ndiff(a: str, b: str) -> int:
    """A line diff of the whole texts with difflib (lines are paragraphs here)."""
    return sum(1 for _ in difflib.ndiff(a.splitlines(keepends=True), b.splitlines(keepends=True)))


def timed_runs(job: Callable[[], T], repeats: int) -> tuple[list[float], T]:
    """Return the wall times of ``repeats`` runs of ``job`` and its last result.

    Each run starts from a collected heap, without the previous run's result alive.
    """
    times: list[float] = []
    results: list[T] = []
    for _ in range(repeats):
        results.clear()
        gc.collect()
        start = time.perf_counter()
        results.append(job())
        times.append(time.perf_counter() - start)
    return times, results[0]


def timed(job: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Return the median wall time of ``repeats`` runs of ``job`` and its last result."""
    times, result = timed_runs(job, repeats)
    return statistics.median(times), result


# -- child processes for peak memory -------------------------------------------------------------


PairSpans = tuple[int, int, int, int]  # a.start, a.end, b.start, b.end of one pair


def pair_spans(result: Comparison) -> list[PairSpans]:
    return [(p.a.start, p.a.end, p.b.start, p.b.end) for p in result.pairs]


@dataclass(frozen=True, slots=True)
class ChildRun:
    """What one child process measured: wall times of its runs, its own peak memory, its last result."""

    times: list[float]
    peak_mb: float
    degraded: bool
    passages: int
    pairs: list[PairSpans]


def _child_main(job: str, path_a: Path, path_b: Path, repeats: int, budget_s: float | None) -> None:
    report: dict[str, object] = {"degraded": False, "passages": 0, "pairs": []}
    if job == "engine":
        options = Options(time_budget_s=budget_s) if budget_s else None
        times, result = timed_runs(lambda: run_engine(path_a, path_b, options), repeats)
        report = {"degraded": result.degraded, "passages": len(result.passages), "pairs": pair_spans(result)}
    else:
        times, _ = timed_runs(lambda: run_floor(path_a, path_b), repeats)
    print(json.dumps({"times": times, **report}))


# Runs its arguments as a child and prints that child's output, then its peak memory in KiB.
# On Linux a spawned process inherits its parent's high-water mark into ru_maxrss, so
# measuring from this big benchmark process would report at least its own size; a tiny
# launcher in between keeps the figure the job's own.
_LAUNCHER = """import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
print(done.stdout.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if done.returncode == 0 else -1)
"""


def in_child(job: str, path_a: Path, path_b: Path, repeats: int, budget_s: float | None = None) -> ChildRun:
    """Run ``job`` in a fresh interpreter and read its peak resident memory (``RUSAGE_CHILDREN``)."""
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "benchmarks.bench_engine",
               "--child", job, str(path_a), str(path_b), "--repeats", str(repeats),
               *(["--budget", str(budget_s)] if budget_s else [])]
    root = Path(__file__).resolve().parent.parent
    # The child's errors go straight to our stderr.
    done = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    if len(lines) < 2 or int(lines[-1]) < 0:
        raise RuntimeError(f"child {job} failed on {path_a.name}, {path_b.name} (its error is above)")
    output, peak_kib = "\n".join(lines[:-1]), lines[-1]
    report = json.loads(output)
    return ChildRun(report["times"], int(peak_kib) / 1024,  # ru_maxrss is in KiB on Linux
                    report["degraded"], report["passages"], [tuple(p) for p in report["pairs"]])


# -- quality sanity check ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recall:
    """How many of A's paragraphs the engine paired with their true place in B."""

    kept: float  # share of A's paragraphs still in B, found at their place
    moved: float  # the same among paragraphs B moved elsewhere
    dropped_unpaired: float  # share of paragraphs B dropped that stay (mostly) unpaired


def _union(intervals: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def measure_recall(pair: SyntheticPair, pairs: Sequence[PairSpans]) -> Recall:
    """Compare the engine's pairs with the generator's ground truth, paragraph by paragraph."""
    starts = [start for start, _ in pair.a_paragraphs]
    to_truth: list[list[tuple[int, int]]] = [[] for _ in pair.a_paragraphs]  # pieces paired right
    to_any: list[list[tuple[int, int]]] = [[] for _ in pair.a_paragraphs]
    for pa_start, pa_end, pb_start, pb_end in pairs:
        first = max(0, bisect_right(starts, pa_start) - 1)
        for i in range(first, len(starts)):
            a_start, a_end = pair.a_paragraphs[i]
            if a_start >= pa_end:
                break
            piece = (max(a_start, pa_start), min(a_end, pa_end))
            if piece[0] >= piece[1]:
                continue
            to_any[i].append(piece)
            j = pair.truth[i]
            if j is not None and pb_start < pair.b_paragraphs[j][1] and pair.b_paragraphs[j][0] < pb_end:
                to_truth[i].append(piece)

    def found(i: int, pieces: list[list[tuple[int, int]]]) -> bool:
        start, end = pair.a_paragraphs[i]
        return _union(pieces[i]) >= RECALL_COVER * (end - start)

    kept = [i for i, j in enumerate(pair.truth) if j is not None]
    dropped = [i for i, j in enumerate(pair.truth) if j is None]

    def share(hits: Sequence[bool]) -> float:
        return sum(hits) / len(hits) if hits else float("nan")

    return Recall(
        kept=share([found(i, to_truth) for i in kept]),
        moved=share([found(i, to_truth) for i in sorted(pair.moved)]),
        dropped_unpaired=share([not found(i, to_any) for i in dropped]),
    )


# -- report --------------------------------------------------------------------------------------


def growth_exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Return the least-squares slope of log(time) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )


def machine() -> str:
    """Describe the machine in one line."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cores} cores (nproc), {cpu}; Python {platform.python_version()}, "
            f"rapidfuzz {rapidfuzz.__version__}, {platform.system()} {platform.release()}; "
            f"load average at start {load}; engine at {revision()}")


def revision() -> str:
    """Name the commit measured, marked ``-dirty`` when the working tree has changes."""
    try:
        found = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                               cwd=Path(__file__).resolve().parent, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return found.stdout.strip()


def verdict(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def bench_seeds(repeats: int) -> list[str]:
    """Time ``compare_documents`` on every pair of seed documents."""
    documents = [read_document(path) for path in sorted(SEEDS_DIR.glob("*.txt"))]
    lines = ["| pair | chars A / B | pairs | median ms | ≤ 50 ms |", "|---|---|---:|---:|---|"]
    worst = 0.0
    for a, b in itertools.combinations(documents, 2):
        median, result = timed(lambda a=a, b=b: compare_documents(a, b), repeats)
        worst = max(worst, median)
        lines.append(f"| {a.name[:3]} × {b.name[:3]} | {len(a.text):,} / {len(b.text):,} | "
                     f"{len(result.pairs)} | {median * 1000:.1f} | {verdict(median < SEED_TARGET_S)} |")
    lines.append(f"\nSlowest seed pair: **{worst * 1000:.1f} ms** (median of {repeats} runs; "
                 f"target < {SEED_TARGET_S * 1000:.0f} ms).")
    return lines


def size_label(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size // 1000} KB"


def write_pair(pair: SyntheticPair, folder: Path, label: str) -> tuple[Path, Path]:
    path_a, path_b = folder / f"{label}_a.txt", folder / f"{label}_b.txt"
    path_a.write_text(pair.a, encoding="utf-8")
    path_b.write_text(pair.b, encoding="utf-8")
    return path_a, path_b


def bench_megabyte(folder: Path, quick: bool, memory: ChildRun) -> list[str]:
    """Engine against floor, cdist and ndiff on one ~1 MB pair, in this process."""
    pair = make_pair(PAIR_SIZE)
    path_a, path_b = write_pair(pair, folder, "mb")
    floor_s, _ = timed(lambda: run_floor(path_a, path_b), 10)
    floor_memory = in_child("floor", path_a, path_b, 1)
    engine_times, result = timed_runs(lambda: run_engine(path_a, path_b), 3)
    engine_s = statistics.median(engine_times)
    peers = [] if quick else [
        ("naive `rapidfuzz.process.cdist` (ratio, all sentence pairs, workers=-1)",
         timed(lambda: run_cdist(pair.a, pair.b), 1)[0]),
        ("`difflib.ndiff` over lines", timed(lambda: run_ndiff(pair.a, pair.b), 1)[0]),
    ]
    recall = measure_recall(pair, pair_spans(result))
    n_a, n_b = len(split_sentences(pair.a)), len(split_sentences(pair.b))
    lines = [
        f"A: {len(pair.a.encode()):,} bytes, {len(pair.a_paragraphs):,} paragraphs, ~{n_a:,} sentences; "
        f"B: {len(pair.b.encode()):,} bytes, {len(pair.b_paragraphs):,} paragraphs, ~{n_b:,} sentences.\n",
        "| job | time s | engine ÷ job | peak memory MB |",
        "|---|---:|---:|---:|",
        f"| floor: read, regex-split, hash sentences (median of 10) | {floor_s:.3f} | "
        f"{engine_s / floor_s:.0f}× | {floor_memory.peak_mb:.0f} |",
        f"| **engine** `compare_documents` with word diffs (median of 3; min {min(engine_times):.2f}) "
        f"| **{engine_s:.2f}** | 1 | "
        f"{memory.peak_mb:.0f} |",
    ]
    lines += [f"| {name} | {seconds:.2f} | {engine_s / seconds:.2f} |  |" for name, seconds in peers]
    lines += [
        "",
        f"Engine: {len(result.pairs):,} pairs in {len(result.passages):,} passages, degraded={result.degraded}. "
        f"Time < {ENGINE_TARGET_S:.0f} s: {verdict(engine_s < ENGINE_TARGET_S)}; "
        f"memory < {MEMORY_TARGET_MB} MB: {verdict(memory.peak_mb < MEMORY_TARGET_MB)}.",
        "",
        f"Quality sanity check (generator's ground truth; a paragraph is found when pairs to its true "
        f"place in B cover ≥ {RECALL_COVER:.0%} of it): recall of kept paragraphs **{recall.kept:.1%}**, "
        f"of moved paragraphs {recall.moved:.1%} ({len(pair.moved)}); "
        f"dropped paragraphs left unpaired {recall.dropped_unpaired:.1%} "
        f"({sum(j is None for j in pair.truth)}).",
    ]
    return lines


def bench_scaling(folder: Path, sizes: dict[int, int]) -> tuple[list[str], dict[int, ChildRun]]:
    """Engine time, peak memory and recall per size, each size in a child process of its own."""
    lines = ["| A size | A paragraphs | runs | median s | min s | s per MB (median) | peak memory MB "
             "| passages | recall (kept) | degraded |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    runs: dict[int, ChildRun] = {}
    for size, repeats in sizes.items():
        pair = make_pair(size)
        paths = write_pair(pair, folder, f"s{size}")
        run = runs[size] = in_child("engine", *paths, repeats, SCALING_BUDGET_S)
        median = statistics.median(run.times)
        recall = measure_recall(pair, run.pairs).kept
        lines.append(f"| {size_label(size)} | {len(pair.a_paragraphs):,} | {repeats} | {median:.2f} | "
                     f"{min(run.times):.2f} | {median / (size / MB):.2f} | {run.peak_mb:.0f} | "
                     f"{run.passages:,} | {recall:.1%} | {run.degraded} |")
    sizes_run = list(runs)
    medians = [statistics.median(run.times) for run in runs.values()]
    exponent = growth_exponent(sizes_run, medians)
    last = growth_exponent(sizes_run[-2:], medians[-2:])
    lines.append(f"\nGrowth exponent (least squares, log median time vs log size): **{exponent:.2f}**; "
                 f"between the two largest sizes: {last:.2f}. "
                 f"Target ≤ {EXPONENT_TARGET}: {verdict(exponent <= EXPONENT_TARGET)}.")
    return lines, runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller run; no slow peers, no file")
    parser.add_argument("--child", nargs=3, metavar=("JOB", "A", "B"), help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job, path_a, path_b = args.child
        _child_main(job, Path(path_a), Path(path_b), args.repeats, args.budget)
        return 0

    started = time.perf_counter()
    out = [f"# Engine benchmarks{' (quick)' if args.quick else ''}", "", f"Machine: {machine()}.", ""]
    out += ["## Seed pairs", "", *bench_seeds(5 if args.quick else SEED_REPEATS), ""]
    print("\n".join(out), flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        scaling, runs = bench_scaling(folder, QUICK_SCALING if args.quick else SCALING)
        megabyte = bench_megabyte(folder, args.quick, runs[PAIR_SIZE])
        section = ["## ~1 MB pair against peers", "", *megabyte, ""]
        print("\n".join(section), flush=True)
        scaling = ["## Scaling", "", f"`Options(time_budget_s={SCALING_BUDGET_S:g})`: with the default "
                   f"budget the engine refuses the largest pairs before starting.", "", *scaling, ""]
        print("\n".join(scaling), flush=True)
    out += section + scaling
    load = os.getloadavg()[0]
    quiet = "" if load < BUSY_LOAD else f" **The machine was busy (load {load:.1f}): times are inflated.**"
    out.append(f"_Benchmark run took {time.perf_counter() - started:.0f} s; load average at the end "
               f"{load:.1f}._{quiet}")
    print(out[-1])
    if not args.quick:
        RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
