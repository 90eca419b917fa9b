"""A bound from the fleet's round trips at any size: trips pooled per class and pickup.

The round-trip LP (``roundtrips.py``) has columns per class and pair of places, and is not
built past a few dozen places. This LP has one column per class and place with people:
``x[c, i]`` loaded trips of class ``c`` out of ``i`` into *some* haven, each carrying at most
``capacity[c]`` people and taking at least ``a(i) + D(i) + turnaround`` of a vehicle's time,
where ``D(i)`` is the shortest loaded trip (load, fastest travel, unload) from ``i`` to any
haven and ``a(i)`` the shortest empty move into ``i`` from a haven or a place where vehicles
enter. Its rows: people per place (released by its deadline); the havens' room pooled; per
class, the vehicles' working time up to the horizon, and for each last loading start
``theta`` the trips from places that must be loaded by then within the time before it (plus
one trip each); loads and berths at each place, unloads and berths pooled over the havens.
Its size grows with classes x places, whatever the fleet or the head count.

Why no plan rescues more (docs/planner.md, "How the planner scales"): with no place that
holds people without being safe (a staging place), the people a plan rescues rode a last
loaded trip from a place with people into a haven; drop every trip out of a haven (moves
between havens leave the havens' total unchanged) and count each kept trip as ``people /
capacity`` of a trip. Each vehicle's kept trips, in order, fit in its time: a trip takes at
least its pooled duration, the empty move before it at least ``a(i)``, and the first one at
least ``a(i) + delta(g)`` past the vehicle's entry, ``delta(g)`` the least extra over ``a``
from its entry place. Scenarios with staging places (or whose entries reach no place with
people) are not bounded here (``inf``).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import _allowance_sum, _entries, _Entry, _Lp

__all__ = ["LEVEL_TERMS", "MAX_LEVELS", "pooled_trip_bound"]

log = logging.getLogger(__name__)

MAX_LEVELS = 48
"""Last-loading levels per class (a subset of the valid ones: each is valid on its own)."""

LEVEL_TERMS = 100_000
"""Nonzeros of a class's level rows at most (fewer levels past ``LEVEL_TERMS / MAX_LEVELS``
places: at 10,000 places 48 levels made HiGHS take most of a minute)."""

_TOL = 1e-9


def _empty_from(problem: Problem, c: int, sources: NDArray[np.int64]) -> NDArray[np.float64]:
    """(len(sources), P) shortest empty-move times of class ``c`` from ``sources``: the direct
    times when straight-line travel obeys the triangle inequality, else shortest paths over
    the routes (Dijkstra from the sources only: no places x places copy)."""
    if problem.routes.straight:
        out = problem.times.block(c, sources, np.arange(problem.n_places))
    else:
        from scipy.sparse.csgraph import shortest_path

        travel = problem.travel[c]
        finite = np.isfinite(travel)
        # zero-time moves are edges too: shift every finite weight off zero, then back
        g = sp.csr_array(np.where(finite, travel + 1e-12, 0.0))
        d = shortest_path(g, method="D", directed=True, indices=sources)
        out = np.maximum(np.asarray(d) - 1e-12 * problem.n_places, 0.0)
    out[np.arange(len(sources)), sources] = 0.0
    return out


def _longest(problem: Problem, c: int) -> float:
    """The longest finite move of class ``c`` (in blocks of rows: no places x places array)."""
    every = np.arange(problem.n_places)
    most = 0.0
    for r in range(0, problem.n_places, 512):
        block = problem.times.block(c, every[r : r + 512], every)
        most = max(most, float(np.max(block, where=np.isfinite(block), initial=0.0)))
    return most


def _pauses_lost(problem: Problem, e: _Entry, horizon: float, rest: float, longest: float) -> float:
    """The part of the entry's pauses (withdrawals a return ends) that no trip can use."""
    lost = 0.0
    for k, a, b, hard in problem.pauses:
        if k != e.c:
            continue
        overlap = min(b, horizon) - max(a, e.t)
        lost += max(0.0, overlap - (rest + (0.0 if hard else longest)))
    return lost


