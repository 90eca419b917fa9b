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
  at the time of the nearest of them: any trip to one of them takes at least that long;
- empty approaches ``e[c, h, i]`` from a haven to the next loading place by name for the
  ways back of the trips to the place's ``NEAR_BACK`` nearest havens and each haven's
  ``NEAR_PICKUPS`` nearest places; every other vehicle leaving a haven (or ending a far trip
  into a group) goes through its group's hub, charged at the shortest move into ``i`` from
  any haven of the group (for the place's ``NEAR_GROUPS`` nearest groups; from the others
  through one more hub, at the shortest move from any of them); first approaches from the
  places where vehicles enter likewise (their nearest places by name, then a hub charged at
  the shortest move from an entry place not paired with ``i``);
- per class, flows: trips out of a place at most the approaches into it, approaches out of
  a haven (or a hub) at most the trips into it, first approaches at most the vehicles; the
  trips' durations (plus turnaround) and the approaches fit in the fleet's working time, and
  for each last loading start ``theta`` the trips from places that must be loaded by then
  and their approaches fit in the time before it, but for the part of each vehicle's last
  such trip past it (``fleet_levels.py``), written as running sums;
- people per place; each haven's room for its near trips less what relays carry out of it,
  each group's for the near trips into it and its far ones plus the relays into it from
  other groups less those out of it to others (below), all the havens' room for all; loads
  and berths per place, unloads and berths per haven and pooled;
- relays ``r[c, h, g]``: loaded trips out of haven ``h`` into another haven of group ``g``,
  charged in the working time their load, the shortest such trip and their unload (plus
  turnaround), their vehicle leaving ``h``'s group's hub (where it came by a trip or relay,
  or by an empty move from another group or from where it entered, charged the shortest
  such move) and ending at ``g``'s hub for the flows; a haven or group passes on only people
  it took in (``fleet_relays.py``).

Why no plan rescues more: as ``pooled_trips.py`` argues (no staging places), keep each
vehicle's loaded trips from a place with people into a haven, counted as ``people /
capacity`` of a trip; the empty moves and dropped trips between two kept ones take at least
the shortest empty path (so no less than the approach the LP charges for that pair or hub),
each kept trip at least its charged duration, and a vehicle's trips loaded by ``theta``
fit before it but for the last one's part past it (``fleet_levels.py``). Any plan so maps
onto a feasible point with its rescued count.

Relays (people a haven passes on): a haven's room holds at every instant, not for all it
ever receives. At the instant ``t`` of the last delivery from places into haven ``h``, ``h``
holds at least what places delivered into it less what relays loaded by ``t`` carried out,
so ``cap x(into h) <= room(h) + cap r(out of h)``. People left in a relay at the end are not
rescued: taking them off the plan (off their first trip and every relay after) keeps it
feasible with the same rescued count, so every relay ends by the end, and each group holds
at the end (rescued is the havens' net inflow then) what trips brought in plus relays from
other groups less relays to others; the all-havens row needs no relays (people only move
between havens). Loaded vehicles may wait on the way (docs/model.md), so ``t`` can be as
late as the end and relays are not charged in the levels, only in the working time (at most
``longest`` where the class withdraws or pauses, as a trip under way). The vehicle's moves
between two kept activities (relays included) take at least the shortest empty path: into
a relay's haven from the group it was in or entered (the moves ``fleet_relays.reposition``
charges), and from the last relay's haven to the next place, which the approach from its
group's hub does not exceed. Relays into a haven are left out of its rows (they only
loosen). ``fleet_relays.py`` has the rest of the argument.

The Hypothesis properties of tests/plan/test_fleet_bound.py check it against the exhaustive
optimum with pairs by name, in groups, and pooled, and on havens that pass people on (once,
or twice through two small havens, by vehicles that start at the town, a haven or a depot).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.budget import SafetyStop
from evacuate.plan.fleet_levels import REACH_COLUMNS, level_rows
from evacuate.plan.fleet_parts import (
    Model,
    empty_times,
    group_min,
    haven_groups,
    keep_nearest,
    nearest,
)
from evacuate.plan.fleet_relays import ClassCols, passed_on, relays, reposition
from evacuate.plan.grid import CITY_PLACES, city_scale
from evacuate.plan.pooled_trips import _longest, _pauses_lost
from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import MAX_COLUMNS, _allowance_sum, _entries, _Entry
from evacuate.solvers import highs

