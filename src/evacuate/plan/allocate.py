"""Deadline-aware targets for the dispatcher: how many people to take from each place.

A small LP, solved before construction: ``x[c, i, h]`` round trips of class ``c`` between a
place with people ``i`` and one of its nearest havens ``h``, each carrying ``capacity[c]``
people and costing ``load + travel(i, h) + unload + turnaround + travel(h, i)`` of one
vehicle's time. Per class, the trips from the places whose last loading comes by ``theta``
fit in the working time its vehicles have before ``theta`` (after their first empty move),
for every deadline level ``theta``: earliest deadline first, a schedule that keeps to these
rows exists when the vehicles work the places in order of deadline. People per place and
room per haven bound the rest. It maximises people, so it leaves out the places whose
people cost the most vehicle time (far from the havens, with early deadlines) and keeps the
fleet's late hours for the places whose deadlines come last.

It is an allocation for a plan, not a bound: the times are the real ones, and a vehicle's
empty move back to the place it loaded at is only one way to go on. The nested deadline rows
are written as running sums (one variable per level), so the LP has about classes x places x
``NEAR_HAVENS`` columns and as many nonzeros, whatever the fleet or the head count: at 500
places, 24,000 columns.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import Problem
from evacuate.solvers import highs

__all__ = ["MAX_LEVELS", "NEAR_HAVENS", "Allocation", "allocation", "targets"]

log = logging.getLogger(__name__)

NEAR_HAVENS = 16
"""Havens a place's trips may go to: its nearest few (as the dispatcher's candidate drops).
On ``scale-200``, 8 allotted 16.3 M people, 16 allotted 18.05 M and all 50 the same 18.05 M
(in 3.7 s of CPU instead of 0.8 s)."""


MAX_LEVELS = 48
"""Deadline levels per class at most (spread evenly over the distinct ones; a place between
two levels counts at the later one)."""


class _Rows:
    """A sparse LP gathered as triplets (rows are ``lo <= a x <= hi``)."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.obj: list[float] = []
        self.ub: list[float] = []

    def col(self, obj: float, ub: float = math.inf) -> int:
        self.obj.append(obj)
        self.ub.append(ub)
        return len(self.obj) - 1

    def row(self, terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        k = len(self.lo)
        for col, val in terms:
            self.r.append(k)
            self.c.append(col)
            self.v.append(val)
        self.lo.append(lo)
        self.hi.append(hi)


@dataclass(frozen=True)
class Allocation:
    """The allocation LP's answer: people to take per place, and what one more person at a
    place (``sigma``) or one more seat of room at a haven (``mu``) would add to it (its
    duals, per place, 0 where it has no such row)."""

    targets: NDArray[np.float64]
    sigma: NDArray[np.float64]
    mu: NDArray[np.float64]
    delivered: NDArray[np.float64]
    """(P,) people the LP sends into each haven."""


def targets(problem: Problem, stop: SafetyStop | None = None) -> NDArray[np.float64] | None:
    """(P,) people the allocation LP takes from each place (``allocation``'s targets)."""
    found = allocation(problem, stop)
    return None if found is None else found.targets


def allocation(problem: Problem, stop: SafetyStop | None = None) -> Allocation | None:
    """The allocation LP's targets (people it takes from each place: 0 at havens and at the
    places it leaves out) and duals, or None when it does not apply (no supply, no haven with
    room, staging places) or HiGHS finds no optimum (``stop``: HiGHS gets its time left, and
    a HiGHS run cut by it says so through ``stop.bound``)."""
    n_p, end = problem.n_places, float(problem.end)
    sink = problem.sink_capacity > 0
    haven = problem.is_haven & sink
    if not problem.supply or not np.any(haven) or np.any(sink & ~haven) or end <= 0:
        return None
    people = problem.population.astype(float)
    pickups = np.flatnonzero((people > 0) & ~haven)
    if pickups.size == 0:
        return None
    havens = np.flatnonzero(haven)
    last_load = np.minimum(problem.deadline, end)
    # people and room are scaled so that HiGHS sees numbers near 1..1e6
    scale = max(1.0, float(people.sum()) / 1e6)
    lp = _Rows()
    place_terms: dict[int, list[tuple[int, float]]] = {}
    haven_terms: dict[int, list[tuple[int, float]]] = {}
    for c in range(problem.n_classes):
        mine = [s for s in problem.supply if s.c == c and s.count > 0]
        if not mine:
            continue
        load, unload = float(problem.load[c]), float(problem.unload[c])
        seats = float(problem.capacity[c]) / scale
        there = problem.times.block(c, pickups, havens)
        back = problem.times.block(c, havens, pickups).T
        near = np.argsort(there, axis=1, kind="stable")[:, :NEAR_HAVENS]
        # each entry's first empty move: at least the way to the nearest place with people
        entry_places = np.array(sorted({s.p for s in mine}))
        reach = np.min(problem.times.block(c, entry_places, pickups), axis=1)
        first = dict(zip(entry_places.tolist(), reach.tolist(), strict=True))
        limit = last_load[pickups] - load  # the last loading start
        levels = np.unique(limit[(limit >= 0) & (limit < end)])
        if levels.size > MAX_LEVELS:
            levels = levels[np.linspace(0, levels.size - 1, MAX_LEVELS).round().astype(int)]
        levels = np.unique(np.append(levels, end))
        band: list[list[tuple[int, float]]] = [[] for _ in levels]
        for k in range(pickups.size):
            if limit[k] < 0:
                continue
            at = int(np.searchsorted(levels, limit[k] - 1e-9))
            for h in near[k].tolist():
                loaded = float(there[k, h]) + load + unload
                cycle = loaded + float(back[k, h]) + problem.rest(c)
                if not (math.isfinite(cycle) and loaded <= end):
                    continue
                col = lp.col(seats)
                band[at].append((col, cycle))
                place_terms.setdefault(int(pickups[k]), []).append((col, seats))
                haven_terms.setdefault(int(havens[h]), []).append((col, seats))
        # running sums: u[k] = u[k-1] + the vehicle time of the trips of level k, at most
        # the vehicle time there is before it (whole trips: letting each vehicle's last one
        # end after theta allotted more and the plan rescued less, 16.7 M against 17.5 M on
        # scale-200)
        prev: int | None = None
        for theta, terms in zip(levels.tolist(), band, strict=True):
            hours = sum(
                s.count * (theta - s.t - first[s.p])
                for s in mine
                if math.isfinite(first[s.p]) and s.t + first[s.p] < theta
            )
            u = lp.col(0.0, hours)
            lp.row([*terms, *([(prev, 1.0)] if prev is not None else []), (u, -1.0)], 0.0, 0.0)
            prev = u
    if not place_terms:
        return None
    first_row = len(lp.lo)
    for i, terms in place_terms.items():
        lp.row(terms, -math.inf, float(people[i]) / scale)
    for h, terms in haven_terms.items():
        lp.row(terms, -math.inf, float(problem.sink_capacity[h]) / scale)
    A = sp.csc_array((lp.v, (lp.r, lp.c)), shape=(len(lp.lo), len(lp.obj)))
    res = highs.solve(
        np.array(lp.obj),
        A,
        lp.lo,
        lp.hi,
        np.zeros(len(lp.obj)),
        np.array(lp.ub),
        sense="max",
        time_limit=None if stop is None else stop.left(),
        solver="ipm",  # scale-500: 1.5 s of CPU, the dual simplex 6 s
    )
    if stop is not None:
        stop.note_solver(res.status)
    if res.x is None or res.status != "optimal":
        log.info("allocation LP: %s", res.status)
        return None
    out = np.zeros(n_p)
    for i, terms in place_terms.items():
        out[i] = scale * sum(float(res.x[col]) * v for col, v in terms)
    # rows "<= limit" of a max problem: their duals are >= 0 in magnitude, per person (the
    # objective and the rows are both in people / scale)
    dual = np.zeros(len(lp.lo)) if res.row_dual is None else np.abs(res.row_dual)
    sigma, mu = np.zeros(n_p), np.zeros(n_p)
    at = first_row
    for i in place_terms:
        sigma[i], at = dual[at], at + 1
    for h in haven_terms:
        mu[h], at = dual[at], at + 1
    into = np.zeros(n_p)
    for h, terms in haven_terms.items():
        into[h] = scale * sum(float(res.x[col]) * v for col, v in terms)
    log.info(
        "allocation LP: %d columns, %d rows, %.0f people from %d of %d places",
        len(lp.obj),
        len(lp.lo),
        float(out.sum()),
        int(np.count_nonzero(out >= 1.0)),
        pickups.size,
    )
    return Allocation(out, sigma, mu, into)
