"""The TEN's side rows: rescued per haven (relax mode), load/unload throughput per period and
berths, each in the form its mode needs (``plan/ten.py`` says why each relaxation is sound)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from evacuate.plan.loading import span
from evacuate.plan.problem import Problem
from evacuate.plan.ten_grid import (
    BIG,
    INF,
    TOL,
    Arcs,
    Builder,
    FloatArray,
    IntArray,
    Mode,
)
from evacuate.scenario.throughput import berths_over

__all__ = [
    "relax_people_rules",
    "throughput",
]


def relax_people_rules(
    problem: Problem,
    b: Builder,
    loaded: Arcs,
    col_ly: IntArray,
    haven_stock_end: IntArray,
    cum_arr: FloatArray,
    dt: float,
    K: int,
    scale: float,
    walks: tuple[Any, IntArray] | None = None,
) -> None:
    """Rescued ``r_h <= min(capacity, net inflow)`` per haven (relax mode), with the unload
    budget of havens that have one. ``haven_stock_end``: stock column of each haven at K;
    people in units of ``scale``. ``walks``: the walking arcs and their columns (walkers
    into a haven count in its net inflow, not against its unload budget)."""
    for n, h in enumerate(np.flatnonzero(problem.is_haven)):
        cap_h = float(problem.sink_capacity[h]) / scale
        budget = float(problem.unload_budget[h]) / scale
        into = np.flatnonzero(loaded.j == h)
        out = np.flatnonzero(loaded.i == h)
        walk_in = walk_out = np.zeros(0, dtype=np.int64)
        if walks is not None and len(walks[0]):
            walk_in = walks[1][walks[0].j == h]
            walk_out = walks[1][walks[0].i == h]
        if not len(into) and not len(walk_in):
            continue
        r = b.cols(1, 1.0, -INF, cap_h)
        if not math.isfinite(budget):
            # stock at the end = population arrived + net inflow
            row = b.rows(1, -INF, -float(cum_arr[h, K]))
            b.nz(row, r, 1.0)
            b.nz(row, haven_stock_end[n : n + 1], -1.0)
            continue
        # deliveries that arrive by the end (delta <= y), at most the budget of the periods left
        delta = b.cols(len(into), 0.0, 0.0, INF)
        lk = b.rows(len(into), -INF, 0.0)
        b.nz(lk, delta, 1.0)
        b.nz(lk, col_ly[into], -1.0)
        row = b.rows(1, -INF, 0.0)
        b.nz(row, r, 1.0)
        b.nz(np.repeat(row, len(into)), delta, -1.0)
        b.nz(np.repeat(row, len(out)), col_ly[out], 1.0)
        b.nz(np.repeat(row, len(walk_in)), walk_in, -1.0)
        b.nz(np.repeat(row, len(walk_out)), walk_out, 1.0)
        per = problem.period
        ks = np.arange(K + 1, dtype=np.int64)
        n_per = np.floor(problem.end / per + TOL) - np.floor(ks * dt / per + TOL) + 1
        z = b.cols(K + 1, 0.0, 0.0, budget * np.maximum(n_per, 1.0))
        zr = b.rows(K + 1, 0.0, 0.0)
        b.nz(zr, z, 1.0)
        b.nz(zr[:-1], z[1:], -1.0)
        b.nz(zr[loaded.k[into] + loaded.s[into]], delta, -1.0)


def throughput(
    problem: Problem,
    b: Builder,
    loaded: Arcs,
    col_lx: IntArray,
    col_ly: IntArray,
    times: FloatArray,
    dt: float,
    K: int,
    mode: Mode,
    scale: float = 1.0,
) -> None:
    """Load/unload budgets per throughput period (people in units of ``scale``) and berths."""
    if not len(loaded):
        return
    per = problem.period
    feasible = mode == "feasible"
    t_dep = times[loaded.k]
    t_arr = times[loaded.k + loaded.s]
    for p in range(problem.n_places):
        budget = float(problem.load_budget[p]) / scale
        out = np.flatnonzero(loaded.i == p)
        varies = problem.load_periods[p] is not None if problem.load_periods else False
        if (math.isfinite(budget) or (feasible and varies)) and len(out):
            if feasible:
                period, cols = _loading_split(problem, b, loaded, col_ly, t_dep, out)
                _group_rows(b, period, cols, _allowances(problem, p, False, scale))
            else:
                k = loaded.k[out]
                lo = k * dt
                # a loading draws on every period it spans (docs/model.md, Throughput):
                # periods met by loadings from [k dt, (k+1) dt) lasting up to `longest`
                longest = float(problem.load[loaded.c[out]].max())
                m_hi = np.minimum(
                    np.ceil(((k + 1) * dt + longest) / per - TOL) - 1,
                    np.floor(problem.end / per + TOL),
                )
                n_over = m_hi - np.floor(lo / per + TOL) + 1
                uk, inv = np.unique(k, return_inverse=True)
                n_over_k = np.zeros(len(uk))
                np.maximum.at(n_over_k, inv, n_over)
                rows = b.rows(len(uk), -INF, budget * np.maximum(n_over_k, 1.0))
                b.nz(rows[inv], col_ly[out], 1.0)
                m_lo = np.floor(lo / per + TOL).astype(np.int64)
                inside = (k + 1) * dt <= (m_lo + 1) * per + TOL * max(1.0, per)
                if inside.any():
                    # loadings starting in period m draw on m .. m + spill
                    spill = max(0, math.ceil(longest / per - TOL))
                    _group_rows(
                        b,
                        m_lo[inside],
                        col_ly[out[inside]],
                        budget * (1 + spill),
                        min_steps=2,
                        steps=k[inside],
                    )
        if feasible:
            ub = float(problem.unload_budget[p]) / scale
            into = np.flatnonzero(loaded.j == p)
            varies = problem.unload_periods[p] is not None if problem.unload_periods else False
            if (math.isfinite(ub) or varies) and len(into):
                period = _period_of(t_arr[into], per)
                _group_rows(b, period, col_ly[into], _allowances(problem, p, True, scale))
        if feasible:
            own, changes = problem.berth_schedule(p)  # the berths in force at each instant
            if own < BIG or changes:
                _berth_rows_feasible(problem, b, loaded, col_lx, t_dep, t_arr, p, own, changes)
            continue
        berths = problem.bound_berths(p)
        if berths >= BIG:
            continue
        if len(out):
            L = problem.load[loaded.c[out]]
            Lmax = float(L.max())
            if Lmax <= 0:
                continue
            k = loaded.k[out]
            uk, inv = np.unique(k, return_inverse=True)
            rows = b.rows(len(uk), -INF, berths * (dt + Lmax))
            b.nz(rows[inv], col_lx[out], L)
            # loads at least a step long that start in one step all overlap at its end
            long = dt * (1 - TOL) <= L
            if long.any():
                ul, inv_l = np.unique(k[long], return_inverse=True)
                rows = b.rows(len(ul), -INF, float(berths))
                b.nz(rows[inv_l], col_lx[out[long]], 1.0)
            w = max(2, math.ceil(2 * Lmax / dt))
            blk = k // w
            ub_, inv2 = np.unique(blk, return_inverse=True)
            rows = b.rows(len(ub_), -INF, berths * (w * dt + Lmax))
            b.nz(rows[inv2], col_lx[out], L)


def _loading_split(
    problem: Problem,
    b: Builder,
    loaded: Arcs,
    col_ly: IntArray,
    t_dep: FloatArray,
    out: IntArray,
) -> tuple[IntArray, IntArray]:
    """(period, people column) pairs of the loadings ``out`` (feasible mode): a loading over
    ``[t, t + load)`` draws on every period it meets, in any split (docs/model.md,
    Throughput), so one that meets several gets a share column per period, the shares
    adding up to its people; the periods are ``plan/loading.span``'s, as the heuristics book."""
    periods: list[int] = []
    cols: list[int] = []
    split_arcs: list[int] = []
    split_first: list[int] = []
    split_n: list[int] = []
    for a in out.tolist():
        first, last = span(problem, float(t_dep[a]), float(problem.load[loaded.c[a]]))
        if first == last:
            periods.append(first)
            cols.append(int(col_ly[a]))
        else:
            split_arcs.append(a)
            split_first.append(first)
            split_n.append(last - first + 1)
    if split_arcs:
        shares = b.cols(sum(split_n), 0.0, 0.0, INF)
        rows = b.rows(len(split_arcs), 0.0, 0.0)
        at = 0
        for n, (a, first, n_periods) in enumerate(
            zip(split_arcs, split_first, split_n, strict=True)
        ):
            mine = shares[at : at + n_periods]
            b.nz(np.repeat(rows[n], n_periods), mine, 1.0)
            b.nz(rows[n : n + 1], np.array([col_ly[a]]), -1.0)
            periods.extend(range(first, first + n_periods))
            cols.extend(int(c) for c in mine)
            at += n_periods
    return np.array(periods, dtype=np.int64), np.array(cols, dtype=np.int64)