__all__ = [
    "FAR_GROUPS",
    "FLEET_PLACES",
    "MAX_FLEET_COLUMNS",
    "MAX_LEVELS",
    "NEAR_BACK",
    "NEAR_GROUPS",
    "NEAR_HAVENS",
    "NEAR_PICKUPS",
    "NEAR_PICKUPS_SMALL",
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

NEAR_PICKUPS_SMALL = 64
"""``NEAR_PICKUPS`` where the LP is small enough for the levels' rows for every ``tau``
(``fleet_levels.REACH_COLUMNS``): on ``scale-200`` (loaded, CPU s; these figures predate the
relay columns, which made the bound valid: 22,555,201 with 64, 98.51% of the people,
bench/results/2026-11-28-relay.md) 8 give 19,916,929 in
9.9 s, 32 give 19,841,814 in 10.8 s, 64 give 19,747,848 (86.25% of the people) in 10.4 s
with 44,119 columns, all 19,741,931 in 14.5 s; every haven by name as well only 19,873,162
with 8 (21.9 s), and every group by name 19,879,743 (14.1 s)."""

FAR_GROUPS = 50
"""Groups of havens (the nearest to each of so many spread centres): a place's trips to the
havens of a group other than its near ones are one far trip, at the time of the nearest of
them, within the group's room; relays go to a group. With relays priced by where their
vehicles come from (``fleet_relays.py``; loaded, bench/results/2026-11-28-vbound.md),
``scale-200`` (50 havens): 32 groups 20,815,237 (90.91% of the people) in 6.1 s of CPU, 50
(every haven its own) 20,512,809 (89.59%) in 9.0 s (before the relays' own pools: 16 groups
93.36%, 32 91.12%, 40 90.35%, 50 89.77%). Measured before the relay columns (not bounds
then) and with the levels of before (bench/results/2026-11-28-rbound.md): ``scale-500``
44,588,068 (97.4% of the people) in 13.5 s with 32, 44,417,304 in 21.8 s with 48."""

NEAR_GROUPS = 8
"""Of those groups, the nearest to each place by name for the approaches through the groups'
hubs; the others through one hub, at the time of the nearest of them. With all 32 by name
(the levels of before): ``scale-200`` 20,808,568 in 5.1 s of CPU, ``scale-500``
44,462,099 in 23.2 s. (Far trips are by group always: pooling the other groups' room too
left ``scale-500`` at the population.)"""

FLEET_PLACES = CITY_PLACES
"""Places from which the search computes the bound: at city scale. At 500 places and more
the grid's column generation gets no bound within the 60 s stop (``scale-500``, 662 places:
not one LP solve of its round). On ``scale-200`` (275 places) the fleet bound is
20,512,809 (89.59% of the people) in about 9 s of CPU (loaded; with relays priced by where
their vehicles come from and every haven its own group, bench/results/2026-11-28-vbound.md;
22,555,201 before), below the grid's round at a 60 s limit (21,082,064 after its 70 LP
solves there) but above it converged (19,801,458). The 19,747,848 measured before the
relay columns was below what some plans may rescue (havens that pass people on), so not a
bound."""


MAX_FLEET_COLUMNS = 60_000
"""Past about this many columns (classes x places with people x the columns per place) the
search does not compute the bound. With the relay columns ``scale-500`` (3 x 500 x 58 =
87,000) gives the population (45,792,253) for about 12 s of CPU (idle: the whole run 51.2
s of CPU against a 60 s stop), so it is skipped there (with the rows of ``fleet_relays.py``
still the population with 32 groups, 107,364 columns, 11.9 s of CPU; 50 groups (3 x 500 x
76 = 114,000 estimated) 45,578,802, 99.53%, in 14.9 s; 100 groups 44,854,696, 97.95%, in
33.1 s); before them (not a bound) 44,588,068
in 13.5 s. On ``scale-1000`` (174,000) 32 groups gave the population after about 50 s, and
64 groups 90,621,095 (98.95% of the people) in 78.4 s (loaded), more than the stop."""

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


def applies(problem: Problem) -> bool:
    """Whether the bound is worth computing: at city scale (``grid.city_scale``), where the
    per-pair round-trip LP is not built (its ``MAX_COLUMNS``: the round-trip bound is the
    pooled one), from ``FLEET_PLACES`` places on, up to ``MAX_FLEET_COLUMNS``. Below (the
    ladder's xlarge rung: 7,642,634 in 0.3 s of CPU, its column generation 7,260,903) it
    would cost time for nothing."""
    if not city_scale(problem) or problem.n_places < FLEET_PLACES:
        return False
    if 4 * problem.n_classes * problem.n_places**2 <= MAX_COLUMNS:
        return False
    pickups = int(np.count_nonzero((problem.population > 0) & ~problem.is_haven))
    per_place = NEAR_HAVENS + FAR_GROUPS + NEAR_BACK + NEAR_GROUPS + 2
    return problem.n_classes * pickups * per_place <= MAX_FLEET_COLUMNS


def fleet_bound(
    problem: Problem,
    stop: SafetyStop | None = None,
    *,
    near_havens: int = NEAR_HAVENS,
    near_pickups: int | None = None,
    far_groups: int = FAR_GROUPS,
    near_back: int = NEAR_BACK,
    near_groups: int = NEAR_GROUPS,
) -> FleetBound:
    """The LP optimum of the module docstring: no plan rescues more (inf: not computed,
    staging places, or cut by the safety ``stop``). ``near_pickups``: by default
    ``NEAR_PICKUPS_SMALL`` where the levels get their rows for every ``tau``, else
    ``NEAR_PICKUPS``."""
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
    groups = haven_groups(problem, hv, far_groups)
    # the levels' rows for every tau where the LP is small enough (fleet_levels.py)
    per_place = near_havens + far_groups + near_back + near_groups + 2
    every_tau = n_c * pk.size * per_place <= REACH_COLUMNS
    if near_pickups is None:
        near_pickups = NEAR_PICKUPS_SMALL if every_tau else NEAR_PICKUPS
    m = Model()
    # people columns of every class, for the people rows: (column, place index in pk, haven
    # index in hv or -1 for far, class)
    trip_cols: list[ClassCols] = []
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
                every_tau,
            )
            if got is not None:
                trip_cols.append(got)
    if not any(t.x.size for t in trip_cols):
        return zero
    people_rows, room_rows = _people_rows(problem, m, trip_cols, released, pk, hv, groups)
    passed_on(problem, m, trip_cols, hv, groups)
    return _solve(problem, m, people_rows, room_rows, pk, hv, stop)


