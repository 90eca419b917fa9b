"""Min makespan: the route search of improve.py for shuttle problems (the bus evacuation
problem), else bisection on a common horizon, each probe planned by the max-rescued search on
a budget of its own; the lower bound is a bisection on the bound.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from evacuate.plan.budget import FULL_EFFORT, SafetyStop
from evacuate.plan.improve import improve_makespan
from evacuate.plan.lagrange import (
    choose_dt,
    column_generation_bound,
    has_instant_trips,
    trivial_bound,
)
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.search import max_rescued
from evacuate.plan.shuttle_bound import reach_makespan_bound, shuttle_makespan_bound
from evacuate.planio import Trip
from evacuate.scenario.scenario import Scenario

__all__ = [
    "FULL_EFFORT",
    "LB_TOLERANCE",
    "LB_WINDOWS",
    "MIP_SOLVES",
    "PROBE_ROUND_CELLS",
    "PROBE_TOLERANCE",
    "WORK_PER_SECOND",
    "min_makespan",
]


WORK_PER_SECOND = 50_000
"""The route search's default budget (min makespan): this many move evaluations per second of
the time limit, about a sixth of what one core does (320,000 a second of CPU on
tests/data/bep/two_yards.txt), so the budget, not the clock, ends the search on a loaded
machine; the same options still give the same plan."""


MIP_SOLVES = 12
"""Exact sub-MIPs after the route search of a shuttle problem (submip.py; whole-unit data on
a small grid only), each up to ``submip.SUB_NODES`` branch-and-bound nodes."""


_PROBE_ROUNDS = 1
_PROBE_RUNS = 6
"""Budget of each min-makespan probe: one round of the bound and six greedy settings ..."""

PROBE_ROUND_CELLS = 500_000
"""... but on a grid of more than this many cells (steps x places^2 x classes) only the
direct guide's runs: a round of the bound costs LP solves on the whole grid, and there it
never made a probe succeed (hurricane example, 1.2 M cells, and the Romulan scenario, 2.35 M:
the same makespans without it, at 1-2 s of CPU a probe instead of 2-13 s); on the airlift
(192,000 cells) it shortened the makespan from 70 to 67."""


def _with_end(scenario: Scenario, end: float) -> Scenario:
    return scenario.model_copy(
        update={"scenario": scenario.scenario.model_copy(update={"end": end})}
    )


def _at_end(problem: Problem, scenario: Scenario, end: float) -> Problem:
    """The problem with horizon ``end`` and the whole scenario's havens (a plan that has
    everyone safe by ``end`` is one of its plans; a threatened place whose deadline falls
    after ``end`` is no haven, or its own people would count as safe): production depends on
    the horizon, so a scenario with shipyards is compiled again."""
    if scenario.fleet.shipyards:
        return replace(compile_problem(_with_end(scenario, end)), is_haven=problem.is_haven.copy())
    return replace(problem, end=end, is_haven=problem.is_haven.copy())


PROBE_TOLERANCE = 5e-3
"""The plan side's bisection on fractional horizons ends once the horizons left to try span
at most this fraction of the best makespan, divided by ``effort`` (down to 0.1%) and times
``_widened(effort)`` (whole-unit data: every whole horizon is tried): 1.5% at the default
budget, 0.17% at ``FULL_EFFORT``. At 1.5% the Romulan scenario needs one probe (1564.30, the
same) and the hurricane example four (15.94 against 15.83 with six).
At 1e-3 the Romulan scenario's last two probes (1.6-1.9 s of CPU each) both failed; on the
hurricane example the result is the same either way (15.83, six probes)."""


LB_TOLERANCE = 1e-3
"""The lower bound's bisection on fractional horizons ends once the horizons left span at
most this fraction of the upper end, times ``_widened(effort)``: 0.3% at the default budget,
where the hurricane example and the Romulan scenario keep their lower bounds of 0.1%
(12.2754 and 1546.52) for 2 fewer relaxations each (168 and 278 LP solves instead of 217 and
375; the relaxations nearest the answer cost the most, up to 54 LP solves each to decide).
At 0.9% they would be 12.246 and 1543.28 for 138 and 176 LP solves, but the plan side's
bisection starts from the lower bound, and from there it ended at 16.19 and 1589.84."""


LB_WINDOWS = 24
"""Below ``FULL_EFFORT`` the lower bound's relaxations have this many time windows of people
rows (48 otherwise): fewer rows, a valid and slightly looser relaxation, a cheaper master LP.
Measured (loaded, so CPU seconds vary): the hurricane example's and the Romulan scenario's
relaxations give the same answers at the same horizons (12.2707 and 1544.52) for 174 and 260
LP solves instead of 194 and 287, the hurricane's in 1.4 s of CPU instead of 2.1; with 12
windows the hurricane's lower bound is 12.2216 (150 LP solves), with 6 12.2216 (145); the
Romulan's stays 1544.52 (250 and 216)."""