def _period_of(t: FloatArray, per: float) -> IntArray:
    """Throughput period of each time, snapping times within tolerance of the next period's
    start into it (as the checker does)."""
    k = np.floor(t / per)
    tol = np.maximum(1e-6, TOL * np.abs(t))
    return np.where((k + 1) * per - t <= tol, k + 1, k).astype(np.int64)


def _allowances(
    problem: Problem, p: int, unload: bool, scale: float
) -> Callable[[IntArray], FloatArray]:
    """Each throughput period's own allowance at ``p`` (in units of ``scale``)."""
    get = problem.unload_allowance if unload else problem.load_allowance
    return lambda ks: np.array([get(p, int(k)) for k in ks], dtype=np.float64) / scale


def _group_rows(
    b: Builder,
    key: IntArray,
    cols: IntArray,
    budget: float | Callable[[IntArray], FloatArray],
    min_steps: int = 1,
    steps: IntArray | None = None,
) -> None:
    """One row ``sum cols <= budget`` per distinct key (with at least ``min_steps`` steps);
    ``budget`` may give each key's own limit (a throughput period's allowance)."""
    uk, inv = np.unique(key, return_inverse=True)
    if callable(budget):
        limit: float | FloatArray = budget(uk)
    else:
        limit = budget
    if steps is not None and min_steps > 1:
        pairs = np.unique(np.stack([inv, steps]), axis=1)
        n_steps = np.bincount(pairs[0], minlength=len(uk))
        keep = n_steps >= min_steps
        if not keep.any():
            return
        remap = np.full(len(uk), -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        sel = keep[inv]
        kept = limit[keep] if isinstance(limit, np.ndarray) else limit
        rows = b.rows(int(keep.sum()), -INF, kept)
        b.nz(rows[remap[inv[sel]]], cols[sel], 1.0)
        return
    rows = b.rows(len(uk), -INF, limit)
    b.nz(rows[inv], cols, 1.0)


def _berth_rows_feasible(
    problem: Problem,
    b: Builder,
    loaded: Arcs,
    col_lx: IntArray,
    t_dep: FloatArray,
    t_arr: FloatArray,
    p: int,
    own: int,
    changes: list[tuple[float, float, int]],
) -> None:
    """At every instant where a loading or unloading starts or the berths change, at most the
    berths then in force (``own``, or the last ``changes`` entry covering it) busy."""
    out = np.flatnonzero(loaded.i == p)
    into = np.flatnonzero(loaded.j == p)
    starts = np.concatenate([t_dep[out], t_arr[into] - problem.unload[loaded.c[into]]])
    ends = np.concatenate([t_dep[out] + problem.load[loaded.c[out]], t_arr[into]])
    cols = np.concatenate([col_lx[out], col_lx[into]])
    busy = ends > starts
    starts, ends, cols = starts[busy], ends[busy], cols[busy]
    bounds = [t for a, z, _ in changes for t in (a, z) if math.isfinite(t)]
    for tau in np.unique(np.r_[starts, bounds]):
        m = (starts <= tau) & (tau < ends)
        if int(m.sum()) == 0:
            continue
        berths = berths_over(own, changes, float(tau), float(tau))
        if berths is None or berths >= BIG:
            continue
        row = b.rows(1, -INF, float(berths))
        b.nz(np.repeat(row, int(m.sum())), cols[m], 1.0)
