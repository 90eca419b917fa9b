"""A bound from the fleet's round trips at city scale: each place's trips to its nearest havens.

The round-trip LP (``roundtrips.py``) counts trips per class and pair of places and is not
built past a few dozen places; the pooled LP (``pooled_trips.py``) pools the havens (their
room and the way back), which at city scale leaves it at the population. This LP keeps the
pairs that matter and pools the rest in groups, each at an *optimistic* time, so that it
stays a relaxation whose size grows with classes x places x (``NEAR_HAVENS`` +
``FAR_GROUPS``), whatever the fleet or the head count:

- the havens are cut into ``FAR_GROUPS`` groups (the nearest of centres spread farthest
  first);
- loaded trips ``x[c, i, h]`` from a place with people ``i`` to each of its ``NEAR_HAVENS``
  nearest havens ``h`` (real times), and per group one far trip to the group's other havens,
  at the time of the nearest of them: any trip to one of them takes at least that long (of
  the groups, the place's ``NEAR_GROUPS`` nearest by name, the others as one, at the time of
  the nearest of them and with no room of their own);
- empty approaches ``e[c, h, i]`` from a haven to the next loading place by name for the
  ways back of the trips to the place's ``NEAR_BACK`` nearest havens and each haven's
  ``NEAR_PICKUPS`` nearest places; every other vehicle leaving a haven (or ending a far trip
  into a group) goes through its group's hub, charged at the shortest move into ``i`` from
  any haven of the group (or, beyond the place's nearest groups, of any other group); a far
  trip to the groups not named, from any haven; first approaches from the places where
  vehicles enter likewise (their nearest places by name, then a hub charged at the shortest
  move from an entry place not paired with ``i``);
- per class, flows: trips out of a place at most the approaches into it, approaches out of
  a haven (or a hub) at most the trips into it, first approaches at most the vehicles; the
  trips' durations (plus turnaround) and the approaches fit in the fleet's working time, and
  for each last loading start ``theta`` the trips from places that must be loaded by then
  and their approaches fit in the time before it plus one trip each (``_levels``), written
  as running sums;
- people per place; each haven's room for its near trips, each group's for the near trips
  into it and its far ones, all the havens' room for all; loads and berths per place,
  unloads and berths per haven and pooled.

Why no plan rescues more: as ``pooled_trips.py`` argues (no staging places), keep each
vehicle's loaded trips from a place with people into a haven, counted as ``people /
capacity`` of a trip; the empty moves and dropped trips between two kept ones take at least
the shortest empty path (so no less than the approach the LP charges for that pair or hub),
each kept trip at least its charged duration, and the last one of a vehicle that starts
loading by ``theta`` ends by ``theta`` plus its duration. Any plan so maps onto a feasible
point with its rescued count. The Hypothesis property of tests/plan/test_fleet_bound.py
checks it against the exhaustive optimum with pairs by name, in groups, and pooled.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.budget import SafetyStop
from evacuate.plan.grid import city_scale
from evacuate.plan.pooled_trips import _longest, _pauses_lost
from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import MAX_COLUMNS, _allowance_sum, _entries, _Entry
from evacuate.solvers import highs

__all__ = [
    "FAR_GROUPS",
    "MAX_LEVELS",
    "NEAR_BACK",
    "NEAR_GROUPS",
    "NEAR_HAVENS",
    "NEAR_PICKUPS",
    "FleetBound",
    "applies",
    "fleet_bound",
]

log = logging.getLogger(__name__)

NEAR_HAVENS = 8
"""Havens a place's trips go to by name; the others through their groups."""

NEAR_BACK = 8
"""Of those, the havens whose ways back to the place are approaches by name; the others go
through a hub."""

NEAR_PICKUPS = 8
"""Places a haven's (and an entry place's) empty approaches go to by name, besides the way
back of its trips; the others go through a hub."""

FAR_GROUPS = 32
"""Groups of havens (the nearest to each of so many spread centres): a place's trips to the
havens of a group other than its near ones are one far trip, at the time of the nearest of
them, within the group's room. Measured (loaded; bench/results/2026-11-28-rbound.md):
``scale-200`` 20,808,568 in 5.1 s of CPU, ``scale-500`` 44,462,099 (97.1% of the people)
in 23.2 s."""

