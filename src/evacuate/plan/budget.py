"""The planner's safety stop: the one place where a clock may end a search.

Every search in ``plan/`` is budgeted in work units (dispatcher runs and decisions, rounds of
the bound, LP solves, MIP nodes, move evaluations), so the same scenario, options and seed
give the same plan whatever the machine's load. The time limit only stops a search that would
otherwise run on too long; when it does, ``SafetyStop.bound`` becomes true and the result says
so (``stopped_by_time``): such a plan may differ from run to run.

The limit counts the processor time of the planning process (all its threads), and binds once
the wall clock has passed it too: on a busy machine the wall clock runs ahead of the work done,
and a stop on it alone would cut the same search at a different point on every run. So a
search whose work budget needs less processor time than the limit ends on its budget whatever
the load (it then takes longer on the clock, by about the load's factor).
"""

from __future__ import annotations

import logging
import time

__all__ = ["SafetyStop"]

log = logging.getLogger(__name__)


class SafetyStop:
    """A limit in seconds (None: none) of processor time and wall clock, and whether it bound."""

    def __init__(self, seconds: float | None, start: float | None = None) -> None:
        self.start = time.perf_counter() if start is None else start
        self.cpu_start = time.process_time()
        self.seconds = seconds
        self.bound = False

    def _left(self) -> tuple[float, float]:
        """Seconds left on the wall clock and of processor time (infinite without a limit)."""
        if self.seconds is None:
            return float("inf"), float("inf")
        wall = self.seconds - (time.perf_counter() - self.start)
        cpu = self.seconds - (time.process_time() - self.cpu_start)
        return wall, cpu

    def reached(self) -> bool:
        """True once both the processor time and the wall clock have passed the limit; asking
        means the search would stop here, so from then on the result depends on the clock and
        ``bound`` stays true."""
        if not self.bound and self.seconds is not None and max(self._left()) < 0:
            self.bound = True
            log.warning(
                "the time limit (a safety stop) cut the search short: the plan is feasible "
                "but may differ from run to run; a larger --time-limit (time_limit=) lets the "
                "search end on its work budget"
            )
        return self.bound

    def left(self) -> float | None:
        """Wall-clock seconds left (at least a millisecond), for a solver's own time limit:
        the processor time left, stretched by how much faster the wall clock has run than
        this process's processor time so far (the load), or the wall time left if longer."""
        if self.seconds is None:
            return None
        wall, cpu = self._left()
        used_wall = time.perf_counter() - self.start
        used_cpu = time.process_time() - self.cpu_start
        stretch = max(1.0, used_wall / used_cpu) if used_cpu > 0.05 else 1.0
        return max(1e-3, wall, cpu * stretch)

    @property
    def at(self) -> float | None:
        """The ``time.perf_counter()`` instant at which the stop is now expected to bind
        (for searches that watch the clock themselves, e.g. the route search)."""
        left = self.left()
        return None if left is None else time.perf_counter() + left

    def note_solver(self, status: str) -> None:
        """A solver's status: its time limit is this stop, so hitting it binds."""
        if status == "time_limit":
            self.bound = True
