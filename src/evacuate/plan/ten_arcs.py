"""The TEN's move arcs per mode: which departures each rule allows, and each arc's length
(rounded down in ``relax`` mode, up in ``feasible`` mode; ``plan/ten.py``)."""

from __future__ import annotations

import math

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.ten_grid import (
    BIG,
    TOL,
    Arcs,
    BoolArray,
    FloatArray,
    IntArray,
    Mode,
    arrival_limit,
    closures,
    free_intervals,
    route_is_plain,
)

__all__ = [
    "min_steps",
    "moves",
]


# ------------------------------------------------------------------------------- arcs
def _pair_arcs(
    problem: Problem,
    mode: Mode,
    dt: float,
    K: int,
    c: int,
    i: int,
    j: int,
    loaded: bool,
    closed: list[list[tuple[float, float]]],
    arr_limit: FloatArray,
    hard_w: FloatArray,
    max_delay: int = 0,
) -> tuple[IntArray, IntArray, BoolArray]:
    """(steps k, lengths s, must_load) of the arcs from i to j for class c; in feasible mode
    also the arcs arriving up to ``max_delay`` steps after the earliest (waiting en route)."""
    routes = problem.routes.get((c, i, j), [])
    ks = np.arange(K + 1, dtype=np.int64)
    best = np.full(K + 1, BIG, dtype=np.int64)
    L = float(problem.load[c]) if loaded else 0.0
    U = float(problem.unload[c]) if loaded else 0.0
    dl_i = float(problem.deadline[i])
    w = float(problem.withdraw[c])
    scale = max(1.0, abs(problem.end))
    margin = TOL * scale
    if mode == "relax":
        lo = ks * dt
        hi = np.minimum((ks + 1) * dt, min(problem.end, w))
        if loaded:
            lo = np.maximum(lo, float(problem.open_from[i]))
            hi = np.minimum(hi, dl_i - L)
        else:
            hi = np.minimum(hi, dl_i)
        for r in routes:
            D = L + r.time + U
            s = math.floor(D / dt + TOL)
            hi_r = np.minimum(hi, min(float(arr_limit[j]), float(hard_w[c])) - D)
            ok = (lo <= hi_r + margin) & (ks + s <= K)
            if not route_is_plain(r) or closed[i]:
                for k in np.flatnonzero(ok):
                    good = False
                    for x, y in free_intervals(float(lo[k]), float(hi_r[k]) + margin, closed[i]):
                        if r.next_open(x + L, y + L) is not None:
                            good = True
                            break
                    ok[k] = good
            best = np.where(ok & (s < best), s, best)
        sel = best < BIG
        return ks[sel], best[sel], np.zeros(int(sel.sum()), dtype=np.bool_)

    t = ks.astype(np.float64) * dt
    base = t < w
    if loaded:
        base &= (t >= float(problem.open_from[i])) & (t + L <= dl_i)
    else:
        base &= t <= dl_i
    for a, b in closed[i]:
        base &= ~((t >= a) & (t < b))
    # earliest arrival step over the routes open when travel starts
    for r in routes:
        D = L + r.time + U
        s0 = max(1, math.ceil(D / dt - TOL))
        steps = np.full(K + 1, s0, dtype=np.int64)
        steps = np.where((ks + steps) * dt < t + D, steps + 1, steps)
        ok = base.copy()
        if not route_is_plain(r):
            for k in np.flatnonzero(ok):
                ok[k] = r.open_at(float(t[k]) + L)
        best = np.where(ok & (steps < best), steps, best)
    dl_j = float(problem.deadline[j])
    out_k: list[IntArray] = []
    out_s: list[IntArray] = []
    for delay in range(max_delay + 1):
        steps = best + delay
        ok = (best < BIG) & (ks + steps <= K)
        ta = np.where(ok, ks + steps, 0).astype(np.float64) * dt
        ok &= (ta < dl_j - margin) & (ta <= hard_w[c])
        for a, b in closed[j]:
            ok &= ~((ta >= a) & (ta < b))
        out_k.append(ks[ok])
        out_s.append(steps[ok])
    kk = np.concatenate(out_k)
    ss = np.concatenate(out_s)
    must = np.zeros(len(kk), dtype=np.bool_)
    if loaded and len(kk):
        # arcs whose timing also suits an empty trip: some route open at t_k fits in it
        empty_ok = np.zeros(len(kk), dtype=np.bool_)
        for r in routes:
            fits = (kk + ss) * dt >= t[kk] + r.time
            if not route_is_plain(r):
                for n in np.flatnonzero(fits):
                    fits[n] = r.open_at(float(t[kk[n]]))
            empty_ok |= fits
        must = ~empty_ok
    return kk, ss, must


def moves(
    problem: Problem,
    mode: Mode,
    dt: float,
    K: int,
    loaded: bool,
    hard_w: FloatArray,
    max_delay: int = 0,
) -> Arcs:
    closed = closures(problem)
    arr_limit = np.array(
        [arrival_limit(float(problem.deadline[p]), closed[p]) for p in range(problem.n_places)]
    )
    parts: list[tuple[int, int, int, IntArray, IntArray, BoolArray]] = []
    for c, i, j in sorted(problem.routes):
        if loaded and problem.sink_capacity[j] <= 0:
            continue  # a place without capacity takes no drops (docs/model.md)
        ks, s, must = _pair_arcs(
            problem, mode, dt, K, c, i, j, loaded, closed, arr_limit, hard_w, max_delay
        )
        if len(ks):
            parts.append((c, i, j, ks, s, must))
    if not parts:
        return Arcs.empty()
    n = [len(p[3]) for p in parts]
    return Arcs(
        c=np.repeat(np.array([p[0] for p in parts], dtype=np.int64), n),
        i=np.repeat(np.array([p[1] for p in parts], dtype=np.int64), n),
        j=np.repeat(np.array([p[2] for p in parts], dtype=np.int64), n),
        k=np.concatenate([p[3] for p in parts]),
        s=np.concatenate([p[4] for p in parts]),
        must_load=np.concatenate([p[5] for p in parts]),
    )


def min_steps(problem: Problem, dt: float) -> IntArray:
    """(C, P, P) fewest steps between places (floor of the fastest route; a lower bound)."""
    C, P = problem.n_classes, problem.n_places
    dist = np.full((C, P, P), BIG, dtype=np.int64)
    for (c, i, j), routes in problem.routes.items():
        dist[c, i, j] = min(math.floor(r.time / dt + TOL) for r in routes)
    for c in range(C):
        np.fill_diagonal(dist[c], 0)
        for m in range(P):
            dist[c] = np.minimum(dist[c], dist[c][:, m : m + 1] + dist[c][m : m + 1, :])
    return np.minimum(dist, BIG)