NEAR_GROUPS = 32
"""Of those groups, the nearest to each place by name (its far trips and approaches); the
others as one, at the time of the nearest of them. Fewer is far looser: with 8 of 32,
``scale-200`` 21.83 M and ``scale-500`` the population (the others' room is all the havens')."""

MAX_LEVELS = 48
"""Last-loading levels per class (a subset of the valid ones: each is valid on its own)."""

_TOL = 1e-9


@dataclass(frozen=True)
class FleetBound:
    """The LP's optimum (``bound``; inf: none) and its duals: per place, what a person there
    is worth (``people``), and per haven what a place of room is worth (``room``, 0 for the
    places that are not havens), both >= 0, in people per person."""

    bound: float
    people: NDArray[np.float64]
    room: NDArray[np.float64]
    columns: int
    rows: int


class _Model:
    """A sparse LP built in numpy blocks: columns, and rows ``a x <= hi``."""

    def __init__(self) -> None:
        self.n = 0
        self.obj: list[NDArray[np.float64]] = []
        self.r: list[NDArray[np.int64]] = []
        self.c: list[NDArray[np.int64]] = []
        self.v: list[NDArray[np.float64]] = []
        self.hi: list[float] = []

    def cols(self, obj: NDArray[np.float64]) -> NDArray[np.int64]:
        idx = np.arange(self.n, self.n + len(obj), dtype=np.int64)
        self.n += len(obj)
        self.obj.append(np.asarray(obj, dtype=np.float64))
        return idx

    def rows(self, n: int, hi: NDArray[np.float64] | float) -> NDArray[np.int64]:
        """``n`` new rows with limits ``hi``; their terms come through ``terms``."""
        first = len(self.hi)
        self.hi.extend(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).tolist())
        return np.arange(first, first + n, dtype=np.int64)

    def terms(self, rows: NDArray[np.int64], cols: NDArray[np.int64], vals: object) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        v = np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape)
        self.r.append(rows.ravel().astype(np.int64))
        self.c.append(cols.ravel().astype(np.int64))
        self.v.append(v.ravel().astype(np.float64))


def applies(problem: Problem) -> bool:
    """Whether the bound is worth computing: at city scale (``grid.city_scale``), where the
    per-pair round-trip LP is not built (its ``MAX_COLUMNS``: the round-trip bound is the
    pooled one) and the grid's column generation may not converge in the safety stop. Below
    (the ladder's xlarge rung: 7,642,634 in 0.3 s of CPU, its column generation 7,260,903)
    it would cost time for nothing."""
    return city_scale(problem) and 4 * problem.n_classes * problem.n_places**2 > MAX_COLUMNS


def _empty(
    problem: Problem, c: int, sources: NDArray[np.int64], to: NDArray[np.int64]
) -> NDArray[np.float64]:
    """(len(sources), len(to)) shortest empty-move times of class ``c`` (0 to itself)."""
    if problem.routes.straight:
        out = problem.times.block(c, sources, to)
    else:
        from evacuate.plan.pooled_trips import _empty_from

        out = _empty_from(problem, c, sources)[:, to]
    return np.where(sources[:, None] == to[None, :], 0.0, out)


