"""The trip-budget bound: a tiny LP over loaded trips per class and pickup place, cheap at any
scale (it grows with places times havens, not with time steps).

Every rescued person rode a loaded trip out of a place where people start (not a haven). A
trip out of ``i`` takes the vehicle its loading, then at least ``m_i``: the travel to the
quickest place that takes people plus the unloading there, plus the way from there to the
nearest place where people start (the next such trip loads there; with straight-line travel no
chain of moves is quicker than the direct one, otherwise that way counts as 0). It loads
before ``i``'s deadline. So for each deadline level ``D`` and class, the trips out of places
whose deadline is at most ``D`` fit in the class's vehicle time before ``D``: per vehicle,
``D`` less when it is free and its way to the nearest such place, plus one ``max m_i`` (its
last trip may end after ``D``). People per place, and all havens' room, bound the rest. Lane
windows, closures, throughput, berths, late arrivals, losses and turnarounds are relaxed, so
the LP's optimum bounds every plan (docs/planner.md).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp

from evacuate.plan.problem import Problem

__all__ = ["MAX_LEVELS", "trip_budget_bound"]

log = logging.getLogger(__name__)

MAX_LEVELS = 48
"""Deadline levels per class at most (evenly spread over the distinct deadlines, the last
included): the LP then has classes x levels x places nonzeros, not places squared."""


def trip_budget_bound(problem: Problem) -> float:
    """An upper bound on rescued people (``inf`` when it does not apply: no vehicles, no
    havens, or people that start at a haven)."""
    people = (problem.population > 0) & ~problem.is_haven
    if not problem.supply or not np.any(people) or not np.any(problem.is_haven):
        return math.inf
    if np.any((problem.population > 0) & problem.is_haven):
        return math.inf
    src = np.flatnonzero(people)
    sinks = np.flatnonzero(problem.sink_capacity > 0)
    end = problem.end
    deadline = np.minimum(problem.deadline[src], end)
    levels = np.unique(deadline)  # a constraint per deadline level (the last included)
    if len(levels) > MAX_LEVELS:  # each level is valid on its own: a spread of them
        levels = levels[np.unique(np.linspace(0, len(levels) - 1, MAX_LEVELS).round().astype(int))]
    n_c, n_s, n_l = problem.n_classes, len(src), len(levels)
    n_p = problem.n_places
    # variables: trips x[c, i] (class-major), then rescued r[i]
    n_x = n_c * n_s
    cols: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    row_upper: list[float] = []
    n_rows = 0
    starts = problem.sink_capacity > 0
    starts[[s.p for s in problem.supply]] = True
    for c in range(n_c):
        tt = problem.travel[c]
        unload, load = float(problem.unload[c]), float(problem.load[c])
        out = tt[np.ix_(src, sinks)].min(axis=1, initial=math.inf) + unload
        # the way in: from where the vehicle started or last unloaded (straight lines: no
        # chain is quicker than the direct move), else at least the last move's
        from_places = np.flatnonzero(starts) if problem.routes.straight else np.arange(n_p)
        way_in = tt[np.ix_(from_places, src)]
        way_in[from_places[:, None] == src[None, :]] = math.inf
        into = way_in.min(axis=0, initial=math.inf)
        into = np.where(starts[src], 0.0, into)
        ok = np.isfinite(out) & np.isfinite(into) & (deadline >= load)
        if not np.any(ok):
            continue
        spill = float(out[ok].max())  # a vehicle's last trip may end after the level
        cycle = into + load + out
        sup = [s for s in problem.supply if s.c == c]
        start = np.array([s.t for s in sup])
        count = np.array([float(s.count) for s in sup])
        stop = min(float(problem.withdraw[c]), end)
        for level in levels.tolist():
            until = min(level, stop)
            spare = until - start
            room = float(np.sum(np.where(spare >= load, spare + spill, 0.0) * count))
            here = np.flatnonzero(ok & (deadline <= level))
            if len(here) == 0:
                continue
            cols.append(c * n_s + here)
            rows.append(np.full(len(here), n_rows))
            vals.append(cycle[here])
            row_upper.append(room)
            n_rows += 1
        # no trip out of a place it cannot serve at all
        dead = np.flatnonzero(~ok)
        if len(dead):
            cols.append(c * n_s + dead)
            rows.append(np.arange(n_rows, n_rows + len(dead)))
            vals.append(np.ones(len(dead)))
            row_upper += [0.0] * len(dead)
            n_rows += len(dead)
    # people: r[i] <= sum over classes of capacity x[c, i]
    for i in range(n_s):
        cols.append(np.array([*(c * n_s + i for c in range(n_c)), n_x + i]))
        rows.append(np.full(n_c + 1, n_rows))
        vals.append(np.array([*(-float(problem.capacity[c]) for c in range(n_c)), 1.0]))
        row_upper.append(0.0)
        n_rows += 1
    # room: all rescued fit in the havens
    cols.append(n_x + np.arange(n_s))
    rows.append(np.full(n_s, n_rows))
    vals.append(np.ones(n_s))
    row_upper.append(float(problem.sink_capacity[problem.is_haven].sum()))
    n_rows += 1
    matrix = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_x + n_s),
    )
    from evacuate.solvers import highs

    res = highs.solve(
        np.concatenate([np.zeros(n_x), np.ones(n_s)]),
        matrix,
        np.full(n_rows, -np.inf),
        np.array(row_upper),
        np.zeros(n_x + n_s),
        np.concatenate([np.full(n_x, np.inf), problem.population[src].astype(np.float64)]),
        sense="max",
    )
    if res.objective is None or res.status != "optimal":
        log.warning("trip-budget bound: LP %s", res.status)
        return math.inf
    # people are whole: the LP's optimum, a hair up for the solver's tolerances, rounded down
    value = float(math.floor(float(res.objective) * (1 + 1e-9) + 1e-6))
    log.info("trip-budget bound %.6g (%d levels, %d places)", value, n_l, n_s)
    return value