def _widened(effort: float) -> float:
    """How much wider the bisections end on a budget below ``FULL_EFFORT``."""
    return max(1.0, FULL_EFFORT / effort)


_LB_GRID_CAP = 5_000_000
"""Grid steps x places^2 x classes beyond which the makespan lower bound uses only the
shuttle bound (shuttle_bound.py), not the relaxation's bisection."""


def _makespan_lower_bound(
    problem: Problem,
    scenario: Scenario,
    hi: float,
    stop: SafetyStop,
    stats: dict[str, Any],
    tolerance: float = LB_TOLERANCE,
    windows: int = 48,
) -> float:
    """A time no plan finishes before: at least the shuttle bound (shuttle_bound.py), and
    raised by bisection on the horizon of the relaxation. A horizon whose relaxation cannot
    hold everyone's rescue is one no plan meets; with whole-unit durations (makespans are
    whole numbers) the bisection is on whole horizons and the bound is the next whole number
    after the longest such horizon (about half the relaxations of a bisection to 0.1%);
    otherwise it is that horizon, to ``tolerance`` (relative). ``windows``: the relaxations'
    time windows (``LB_WINDOWS`` below ``FULL_EFFORT``; 48, the column generation's default)."""
    population = float(problem.population.sum())
    lo = shuttle_makespan_bound(problem)
    stats["shuttle_lower_bound"] = lo
    lo = max(lo, reach_makespan_bound(problem))
    steps = hi / choose_dt(problem) if problem.supply else math.inf
    if steps * problem.n_places**2 * problem.n_classes > _LB_GRID_CAP:
        return lo
    whole = _integral(problem)
    if whole:  # no plan finishes before ``lo`` nor at a fraction: the next whole number
        lo, hi = float(math.ceil(lo - 1e-9)), float(math.ceil(hi - 1e-9))
    for _ in range(30):
        if (lo >= hi) if whole else (hi - lo <= tolerance * max(1.0, hi)):
            break
        if stop.reached():
            break
        mid = float(math.floor((lo + hi) / 2)) if whole else 0.5 * (lo + hi)
        pb = _at_end(problem, scenario, mid)
        b = trivial_bound(pb)
        if pb.supply and not has_instant_trips(pb) and b >= population - 1e-6:
            cg = column_generation_bound(
                pb,
                iterations=60,
                stop=stop,
                target=population - 1e-6,
                n_windows=windows,
            )
            stats["lb_lp_solves"] = stats.get("lb_lp_solves", 0) + cg.iterations
            b = min(b, cg.bound)
        stats["probes"].append({"horizon": mid, "bound": b})
        if b < population - 1e-6:
            lo = mid + 1.0 if whole else mid  # no plan finishes by ``mid``
        else:
            hi = mid
    return lo


def _grid_cells(problem: Problem) -> float:
    """Cells of the bound's grid at its default step: steps x places^2 x classes."""
    return problem.end / choose_dt(problem) * problem.n_places**2 * problem.n_classes


def _integral(problem: Problem) -> bool:
    """Every duration a whole number of time units: then so is every makespan."""
    times = [*problem.load, *problem.unload, *(s.t for s in problem.supply)]
    times += [float(x) for x in problem.travel[np.isfinite(problem.travel)]]
    return all(abs(t - round(t)) < 1e-9 for t in times)