def _nearest(times: NDArray[np.float64], k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per row, the columns of its ``k`` smallest times (ties by column) and the smallest time
    of the other columns (inf: none)."""
    n, m = times.shape
    k = min(k, m)
    if k == m:
        return np.tile(np.arange(m, dtype=np.int64), (n, 1)), np.full(n, math.inf)
    # k smallest by (time, column): a stable sort on a partitioned slice
    part = np.argpartition(times, k, axis=1)[:, : k + 1]
    vals = np.take_along_axis(times, part, axis=1)
    order = np.lexsort((part, vals), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    kth = np.take_along_axis(vals, order, axis=1)[:, k]
    # columns tied with the k-th smallest time may sit outside the slice: the far time is
    # the (k+1)-th smallest value, which no other column undercuts
    return part[:, :k], kth


def _group_min(times: NDArray[np.float64], groups: NDArray[np.int64]) -> NDArray[np.float64]:
    """(rows, groups) the smallest time of each row to the columns of each group."""
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    return np.asarray(np.minimum.reduceat(times[:, order], starts, axis=1), dtype=np.float64)


def _keep_nearest(times: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """(rows, G + 1): each row's ``n`` smallest columns as they are, the others inf and
    their smallest in the last column."""
    near, rest = _nearest(times, n)
    out = np.full((times.shape[0], times.shape[1] + 1), math.inf)
    rows = np.arange(times.shape[0])[:, None]
    out[rows, near] = times[rows, near]
    out[:, -1] = rest
    return out


def _haven_groups(problem: Problem, hv: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Each haven's group, 0 .. n-1 (all used): the nearest of ``n`` centres picked farthest
    first (by the first class's times both ways; a haven no centre reaches joins the first
    group). Any partition keeps the bound valid; a compact one keeps it tight."""
    n = max(1, min(n, hv.size))
    t = problem.times.block(0, hv, hv)
    t = np.minimum(t, t.T)
    np.fill_diagonal(t, 0.0)
    t = np.where(np.isfinite(t), t, 1e300)
    centres = [0]
    gap = t[0].copy()
    while len(centres) < n:
        k = int(np.argmax(gap))
        if gap[k] <= 0:
            break
        centres.append(k)
        np.minimum(gap, t[k], out=gap)
    label = np.argmin(t[centres], axis=0).astype(np.int64)
    # number the groups in use 0 .. n-1
    _, out = np.unique(label, return_inverse=True)
    return np.asarray(out, dtype=np.int64)


def fleet_bound(
    problem: Problem,
    stop: SafetyStop | None = None,
    *,
    near_havens: int = NEAR_HAVENS,
    near_pickups: int = NEAR_PICKUPS,
    far_groups: int = FAR_GROUPS,
    near_back: int = NEAR_BACK,
    near_groups: int = NEAR_GROUPS,
) -> FleetBound:
    """The LP optimum of the module docstring: no plan rescues more (inf: not computed,
    staging places, or cut by the safety ``stop``)."""
    n_c, n_p, end = problem.n_classes, problem.n_places, float(problem.end)
    none = FleetBound(math.inf, np.zeros(n_p), np.zeros(n_p), 0, 0)
    if not problem.supply or end < 0:
        return none
    sink = problem.sink_capacity > 0
    haven = problem.is_haven & sink
    if np.any(sink & ~haven):
        return none  # staging places: people may ride twice
    released = np.zeros(n_p)
    for p, t, n in problem.arrivals:
        if t <= min(end, float(problem.deadline[p])) + _TOL:
            released[p] += n
    pk = np.flatnonzero((released > 0) & ~haven)
    hv = np.flatnonzero(haven)
    zero = FleetBound(0.0, np.zeros(n_p), np.zeros(n_p), 0, 0)
    if pk.size == 0 or hv.size == 0:
        return zero
    entries = _entries(problem)
    groups = _haven_groups(problem, hv, far_groups)
    m = _Model()
    # people columns of every class, for the people rows: (column, place index in pk, haven
    # index in hv or -1 for far, class)
    trip_cols: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]] = []
    for c in range(n_c):
        mine = [e for e in entries if e.c == c and e.count > 0]
        if mine:
            got = _class_rows(
                problem,
                m,
                c,
                mine,
                pk,
                hv,
                (near_havens, near_pickups, near_back, near_groups),
                groups,
            )
            if got is not None:
                trip_cols.append(got)
    if not trip_cols:
        return zero
    people_rows, room_rows = _people_rows(problem, m, trip_cols, released, pk, hv, groups)
    return _solve(problem, m, people_rows, room_rows, pk, hv, stop)


