"""Where the per-document work runs: this machine's cores, or a Dask distributed cluster.

The report maps pure, picklable functions over chunks of work and collects
the results in order, so any executor gives the same report.  Dask is
imported only when a scheduler is named (``pip install 'compare-docs[distributed]'``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
LOCAL = "local"  # scheduler name that starts a local Dask cluster
CONNECT_TIMEOUT_S = 20  # how long to wait for a remote scheduler


def workers() -> int:
    """Return the number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_in_order(function: Callable[[Item], Result], items: Sequence[Item], scheduler: str | None = None,
                 parallel: bool = True) -> Iterator[Result]:
    """Yield ``function(item)`` for each item, in order.

    Without a scheduler, items run on a process pool over this machine's
    cores (in this process when there is one core, one item, or ``parallel``
    is false).  With one, they run on Dask: ``"local"`` starts a local
    cluster, anything else is a scheduler address such as ``tcp://host:8786``.
    """
    if scheduler is not None:
        yield from _dask_map(function, items, scheduler)
    elif not parallel or len(items) <= 1 or workers() == 1:
        yield from map(function, items)
    else:
        with ProcessPoolExecutor(max_workers=min(workers(), len(items))) as pool:
            yield from pool.map(function, items)


def _dask_map(function: Callable[[Item], Result], items: Sequence[Item], scheduler: str) -> Iterator[Result]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ValueError("--scheduler needs Dask: pip install 'compare-docs[distributed]'") from error
    cluster: Any = None
    try:
        if scheduler == LOCAL:
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers(), threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)  # type: ignore[no-untyped-call]
        else:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")  # type: ignore[no-untyped-call]
    except OSError as error:
        raise ValueError(f"cannot reach the Dask scheduler {scheduler!r}: {error}") from error
    try:
        futures = client.map(function, items, pure=False)
        for future in futures:
            yield future.result()
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
