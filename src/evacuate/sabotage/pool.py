"""Worker processes for the operator's answers that do not depend on each other.

Answering an attack (``follower.respond``: the operator replans after each strike) is a
planner call or more; the answers to a list of attacks (the ranking of the single attacks) do not
depend on each other, so ``Answers.start`` runs them on ``workers`` processes while the
caller goes on (the search of the larger budgets), and ``Answers.result`` collects them in
the order asked. Each
answer is a pure function of its inputs (the planner's work budgets and seed fix it), so the
results are the same as one after another, whatever the number of workers (tested byte for
byte). The pool is spawned on first use (the caller may hold threads) and kept for the run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from evacuate.planio import Trip, Walk
from evacuate.sabotage.follower import Planner, Response, respond
from evacuate.scenario.scenario import Scenario

__all__ = ["Answers", "Job", "default_workers"]

log = logging.getLogger(__name__)


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Job:
    """One attack to answer: the struck world and the operator's plan before it."""

    world: Scenario
    trips: tuple[Trip, ...]
    walks: tuple[Walk, ...]
    planner: Planner
    base_bound: float
    check_plans: bool


def answer(job: Job) -> Response:
    """``respond`` for one job (run in a worker process, or here)."""
    return respond(
        job.world,
        list(job.trips),
        job.planner,
        base_bound=job.base_bound,
        check_plans=job.check_plans,
        keep=True,
        walks=job.walks,
    )


def _timed(job: Job) -> tuple[Response, float, int]:
    """``answer``, with the CPU seconds it took in its process and that process's id."""
    c0 = time.process_time()
    r = answer(job)
    return r, time.process_time() - c0, os.getpid()


class Answers:
    """Answers attacks here (``workers=1``) or on a pool of ``workers`` processes."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers: found {workers}; expected at least 1")
        self.workers = workers
        self.batches = 0
        """Lists of two or more answers run on the pool."""
        self.cpu: dict[int, float] = {}
        """CPU seconds spent answering, per worker process."""
        self._pool: ProcessPoolExecutor | None = None

    def map(self, jobs: Sequence[Job]) -> list[Response]:
        """The answer to each job, in the order of ``jobs``."""
        started = self.start(jobs)
        if started is None:
            return [answer(j) for j in jobs]
        return [self.result(f) for f in started]

    def start(
        self, jobs: Sequence[Job], first: Sequence[float] = ()
    ) -> list[Future[tuple[Response, float, int]]] | None:
        """Start answering ``jobs`` on the pool and return at once (``result`` waits for
        each, in the order of ``jobs``); None with one worker or fewer than two jobs (answer
        them here, when needed). ``first``: a number per job, smallest submitted first (the
        earliest strikes leave the most to plan: started first, the workers end together)."""
        if self.workers == 1 or len(jobs) < 2:
            return None
        if self._pool is None:
            # spawn: the caller may hold threads (a progress display)
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
            log.info("started %d worker processes", self.workers)
        self.batches += 1
        log.debug("answering %d attacks on %d processes", len(jobs), self.workers)
        order = sorted(range(len(jobs)), key=lambda i: (first[i] if first else 0.0, i))
        futures: dict[int, Future[tuple[Response, float, int]]] = {}
        for i in order:
            futures[i] = self._pool.submit(_timed, jobs[i])
        return [futures[i] for i in range(len(jobs))]

    def result(self, future: Future[tuple[Response, float, int]]) -> Response:
        """The answer of a started job (waits for it)."""
        r, cpu, pid = future.result()
        self.cpu[pid] = self.cpu.get(pid, 0.0) + cpu
        return r

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Answers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