def _class_rows(
    problem: Problem,
    m: _Model,
    c: int,
    mine: list[_Entry],
    pk: NDArray[np.int64],
    hv: NDArray[np.int64],
    near: tuple[int, int, int, int],
    groups: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int] | None:
    """Class ``c``'s columns, flows, time and level rows; its trip columns (None: none).
    ``near``: havens by name, pickups by name, ways back by name; ``groups``: each
    haven's group of far havens."""
    near_havens, near_pickups, near_back, near_groups = near
    n_groups = int(groups.max()) + 1
    end = float(problem.end)
    load, unload, rest = float(problem.load[c]), float(problem.unload[c]), problem.rest(c)
    cap = float(problem.capacity[c])
    n_k, n_h = pk.size, hv.size
    w = float(problem.withdraw[c])
    longest = 0.0
    if math.isfinite(w) or any(k == c for k, _, _, _ in problem.pauses):
        longest = _longest(problem, c) + load + unload
    horizon = end
    if math.isfinite(w):
        horizon = min(end, w if problem.withdraw_hard[c] else w + longest)
    # places where vehicles enter, and how many
    qs = np.array(sorted({e.p for e in mine}), dtype=np.int64)
    q_row = {int(q): k for k, q in enumerate(qs.tolist())}
    q_count = np.zeros(qs.size)
    for en in mine:
        q_count[q_row[en.p]] += en.count
    from_q = _empty(problem, c, qs, pk)  # (Q, K)
    reach = np.full(n_k, math.inf)
    for en in mine:
        np.minimum(reach, en.t + from_q[q_row[en.p]], out=reach)
    dep = np.maximum(reach, problem.open_from[pk])
    ok = (
        np.isfinite(dep) & (dep + load <= problem.deadline[pk] + _TOL) & (dep < problem.withdraw[c])
    )
    travel = problem.times.block(c, pk, hv)  # (K, H)
    close, _ = _nearest(travel, near_havens)
    near_t = np.take_along_axis(travel, close, axis=1)
    # the far havens of each group: the nearest of them, the near ones left out
    others = travel.copy()
    others[np.arange(n_k)[:, None], close] = math.inf
    # (K, G + 1): the nearest groups by name, the others as one (column G, no room row)
    far_t = _keep_nearest(_group_min(others, groups), near_groups)
    # trips: near (K x near), then far (K x (G + 1))
    d_near = near_t + load + unload
    d_far = far_t + load + unload
    keep_near = ok[:, None] & np.isfinite(d_near) & (dep[:, None] + d_near <= horizon + _TOL)
    keep_far = ok[:, None] & np.isfinite(d_far) & (dep[:, None] + d_far <= horizon + _TOL)
    ti, tj = np.nonzero(keep_near)
    fi_, fg = np.nonzero(keep_far)
    t_place = np.concatenate([ti, fi_]).astype(np.int64)
    # a near trip's haven (index into hv), or -1 - its far group
    t_haven = np.concatenate([close[ti, tj], -1 - fg]).astype(np.int64)
    t_dur = np.concatenate([d_near[ti, tj], d_far[fi_, fg]])
    if t_place.size == 0:
        return None
    x = m.cols(np.full(t_place.size, cap))
    used = np.zeros(n_k, dtype=bool)
    used[t_place] = True
    # approaches from havens: the ways back of the near trips and each haven's nearest places
    back = _empty(problem, c, hv, pk)  # (H, K)
    pair = np.zeros((n_h, n_k), dtype=bool)
    back_of = tj < near_back  # the ways back of the trips to the nearest few, by name
    pair[close[ti, tj][back_of], ti[back_of]] = True
    if near_pickups > 0:
        cand = np.where(used[None, :], back, math.inf)
        picks, _ = _nearest(cand, near_pickups)
        rows = np.repeat(np.arange(n_h), picks.shape[1])
        pair[rows, picks.ravel()] |= np.isfinite(cand[rows, picks.ravel()])
    pair &= used[None, :] & np.isfinite(back)
    eh, ei = np.nonzero(pair)
    back_col = m.cols(np.zeros(eh.size))
    # the other approaches from havens go through their group's hub (with the far trips'
    # vehicles), charged at the shortest move into i from a haven of the group (for the
    # place's nearest groups) or of any other group (through the hub of the others)
    # (K, G + 1): from the nearest haven of each group, the nearest groups by name
    t_grp = _keep_nearest(_group_min(back.T, groups), near_groups)
    far_i, far_g = np.nonzero(used[:, None] & np.isfinite(t_grp))
    a_out = m.cols(np.zeros(n_h))  # haven -> its group's hub
    b_in = m.cols(np.zeros(far_i.size))  # a group's hub -> place
    z = m.cols(np.zeros(n_groups))  # a group's hub -> the hub of the others
    # a far trip to the others lands in a haven of no known group: from any haven
    t_any = np.min(back, axis=0, initial=math.inf)
    any_i = np.flatnonzero(used & np.isfinite(t_any))
    y_any = m.cols(np.zeros(any_i.size))
    # first approaches: each entry place's nearest places by name, the others through a hub
    qpair = np.zeros((qs.size, n_k), dtype=bool)
    if near_pickups > 0:
        cand = np.where(used[None, :], from_q, math.inf)
        picks, _ = _nearest(cand, near_pickups)
        rows = np.repeat(np.arange(qs.size), picks.shape[1])
        qpair[rows, picks.ravel()] = True
    qpair &= used[None, :] & np.isfinite(from_q)
    fq, fi = np.nonzero(qpair)
    f = m.cols(np.zeros(fq.size))
    t_qhub = np.min(np.where(qpair, math.inf, from_q), axis=0, initial=math.inf)
    qhub_i = np.flatnonzero(used & np.isfinite(t_qhub))
    g_in = m.cols(np.zeros(qhub_i.size))
    g_out = m.cols(np.zeros(qs.size))
    # flows: into each place, out of each haven and hub, out of each entry place
    into = m.rows(n_k, 0.0)
    m.terms(into[t_place], x, 1.0)
    m.terms(into[ei], back_col, -1.0)
    m.terms(into[any_i], y_any, -1.0)
    m.terms(into[far_i], b_in, -1.0)
    m.terms(into[fi], f, -1.0)
    m.terms(into[qhub_i], g_in, -1.0)
    out = m.rows(n_h, 0.0)
    near_x = t_haven >= 0
    m.terms(out[t_haven[near_x]], x[near_x], -1.0)
    m.terms(out[eh], back_col, 1.0)
    m.terms(out, a_out, 1.0)
    q_hub = m.rows(1, 0.0)
    m.terms(q_hub[0], g_in, 1.0)
    m.terms(q_hub[0], g_out, -1.0)
    hubs = m.rows(n_groups + 1, 0.0)  # out <= in, per group and for the others (last)
    m.terms(hubs[far_g], b_in, 1.0)
    named = t_haven > -1 - n_groups  # far trips to a group by name
    m.terms(hubs[-1 - t_haven[~near_x & named]], x[~near_x & named], -1.0)
    anywhere = m.rows(1, 0.0)
    m.terms(anywhere[0], y_any, 1.0)
    m.terms(anywhere[0], x[~named], -1.0)
    m.terms(hubs[groups], a_out, -1.0)
    m.terms(hubs[:-1], z, 1.0)
    m.terms(np.full(n_groups, hubs[-1]), z, -1.0)
    vehicles = m.rows(qs.size, q_count)
    m.terms(vehicles[fq], f, 1.0)
    m.terms(vehicles, g_out, 1.0)
    # charged times of every column that enters a place (by the place, for the levels)
    charged = [
        (x, t_place, t_dur + rest),
        (back_col, ei, back[eh, ei]),
        (b_in, far_i, t_grp[far_i, far_g]),
        (y_any, any_i, t_any[any_i]),
        (f, fi, from_q[fq, fi]),
        (g_in, qhub_i, t_qhub[qhub_i]),
    ]
    budget = sum(
        e_.count
        * max(0.0, horizon - e_.t + rest - _pauses_lost(problem, e_, horizon, rest, longest))
        for e_ in mine
    )
    time_row = m.rows(1, budget)
    for cols, _, hours in charged:
        m.terms(np.full(cols.size, time_row[0]), cols, hours)
    _levels(problem, m, c, mine, pk, horizon, rest, charged)
    return x, t_place, t_haven, c