def _class_rows(
    problem: Problem,
    m: Model,
    c: int,
    mine: list[_Entry],
    pk: NDArray[np.int64],
    hv: NDArray[np.int64],
    near: tuple[int, int, int, int],
    groups: NDArray[np.int64],
    every_tau: bool,
) -> ClassCols | None:
    """Class ``c``'s columns, flows, time and level rows; its trip columns (None: none).
    ``near``: havens by name, pickups by name, ways back by name; ``groups``: each
    haven's group of far havens; ``every_tau``: the levels' rows for every ``tau``."""
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
    from_q = empty_times(problem, c, qs, pk)  # (Q, K)
    reach = np.full(n_k, math.inf)
    for en in mine:
        np.minimum(reach, en.t + from_q[q_row[en.p]], out=reach)
    dep = np.maximum(reach, problem.open_from[pk])
    ok = (
        np.isfinite(dep) & (dep + load <= problem.deadline[pk] + _TOL) & (dep < problem.withdraw[c])
    )
    travel = problem.times.block(c, pk, hv)  # (K, H)
    close, _ = nearest(travel, near_havens)
    near_t = np.take_along_axis(travel, close, axis=1)
    # the far havens of each group: the nearest of them, the near ones left out
    others = travel.copy()
    others[np.arange(n_k)[:, None], close] = math.inf
    far_t = group_min(others, groups)
    # trips: near (K x near), then far (K x G)
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
        # no trip from a place in time, but its vehicles may still pass people on
        rl = relays(problem, m, c, hv, groups, longest)
        time_row = m.rows(1, _budget(problem, mine, horizon, rest, longest))
        m.terms(np.full(rl.cols.size, time_row[0]), rl.cols, rl.work + rest)
        empty = np.zeros(0, dtype=np.int64)
        return ClassCols(c, empty, empty, empty, rl)
    x = m.cols(np.full(t_place.size, cap))
    used = np.zeros(n_k, dtype=bool)
    used[t_place] = True
    # approaches from havens: the ways back of the near trips and each haven's nearest places
    back = empty_times(problem, c, hv, pk)  # (H, K)
    pair = np.zeros((n_h, n_k), dtype=bool)
    back_of = tj < near_back  # the ways back of the trips to the nearest few, by name
    pair[close[ti, tj][back_of], ti[back_of]] = True
    if near_pickups > 0:
        cand = np.where(used[None, :], back, math.inf)
        picks, _ = nearest(cand, near_pickups)
        rows = np.repeat(np.arange(n_h), picks.shape[1])
        pair[rows, picks.ravel()] |= np.isfinite(cand[rows, picks.ravel()])
    pair &= used[None, :] & np.isfinite(back)
    eh, ei = np.nonzero(pair)
    back_col = m.cols(np.zeros(eh.size))
    # the other approaches from havens go through their group's hub (with the far trips'
    # vehicles), charged at the shortest move into i from a haven of the group (for the
    # place's nearest groups) or of any other group (through the hub of the others)
    # (K, G + 1): from the nearest haven of each group, the nearest groups by name
    t_grp = keep_nearest(group_min(back.T, groups), near_groups)
    far_i, far_g = np.nonzero(used[:, None] & np.isfinite(t_grp))
    a_out = m.cols(np.zeros(n_h))  # haven -> its group's hub
    b_in = m.cols(np.zeros(far_i.size))  # a group's hub -> place
    z = m.cols(np.zeros(n_groups))  # a group's hub -> the hub of the others
    # first approaches: each entry place's nearest places by name, the others through a hub
    qpair = np.zeros((qs.size, n_k), dtype=bool)
    if near_pickups > 0:
        cand = np.where(used[None, :], from_q, math.inf)
        picks, _ = nearest(cand, near_pickups)
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
    m.terms(hubs[-1 - t_haven[~near_x]], x[~near_x], -1.0)
    m.terms(hubs[groups], a_out, -1.0)
    m.terms(hubs[:-1], z, 1.0)
    m.terms(np.full(n_groups, hubs[-1]), z, -1.0)
    vehicles = m.rows(qs.size, q_count)
    m.terms(vehicles[fq], f, 1.0)
    m.terms(vehicles, g_out, 1.0)
    rl = relays(problem, m, c, hv, groups, longest)
    m.terms(hubs[rl.group], rl.cols, -1.0)  # its vehicle ends in the group (its hub)
    # and leaves its haven's group: where a vehicle ended a trip into the group, or one
    # that came from another group or from where it entered (fleet_relays.py)
    moves = reposition(problem, m, c, hv, groups, qs, rl, hubs, vehicles)
    # charged times of every column that enters a place (by the place, for the levels)
    charged = [
        (x, t_place, t_dur + rest),
        (back_col, ei, back[eh, ei]),
        (b_in, far_i, t_grp[far_i, far_g]),
        (f, fi, from_q[fq, fi]),
        (g_in, qhub_i, t_qhub[qhub_i]),
    ]
    time_row = m.rows(1, _budget(problem, mine, horizon, rest, longest))
    for cols, _, hours in charged:
        m.terms(np.full(cols.size, time_row[0]), cols, hours)
    m.terms(np.full(rl.cols.size, time_row[0]), rl.cols, rl.work + rest)
    m.terms(np.full(moves[0].size, time_row[0]), moves[0], moves[1])
    level_rows(problem, m, c, mine, pk, horizon, rest, charged, MAX_LEVELS, every_tau)
    return ClassCols(c, x, t_place, t_haven, rl)


def _budget(
    problem: Problem, mine: list[_Entry], horizon: float, rest: float, longest: float
) -> float:
    """The class's working time: its vehicles' time up to ``horizon`` (plus one turnaround)
    less what pauses take."""
    return sum(
        e_.count
        * max(0.0, horizon - e_.t + rest - _pauses_lost(problem, e_, horizon, rest, longest))
        for e_ in mine
    )


def _people_rows(
    problem: Problem,
    m: Model,
    trip_cols: list[ClassCols],
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
    g_room = m.rows(int(groups.max()) + 1, np.bincount(groups, weights=sink).astype(np.float64))
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
    for cc in trip_cols:
        c, x, place, hav, rl = cc.c, cc.x, cc.place, cc.haven, cc.relays
        cap = float(problem.capacity[c])
        # what a relay carries out of a haven leaves room there and, into another group, in
        # its group, and takes room in that one (fleet_relays.py)
        m.terms(room[rl.haven], rl.cols, -cap)
        across = groups[rl.haven] != rl.group
        m.terms(g_room[groups[rl.haven[across]]], rl.cols[across], -cap)
        m.terms(g_room[rl.group[across]], rl.cols[across], cap)
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
    m: Model,
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
