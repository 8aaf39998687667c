"""The report on a Dask cluster is the same report as on this machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.synthetic_corpus import make_corpus
from compare import Document, build_report

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local Dask cluster of two in-process workers; yields its scheduler address."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_seed_corpus_on_dask_equals_local(seeds: dict[str, Document], scheduler: str) -> None:
    documents = list(seeds.values())
    local = build_report(documents)
    assert local.pairs  # the seeds share passages: the comparison is not vacuous
    assert build_report(documents, scheduler=scheduler) == local


def test_synthetic_corpus_on_dask_equals_local(scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small units of work, so that both runs spread over several tasks and workers.
    monkeypatch.setattr("compare.report.PREPARE_CHUNK", 8)
    monkeypatch.setattr("compare.report.MAX_TASK_PAIRS", 4)
    corpus = make_corpus(30, seed=3)
    documents = [Document(f"{d:03d}.txt", text) for d, text in enumerate(corpus.texts)]
    calls: list[tuple[int, int]] = []
    remote = build_report(documents, scheduler=scheduler, progress=lambda done, total: calls.append((done, total)))
    assert remote == build_report(documents)
    assert len(remote.families) >= len(corpus.families) // 2
    assert calls[-1] == (60, 60)


def test_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compare.distributed.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler"):
        build_report([Document("a", "One sentence here.")], scheduler="tcp://127.0.0.1:1")
