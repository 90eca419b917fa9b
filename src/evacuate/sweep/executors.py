"""Executors: where a sweep's batches run. One interface, three back ends.

``LocalExecutor(1)`` runs batches in the coordinator process; ``LocalExecutor(k)`` in a pool
of ``k`` processes; ``DaskExecutor`` on a ``dask.distributed`` cluster: a ``LocalCluster`` it
starts (``"local"``) or a running scheduler by address (``tcp://host:8786``), e.g. one that
``dask-jobqueue`` started on SLURM or PBS. Results come back as each batch finishes, in
whatever order; the coordinator stores them.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "make_executor"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs ``fn(shared, batch)`` for each batch; yields ``(batch, result)`` as each finishes."""

    workers: int
    name: str

    def run(
        self, fn: Callable[[Any, Sequence[T]], R], shared: Any, batches: Sequence[Sequence[T]]
    ) -> Iterator[tuple[Sequence[T], R]]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """In the coordinator (``workers=1``) or in a pool of spawned processes."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("expected at least one worker")
        self.workers = workers
        self.name = "sequential" if workers == 1 else f"{workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def run(
        self, fn: Callable[[Any, Sequence[T]], R], shared: Any, batches: Sequence[Sequence[T]]
    ) -> Iterator[tuple[Sequence[T], R]]:
        if self.workers == 1:
            for batch in batches:
                yield batch, fn(shared, batch)
            return
        if self._pool is None:
            # spawn: the coordinator may hold threads (progress display, database pools)
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
        # keep a bounded number of batches in flight, so a stopped sweep wastes little work
        pending: dict[Future[R], Sequence[T]] = {}
        todo = iter(batches)
        limit = 2 * self.workers
        for batch in todo:
            pending[self._pool.submit(fn, shared, batch)] = batch
            if len(pending) >= limit:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                batch = pending.pop(f)
                nxt = next(todo, None)
                if nxt is not None:
                    pending[self._pool.submit(fn, shared, nxt)] = nxt
                yield batch, f.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """On a ``dask.distributed`` cluster: ``address="local"`` starts a ``LocalCluster`` of
    ``workers`` single-threaded processes; any other address connects to that scheduler."""

    def __init__(self, address: str = "local", workers: int = 2) -> None:
        dd = _distributed()
        self.address = address
        self._cluster: Any = None
        if address == "local":
            self._cluster = dd.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with another cluster
            )
            self._client = dd.Client(self._cluster)
        else:
            self._client = dd.Client(address)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)
        where = "a local cluster" if address == "local" else address
        self.name = f"Dask on {where} ({self.workers} workers)"
        log.info("connected to %s", self.name)

    def run(
        self, fn: Callable[[Any, Sequence[T]], R], shared: Any, batches: Sequence[Sequence[T]]
    ) -> Iterator[tuple[Sequence[T], R]]:
        # hash=False: a fresh key per run, so a run never shares (and, ending, releases)
        # the data of another run on the same client
        shared_future = self._client.scatter(shared, broadcast=True, hash=False)
        futures = {
            self._client.submit(fn, shared_future, batch, pure=False): batch for batch in batches
        }
        try:
            for f in _distributed().as_completed(futures):
                yield futures[f], f.result()
        finally:
            for f in futures:
                f.cancel()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _distributed() -> Any:
    """``dask.distributed``, imported on first use (it is untyped: typed here as Any)."""
    import importlib

    return importlib.import_module("distributed")


def make_executor(workers: int = 1, dask: str | None = None) -> Executor:
    """``dask`` (``"local"`` or a scheduler address) picks Dask; otherwise local processes."""
    if dask:
        return DaskExecutor(dask, workers=max(1, workers))
    return LocalExecutor(workers)
