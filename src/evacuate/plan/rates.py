"""The bound's throughput rows: loading rate and berths of a place over runs of time windows.

A row covers the loads whose grid step falls in windows ``k0 .. k1 - 1`` of a place. Its
rate limit is the sum of the allowances of the throughput periods those loads can draw on:
a loading draws on every period it spans (docs/model.md, Throughput), so a row reaches the
longest load time past its last start (rates may change from period to period); its berth
limit is berths times the time they can occupy. Each place has one row per window (local
limits) and one per window to the end (tails, down to the whole horizon): windows that
share a period count it twice, tails never do, so the whole-horizon row is rate x open
time (plus the longest load time). At a place that only sends people (no room), a load
that cannot deliver before the end rescues nobody and is left out of a plan mapped to the
grid, so its loads are counted up to the latest start that can still deliver. No load
starts before ``open_from`` or while a known ``close_place`` holds: periods that no loading
started outside them can reach add no allowance.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.problem import Problem

__all__ = ["latest_useful_start", "throughput_rows"]

EPS = 1e-9

Row = tuple[int, int, int]
"""(place, first window, one past the last window)."""


def latest_useful_start(problem: Problem, p: int) -> float:
    """The latest load start at ``p`` that can still deliver before the end and its deadline
    (the end itself at a place with room, where a late load may only move people on)."""
    end = float(problem.end)
    if problem.sink_capacity[p] > 0:
        return end
    latest = -math.inf
    for c in range(problem.n_classes):
        full = problem.travel[c, p] + problem.load[c] + problem.unload[c]
        ok = np.isfinite(full) & (problem.sink_capacity > 0)
        ok[p] = False
        if np.any(ok):
            start = end - float(np.min(full[ok]))
            start = min(start, float(problem.deadline[p]) - float(problem.load[c]))
            latest = max(latest, start)
    return latest


def _latest_load_end(problem: Problem, p: int) -> float:
    """The latest end of a loading at ``p`` that can still deliver before the end and load
    before its deadline (no limit at a place with room)."""
    if problem.sink_capacity[p] > 0:
        return math.inf
    latest = -math.inf
    for c in range(problem.n_classes):
        ok = np.isfinite(problem.travel[c, p]) & (problem.sink_capacity > 0)
        ok[p] = False
        if np.any(ok):
            done = float(problem.end) - float(np.min(problem.travel[c, p][ok])) - problem.unload[c]
            latest = max(latest, min(done, float(problem.deadline[p])))
    return latest


def _closed(problem: Problem, p: int) -> list[tuple[float, float]]:
    """The place's known closures, merged: no load may start in them."""
    spans = sorted((a, b) for q, a, b in problem.place_closed if q == p and b > a)
    out: list[tuple[float, float]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _open(closed: list[tuple[float, float]], a: float, b: float) -> bool:
    """Whether some instant of ``[a, b)`` lies outside every closure."""
    t = a
    for c0, c1 in closed:
        if c0 <= t < c1:
            t = c1
    return t < b


def _allowance(
    problem: Problem,
    p: int,
    a: float,
    b: float,
    closed: list[tuple[float, float]],
    longest: float = 0.0,
    reach: float = math.inf,
) -> float:
    """The allowances of the throughput periods ``[k P, (k+1) P)`` that a loading starting
    in ``[a, b]`` and lasting up to ``longest`` may draw on (a loading draws on every period
    it spans; each period has its own allowance: rates may change over time) and ending by
    ``reach``, leaving out periods that no such loading meets (no start outside every
    closure can reach them)."""
    if b < a:
        return 0.0
    per = problem.period
    stop = min(b + longest, reach)  # loadings end before this
    first = max(0, math.floor(a / per))
    last = max(math.floor(b / per + EPS), math.ceil(stop / per - EPS) - 1)
    return sum(
        problem.load_allowance(p, k)
        for k in range(first, last + 1)
        if not closed or _open(closed, max(a, k * per - longest), min(b + EPS, (k + 1) * per))
    )


def throughput_rows(
    problem: Problem, pickup: NDArray[np.bool_], bounds: NDArray[np.int64], dt: float
) -> tuple[list[Row], list[float], list[Row], list[float]]:
    """Rate rows and limits, berth rows and limits, per pickup place with limits."""
    n_k = len(bounds) - 1
    longest = float(np.max(problem.load)) if problem.n_classes else 0.0
    rate: list[Row] = []
    rate_limit: list[float] = []
    berth: list[Row] = []
    berth_limit: list[float] = []
    for p in np.flatnonzero(pickup).tolist():
        budget = float(problem.load_budget[p])
        berths = problem.bound_berths(p)  # the most in force: a bound
        varies = bool(problem.load_periods) and problem.load_periods[p] is not None
        rated, berthed = math.isfinite(budget) or varies, berths < 1 << 39
        if not (rated or berthed):
            continue
        last = latest_useful_start(problem, p)
        closed = _closed(problem, p)
        reach = _latest_load_end(problem, p)
        opens = float(problem.open_from[p])
        spans = [(k, k + 1) for k in range(n_k)] + [(k, n_k) for k in range(n_k - 1)]
        for k0, k1 in spans:
            # a load in step s starts at a time t with floor(t / dt + EPS) = s
            a = max(0.0, (bounds[k0] - EPS) * dt, opens)  # no loaded trip before open_from
            b = min(last, bounds[k1] * dt)
            limit = _allowance(problem, p, a, b, closed, longest, reach) if rated else math.inf
            if math.isfinite(limit):
                rate.append((p, k0, k1))
                rate_limit.append(limit)
            if berthed:
                berth.append((p, k0, k1))
                # a loading may run on into a closure: the whole span counts for berths
                berth_limit.append(berths * (max(0.0, b - a) + longest))
    return rate, rate_limit, berth, berth_limit
