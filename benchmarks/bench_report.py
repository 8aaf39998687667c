"""Benchmark of the duplication report on synthetic corpora with planted reuse.

Each size runs in a fresh child process (so its peak memory, ru_maxrss, is
its own): the corpus is generated there, then ``build_report`` runs on it,
timed alone.  Recall: share of planted pairs of copies (any two copies of a
passage, in two documents) that the report finds, each copy at least half
covered by the pair's passages.  Precision: share of reported passages that
overlap a planted copy in both documents of their pair.  The naive baseline
scores every pair of sentences of every pair of documents with rapidfuzz.
``--dask`` runs the report again on a local Dask cluster of two worker
processes and checks that it is the same report.  ``--agreement N`` compares,
on an N-document corpus, the report with ``compare_documents`` on every pair
of documents: the pairs the compare view finds sharing text that the report
left out (the filter's misses), the pairs it aligned for nothing, and the
largest difference of a share.

    .venv/bin/python -m benchmarks.bench_report --sizes 1000 10000 100000 --baseline 300 --dask 1000
    .venv/bin/python -m benchmarks.bench_report --agreement 100
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from benchmarks.synthetic_corpus import SyntheticCorpus, make_corpus
from compare import Document, Report, build_report, compare_documents

COVERED = 0.5  # share of a planted copy a found pair must cover
BASELINE_CUTOFF = 80  # rapidfuzz token_set_ratio of sentences that the baseline calls shared


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate(corpus: SyntheticCorpus, report: Report) -> tuple[float, float, int, int]:
    """Return (recall, precision, planted pairs, reported passages) of a report against the ground truth."""
    spans: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (family, doc) -> spans
    family_docs: dict[int, set[int]] = defaultdict(set)
    for f, members in enumerate(corpus.families):
        for d, start, end in members:
            spans[(f, d)].append((start, end))
            family_docs[f].add(d)
    by_pair = {(p.a, p.b): p for p in report.pairs}

    planted = found = 0
    for f, docs in family_docs.items():
        for x, y in combinations(sorted(docs), 2):
            planted += 1
            pair = by_pair.get((x, y))
            if pair is None:
                continue
            cover_x = sum(_overlap(s, (p.a.start, p.a.end)) for s in spans[(f, x)] for p in pair.passages)
            cover_y = sum(_overlap(s, (p.b.start, p.b.end)) for s in spans[(f, y)] for p in pair.passages)
            size_x = sum(e - s for s, e in spans[(f, x)])
            size_y = sum(e - s for s, e in spans[(f, y)])
            found += cover_x >= COVERED * size_x and cover_y >= COVERED * size_y

    families_in: dict[int, set[int]] = defaultdict(set)
    for (f, d) in spans:
        families_in[d].add(f)
    reported = correct = 0
    for pair in report.pairs:
        for p in pair.passages:
            reported += 1
            correct += any(
                any(_overlap(s, (p.a.start, p.a.end)) for s in spans[(f, pair.a)])
                and any(_overlap(s, (p.b.start, p.b.end)) for s in spans[(f, pair.b)])
                for f in families_in[pair.a] & families_in[pair.b])
    return found / max(planted, 1), correct / max(reported, 1), planted, reported


def naive_baseline(corpus: SyntheticCorpus) -> tuple[float, float]:
    """Score every sentence of every document against every sentence of every other (rapidfuzz); return seconds."""
    from rapidfuzz import fuzz, process

    from compare.segment import segment

    sentences = [[s.span.slice(t) for s in segment(Document(str(d), t)).segments] for d, t in enumerate(corpus.texts)]
    started = time.perf_counter()
    hits = 0
    for x, y in combinations(range(len(sentences)), 2):
        matrix = process.cdist(sentences[x], sentences[y], scorer=fuzz.token_set_ratio, score_cutoff=BASELINE_CUTOFF)
        hits += int((matrix > 0).sum())
    return time.perf_counter() - started, hits


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def floor_seconds(texts: tuple[str, ...]) -> float:
    """Return the time to split every text into sentences (one regex) and hash each (blake2b): the least any
    duplicate finder must do, run in the same process as the report as a peer against machine load."""
    started = time.perf_counter()
    for text in texts:
        for sentence in _SENTENCE_END.split(text):
            hashlib.blake2b(sentence.encode(), digest_size=8).digest()
    return time.perf_counter() - started


def _cpu_seconds() -> float:
    """Return the CPU time of this process and its finished children (what load on the machine does not inflate)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_one(size: int, seed: int, baseline: bool, dask: bool) -> dict[str, float | int | bool]:
    """Generate one corpus and time the report on it (run in a child process)."""
    corpus = make_corpus(size, seed=seed)
    documents = [Document(f"{d:06d}.txt", text) for d, text in enumerate(corpus.texts)]
    floor = floor_seconds(corpus.texts)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    report = build_report(documents)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    floor = statistics.median([floor, floor_seconds(corpus.texts), floor_seconds(corpus.texts)])
    recall, precision, planted, reported = evaluate(corpus, report)
    row: dict[str, float | int | bool] = {
        "documents": size, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 1),
        "floor_seconds": round(floor, 3), "report_per_floor": round(seconds / floor, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "children_peak_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "recall": round(recall, 4), "precision": round(precision, 4),
        "planted_pairs": planted, "reported_pairs": len(report.pairs), "reported_passages": reported,
        "families": len(report.families),
    }
    if dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:  # type: ignore[no-untyped-call]
            started = time.perf_counter()
            remote = build_report(documents, scheduler=cluster.scheduler_address)
            row["dask_seconds"] = round(time.perf_counter() - started, 2)
        row["dask_identical"] = remote == report
    if baseline:
        baseline_seconds, _ = naive_baseline(corpus)
        row["baseline_seconds"] = round(baseline_seconds, 2)
    return row


