"""Upper bound on rescued people: Lagrangian relaxation solved by column generation.

The relaxed problem is the time-expanded network on a grid of step ``dt``: travel steps are
rounded *down*, departure windows *widened*, lane windows, closures and unloading limits
dropped, and the people, room, throughput and berth constraints of docs/model.md kept only on
time windows (see ``column_generation_bound``); a loaded trip delivers in any step from its
earliest arrival on, so deliveries are counted at the step of their true arrival. Any
feasible plan maps onto a feasible point of the relaxation with the same rescued count.
Dualising those constraints leaves vehicles uncapacitated and independent: each follows a
longest path in a DAG (one backward sweep over time, compiled with numba), so for *every*
choice of non-negative multipliers

    L = sum(multiplier * limit) + sum over supplies of count * V(depot, first step)

is a valid upper bound (weak duality). A small master LP over the paths found so far
(Dantzig-Wolfe) chooses the next multipliers; the best L seen is the bound, and it converges
to the LP optimum of the relaxation. The master's paths also guide the dispatcher.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
from numpy.typing import NDArray

from evacuate.plan.problem import Problem
from evacuate.plan.rates import throughput_rows

if TYPE_CHECKING:
    from evacuate.plan.budget import SafetyStop
    from evacuate.solvers.highs import HighsResult

__all__ = [
    "Grid",
    "LagrangeResult",
    "build_grid",
    "column_generation_bound",
    "has_instant_trips",
    "trivial_bound",
]

log = logging.getLogger(__name__)

BIG = 1 << 30


@dataclass
class Grid:
    """The relaxed time-expanded network (arrays per class), step ``dt``, ``n_steps`` nodes."""

    dt: float
    n_steps: int
    empty_steps: NDArray[np.int64]
    """(C, P, P) floor(travel/dt); BIG where no route."""
    loaded_steps: NDArray[np.int64]
    """(C, P, P) floor((load + travel + unload)/dt); BIG where no loaded trip is allowed."""
    dep_first: NDArray[np.int64]
    """(C, P) first step a loaded trip may depart (open_from)."""
    dep_last_loaded: NDArray[np.int64]
    """(C, P) last step a loaded trip may depart (deadline - load; withdrawal)."""
    dep_last_empty: NDArray[np.int64]
    """(C, P) last step any trip may depart (deadline; withdrawal)."""
    arr_last: NDArray[np.int64]
    """(P,) last step a trip may arrive (before the deadline; horizon)."""
    supply_c: NDArray[np.int64]
    supply_p: NDArray[np.int64]
    supply_s: NDArray[np.int64]
    supply_n: NDArray[np.float64]
    haven: NDArray[np.float64]
    population: NDArray[np.float64]
    capacity: NDArray[np.float64]
    vcap: NDArray[np.float64]
    pickup: NDArray[np.bool_]
    """(P,) places a loaded trip may leave from (people of their own, or room: transfers)."""
    arcs: list[_Arcs] = field(default_factory=list)
    """Per class, the arcs as sorted lists (for the sweep)."""


def _floor_step(t: float, dt: float) -> int:
    return math.floor(t / dt + 1e-9)


MAX_STEPS = 20000

MIP_GUIDE_NODES = 200
"""Branch-and-bound nodes for the whole-vehicle guide: a work budget (its time limit is
only a safety stop), so the guide does not depend on the machine's load."""


def shortest_loaded_trip(problem: Problem) -> float:
    """The shortest loaded trip (load, travel, unload) from a place with people or room to a
    place with room; empty moves do not count (a yard beside a pickup point is fine)."""
    pickup = (problem.population > 0) | (problem.sink_capacity > 0)
    allowed = pickup[:, None] & (problem.sink_capacity > 0)[None, :]
    np.fill_diagonal(allowed, False)
    shortest = math.inf
    for c in range(problem.n_classes):
        dur = problem.travel[c] + problem.load[c] + problem.unload[c]
        if np.any(allowed):
            shortest = min(shortest, float(np.min(dur[allowed])))
    return shortest