def pooled_trip_bound(problem: Problem, stop: SafetyStop | None = None) -> float:
    """The LP optimum of the module docstring: no plan rescues more (inf: not built, or cut
    by the safety ``stop``)."""
    n_c, n_p, end = problem.n_classes, problem.n_places, float(problem.end)
    if not problem.supply or end < 0:
        return math.inf
    sink = problem.sink_capacity > 0
    haven = problem.is_haven & sink
    if np.any(sink & ~haven):
        return math.inf  # staging places: people may ride twice (see the docstring)
    if not np.any(haven):
        return 0.0
    released = np.zeros(n_p)
    for p, t, n in problem.arrivals:
        if t <= min(end, float(problem.deadline[p])) + _TOL:
            released[p] += n
    pickups = np.flatnonzero((released > 0) & ~haven)
    if pickups.size == 0:
        return 0.0
    entries = _entries(problem)
    load, unload = problem.load, problem.unload
    rest = np.array([problem.rest(c) for c in range(n_c)])
    lp = _Lp()
    time_rows: list[tuple[list[tuple[int, float]], float]] = []
    cols: dict[tuple[int, int], int] = {}
    dur = np.full((n_c, n_p), math.inf)
    appr = np.full((n_c, n_p), math.inf)
    for c in range(n_c):
        mine = [e for e in entries if e.c == c and e.count > 0]
        if not mine:
            continue
        trip = problem.times.block(c, pickups, np.flatnonzero(haven))
        dur[c, pickups] = np.min(trip, axis=1) + load[c] + unload[c]
        starts = np.zeros(n_p, dtype=bool)
        starts[haven] = True
        starts[[e.p for e in mine]] = True
        sources = np.flatnonzero(starts)
        dist = _empty_from(problem, c, sources)
        row = {int(p): k for k, p in enumerate(sources.tolist())}
        appr[c] = np.min(dist, axis=0)
        # the longest trip of any kind (a trip under way at a withdrawal or a pause may
        # finish): needed only when the class has either
        w = float(problem.withdraw[c])
        longest = 0.0
        if math.isfinite(w) or any(k == c for k, _, _, _ in problem.pauses):
            longest = _longest(problem, c) + float(load[c] + unload[c])
        horizon = end
        if math.isfinite(w):
            horizon = min(end, w if problem.withdraw_hard[c] else w + longest)
        reach = np.min([e.t + dist[row[e.p]] for e in mine], axis=0)
        for i in pickups.tolist():
            dep = max(float(reach[i]), float(problem.open_from[i]))
            d = float(dur[c, i])
            if not (math.isfinite(dep) and math.isfinite(d) and math.isfinite(appr[c, i])):
                continue
            if dep + load[c] > problem.deadline[i] + _TOL or dep >= problem.withdraw[c]:
                continue
            if dep + d > horizon + _TOL:
                continue
            cols[(c, i)] = lp.col(cost=float(problem.capacity[c]))
        mine_cols = [(i, col) for (k, i), col in cols.items() if k == c]
        if not mine_cols:
            continue
        idx = np.array([i for i, _ in mine_cols])
        # the least extra time of an entry's first empty move over the pooled approach
        delta = {
            id(e): float(np.min(dist[row[e.p], idx] - appr[c, idx])) if idx.size else 0.0
            for e in mine
        }
        cost = {i: float(appr[c, i] + dur[c, i] + rest[c]) for i, _ in mine_cols}
        budget = sum(
            e.count
            * max(
                0.0,
                horizon
                - e.t
                + float(rest[c])
                - _pauses_lost(problem, e, horizon, float(rest[c]), longest)
                - delta[id(e)],
            )
            for e in mine
        )
        time_rows.append(([(col, cost[i]) for i, col in mine_cols], budget))
        limit = problem.deadline - load[c]
        levels = sorted({float(limit[i]) for i, _ in mine_cols if limit[i] < horizon})
        most = min(MAX_LEVELS, max(4, LEVEL_TERMS // len(mine_cols)))
        if len(levels) > most:
            pick = np.linspace(0, len(levels) - 1, most).round().astype(int)
            levels = [levels[k] for k in sorted(set(pick.tolist()))]
        for theta in levels:
            early = [(i, col) for i, col in mine_cols if limit[i] <= theta + _TOL]
            last = max(float(dur[c, i]) for i, _ in early)
            room = sum(
                e.count * max(0.0, theta - e.t + last + float(rest[c]) - delta[id(e)]) for e in mine
            )
            time_rows.append(([(col, cost[i]) for i, col in early], room))
    if not cols:
        return 0.0
    for terms, hi in time_rows:
        lp.row(terms, hi)
    _people_rows(problem, lp, cols, released, haven)
    scale = max(1.0, float(np.max(np.abs(lp.hi), initial=1.0)) / 1e6)
    return lp.maximise("pooled round-trip bound", scale, rows_scaled=True, stop=stop)


def _people_rows(
    problem: Problem,
    lp: _Lp,
    cols: dict[tuple[int, int], int],
    released: NDArray[np.float64],
    haven: NDArray[np.bool_],
) -> None:
    """People per place, the havens' room, loads and unloads within their allowances and
    berths (unloads pooled over the havens: a trip's haven is not known here)."""
    end = float(problem.end)
    cap = problem.capacity
    by_place: dict[int, list[tuple[int, float]]] = {}
    busy: dict[int, list[tuple[int, float]]] = {}
    for (c, i), col in cols.items():
        by_place.setdefault(i, []).append((col, float(cap[c])))
        busy.setdefault(i, []).append((col, float(problem.load[c])))
    everyone = [(col, float(cap[c])) for (c, _), col in cols.items()]
    for i, terms in by_place.items():
        lp.row(terms, float(released[i]))
        allowed = _allowance_sum(problem, i, min(end, float(problem.deadline[i])), unload=False)
        if math.isfinite(allowed):
            lp.row(terms, allowed)
        berths = problem.bound_berths(i)
        if berths < 1 << 30:
            lp.row([(col, v) for col, v in busy[i] if v > 0], berths * max(0.0, end))
    lp.row(everyone, float(problem.sink_capacity[haven].sum()))
    havens = np.flatnonzero(haven).tolist()
    unloads = [_allowance_sum(problem, h, end, unload=True) for h in havens]
    if all(math.isfinite(u) for u in unloads):
        lp.row(everyone, float(sum(unloads)))
    most = [problem.bound_berths(h) for h in havens]
    if all(b < 1 << 30 for b in most):
        terms = [(col, float(problem.unload[c])) for (c, _), col in cols.items()]
        lp.row([(col, v) for col, v in terms if v > 0], float(sum(most)) * max(0.0, end))
