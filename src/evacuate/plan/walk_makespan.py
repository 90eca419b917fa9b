"""Min makespan with walkways: the earliest time by which everyone is safe when people may walk
to where they board (docs/model.md, "Walkways").

The plan side is makespan.py's bisection on a common horizon, each probe planned by the
walkway planner (walks.py: the split in rounds, then the vehicle search on a probe budget).
The lower bound is a bisection on walks.py's relaxation: at a horizon where the relaxation of
the walks plus a bound of the relaxed vehicle problem cannot hold everyone, no plan with walks
rescues everyone by then, so the makespan is later. The shuttle route search of improve.py
plans vehicles only and is not used here.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from evacuate.plan.budget import SafetyStop
from evacuate.plan.grid import choose_dt, has_instant_trips, trivial_bound
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.makespan import _PROBE_ROUNDS, _PROBE_RUNS, _at_end, _integral
from evacuate.plan.problem import Problem
from evacuate.plan.search import rescued_by_trips
from evacuate.plan.walks import (
    apply_walks,
    compile_ways,
    plan_with_walks,
    relax_for_bound,
    walk_rescued,
)
from evacuate.planio import Trip, Walk
from evacuate.scenario.scenario import Scenario

__all__ = ["min_makespan_with_walks", "walk_makespan_bound"]

log = logging.getLogger(__name__)

_BISECTIONS = 30
_GRID_CAP = 5_000_000
"""Grid steps x places^2 x classes beyond which a probe of the lower bound uses only the
trivial bound of the relaxation (as makespan.py does)."""


def _everyone_safe_at(trips: list[Trip], walks: list[Walk]) -> float:
    """When the last evacuee arrives: the last loaded trip's or walk's arrival."""
    times = [t.arrive for t in trips if t.people] + [w.arrive for w in walks]
    return max(times, default=0.0)


def _whole(problem: Problem) -> bool:
    """Every duration and instant a plan starts from is a whole number of time units (the
    vehicles', the releases' and the walkways'): then so is every makespan."""
    times = [t for _, t, _ in problem.arrivals]
    for way in compile_ways(problem):
        times += [way.time, *(x for x in (way.first, way.last) if math.isfinite(x))]
    return _integral(problem) and all(abs(t - round(t)) < 1e-9 for t in times)


def _rescues_everyone(full: Problem, trips: list[Trip], walks: list[Walk]) -> bool:
    """A probe's plan, counted in the whole scenario (a shorter horizon makes more havens)."""
    got = rescued_by_trips(apply_walks(full, walks), trips) + walk_rescued(full, walks)
    return got >= int(full.population.sum())


def _relaxed_bound(pb: Problem, stop: SafetyStop) -> float:
    """A bound on the people any plan with walks rescues by ``pb``'s horizon."""
    population = float(pb.population.sum())
    room = float(pb.sink_capacity[pb.is_haven].sum())
    relaxed, walked = relax_for_bound(pb)
    b = min(trivial_bound(relaxed) + walked, population, room)
    if b < population - 1e-6 or not relaxed.supply or has_instant_trips(relaxed):
        return b
    steps = pb.end / choose_dt(relaxed)
    if steps * relaxed.n_places**2 * relaxed.n_classes > _GRID_CAP:
        return b
    cg = column_generation_bound(relaxed, iterations=60, stop=stop).bound
    return min(b, cg + walked)


def walk_makespan_bound(
    problem: Problem, scenario: Scenario, stop: SafetyStop, stats: dict[str, Any]
) -> float:
    """The longest horizon (to 0.1%) at which walks.py's relaxation cannot hold everyone's
    rescue: no plan with walks has everyone safe before it (0 when none is found)."""
    population = float(problem.population.sum())
    lo, hi = 0.0, problem.end
    for _ in range(_BISECTIONS):
        if hi - lo <= 1e-3 * max(1.0, hi) or stop.reached():
            break
        mid = 0.5 * (lo + hi)
        b = _relaxed_bound(_at_end(problem, scenario, mid), stop)
        stats["probes"].append({"horizon": mid, "bound": float(b)})
        if b < population - 1e-6:
            lo = mid
        else:
            hi = mid
    return lo


def min_makespan_with_walks(
    full: Problem, scenario: Scenario, *, seed: int, stop: SafetyStop
) -> tuple[list[Trip], list[Walk], int, float, float | None, float, dict[str, Any]]:
    """The smallest horizon whose plan with walks rescues everyone, and a lower bound on it.

    Returns trips, walks, rescued, bound (on the rescued), makespan (None when not everyone
    can be rescued by the scenario's end), its lower bound and statistics. Budgeted in work
    units like makespan.py (the split's rounds and the probe budget); ``stop`` is only a
    safety stop.
    """
    population = int(full.population.sum())
    stats: dict[str, Any] = {"probes": []}
    lb = walk_makespan_bound(full, scenario, stop, stats)
    if _whole(full):
        lb = float(math.ceil(lb - 1e-6))  # whole durations: so is every makespan
    trips, walks, rescued, bound, first = plan_with_walks(
        full, seed=seed, stop=stop, gap_target=0.0
    )
    stats["lp_solves"] = first["lp_solves"]
    stats["dispatch_runs"] = first["dispatch_runs"]
    stats["walks"] = first["walks"]
    if rescued < population or population == 0:
        stats["note"] = (
            "nobody to rescue: makespan undefined"
            if population == 0
            else "not everyone can be rescued by the horizon: makespan undefined"
        )
        stats["stopped_by_time"] = stop.bound
        return trips, walks, rescued, bound, None, lb, stats
    best = (trips, walks)
    hi = _everyone_safe_at(trips, walks)
    lo = lb
    for _ in range(_BISECTIONS):
        if hi - lo <= 1e-3 * max(1.0, hi) or stop.reached():
            break
        mid = 0.5 * (lo + hi)
        tr, wk, got, _, st = plan_with_walks(
            _at_end(full, scenario, mid),
            seed=seed,
            stop=stop,
            gap_target=0.0,
            rounds=_PROBE_ROUNDS,
            runs=_PROBE_RUNS,
            with_bound=False,
        )
        stats["lp_solves"] += st["lp_solves"]
        stats["dispatch_runs"] += st["dispatch_runs"]
        stats["probes"].append({"horizon": mid, "rescued": got})
        if got >= population and _rescues_everyone(full, tr, wk):
            best, hi = (tr, wk), _everyone_safe_at(tr, wk)
        else:
            lo = mid
    stats["stopped_by_time"] = stop.bound
    trips, walks = best
    log.debug("min makespan with walks: %g (lower bound %g)", hi, lb)
    return trips, walks, population, float(population), _everyone_safe_at(*best), lb, stats
