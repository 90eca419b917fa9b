"""The relaxed time-expanded network of the bound: a grid of step ``dt`` over a ``Problem``.

Travel steps are rounded *down* and departure windows *widened* (``conservative``: rounded up
instead, a guide for plans, no bound); see docs/planner.md for what the relaxation keeps.
Per class, the arcs are kept as sorted lists per place (CSR) for the longest-path sweep
(``sweep.py``), whose prices the column generation (``lagrange.py``) sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.problem import Problem

__all__ = [
    "BIG",
    "CITY_PLACES",
    "CITY_STEPS",
    "MAX_STEPS",
    "Arcs",
    "Grid",
    "build_grid",
    "choose_dt",
    "city_scale",
    "floor_step",
    "grid_fits",
    "has_instant_trips",
    "shortest_loaded_trip",
    "trivial_bound",
]

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
    arcs: list[Arcs] = field(default_factory=list)
    """Per class, the arcs as sorted lists (for the sweep)."""


def floor_step(t: float, dt: float) -> int:
    return math.floor(t / dt + 1e-9)


MAX_STEPS = 20000


def shortest_loaded_trip(problem: Problem) -> float:
    """The shortest loaded trip (load, travel, unload) from a place with people or room to a
    place with room; empty moves do not count (a yard beside a pickup point is fine)."""
    rows = np.flatnonzero((problem.population > 0) | (problem.sink_capacity > 0))
    cols = np.flatnonzero(problem.sink_capacity > 0)
    allowed = rows[:, None] != cols[None, :]
    shortest = math.inf
    if not np.any(allowed):
        return shortest
    for c in range(problem.n_classes):
        dur = problem.times.block(c, rows, cols) + problem.load[c] + problem.unload[c]
        shortest = min(shortest, float(np.min(dur[allowed])))
    return shortest


GRID_CELLS = 150_000_000
"""Classes x places x places of the grid's dense step arrays (two of int64, and temporaries):
beyond it (3 classes and some 7,000 places) the grid bound would need many gigabytes, and
the planner bounds with the trivial and fleet bounds (and the operations bounds) only."""


def grid_fits(problem: Problem) -> bool:
    """Whether the grid's dense arrays stay within ``GRID_CELLS``."""
    return problem.n_classes * problem.n_places**2 <= GRID_CELLS


def has_instant_trips(problem: Problem) -> bool:
    """Whether some loaded trip is (nearly) instant: shorter than the finest grid we build
    (horizon / MAX_STEPS). No grid then bounds the rescue (a vehicle could shuttle endlessly
    within one step), and only the trivial bound applies. Empty moves may take no time."""
    return shortest_loaded_trip(problem) < max(problem.end, 1e-9) / MAX_STEPS


CITY_PLACES = 150
"""From this many places on (city scale, beyond the ladder's rungs), the bound's first grid
is coarse (``CITY_STEPS`` steps at most) and its master keeps the people and room rows at
the end only (and at late arrivals): on 262 places the column generation then falls below
the population after 61 LP solves where 48 windows on a 4,000-step grid took far more."""

CITY_STEPS = 250


def city_scale(problem: Problem) -> bool:
    """Whether the problem is of city scale (``CITY_PLACES``)."""
    return problem.n_places >= CITY_PLACES


def choose_dt(problem: Problem, max_steps: int = MAX_STEPS, target_steps: int = 4000) -> float:
    """A step no longer than the shortest loaded trip (so no loaded arc has zero length); at
    city scale, as coarse as that allows up to ``CITY_STEPS`` steps (later rounds halve it)."""
    end = max(problem.end, 1e-9)
    shortest = shortest_loaded_trip(problem)
    if city_scale(problem):
        target_steps = min(target_steps, CITY_STEPS)
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
    n_steps = floor_step(problem.end, dt) + 1
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
        return n_steps - 1 if not math.isfinite(limit) else min(n_steps - 1, floor_step(limit, dt))

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
                else (math.ceil(of / dt - 1e-9) if conservative else floor_step(of, dt))
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
    # where a vehicle can be but by an empty move: where it starts, and where loaded moves end
    starts = sink.copy()
    starts[[s.p for s in sup]] = True
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
            [math.ceil(s.t / dt - 1e-9) if conservative else floor_step(s.t, dt) for s in sup],
            dtype=np.int64,
        ),
        supply_n=np.array([float(s.count) for s in sup], dtype=np.float64),
        haven=problem.is_haven.astype(np.float64),
        population=problem.population.astype(np.float64),
        capacity=problem.sink_capacity.astype(np.float64),
        vcap=problem.capacity.astype(np.float64),
        pickup=pickup,
    )
    # Straight-line travel obeys the triangle inequality, so a chain of empty moves maps onto
    # the one direct move from its first place to its last (departing at the chain's first
    # departure step, arriving no earlier than floor(direct / dt) steps later): empty moves
    # need only go from where vehicles start or unload to where they load. Every plan still
    # maps onto the grid (the bound stays valid), with a fraction of the arcs.
    if problem.routes.straight:
        chain = starts[:, None] & pickup[None, :]
    else:
        chain = np.ones((n_p, n_p), dtype=np.bool_)
    grid.arcs = [_arcs(grid, c, chain) for c in range(n_c)]
    return grid


def trivial_bound(problem: Problem) -> float:
    """min(people, room): nobody is rescued twice and havens hold at most their capacity."""
    room = float(problem.sink_capacity[problem.is_haven].sum())
    people = float(problem.population.sum())
    return min(people, room) if problem.supply else 0.0


@dataclass
class Arcs:
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


def _arcs(grid: Grid, c: int, chain: NDArray[np.bool_]) -> Arcs:
    """Class ``c``'s arcs; empty moves only between the pairs ``chain`` allows."""
    empty, loaded = grid.empty_steps[c], grid.loaded_steps[c]
    off = ~np.eye(empty.shape[0], dtype=bool)
    e_ptr, e_to, e_len = _csr(empty, (empty > 0) & (empty < grid.n_steps) & off & chain)
    z_ptr, z_to, _ = _csr(empty, (empty == 0) & off & chain)
    l_ptr, l_to, l_len = _csr(loaded, (loaded > 0) & (loaded < grid.n_steps) & off)
    return Arcs(e_ptr, e_to, e_len, z_ptr, z_to, l_ptr, l_to, l_len)
