"""What the semantic extra costs: model load, embedding time per 1,000 sentences, memory, and a comparison's time.

    python -m benchmarks.bench_semantic            # needs pip install '.[semantic]'

Each figure is a median of ``--repeats`` runs in this process; the peer is the
same comparison without ``--semantic``, measured alternately with it (this
machine is noisy).  Peak memory is the process's maximum resident set.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.synthetic import make_pair
from compare import Document, Options, compare_documents
from compare.model import SegmentRole
from compare.segment import segment

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=100_000, help="bytes of the synthetic pair's A text")
    args = parser.parse_args()
    from compare import semantic

    print(f"load average {os.getloadavg()[0]:.1f}; torch threads: the library's default")
    before = peak_mib()
    started = time.perf_counter()
    semantic._model()
    print(f"model load: {time.perf_counter() - started:.2f} s, peak memory {before:.0f} -> {peak_mib():.0f} MiB")

    pair = make_pair(args.size)
    seg = segment(Document("a", pair.a))
    texts = [seg.text_of(s) for s in seg.segments if s.role is SegmentRole.TEXT]
    per_thousand = [cpu_seconds(partial(semantic.embed, texts)) * 1000 / len(texts) for _ in range(args.repeats)]
    wall = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        semantic.embed(texts)
        wall.append((time.perf_counter() - started) * 1000 / len(texts))
    print(f"embedding {len(texts):,} sentences: {statistics.median(per_thousand):.2f} s CPU and "
          f"{statistics.median(wall):.2f} s wall per 1,000 (median of {args.repeats}); peak {peak_mib():.0f} MiB")

    seeds = {p.name[:3]: Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    cases = {"seeds 002 x 004": (seeds["002"], seeds["004"]),
             f"synthetic {args.size // 1000} KB pair": (Document("a", pair.a), Document("b", pair.b))}
    for name, (a, b) in cases.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeats):
            for flag in (False, True):
                options = Options(semantic=flag, time_budget_s=600.0)
                times[flag].append(cpu_seconds(partial(compare_documents, a, b, options)))
        lexical, with_vectors = statistics.median(times[False]), statistics.median(times[True])
        print(f"{name}: lexical {lexical:.3f} s, --semantic {with_vectors:.3f} s CPU "
              f"({with_vectors / lexical:.1f}x, embeddings of both documents included)")
    print(f"peak memory {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