def _levels(
    problem: Problem,
    m: _Model,
    c: int,
    mine: list[_Entry],
    pk: NDArray[np.int64],
    horizon: float,
    rest: float,
    charged: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]],
) -> None:
    """For each level ``theta``, the trips from places whose last loading start is by
    ``theta`` and the approaches into them fit in the vehicles' time before ``theta`` plus one
    trip: running sums ``u[k] = u[k-1] + band k``, ``u[k] <= room[k]``. ``charged[0]`` are
    the trips.

    The one trip: a vehicle's last such trip starts by ``theta``, and whatever ``L``, each
    trip charged at most ``L`` leaves ``L`` for the last. So the trips of band ``k`` are
    charged ``min(duration, L[k])`` with ``L[k]`` the longest of the shortest trips of the
    places of the bands up to ``k`` (the longest trip would let a far trip to a distant
    group of havens widen every level), and level ``k`` gets ``L[k]`` (>= ``L`` of every
    band in it: each is charged no more)."""
    limit = problem.deadline[pk] - float(problem.load[c])
    x, t_place, t_hours = charged[0]
    t_dur = t_hours - rest
    has = np.zeros(pk.size, dtype=bool)
    has[t_place] = True
    levels = np.unique(limit[has & (limit < horizon)])
    if levels.size == 0:
        return
    if levels.size > MAX_LEVELS:
        levels = levels[np.linspace(0, levels.size - 1, MAX_LEVELS).round().astype(np.int64)]
        levels = np.unique(levels)
    band = np.searchsorted(levels, limit - _TOL)  # == levels.size: in no level
    t_band = band[t_place]
    inside = t_band < levels.size
    # each place's shortest trip, the longest of those up to each band
    shortest = np.full(pk.size, math.inf)
    np.minimum.at(shortest, t_place, t_dur)
    most = np.zeros(levels.size)
    sel = has & (band < levels.size)
    np.maximum.at(most, band[sel], shortest[sel])
    last = np.maximum.accumulate(most)
    room = np.array(
        [
            sum(e.count * max(0.0, theta - e.t + last[k] + rest) for e in mine)
            for k, theta in enumerate(levels.tolist())
        ]
    )
    u = m.cols(np.zeros(levels.size))
    rows = m.rows(levels.size, 0.0)
    m.terms(rows, u, -1.0)
    m.terms(rows[1:], u[:-1], 1.0)
    m.terms(
        rows[t_band[inside]],
        x[inside],
        np.minimum(t_dur, last[np.minimum(t_band, levels.size - 1)])[inside] + rest,
    )
    for cols, place, hours in charged[1:]:
        k = band[place]
        inside = k < levels.size
        m.terms(rows[k[inside]], cols[inside], hours[inside])
    caps = m.rows(levels.size, room)
    m.terms(caps, u, 1.0)


