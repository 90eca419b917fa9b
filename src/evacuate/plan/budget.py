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
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FULL_EFFORT",
    "LEAN_BOUND_ITERATIONS",
    "LEAN_BOUND_WINDOWS",
    "LEAN_GUIDE_ITERATIONS",
    "LEAN_ONE_GUIDE_CELLS",
    "SafetyStop",
    "lean_bound_args",
]

log = logging.getLogger(__name__)

FULL_EFFORT = 3.0
"""A work budget this many times the default's (``effort``, api.py: ``--time-limit 30``) does
all the work that pays on our cases. The default budget is sized to end within about half
of the default 10 s stop on a slow machine (on our 2-core VM the same work takes up to twice
the processor time when the machine is busy), so below ``FULL_EFFORT`` some searches end
earlier: min makespan's bisections (makespan.py) and, on grids past ``GUIDE_ONLY_CELLS``
(search.py, the xlarge rung), the guide's and the bound's column generations (``LEAN_*``)."""

LEAN_ONE_GUIDE_CELLS = 5_000_000
"""Below ``FULL_EFFORT``, on a grid of more than this many cells (steps x places^2 x
classes; the large rung, 10.8 M) below city scale, the round of the bound flies no guide
once the direct guide has flown (neither its own nor the flyable one, whose column
generation is skipped), as past ``search.GUIDE_ONLY_CELLS`` at any budget: on large their
plans (669,653 and 737,454) never beat the direct guide's (738,723), for 3 of its 7.6 s of
CPU (41 LP solves, 6 dispatcher runs). The grids of medium, proto, Libya and the Romulan
scenario (2-2.4 M) stay under it."""

LEAN_GUIDE_ITERATIONS = 30
"""Below ``FULL_EFFORT``, on a grid past ``search.GUIDE_ONLY_CELLS``: LP solves of the first
(direct) guide's column generation (it converges after 47 on the xlarge rung). Measured on
xlarge (its guide flown by the same three settings): 25 solves 7,187,465 people, 30
7,207,497, 35 7,211,275, 47 7,212,047."""

LEAN_BOUND_ITERATIONS = 35
"""... and LP solves of the round of the bound, which starts from the direct guide's
multipliers (per place: people and room; a valid bound at once) ..."""

LEAN_BOUND_WINDOWS = 12
"""... with this many time windows of people rows (48 otherwise: fewer rows, a valid and
slightly looser relaxation, a master LP about a third cheaper). xlarge, converged: 48
windows 7,260,903 after 66-69 LP solves, 12 windows 7,266,614 after 53-58; after 35 solves
from the direct guide's multipliers, 12 windows 7,274,360 (gap 0.86% to the plan)."""


def lean_bound_args(
    multipliers: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> dict[str, Any]:
    """The round of the bound's column generation below ``FULL_EFFORT`` on a grid past
    ``search.GUIDE_ONLY_CELLS``: ``LEAN_BOUND_ITERATIONS`` LP solves on
    ``LEAN_BOUND_WINDOWS`` windows, from the direct guide's ``multipliers``."""
    return {
        "iterations": LEAN_BOUND_ITERATIONS,
        "n_windows": LEAN_BOUND_WINDOWS,
        "multipliers": multipliers,
    }


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
