"""The bound's master rows on time windows, and the pricing sweep against their multipliers.

The rows (``window_rows``) are the relaxation's people, room, throughput and berth
constraints of docs/planner.md kept on a few window boundaries; ``price`` is one
longest-path sweep per vehicle class at given multipliers: the Lagrangian value L (a bound
at any non-negative multipliers) and each supply's best path. ``finer_sweep`` prices a
master's multipliers on a finer grid (the same rows: their limits depend on the boundaries'
times only). Split out of plan/lagrange.py, which drives the column generation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.grid import Grid, build_grid, floor_step
from evacuate.plan.problem import Problem
from evacuate.plan.rates import throughput_rows
from evacuate.plan.sweep import path_loads, sweep_windows, window_prices

if TYPE_CHECKING:
    from evacuate.plan.lagrange import LagrangeResult

__all__ = ["Rows", "SweepSpace", "finer_sweep", "price", "window_rows"]


@dataclass
class Rows:
    """The master problem's rows: which constraints, in which order, with what limits."""

    windows: NDArray[np.int64]
    """(K+1,) step boundaries b_0 = 0 < ... < b_K = n_steps."""
    win: NDArray[np.int64]
    """(n_steps + 1,) window of every step (the last entry: one past the end)."""
    avail: list[tuple[int, int]]
    """(place, k): pickups before boundary k <= people arrived before it + deliveries."""
    avail_limit: list[float]
    cap: list[int]
    room: list[tuple[int, int]]
    """(place with capacity, k): deliveries before boundary k - pickups before it <= capacity."""
    rate: list[tuple[int, int, int]]
    """(place, k0, k1): people starting to load in windows k0 .. k1 - 1 <= the allowance of
    the periods their loadings may draw on (``evacuate.plan.rates``)."""
    rate_limit: list[float]
    berth: list[tuple[int, int, int]]
    """(place, k0, k1): vehicle-time of loading in those windows <= berths x their time."""
    berth_limit: list[float]


class SweepSpace:
    """The sweep's arrays for one grid (``sweep_windows``: value, choice, arrive and its
    scratch), kept from one pricing to the next: a column generation prices the same grid
    tens of times, and fresh arrays of this size cost page faults (system time) every time."""

    def __init__(self) -> None:
        self.shape = (-1, -1)
        self.arrays: tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]
        self.scratch: tuple[NDArray[np.float64], NDArray[np.int64]]

    def get(
        self, n_steps: int, n_places: int
    ) -> tuple[
        NDArray[np.float64],
        NDArray[np.int64],
        NDArray[np.int64],
        NDArray[np.float64],
        NDArray[np.int64],
    ]:
        if self.shape != (n_steps, n_places):
            self.shape = (n_steps, n_places)
            self.arrays = (
                np.zeros((n_steps, n_places)),
                np.full((n_steps, n_places), -1, dtype=np.int64),
                np.zeros((n_steps, n_places), dtype=np.int64),
            )
            self.scratch = (
                np.empty((n_steps + 1, n_places)),
                np.empty((n_steps + 1, n_places), dtype=np.int64),
            )
        return (*self.arrays, *self.scratch)


def window_rows(
    problem: Problem,
    grid: Grid,
    n_windows: int,
    city: bool = False,
    haven_windows: int = 0,
) -> Rows:
    """The master's rows on ``n_windows`` windows (and a boundary at each late arrival).

    Rows that another row implies are left out: no loaded arc of the grid ends at a place
    without room, so its pickups only grow, and its row just before its arrived people grow
    (or at the end) implies every earlier row with the same limit. ``city``: places with room
    keep their people and room rows at the end only (fewer rows; dropping rows only relaxes),
    or, with ``haven_windows`` K > 0, also at the boundaries of K equal windows."""
    t = grid.n_steps
    dt = grid.dt
    cuts = {0, t}
    cuts.update(round(k * t / n_windows) for k in range(1, n_windows))
    haven_cuts = {round(k * t / haven_windows) for k in range(1, haven_windows)}
    cuts |= haven_cuts
    late = [(p, a, n) for p, a, n in problem.arrivals if a > 0]
    cuts.update(min(t, floor_step(a, dt)) for _, a, _ in late)
    bounds = np.array(sorted(c for c in cuts if 0 <= c <= t), dtype=np.int64)
    win = np.zeros(t + 1, dtype=np.int64)
    for k in range(len(bounds) - 1):
        win[bounds[k] : bounds[k + 1]] = k
    win[t] = len(bounds) - 1  # arrivals past the horizon land in a window of their own
    n_k = len(bounds) - 1
    rows = Rows(bounds, win, [], [], [], [], [], [], [], [])
    pickup = grid.pickup
    # a place nobody leaves from only receives: its room at the end is room at every instant
    with_room = grid.capacity > 0
    timed = {p for p, _, _ in late}
    haven = set(np.flatnonzero(with_room & pickup).tolist())
    if not city:
        timed |= haven
    # at city scale, the boundaries where havens have rows (all of them below city scale)
    on_haven = {k for k in range(1, n_k) if not city or int(bounds[k]) in haven_cuts}
    arrived: dict[int, list[tuple[float, int]]] = {}  # per place, its arrivals in order
    for q, a, n in problem.arrivals:
        arrived.setdefault(q, []).append((a, n))
    for place in np.flatnonzero(pickup).tolist():
        windowed = city and place in haven and bool(on_haven)
        if place not in timed and not windowed:
            rows.avail.append((place, n_k))
            rows.avail_limit.append(float(grid.population[place]))
            continue
        mine = arrived.get(place, [])
        limits = [
            float(sum(n for a, n in mine if a < bounds[k] * dt - 1e-12)) for k in range(1, n_k)
        ] + [float(grid.population[place])]
        for k in range(1, n_k + 1):
            keep = k == n_k or (windowed and k in on_haven)
            if place in timed and not keep:
                keep = bool(with_room[place]) or limits[k] > limits[k - 1]
            if not keep:
                continue  # implied by the row at the next boundary, or a relaxation
            rows.avail.append((place, k))
            rows.avail_limit.append(limits[k - 1])
    rows.cap = [int(p) for p in np.flatnonzero(grid.capacity > 0)]
    rows.room = [(p, k) for p in rows.cap if pickup[p] for k in sorted(on_haven)]
    rows.rate, rows.rate_limit, rows.berth, rows.berth_limit = throughput_rows(
        problem, pickup, bounds, dt
    )
    return rows


