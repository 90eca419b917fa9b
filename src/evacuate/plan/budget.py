"""The planner's safety stop: the one place where the wall clock may end a search.

Every search in ``plan/`` is budgeted in work units (dispatcher runs and decisions, rounds of
the bound, LP solves, MIP nodes, move evaluations), so the same scenario, options and seed
give the same plan whatever the machine's load. The time limit only stops a search that would
otherwise run on too long; when it does, ``SafetyStop.bound`` becomes true and the result says
so (``stopped_by_time``): such a plan may differ from run to run.
"""

from __future__ import annotations

import logging
import time

__all__ = ["SafetyStop"]

log = logging.getLogger(__name__)


class SafetyStop:
    """A deadline in ``time.perf_counter()`` seconds (None: none), and whether it bound."""

    def __init__(self, seconds: float | None, start: float | None = None) -> None:
        begin = time.perf_counter() if start is None else start
        self.at: float | None = None if seconds is None else begin + seconds
        self.bound = False

    def reached(self) -> bool:
        """True once the deadline has passed; asking means the search would stop here, so
        from then on the result depends on the clock and ``bound`` stays true."""
        if not self.bound and self.at is not None and time.perf_counter() > self.at:
            self.bound = True
            log.warning(
                "the time limit (a safety stop) cut the search short: the plan is feasible "
                "but may differ from run to run; a larger --time-limit (time_limit=) lets the "
                "search end on its work budget"
            )
        return self.bound

    def left(self) -> float | None:
        """Seconds left (at least a millisecond), for a solver's own time limit."""
        return None if self.at is None else max(1e-3, self.at - time.perf_counter())

    def note_solver(self, status: str) -> None:
        """A solver's status: its time limit is this stop, so hitting it binds."""
        if status == "time_limit":
            self.bound = True