def min_makespan(
    full: Problem,
    scenario: Scenario,
    *,
    seed: int,
    stop: SafetyStop,
    work: int,
    effort: float = 1.0,
) -> tuple[list[Trip], int, float, float | None, float | None, dict[str, Any]]:
    """The smallest horizon whose plan rescues everyone, and a lower bound on it.

    Shuttle problems (no clock in the rules but travel, such as the bus evacuation problem)
    get the route search of improve.py, budgeted in ``work`` move evaluations. Others:
    bisection on a common horizon, every probe planned by the max-rescued planner on a budget
    of its own (``_PROBE_ROUNDS``, ``_PROBE_RUNS``). The lower bound is a bisection on the
    bound. ``stop`` is only a safety stop. ``effort``: the work budget against the default
    one (api.py); it scales ``PROBE_ROUND_CELLS`` and divides ``PROBE_TOLERANCE`` (down to
    0.1%), and below ``FULL_EFFORT`` both bisections end wider (``_widened``).
    """
    population = int(full.population.sum())
    stats: dict[str, Any] = {"probes": []}
    widen = _widened(effort)
    lb = _makespan_lower_bound(
        full,
        scenario,
        full.end,
        stop,
        stats,
        LB_TOLERANCE * widen,
        LB_WINDOWS if effort < FULL_EFFORT else 48,
    )
    target = math.ceil(lb - 1e-6) if _integral(full) else lb
    shuttle = improve_makespan(
        full, seed=seed, work=work, target=target, stop=stop, mip_solves=MIP_SOLVES
    )
    if shuttle is not None:
        stats["work"] = shuttle.work
        stats["search_rounds"] = shuttle.rounds
        stats["mip"] = {
            "solves": shuttle.mip_solves,
            "gains": shuttle.mip_gains,
            "nodes": shuttle.mip_nodes,
            "proven_optimal": shuttle.proven_optimal,
        }
        if shuttle.stopped_by_time:
            stop.bound = True
        if shuttle.proven_optimal:
            lb = max(lb, shuttle.makespan)  # the whole MIP: nothing a time unit earlier
        if shuttle.makespan <= full.end + 1e-9:
            stats["stopped_by_time"] = stop.bound
            return shuttle.trips, population, float(population), shuttle.makespan, lb, stats
    trips, rescued, _, first = max_rescued(
        full, seed=seed, stop=stop, gap_target=0.0, need=population, effort=effort
    )
    stats["lp_solves"] = first["lp_solves"]
    stats["dispatch_runs"] = first["dispatch_runs"]
    if rescued < population:
        bound = max(float(rescued), trivial_bound(full))
        stats["note"] = "not everyone can be rescued by the horizon: makespan undefined"
        stats["stopped_by_time"] = stop.bound
        return trips, rescued, bound, None, lb, stats
    best_trips = trips
    hi = max(t.arrive for t in trips if t.people) if trips else 0.0
    # plan side: shorter horizons, each planned by the max-rescued planner (guided plans and,
    # on tiny whole-unit problems, the exact MIP) on the probe budget. With whole-unit data
    # the makespan is a whole number: probes are whole horizons (so the exact MIP applies),
    # and a probe whose bound says that no plan rescues everyone raises the lower bound.
    whole = _integral(full)
    low = math.ceil(lb - 1e-6) if whole else lb
    for _ in range(30):
        if stop.reached():
            break
        if whole:
            if low >= hi - 1e-9:
                break
            mid = float(math.floor((low + hi - 1) / 2))
        else:
            if hi - low <= max(1e-3, PROBE_TOLERANCE / effort) * widen * max(1.0, hi):
                break
            mid = 0.5 * (low + hi)
        pb = _at_end(full, scenario, mid)
        tr, got, bound, st = max_rescued(
            pb,
            seed=seed,
            stop=stop,
            gap_target=0.0,
            rounds=_PROBE_ROUNDS,
            runs=_PROBE_RUNS,
            need=population,
            direct_only=_grid_cells(pb) > PROBE_ROUND_CELLS * effort,
            effort=effort,
        )
        stats["lp_solves"] += st["lp_solves"]
        stats["dispatch_runs"] += st["dispatch_runs"]
        stats["probes"].append({"horizon": mid, "rescued": got, "bound": bound})
        if got >= population:
            best_trips, hi = tr, max(t.arrive for t in tr if t.people)
            continue
        low = mid + 1.0 if whole else mid
        if bound < population - 1e-6:  # proven: no plan rescues everyone by ``mid``
            lb = max(lb, mid)
    stats["stopped_by_time"] = stop.bound
    makespan = max(t.arrive for t in best_trips if t.people) if best_trips else 0.0
    return best_trips, population, float(population), makespan, lb, stats
