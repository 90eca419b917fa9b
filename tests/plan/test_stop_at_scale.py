"""The safety stop and memory at scale (issue 14, item 5): times on demand in small blocks give
the whole array's numbers, and a search the stop has cut computes no more bounds after it."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from bench.generate import generate

import evacuate
from evacuate.check import check
from evacuate.plan import routes
from evacuate.plan.budget import SafetyStop
from evacuate.plan.grid import trivial_bound
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import max_rescued
from evacuate.planio import Plan


def test_blocks_on_demand_in_parts_are_the_whole_arrays_numbers(monkeypatch: Any) -> None:
    """A block of times computed on demand a few pairs at a time (``BLOCK_CELLS``) equals the
    whole array's block, number for number, for every class."""
    monkeypatch.setattr(routes, "DENSE_CELLS", 0)  # on demand however few the places
    monkeypatch.setattr(routes, "BLOCK_CELLS", 7)  # rows of a block computed in parts
    problem = compile_problem(evacuate.scenario.from_dict(generate(4, places=15, classes=3)))
    times = problem.times
    rows = np.array([3, 0, 9, 9, 21, 5], dtype=np.int64)
    cols = np.arange(problem.n_places, dtype=np.int64)[::-1]
    parts = [times.block(c, rows, cols) for c in range(problem.n_classes)]
    assert not times.built
    dense = problem.travel
    for c, got in enumerate(parts):
        np.testing.assert_array_equal(got, dense[c][np.ix_(rows, cols)])


def test_a_stopped_search_keeps_its_plan_and_skips_the_round_trip_bound() -> None:
    """Once the safety stop has struck, the round-trip LP is not built (at 10,000 places it
    ran 18 s of CPU past the stop): the plan so far is feasible, its count is the checker's,
    the bound stays valid, and the result says that the stop bound."""
    scenario = evacuate.scenario.from_dict(generate(2, places=6, vehicles=40, steps=60))
    problem = compile_problem(scenario)
    stop = SafetyStop(1e-9)  # struck at the first look
    trips, rescued, bound, stats = max_rescued(problem, seed=0, stop=stop, gap_target=1e-4)
    assert stats["stopped_by_time"] and stop.bound
    assert stats["round_trip_bound"] == "skipped: the safety stop struck"
    assert stats["dispatch_runs"] == 1 and stats["lp_solves"] == 0
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit=scenario.time_unit))
    assert report.feasible and report.rescued == rescued
    assert rescued <= bound <= trivial_bound(problem)
    free = max_rescued(problem, seed=0, stop=SafetyStop(None), gap_target=1e-4)
    assert bound >= free[1]  # the bound of a cut search still holds the uncut plan


def test_the_first_guides_grace_is_a_tenth_of_the_limit_whatever_the_load() -> None:
    """The grace a first guide is flown under once the stop has struck is ``GUIDE_GRACE`` of
    the time limit, not of the time left as stretched by the machine's load (a stop begun
    30 s of wall clock ago with almost no CPU used looks like a loaded machine)."""
    from evacuate.plan.search import GUIDE_GRACE, _Best

    problem = compile_problem(evacuate.scenario.from_dict(generate(2, places=4, steps=40)))
    busy = SafetyStop(60.0, start=time.perf_counter() - 30.0)
    busy.cpu_start -= 0.1  # as if 0.1 s of CPU in 30 s of wall clock: load 300
    assert busy.left() is not None and busy.left() > 100  # stretched by the load
    assert _Best(problem, 0, busy, 1).grace == GUIDE_GRACE * 60.0
    assert _Best(problem, 0, SafetyStop(5.0), 1).grace == 1.0  # at least a second
    assert _Best(problem, 0, SafetyStop(None), 1).grace is None
