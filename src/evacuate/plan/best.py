"""The best plan of the max-rescued search (search.py) so far, over dispatcher runs: greedy
settings, runs towards the allocation's targets, guided flights and the sectors' plans. A run
is a work unit; the clock enters only through the safety stop (budget.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from evacuate.plan.budget import SafetyStop
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import Problem
from evacuate.planio import Trip

if TYPE_CHECKING:
    from evacuate.plan.allocate import Allocation
    from evacuate.plan.lagrange import LagrangeResult

__all__ = [
    "GUIDE_GRACE",
    "Best",
    "allocation_start",
    "fine_guide_args",
    "fly_fine_guide",
    "greedy_settings",
    "rescued_by_trips",
]

log = logging.getLogger(__name__)

GUIDE_GRACE = 0.1
"""The first guide, when the safety stop struck while it was computed, is flown under a
second stop of this fraction of the time limit (at least a second)."""


def rescued_by_trips(problem: Problem, trips: list[Trip]) -> int:
    """Net people delivered into havens by the trips (the planner's own count)."""
    idx = problem.pindex
    haven = problem.is_haven
    total = 0
    for tr in trips:
        if tr.people:
            if haven[idx[tr.destination]] and tr.arrive <= problem.end + 1e-9:
                total += tr.people
            if haven[idx[tr.origin]]:
                total -= tr.people
    return total


def greedy_settings(seed: int, runs: int) -> list[DispatchParams]:
    """``runs`` dispatcher settings: six that do best on our examples, then seeded random ones
    (on the ladder and the examples, no run after the sixth greedy one ever improved the
    best plan: guided runs do)."""
    first = [(0.0, 0.1), (1.0, 0.3), (0.5, 0.3), (4.0, 0.1), (8.0, 0.3), (1.0, 0.1)]
    rng = np.random.default_rng(seed)
    extra = [
        (float(rng.uniform(0, 16)), float(rng.uniform(0.02, 0.6)))
        for _ in range(max(0, runs - len(first)))
    ]
    return [DispatchParams(urgency=u, urgency_window=w) for u, w in (first + extra)[:runs]]


class Best:
    """The best plan found so far by the dispatcher over a list of settings."""

    def __init__(self, problem: Problem, seed: int, stop: SafetyStop, runs: int) -> None:
        self.problem = problem
        self.stop = stop
        # a fraction of the time limit itself: ``stop.left()`` stretches the time left by
        # the load (2.8x at load 6), which let the first guide fly 18 s of CPU past a 60 s
        # stop on scale-1000
        self.grace = None if stop.seconds is None else max(GUIDE_GRACE * stop.seconds, 1.0)
        """Seconds the first guide may still be flown for once the stop has struck."""
        self.todo = greedy_settings(seed, runs)
        self.trips: list[Trip] = []
        self.rescued = -1
        self.params: DispatchParams | None = None
        self.need: float | None = None
        """A probe's target (min makespan): once a plan rescues that many, later guided
        settings could only tie it, and a tie keeps the first plan, so they are not run."""
        self.runs = 0
        self.flown = False
        """Whether a guide has been flown."""
        self.guided_runs = 0
        self.targeted = False
        """Whether the best plan so far was dispatched towards the allocation's targets."""

    def guided(
        self,
        guide: dict[int, list[tuple[int, list[tuple[int, int]]]]],
        runs: int = 3,
        settings: list[DispatchParams] | None = None,
    ) -> None:
        """Follow the bound's LP paths (with ``runs`` greedy settings for what is left; the
        second one does not reserve people and room for the paths' later legs), or with the
        given ``settings`` (``CITY_GUIDED`` at city scale).

        The first guide is flown once even when the safety stop struck while it was being
        computed (that work would otherwise be lost, and one guided run costs a small part of
        it), under a second safety stop of ``GUIDE_GRACE`` of the time limit: cut by it, the
        run's plan so far is kept if it is the best (the result says that the stop bound)."""
        if settings is None:
            greedy = greedy_settings(0, runs)
            settings = [replace(prm, reserve=k != 1) for k, prm in enumerate(greedy)]
        for k, prm in enumerate(settings):
            if self.need is not None and self.rescued >= self.need:
                return
            first = k == 0 and not self.flown
            if not first and self.runs > 0 and self.stop.reached():
                return
            stop = self.stop
            if first and self.grace is not None and stop.reached():
                stop = SafetyStop(self.grace)
            trips = dispatch(self.problem, prm, guide, stop=stop)
            self.stop.bound |= stop.bound
            self.flown = True
            self.guided_runs += 1
            got = rescued_by_trips(self.problem, trips)
            self.runs += 1
            if got > self.rescued:
                self.trips, self.rescued, self.params = trips, got, prm

    def sectors(self, trips: list[Trip], runs: int) -> None:
        """The sectors' plans together (regions.py): past the allocation's size, a greedy run
        on the whole problem does not end in the safety stop, so none follows."""
        from evacuate.plan.regions import REGION_PARAMS

        got = rescued_by_trips(self.problem, trips)
        self.runs += runs
        self.todo = []
        if got > self.rescued:
            self.trips, self.rescued, self.params = trips, got, REGION_PARAMS

    def more(self, n: int) -> None:
        for _ in range(n):
            if not self.todo or (self.runs > 0 and self.stop.reached()):
                return
            self.run(self.todo.pop(0))

    def run(self, prm: DispatchParams, targets: np.ndarray | None = None) -> None:
        """One greedy dispatcher run (towards the allocation's ``targets``, if given)."""
        trips = dispatch(self.problem, prm, stop=self.stop, targets=targets)
        got = rescued_by_trips(self.problem, trips)
        self.runs += 1
        log.debug("dispatch %s (targets: %s): rescued %d", prm, targets is not None, got)
        if got > self.rescued:
            self.trips, self.rescued, self.params = trips, got, prm
            self.targeted = targets is not None


def allocation_start(alloc: Allocation | None) -> dict[str, Any]:
    """The direct guide's column generation at city scale starts from the allocation LP's
    duals (people per place, room per haven; ``allocate.allocation``), smoothed adaptively:
    on ``scale-200`` its 40 LP solves fly 18,896,072 instead of 18,732,310 from scratch, and
    the finer guide from its multipliers the same plan in half the CPU; on ``scale-500`` it
    converges where it did not from scratch (bench/results/2026-11-28-cplan.md, -cplan5.md)."""
    if alloc is None:
        return {}
    return {"multipliers": (alloc.sigma, alloc.mu), "adaptive": True}


def fine_guide_args(direct: LagrangeResult, iterations: int) -> dict[str, Any]:
    """The column generation of the finer guide (search.py's ``FINE_GUIDE``), from the direct
    guide's multipliers, with the bound's automatic smoothing (``lagrange.ADAPTIVE_STEP``)."""
    return {
        "conservative": True,
        "transfers": False,
        "iterations": iterations,
        "multipliers": (direct.sigma, direct.mu),
        "adaptive": True,
    }


def fly_fine_guide(
    best: Best, fine: LagrangeResult, stats: dict[str, Any], settings: list[DispatchParams]
) -> None:
    """Fly the finer guide once with ``settings``, unless the safety stop struck or its L is
    above the population (unconverged)."""
    stats["fine_guide"] = {"dt": fine.dt, "value": fine.bound, "iterations": fine.iterations}
    if fine.guide and not best.stop.reached() and fine.bound <= best.problem.population.sum():
        best.guided(fine.guide, settings=settings)