def has_instant_trips(problem: Problem) -> bool:
    """Whether some loaded trip is (nearly) instant: shorter than the finest grid we build
    (horizon / MAX_STEPS). No grid then bounds the rescue (a vehicle could shuttle endlessly
    within one step), and only the trivial bound applies. Empty moves may take no time."""
    return shortest_loaded_trip(problem) < max(problem.end, 1e-9) / MAX_STEPS


def choose_dt(problem: Problem, max_steps: int = MAX_STEPS, target_steps: int = 4000) -> float:
    """A step no longer than the shortest loaded trip (so no loaded arc has zero length)."""
    end = max(problem.end, 1e-9)
    shortest = shortest_loaded_trip(problem)
    dt = end / target_steps
    if math.isfinite(shortest) and shortest > 0:
        dt = min(dt, shortest)
    return max(dt, end / max_steps)


def build_grid(
    problem: Problem, dt: float, conservative: bool = False, transfers: bool = True
) -> Grid:
    """Arrays of the relaxation on step ``dt`` (see the module docstring for what is relaxed).

    ``conservative``: round durations, openings and availability *up* instead, so that paths
    on the grid can be flown in continuous time (a guide for plans; its value is no bound).
    ``transfers=False``: no loaded trip out of a place without people of its own (a haven):
    also only a guide, since it forbids what plans may do.
    """
    up = np.ceil if conservative else np.floor
    n_c, n_p = problem.n_classes, problem.n_places
    n_steps = _floor_step(problem.end, dt) + 1
    trav = problem.travel
    with np.errstate(invalid="ignore"):
        empty = np.where(
            np.isfinite(trav), up(trav / dt - 1e-9 if conservative else trav / dt + 1e-9), BIG
        ).astype(np.int64)
        full = trav + problem.load[:, None, None] + problem.unload[:, None, None]
        loaded = np.where(
            np.isfinite(full), up(full / dt - 1e-9 if conservative else full / dt + 1e-9), BIG
        ).astype(np.int64)
    pickup = (problem.population > 0) | (transfers & (problem.sink_capacity > 0))
    sink = problem.sink_capacity > 0
    allowed = pickup[:, None] & sink[None, :] & ~np.eye(n_p, dtype=bool)
    loaded = np.where(allowed[None, :, :], loaded, BIG)
    if np.any(loaded <= 0):
        raise ValueError("dt longer than the shortest loaded trip")

    def last_step(limit: float) -> int:
        return n_steps - 1 if not math.isfinite(limit) else min(n_steps - 1, _floor_step(limit, dt))

    dep_first = np.zeros((n_c, n_p), dtype=np.int64)
    dep_last_loaded = np.full((n_c, n_p), -1, dtype=np.int64)
    dep_last_empty = np.full((n_c, n_p), -1, dtype=np.int64)
    for c in range(n_c):
        # departure x < withdraw  ->  step * dt < withdraw
        w = problem.withdraw[c]
        w_last = n_steps - 1 if not math.isfinite(w) else math.ceil(w / dt - 1e-9) - 1
        for p in range(n_p):
            of = problem.open_from[p]
            dep_first[c, p] = (
                0
                if not math.isfinite(of) or of <= 0
                else (math.ceil(of / dt - 1e-9) if conservative else _floor_step(of, dt))
            )
            d = problem.deadline[p]
            dep_last_loaded[c, p] = min(w_last, last_step(d - problem.load[c]))
            dep_last_empty[c, p] = min(w_last, last_step(d))
    arr_last = np.empty(n_p, dtype=np.int64)
    for p in range(n_p):
        d = problem.deadline[p]
        # arrival y < d  ->  step * dt < d
        arr_last[p] = (
            n_steps - 1 if not math.isfinite(d) else min(n_steps - 1, math.ceil(d / dt - 1e-9) - 1)
        )
    sup = problem.supply
    grid = Grid(
        dt=dt,
        n_steps=n_steps,
        empty_steps=empty,
        loaded_steps=loaded,
        dep_first=dep_first,
        dep_last_loaded=dep_last_loaded,
        dep_last_empty=dep_last_empty,
        arr_last=arr_last,
        supply_c=np.array([s.c for s in sup], dtype=np.int64),
        supply_p=np.array([s.p for s in sup], dtype=np.int64),
        supply_s=np.array(
            [math.ceil(s.t / dt - 1e-9) if conservative else _floor_step(s.t, dt) for s in sup],
            dtype=np.int64,
        ),
        supply_n=np.array([float(s.count) for s in sup], dtype=np.float64),
        haven=problem.is_haven.astype(np.float64),
        population=problem.population.astype(np.float64),
        capacity=problem.sink_capacity.astype(np.float64),
        vcap=problem.capacity.astype(np.float64),
        pickup=pickup,
    )
    grid.arcs = [_arcs(grid, c) for c in range(n_c)]
    return grid