def _people_rows(
    problem: Problem,
    m: _Model,
    trip_cols: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]],
    released: NDArray[np.float64],
    pk: NDArray[np.int64],
    hv: NDArray[np.int64],
    groups: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """People per place, the havens' room (each for its near trips, each group for the near
    trips into it and its far ones, all for all), loads and unloads within their allowances
    and berths. Returns the people and room rows."""
    end = float(problem.end)
    people = m.rows(pk.size, released[pk])
    sink = problem.sink_capacity[hv].astype(np.float64)
    room = m.rows(hv.size, sink)
    by_group = np.bincount(groups, weights=sink).astype(np.float64)
    g_room = m.rows(by_group.size + 1, np.append(by_group, sink.sum()))  # the others: all
    total = m.rows(1, float(problem.sink_capacity[hv].sum()))
    allowed = np.array(
        [
            _allowance_sum(problem, int(p), min(end, float(problem.deadline[p])), unload=False)
            for p in pk
        ]
    )
    finite = np.isfinite(allowed)
    loads = m.rows(int(finite.sum()), allowed[finite])
    load_row = np.full(pk.size, -1)
    load_row[finite] = loads
    berths = np.array([problem.bound_berths(int(p)) for p in pk])
    limited = berths < 1 << 30
    busy = m.rows(int(limited.sum()), berths[limited] * max(0.0, end))
    busy_row = np.full(pk.size, -1)
    busy_row[limited] = busy
    unloads = np.array([_allowance_sum(problem, int(h), end, unload=True) for h in hv])
    u_fin = np.isfinite(unloads)
    u_rows = m.rows(int(u_fin.sum()), unloads[u_fin])
    u_row = np.full(hv.size, -1)
    u_row[u_fin] = u_rows
    u_all = m.rows(1, float(unloads.sum())) if u_fin.all() else None
    h_berths = np.array([problem.bound_berths(int(h)) for h in hv])
    h_lim = h_berths < 1 << 30
    hb_rows = m.rows(int(h_lim.sum()), h_berths[h_lim] * max(0.0, end))
    hb_row = np.full(hv.size, -1)
    hb_row[h_lim] = hb_rows
    hb_all = m.rows(1, float(h_berths.sum()) * max(0.0, end)) if h_lim.all() else None
    for x, place, hav, c in trip_cols:
        cap = float(problem.capacity[c])
        ld, ul = float(problem.load[c]), float(problem.unload[c])
        m.terms(people[place], x, cap)
        m.terms(np.full(x.size, total[0]), x, cap)
        sel = load_row[place] >= 0
        m.terms(load_row[place][sel], x[sel], cap)
        sel = busy_row[place] >= 0
        if ld > 0:
            m.terms(busy_row[place][sel], x[sel], ld)
        near = hav >= 0
        m.terms(room[hav[near]], x[near], cap)
        m.terms(g_room[np.where(near, groups[np.maximum(hav, 0)], -1 - hav)], x, cap)
        sel = near.copy()
        sel[near] = u_row[hav[near]] >= 0
        m.terms(u_row[hav[sel]], x[sel], cap)
        if u_all is not None:
            m.terms(np.full(x.size, u_all[0]), x, cap)
        if ul > 0:
            sel = near.copy()
            sel[near] = hb_row[hav[near]] >= 0
            m.terms(hb_row[hav[sel]], x[sel], ul)
            if hb_all is not None:
                m.terms(np.full(x.size, hb_all[0]), x, ul)
    return people, room