def _table(items: list[Any], width: int) -> NDArray[np.int64]:
    """Rows' (place, window ...) tuples as an int64 table."""
    return np.array(items, dtype=np.int64).reshape(-1, width)


def _flat(y: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.ascontiguousarray(y, dtype=np.float64)


def price(
    problem: Problem,
    grid: Grid,
    rows: Rows,
    duals: dict[str, NDArray[np.float64]],
    space: SweepSpace | None = None,
) -> tuple[
    float, list[tuple[int, NDArray[np.float64], NDArray[np.float64], list[tuple[int, int]]]]
]:
    """L(duals) and, for every supply, the loads per (place, window) of its best path.
    ``space``: the sweep's arrays, reused across calls on the same grid."""
    n_c, n_p = grid.empty_steps.shape[0], grid.empty_steps.shape[1]
    t = grid.n_steps
    n_k = len(rows.windows) - 1
    mu = duals["mu"]
    b = grid.haven - mu
    # availability duals summed over the boundaries after each window; throughput, berths
    avail, nu, rho = window_prices(
        n_p,
        n_k + 1,
        _table(rows.avail, 2),
        _flat(duals["avail"]),
        _table(rows.room, 2),
        _flat(duals["room"]),
        _table(rows.rate, 3),
        _flat(duals["rate"]),
        _table(rows.berth, 3),
        _flat(duals["berth"]),
    )
    total = float(
        np.dot(rows.avail_limit, duals["avail"])
        + np.dot(grid.capacity[rows.cap], mu[rows.cap])
        + np.dot(grid.capacity[[p for p, _ in rows.room]], duals["room"])
        + np.dot(rows.rate_limit, duals["rate"])
        + np.dot(rows.berth_limit, duals["berth"])
    )
    columns: list[tuple[int, NDArray[np.float64], NDArray[np.float64], list[tuple[int, int]]]] = []
    for c in range(n_c):
        sel = np.flatnonzero(grid.supply_c == c)
        if sel.size == 0:
            continue
        value, choice, arrive, best_at, best_step = (space or SweepSpace()).get(t, n_p)
        arcs = grid.arcs[c]
        sweep_windows(
            t,
            arcs.empty_ptr,
            arcs.empty_to,
            arcs.empty_len,
            arcs.zero_ptr,
            arcs.zero_to,
            arcs.loaded_ptr,
            arcs.loaded_to,
            arcs.loaded_len,
            b,
            avail,
            nu,
            rho,
            rows.win,
            float(grid.vcap[c]),
            float(problem.load[c]),
            grid.dep_first[c],
            grid.dep_last_loaded[c],
            grid.dep_last_empty[c],
            grid.arr_last,
            value,
            choice,
            arrive,
            best_at,
            best_step,
        )
        sel = sel[grid.supply_s[sel] < t]
        sp, ss = grid.supply_p[sel].astype(np.int64), grid.supply_s[sel].astype(np.int64)
        legs, ptr, picked, delivered = path_loads(
            t, grid.empty_steps[c], arrive, choice, rows.win, sp, ss
        )
        pairs = legs[:, :2].tolist()
        for v, kk in enumerate(sel.tolist()):
            total += grid.supply_n[kk] * value[ss[v], sp[v]]
            path = [(i, j) for i, j in pairs[ptr[v] : ptr[v + 1]]]
            columns.append((kk, picked[v], delivered[v], path))
    return total, columns


def finer_sweep(problem: Problem, res: LagrangeResult, factor: int) -> float:
    """L at ``res``'s best multipliers, priced on the relaxed grid ``factor`` times finer.

    Every row of the master holds on any grid whose step divides its boundaries' times (a
    row's limit depends on the boundary's time only: people arrived before it, room, the
    loading allowance of the periods it spans), so the same rows with the same non-negative
    multipliers give a valid bound there (weak duality), a tighter one since travel is
    rounded down by less. One longest-path sweep; math.inf when ``res`` has no rows."""
    if res.rows is None or not res.duals or factor < 1:
        return math.inf
    grid = build_grid(problem, res.dt / factor, False, True)
    t = grid.n_steps
    old = res.rows.windows
    bounds = np.minimum(old * factor, t)
    bounds[-1] = t
    if np.any(np.diff(bounds) <= 0):
        return math.inf  # two boundaries fell together (not on a grid ``factor`` times finer)
    win = np.zeros(t + 1, dtype=np.int64)
    for k in range(len(bounds) - 1):
        win[bounds[k] : bounds[k + 1]] = k
    win[t] = len(bounds) - 1
    rows = replace(res.rows, windows=bounds, win=win)
    value, _ = price(problem, grid, rows, res.duals)
    return value