@dataclass
class LagrangeResult:
    bound: float
    sigma: NDArray[np.float64]
    mu: NDArray[np.float64]
    iterations: int
    seconds: float
    dt: float
    n_steps: int
    guide: dict[int, list[tuple[int, list[tuple[int, int]]]]] = field(default_factory=dict)
    """Per supply index: (vehicles, loaded legs (i, j) in order) from the master LP's paths."""


def trivial_bound(problem: Problem) -> float:
    """min(people, room): nobody is rescued twice and havens hold at most their capacity."""
    room = float(problem.sink_capacity[problem.is_haven].sum())
    people = float(problem.population.sum())
    return min(people, room) if problem.supply else 0.0


@dataclass
class _Arcs:
    """One class's arcs of the grid as sorted lists per place (CSR): empty moves by their
    length in steps, zero-step empty moves, and loaded moves by their length."""

    empty_ptr: NDArray[np.int64]
    empty_to: NDArray[np.int64]
    empty_len: NDArray[np.int64]
    zero_ptr: NDArray[np.int64]
    zero_to: NDArray[np.int64]
    loaded_ptr: NDArray[np.int64]
    loaded_to: NDArray[np.int64]
    loaded_len: NDArray[np.int64]


def _csr(steps: NDArray[np.int64], keep: NDArray[np.bool_]) -> tuple[NDArray[np.int64], ...]:
    """(pointers, targets, lengths) of the kept entries of ``steps`` per row, shortest first."""
    rows, cols = np.nonzero(keep)
    lens = steps[rows, cols]
    order = np.lexsort((cols, lens, rows))
    ptr = np.zeros(steps.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=steps.shape[0]), out=ptr[1:])
    return ptr, cols[order].astype(np.int64), lens[order].astype(np.int64)


def _arcs(grid: Grid, c: int) -> _Arcs:
    empty, loaded = grid.empty_steps[c], grid.loaded_steps[c]
    off = ~np.eye(empty.shape[0], dtype=bool)
    e_ptr, e_to, e_len = _csr(empty, (empty > 0) & (empty < grid.n_steps) & off)
    z_ptr, z_to, _ = _csr(empty, (empty == 0) & off)
    l_ptr, l_to, l_len = _csr(loaded, (loaded > 0) & (loaded < grid.n_steps) & off)
    return _Arcs(e_ptr, e_to, e_len, z_ptr, z_to, l_ptr, l_to, l_len)