def _solve(
    problem: Problem,
    m: _Model,
    people_rows: NDArray[np.int64],
    room_rows: NDArray[np.int64],
    pk: NDArray[np.int64],
    hv: NDArray[np.int64],
    stop: SafetyStop | None,
) -> FleetBound:
    """Solve the LP (rows scaled so that HiGHS sees numbers near 1..1e6), pad its optimum by
    HiGHS's tolerances, and map the people and room rows' duals to places."""
    n_p = problem.n_places
    hi = np.array(m.hi)
    scale = max(1.0, float(np.max(np.abs(hi), initial=1.0)) / 1e6)
    A = sp.csc_array(
        (np.concatenate(m.v), (np.concatenate(m.r), np.concatenate(m.c))), shape=(hi.size, m.n)
    )
    res = highs.solve(
        np.concatenate(m.obj),
        A,
        np.full(hi.size, -math.inf),
        hi / scale,
        np.zeros(m.n),
        np.full(m.n, math.inf),
        sense="max",
        time_limit=None if stop is None else stop.left(),
        solver="ipm",  # scale-200: 1.5 s of CPU, the dual simplex 3.5 s
    )
    if stop is not None:
        stop.note_solver(res.status)
    if res.status != "optimal" or res.objective is None:
        log.warning("fleet bound: HiGHS says %s; no bound", res.status)
        return FleetBound(math.inf, np.zeros(n_p), np.zeros(n_p), m.n, hi.size)
    value = res.objective * scale
    log.info("fleet bound %.1f (%d columns, %d rows)", value, m.n, hi.size)
    people = np.zeros(n_p)
    room = np.zeros(n_p)
    if res.row_dual is not None:
        # a maximisation's row duals are <= 0 in HiGHS's convention for rows at their upper
        # limit: their size is the worth of one more unit
        people[pk] = np.abs(res.row_dual[people_rows])
        room[hv] = np.abs(res.row_dual[room_rows])
    # HiGHS's optimum is exact up to its tolerances: pad by as much
    bound = value + 1e-7 * abs(value) + 1e-6 * scale
    return FleetBound(bound, people, room, m.n, hi.size)