def _compare_pairs(job: tuple[tuple[Document, ...], list[tuple[int, int]]]) -> list[tuple[int, int, float, float]]:
    """Return ``compare_documents``'s shares of each pair of documents (in a worker process)."""
    documents, pairs = job
    shares = []
    for x, y in pairs:
        comparison = compare_documents(documents[x], documents[y])
        if comparison.passages:
            shares.append((x, y, comparison.shared_share("a"), comparison.shared_share("b")))
    return shares


def agreement(size: int, seed: int) -> dict[str, float | int]:
    """Return how the report of an ``size``-document corpus agrees with the compare view on every pair."""
    from concurrent.futures import ProcessPoolExecutor

    corpus = make_corpus(size, seed=seed)
    documents = tuple(Document(f"{d:06d}.txt", text) for d, text in enumerate(corpus.texts))
    report = build_report(list(documents))
    pairs = list(combinations(range(size), 2))
    jobs = [(documents, pairs[k : k + 50]) for k in range(0, len(pairs), 50)]
    with ProcessPoolExecutor() as pool:
        truth = {(x, y): (a, b) for found in pool.map(_compare_pairs, jobs) for x, y, a, b in found}
    reported = {(p.a, p.b): (p.a_share, p.b_share) for p in report.pairs}
    missed = sorted(set(truth) - set(reported))
    extra = sorted(set(reported) - set(truth))
    differences = [max(abs(reported[k][0] - truth[k][0]), abs(reported[k][1] - truth[k][1]))
                   for k in set(truth) & set(reported)]
    return {"documents": size, "pairs": len(pairs), "compare_view_sharing": len(truth), "report_sharing": len(reported),
            "missed": len(missed), "reported_but_not_sharing": len(extra),
            "largest_share_difference": round(max(differences, default=0.0), 4),
            "missed_largest_share": round(max((max(truth[k]) for k in missed), default=0.0), 4)}


def growth_exponent(rows: list[dict[str, float | int]]) -> float:
    """Return the least-squares slope of log(time) against log(size)."""
    xs = [math.log(float(r["documents"])) for r in rows]
    ys = [math.log(float(r["seconds"])) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--baseline", type=int, nargs="*", default=[300], help="sizes to also run the baseline on")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dask", type=int, nargs="*", default=[], help="sizes to also run on a 2-worker Dask cluster")
    parser.add_argument("--agreement", type=int, help="compare the report with the compare view on every pair")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--with-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--with-dask", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.agreement:
        print(json.dumps(agreement(args.agreement, args.seed)))
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.with_baseline, args.with_dask)))
        return
    rows = []
    root = Path(__file__).resolve().parent.parent
    for size in sorted(set(args.sizes) | set(args.baseline) | set(args.dask)):
        command = [sys.executable, "-m", "benchmarks.bench_report", "--one", str(size), "--seed", str(args.seed)]
        if size in args.baseline:
            command.append("--with-baseline")
        if size in args.dask:
            command.append("--with-dask")
        out = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": "0"}).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    timed = [r for r in rows if r["documents"] in args.sizes]
    if len(timed) >= 2:
        print(f"growth exponent (time vs documents, {len(timed)} sizes): {growth_exponent(timed):.2f}")


if __name__ == "__main__":
    main()