@numba.njit(cache=True)
def _sweep_windows(
    n_steps: int,
    e_ptr: NDArray[np.int64],
    e_to: NDArray[np.int64],
    e_len: NDArray[np.int64],
    z_ptr: NDArray[np.int64],
    z_to: NDArray[np.int64],
    l_ptr: NDArray[np.int64],
    l_to: NDArray[np.int64],
    l_len: NDArray[np.int64],
    b: NDArray[np.float64],
    avail: NDArray[np.float64],
    nu: NDArray[np.float64],
    rho: NDArray[np.float64],
    win: NDArray[np.int64],
    vcap: float,
    load_time: float,
    dep_first: NDArray[np.int64],
    dep_last_loaded: NDArray[np.int64],
    dep_last_empty: NDArray[np.int64],
    arr_last: NDArray[np.int64],
    value: NDArray[np.float64],
    choice: NDArray[np.int64],
    arrive: NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """Backward longest path for one class with time-windowed prices.

    A loaded arc i->j departing in step s (window w) and delivering in step s' (window w'),
    any step from ``s + loaded[i, j]`` on (the vehicle may wait before unloading), is worth
    ``vcap * (b[j] - b[i] + avail[j,w'] - avail[i,w] - nu[i,w]) - load_time * rho[i,w]``
    (haven value less room price, availability and room, throughput and berth duals);
    carrying nobody is an empty move. choice: -1 wait, j empty move, P+j loaded move
    (delivering in step ``arrive``), 2P+j zero-step empty move.

    Arcs are scanned shortest first and the scan stops once no longer arc can win: values
    never grow with time (waiting is free), so the best value of any place at the arrival
    step bounds every arc arriving then or later. Same optimum, a fraction of the work.
    """
    n_p = e_ptr.shape[0] - 1
    neg = -1e300
    # best[j, s]: max over s' >= s (s' <= arr_last[j]) of vcap * avail[j, win[s']] + value[j, s']
    best_at = np.full((n_p, n_steps + 1), neg)
    best_step = np.full((n_p, n_steps + 1), -1, dtype=np.int64)
    top_value = np.full(n_steps + 1, neg)  # max over places of value[., s'] for s' >= s
    top_land = np.full(n_steps + 1, neg)  # max over places of vcap * b + best_at, same
    for s in range(n_steps - 1, -1, -1):
        w = win[s]
        for p in range(n_p):
            best = value[p, s + 1] if s + 1 < n_steps else 0.0
            arg = -1
            if s <= dep_last_empty[p]:
                for k in range(e_ptr[p], e_ptr[p + 1]):
                    s2 = s + e_len[k]
                    if s2 >= n_steps or top_value[s2] <= best + 1e-12:
                        break
                    j = e_to[k]
                    if s2 <= arr_last[j]:
                        v = value[j, s2]
                        if v > best + 1e-12:
                            best = v
                            arg = j
            if dep_first[p] <= s <= dep_last_loaded[p]:
                here = vcap * (-b[p] - avail[p, w] - nu[p, w]) - load_time * rho[p, w]
                for k in range(l_ptr[p], l_ptr[p + 1]):
                    s2 = s + l_len[k]
                    if s2 >= n_steps or top_land[s2] + here <= best + 1e-12:
                        break
                    j = l_to[k]
                    if s2 <= arr_last[j]:
                        v = vcap * b[j] + best_at[j, s2] + here
                        if v > best + 1e-12:
                            best = v
                            arg = n_p + j
                            arrive[p, s] = best_step[j, s2]
            value[p, s] = best
            choice[p, s] = arg
        changed = z_ptr[n_p] > 0
        rounds = 0
        while changed and rounds < n_p:
            changed = False
            rounds += 1
            for p in range(n_p):
                if s > dep_last_empty[p]:
                    continue
                for k in range(z_ptr[p], z_ptr[p + 1]):
                    j = z_to[k]
                    if s <= arr_last[j] and value[j, s] > value[p, s] + 1e-12:
                        value[p, s] = value[j, s]
                        choice[p, s] = 2 * n_p + j
                        changed = True
        top_value[s] = top_value[s + 1]
        top_land[s] = top_land[s + 1]
        for p in range(n_p):
            best_at[p, s] = best_at[p, s + 1]
            best_step[p, s] = best_step[p, s + 1]
            if s <= arr_last[p]:
                v = vcap * avail[p, w] + value[p, s]
                if v >= best_at[p, s]:
                    best_at[p, s] = v
                    best_step[p, s] = s
            if value[p, s] > top_value[s]:
                top_value[s] = value[p, s]
            if vcap * b[p] + best_at[p, s] > top_land[s]:
                top_land[s] = vcap * b[p] + best_at[p, s]


@dataclass
class _Rows:
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


def _rows(problem: Problem, grid: Grid, n_windows: int) -> _Rows:
    t = grid.n_steps
    dt = grid.dt
    cuts = {0, t}
    cuts.update(round(k * t / n_windows) for k in range(1, n_windows))
    late = [(p, a, n) for p, a, n in problem.arrivals if a > 0]
    cuts.update(min(t, _floor_step(a, dt)) for _, a, _ in late)
    bounds = np.array(sorted(c for c in cuts if 0 <= c <= t), dtype=np.int64)
    win = np.zeros(t + 1, dtype=np.int64)
    for k in range(len(bounds) - 1):
        win[bounds[k] : bounds[k + 1]] = k
    win[t] = len(bounds) - 1  # arrivals past the horizon land in a window of their own
    n_k = len(bounds) - 1
    rows = _Rows(bounds, win, [], [], [], [], [], [], [], [])
    pickup = grid.pickup
    # a place nobody leaves from only receives: its room at the end is room at every instant
    with_room = grid.capacity > 0
    timed = {p for p, _, _ in late} | set(np.flatnonzero(with_room & pickup).tolist())
    for place in np.flatnonzero(pickup).tolist():
        ks = range(1, n_k + 1) if place in timed else [n_k]
        for k in ks:
            limit = float(
                sum(n for q, a, n in problem.arrivals if q == place and a < bounds[k] * dt - 1e-12)
            )
            if k == n_k:
                limit = float(grid.population[place])
            rows.avail.append((place, k))
            rows.avail_limit.append(limit)
    rows.cap = [int(p) for p in np.flatnonzero(grid.capacity > 0)]
    rows.room = [(p, k) for p in rows.cap if pickup[p] for k in range(1, n_k)]
    rows.rate, rows.rate_limit, rows.berth, rows.berth_limit = throughput_rows(
        problem, pickup, bounds, dt
    )
    return rows


def _legs(
    n_steps: int,
    empty: NDArray[np.int64],
    arrive: NDArray[np.int64],
    choice: NDArray[np.int64],
    p: int,
    s: int,
) -> list[tuple[int, int, int, int]]:
    """The loaded legs (i, j, departure step, arrival step) of one vehicle's chosen path from
    (p, s), in order (zero-step moves are acyclic, so the walk ends)."""
    n_p = empty.shape[0]
    legs: list[tuple[int, int, int, int]] = []
    while s < n_steps:
        a = int(choice[p, s])
        if a == -1:
            s += 1
        elif a < n_p:
            s += int(empty[p, a])
            p = a
        elif a < 2 * n_p:
            j = a - n_p
            s_arr = int(arrive[p, s])
            legs.append((p, j, s, s_arr))
            s = s_arr
            p = j
        else:
            p = a - 2 * n_p
    return legs


def _price(
    problem: Problem,
    grid: Grid,
    rows: _Rows,
    duals: dict[str, NDArray[np.float64]],
) -> tuple[
    float, list[tuple[int, NDArray[np.float64], NDArray[np.float64], list[tuple[int, int]]]]
]:
    """L(duals) and, for every supply, the loads per (place, window) of its best path."""
    n_c, n_p = grid.empty_steps.shape[0], grid.empty_steps.shape[1]
    t = grid.n_steps
    n_k = len(rows.windows) - 1
    mu = duals["mu"]
    b = grid.haven - mu
    # availability duals summed over the boundaries after each window
    avail = np.zeros((n_p, n_k + 1))
    for (p, k), y in zip(rows.avail, duals["avail"], strict=True):
        avail[p, :k] += y
    for (p, k), y in zip(rows.room, duals["room"], strict=True):
        avail[p, :k] -= y
    nu = np.zeros((n_p, n_k + 1))
    for (p, k0, k1), y in zip(rows.rate, duals["rate"], strict=True):
        nu[p, k0:k1] += y
    rho = np.zeros((n_p, n_k + 1))
    for (p, k0, k1), y in zip(rows.berth, duals["berth"], strict=True):
        rho[p, k0:k1] += y
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
        value = np.zeros((n_p, t))
        choice = np.full((n_p, t), -1, dtype=np.int64)
        arrive = np.zeros((n_p, t), dtype=np.int64)
        arcs = grid.arcs[c]
        _sweep_windows(
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
        )
        for kk in sel.tolist():
            p, s = int(grid.supply_p[kk]), int(grid.supply_s[kk])
            if s >= t:
                continue
            total += grid.supply_n[kk] * value[p, s]
            steps = _legs(t, grid.empty_steps[c], arrive, choice, p, s)
            picked = np.zeros((n_p, n_k + 1))
            delivered = np.zeros((n_p, n_k + 1))
            for i, j, s_dep, s_arr in steps:
                picked[i, rows.win[s_dep]] += 1.0
                delivered[j, rows.win[min(s_arr, t)]] += 1.0
            legs = [(i, j) for i, j, _, _ in steps]
            columns.append((kk, picked, delivered, legs))
    return total, columns


_MASTER_OPTIONS = {"simplex_strategy": 4}
"""Primal simplex for the master LP: new columns keep the last solution feasible, and on the
large rungs it solves the master about twice as fast as HiGHS's default (dual simplex)."""


def column_generation_bound(
    problem: Problem,
    dt: float | None = None,
    *,
    iterations: int = 100,
    time_limit: float | None = None,
    tolerance: float = 1e-6,
    n_windows: int = 48,
    conservative: bool = False,
    integer_guide: float = 0.0,
    transfers: bool = True,
    smoothing: float = 0.65,
    stop: SafetyStop | None = None,
) -> LagrangeResult:
    """The Lagrangian dual solved by Dantzig-Wolfe column generation, with time windows.

    Rows of the master LP (all valid for every plan mapped to the grid, see docs/planner.md):
    per place and window boundary, pickups before it <= people arrived before it + deliveries
    before it; per place with capacity, at every window boundary and at the end, deliveries -
    pickups before it <= capacity; per place and window, people
    starting to load <= load budget of the periods it overlaps, and vehicle-hours of loading
    <= berths x (window + longest load time); per supply, vehicles <= its count. A column is
    the path of one vehicle of a supply. The master's row duals price the next longest-path
    sweep; every sweep's Lagrangian value is a valid bound, and the best one is returned.

    ``conservative`` and ``transfers=False`` (see ``build_grid``) make the result a guide for
    plans, not a bound. ``integer_guide``: seconds for HiGHS to solve the last master with whole
    vehicles per path (the guide then needs no rounding; at most ``MIP_GUIDE_NODES`` nodes);
    0: round the LP solution.
    ``smoothing``: weight of the best multipliers so far in the next pricing (0: none).
    ``iterations`` is the work budget (LP solves); ``time_limit`` (seconds) and ``stop`` are
    safety stops only (``stop.bound`` says when one cut the rounds or the MIP short).
    """
    start = time.perf_counter()
    dt = choose_dt(problem) if dt is None else dt
    grid = build_grid(problem, dt, conservative, transfers)
    rows = _rows(problem, grid, n_windows)
    n_s = len(grid.supply_n)
    n_a, n_m, n_r, n_b = len(rows.avail), len(rows.cap), len(rows.rate), len(rows.berth)
    n_w = len(rows.room)
    o_w = n_a + n_m + n_r + n_b + n_s  # the room rows come last
    n_rows = o_w + n_w
    rm_p = np.array([p for p, _ in rows.room], dtype=np.int64)
    rm_k = np.array([k for _, k in rows.room], dtype=np.int64)
    row_upper = np.concatenate(
        [
            rows.avail_limit,
            grid.capacity[rows.cap],
            rows.rate_limit,
            rows.berth_limit,
            grid.supply_n,
            grid.capacity[rm_p],
        ]
    ).astype(np.float64)
    row_lower = np.full(n_rows, -np.inf)
    av_p = np.array([p for p, _ in rows.avail], dtype=np.int64)
    av_k = np.array([k for _, k in rows.avail], dtype=np.int64)
    rt_p, rt_k0, rt_k1 = np.array(rows.rate, dtype=np.int64).reshape(-1, 3).T
    bt_p, bt_k0, bt_k1 = np.array(rows.berth, dtype=np.int64).reshape(-1, 3).T
    cap_p = np.array(rows.cap, dtype=np.int64)
    cols = _Columns(n_rows)
    values: list[float] = []
    paths: list[tuple[int, list[tuple[int, int]]]] = []
    seen: set[bytes] = set()

    def add(
        k: int,
        picked: NDArray[np.float64],
        delivered: NDArray[np.float64],
        legs: list[tuple[int, int]],
    ) -> bool:
        c = int(grid.supply_c[k])
        vcap = float(grid.vcap[c])
        cum_pick = np.cumsum(picked, axis=1)  # [p, w]: loads in windows <= w
        runs = np.concatenate([np.zeros((picked.shape[0], 1)), cum_pick], axis=1)
        cum_del = np.cumsum(delivered, axis=1)
        col = np.zeros(n_rows)
        if n_a:
            col[:n_a] = vcap * (cum_pick[av_p, av_k - 1] - cum_del[av_p, av_k - 1])
        tot_pick, tot_del = picked.sum(axis=1), delivered.sum(axis=1)
        if n_m:
            col[n_a : n_a + n_m] = vcap * (tot_del[cap_p] - tot_pick[cap_p])
        if n_r:
            col[n_a + n_m : n_a + n_m + n_r] = vcap * (runs[rt_p, rt_k1] - runs[rt_p, rt_k0])
        if n_b:
            col[n_a + n_m + n_r : n_a + n_m + n_r + n_b] = float(problem.load[c]) * (
                runs[bt_p, bt_k1] - runs[bt_p, bt_k0]
            )
        col[n_a + n_m + n_r + n_b + k] = 1.0
        if n_w:
            col[o_w:] = vcap * (cum_del[rm_p, rm_k - 1] - cum_pick[rm_p, rm_k - 1])
        nz = np.flatnonzero(col)
        vals = col[nz]
        key = nz.tobytes() + vals.tobytes()
        if key in seen:
            return False
        seen.add(key)
        cols.append(nz, vals)
        paths.append((k, legs))
        # deliveries arriving past the horizon (window K) are not rescued
        del_in = tot_del - delivered[:, -1]
        values.append(vcap * float(np.dot(grid.haven, del_in - tot_pick)))
        return True

    duals = {
        "avail": np.zeros(n_a),
        "mu": np.zeros(problem.n_places),
        "rate": np.zeros(n_r),
        "berth": np.zeros(n_b),
        "room": np.zeros(n_w),
    }
    from evacuate.solvers.highs import IncrementalLP

    master = IncrementalLP(row_lower, row_upper, options=_MASTER_OPTIONS)
    n_in = 0  # columns passed to the master so far
    best = math.inf
    best_duals = duals
    master_x: NDArray[np.float64] | None = None
    # Wentges smoothing: price at a mix of the best multipliers so far and the master's (both
    # non-negative, so every L stays a bound); a round that finds nothing new prices at the
    # master's own duals next, and only a round at those that finds nothing ends the search
    at = duals
    mixed = False
    it = 0
    for it in range(1, iterations + 1):
        value, columns = _price(problem, grid, rows, at)
        if value < best:
            best, best_duals = value, at
        added = sum(add(k, pk, dl, lg) for k, pk, dl, lg in columns)
        if not cols:
            break
        master.add_columns(values[n_in:], cols.matrix(n_in))
        n_in = len(cols)
        res = master.solve()
        if res.row_dual is None or res.objective is None:
            log.warning("column generation: master LP %s", res.status)
            break
        y = np.abs(res.row_dual)  # <= rows of a max problem: duals are >= 0
        if res.x is not None:
            master_x = res.x
        mu = np.zeros(problem.n_places)
        mu[cap_p] = y[n_a : n_a + n_m]
        duals = {
            "avail": y[:n_a],
            "mu": mu,
            "rate": y[n_a + n_m : n_a + n_m + n_r],
            "berth": y[n_a + n_m + n_r : n_a + n_m + n_r + n_b],
            "room": y[o_w:],
        }
        if best - res.objective <= tolerance * max(1.0, best) or (
            added == 0 and it > 1 and not mixed
        ):
            value, _ = _price(problem, grid, rows, duals)
            if value < best:
                best, best_duals = value, duals
            break
        if time_limit is not None and time.perf_counter() - start > time_limit:
            break
        if stop is not None and stop.reached():
            break
        mixed = smoothing > 0 and (added > 0 or it == 1)
        a = smoothing if mixed else 0.0
        at = {key: a * best_duals[key] + (1.0 - a) * duals[key] for key in duals}
    guide_x = master_x
    if integer_guide > 0 and cols and master_x is not None:
        mip = _solve_master(
            values,
            cols,
            row_lower,
            row_upper,
            integrality=np.ones(len(cols), dtype=bool),
            time_limit=integer_guide,
            mip_rel_gap=1e-3,
            options={"mip_max_nodes": MIP_GUIDE_NODES},
            start=np.floor(master_x[: len(cols)] + 1e-9),
        )
        if stop is not None:
            stop.note_solver(mip.status)
        if mip.x is not None:
            guide_x = np.round(mip.x)
    seconds = time.perf_counter() - start
    log.info("column generation bound %.6g after %d rounds, dt=%.4g, %.2fs", best, it, dt, seconds)
    sigma = np.zeros(problem.n_places)
    for (p, k), yv in zip(rows.avail, best_duals["avail"], strict=True):
        if k == len(rows.windows) - 1:
            sigma[p] += yv
    return LagrangeResult(
        best, sigma, best_duals["mu"], it, seconds, dt, grid.n_steps, _guide(guide_x, paths, grid)
    )


class _Columns:
    """The master's columns, kept sparse (a path touches few rows)."""

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.index: list[NDArray[np.int64]] = []
        self.value: list[NDArray[np.float64]] = []

    def append(self, index: NDArray[np.int64], value: NDArray[np.float64]) -> None:
        self.index.append(index)
        self.value.append(value)

    def __len__(self) -> int:
        return len(self.index)

    def matrix(self, first: int = 0) -> Any:
        """The columns from ``first`` on, as a sparse matrix."""
        import scipy.sparse as sp

        idx, val = self.index[first:], self.value[first:]
        ptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in idx], out=ptr[1:])
        index = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
        value = np.concatenate(val) if val else np.zeros(0)
        return sp.csc_array((value, index, ptr), shape=(self.n_rows, len(idx)))


