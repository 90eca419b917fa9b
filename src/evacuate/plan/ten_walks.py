"""Walking arcs of the TEN: people who set out on a walkway at a grid step leave their origin's
people stock then and join the destination's when they arrive (docs/model.md, Walkways).

``mode="feasible"`` (the MIP): a walk departs at a grid time ``t_k`` inside the walkway's
window, no later than the origin's deadline and with the origin open, and arrives at the first
grid time at or after ``t_k + time`` (or, with ``max_delay_steps``, up to that many steps
later: walking slower is allowed) before the destination's deadline, by the horizon and with
the destination open. The people setting out on one walkway direction in one throughput
period are at most its allowance. At a haven walkers take room like deliveries (the stock
bounds already say so); elsewhere capacity bounds only what vehicles deliver, so the
capacity rows there leave walkers out (``walk_capacity_terms``).

``mode="relax"`` (the LP bound): a walk of any plan departing at ``d`` in ``[k dt, (k+1) dt)``
takes the arc leaving step ``k``, ``floor(time / dt)`` steps long, so it lands no later than
the step of its arrival (``floor(a + b) >= floor(a) + floor(b)``); each rule holds for some
``d`` in the step (window, origin's deadline, arrival before the destination's deadline and by
the end; closures are relaxed). A step's walkers are at most the allowance of every period
the step meets, and steps inside one period share its allowance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.ten_grid import (
    INF,
    TOL,
    Builder,
    FloatArray,
    IntArray,
    Mode,
    first_step_at_or_after,
)
from evacuate.plan.walks import Way, compile_ways
from evacuate.planio import Walk

__all__ = ["WalkArcs", "to_walks", "walk_arcs", "walk_rate_rows"]


@dataclass
class WalkArcs:
    """Walkers on way ``w`` (an index of ``ways``) leave ``i`` at step ``k``, reach ``j`` at
    ``k + s``."""

    ways: list[Way]
    w: IntArray
    i: IntArray
    j: IntArray
    k: IntArray
    s: IntArray

    def __len__(self) -> int:
        return len(self.k)

    @staticmethod
    def none() -> WalkArcs:
        z = np.zeros(0, dtype=np.int64)
        return WalkArcs([], z, z, z, z, z)


def walk_arcs(problem: Problem, mode: Mode, dt: float, K: int, delay: int = 0) -> WalkArcs:
    """The walking arcs of every walkway direction on the grid ``0..K`` (see the module)."""
    ways = compile_ways(problem)
    if not ways or K < 0:
        return WalkArcs.none()
    feasible = mode == "feasible"
    rows: list[tuple[int, int, int, int, int]] = []
    for n, way in enumerate(ways):
        i, j = way.i, way.j
        for k in range(K + 1):
            t = k * dt
            if feasible:
                if not (way.first <= t < way.last and t <= problem.deadline[i]):
                    continue
                if not problem.place_open(i, t):
                    continue
                k0 = int(first_step_at_or_after(np.array([t + way.time]), dt)[0])
                for k2 in range(k0, min(K, k0 + delay) + 1):
                    ta = k2 * dt
                    if ta < problem.deadline[j] and problem.place_open(j, ta):
                        rows.append((n, i, j, k, k2 - k))
            else:
                hi = (k + 1) * dt  # some departure in [t, hi) meets each rule
                if hi <= way.first or t >= way.last or t > problem.deadline[i] + TOL:
                    continue
                lo = max(t, way.first, 0.0)
                if lo + way.time >= problem.deadline[j] or lo + way.time > problem.end + TOL:
                    continue
                s = math.floor(way.time / dt + TOL)
                if k + s <= K:
                    rows.append((n, i, j, k, s))
    if not rows:
        return WalkArcs.none()
    a = np.array(rows, dtype=np.int64)
    return WalkArcs(ways, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4])


def walk_rate_rows(
    problem: Problem,
    b: Builder,
    arcs: WalkArcs,
    cols: IntArray,
    dt: float,
    mode: Mode,
    scale: float,
) -> None:
    """Walkers per walkway direction and throughput period within its allowance."""
    per = problem.period
    for n, way in enumerate(arcs.ways):
        mine = np.flatnonzero(arcs.w == n)
        if not len(mine) or not math.isfinite(way.allowance):
            continue
        allowance = way.allowance / scale
        k = arcs.k[mine]
        if mode == "feasible":
            t = k * dt
            period = np.floor(t / per + TOL).astype(np.int64)
            _rows_per_key(b, period, cols[mine], allowance)
            continue
        first = np.floor(k * dt / per + TOL).astype(np.int64)
        last = np.ceil((k + 1) * dt / per - TOL).astype(np.int64) - 1
        met = np.maximum(last - first + 1, 1)
        rows = b.rows(len(mine), -INF, allowance * met.astype(np.float64))
        b.nz(rows, cols[mine], 1.0)
        inside = met == 1
        if inside.any():
            _rows_per_key(b, first[inside], cols[mine[inside]], allowance)


def _rows_per_key(b: Builder, key: IntArray, cols: IntArray, limit: float) -> None:
    uk, inv = np.unique(key, return_inverse=True)
    rows = b.rows(len(uk), -INF, limit)
    b.nz(rows[inv], cols, 1.0)


def walk_capacity_terms(
    problem: Problem, arcs: WalkArcs, cols: IntArray, place: int, n_steps: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """(step, column, coefficient) terms that take the walkers back out of a place's people
    stock at each step ``0..n_steps - 1``: ``- walked in + walked out`` up to that step (a
    non-haven's capacity bounds only what vehicles deliver there)."""
    steps: list[IntArray] = []
    cs: list[IntArray] = []
    vals: list[FloatArray] = []
    for sel, at, sign in (
        (np.flatnonzero(arcs.j == place), arcs.k + arcs.s, -1.0),
        (np.flatnonzero(arcs.i == place), arcs.k, 1.0),
    ):
        for a in sel.tolist():
            ks = np.arange(int(at[a]), n_steps, dtype=np.int64)
            steps.append(ks)
            cs.append(np.full(len(ks), cols[a], dtype=np.int64))
            vals.append(np.full(len(ks), sign))
    if not steps:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    return np.concatenate(steps), np.concatenate(cs), np.concatenate(vals)


def to_walks(problem: Problem, arcs: WalkArcs, people: FloatArray, times: FloatArray) -> list[Walk]:
    """The walks of a MIP solution (``people``: walkers per arc)."""
    out: list[Walk] = []
    counts = np.rint(people).astype(np.int64)
    for a in np.flatnonzero(counts > 0).tolist():
        out.append(
            Walk(
                walkway=arcs.ways[int(arcs.w[a])].walkway,
                origin=problem.places[int(arcs.i[a])],
                depart=float(times[arcs.k[a]]),
                destination=problem.places[int(arcs.j[a])],
                arrive=float(times[arcs.k[a] + arcs.s[a]]),
                people=int(counts[a]),
            )
        )
    return sorted(out, key=lambda w: (w.depart, w.walkway, w.origin, w.arrive))