def _solve_master(
    values: list[float],
    cols: _Columns,
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
    **options: Any,
) -> HighsResult:
    """The master problem: how many vehicles follow each path (``options``: as for
    ``highs.solve``, e.g. integrality for whole vehicles)."""
    from evacuate.solvers import highs

    n = len(cols)
    return highs.solve(
        np.array(values),
        cols.matrix(),
        row_lower,
        row_upper,
        np.zeros(n),
        np.full(n, np.inf),
        sense="max",
        **options,
    )


def _guide(
    x: NDArray[np.float64] | None,
    paths: list[tuple[int, list[tuple[int, int]]]],
    grid: Grid,
) -> dict[int, list[tuple[int, list[tuple[int, int]]]]]:
    """Whole vehicles per path from the master LP's solution (largest remainders first)."""
    if x is None:
        return {}
    by_supply: dict[int, list[tuple[float, list[tuple[int, int]]]]] = {}
    for (k, legs), v in zip(paths, x[: len(paths)], strict=False):
        if v > 1e-9 and legs:
            by_supply.setdefault(k, []).append((float(v), legs))
    guide: dict[int, list[tuple[int, list[tuple[int, int]]]]] = {}
    for k, items in by_supply.items():
        total = min(round(sum(v for v, _ in items)), int(grid.supply_n[k]))
        whole = [math.floor(v) for v, _ in items]
        order = sorted(range(len(items)), key=lambda i: -(items[i][0] - whole[i]))
        for i in order:
            if sum(whole) >= total:
                break
            whole[i] += 1
        guide[k] = [(n, legs) for n, (_, legs) in zip(whole, items, strict=True) if n > 0]
    return guide
