"""The fleet bound's relays (``fleet_bound.py``): loaded trips out of a haven into another one,
priced by where their vehicles come from, and the rooms and people they move.

A relay ``r[c, h, g]`` carries people in class ``c``'s vehicles out of haven ``h`` into
another haven of group ``g``. It is charged its load, the shortest such trip and its unload
(plus turnaround) in the working time (at most ``longest`` where the class withdraws or
pauses, as a trip under way), and its vehicle ends at ``g``'s hub. Three sets of rows make
the relays cost what they cost (on ``scale-200`` the LP without them moved 12.9 M of its
22.9 M people on through relays, a haven of 271,823 taking in 3,437,115):

- **Where the vehicle comes from** (``reposition``): a relay leaves ``h``'s group's relay
  pool, which vehicles join from the group's hub (they came by trips or relays into the
  group), or by an empty move from another group's hub or from where they entered, charged
  the shortest empty move from any haven of the one (or that entry place) to any haven of
  the other in the working time. Before, a relay's vehicle came from nowhere, so a relay was
  a one-way trip. Only relays leave a pool: the moves are not charged in the deadline
  levels, and a vehicle that moves and then approaches a place is charged that approach
  from where it was (the triangle inequality), so letting them reach the approaches would
  only loosen (measured: the LP without relays, not a bound, 86.25% of the people on
  ``scale-200`` with 32 groups, 90.49% with moves into the hubs).
- **Rooms at the end** (``fleet_bound._people_rows``): rescued means the havens' net inflow
  at the end (docs/model.md), and every relay ends by the end (``fleet_bound.py``), so each
  group holds at the end what trips from places brought in plus what relays brought in from
  other groups less what relays took out to other groups: ``cap (x(into G) + r(into G from
  others) - r(out of G to others)) <= room(G)``. Before, every relay out of a haven freed
  its group's room, into the same group or not, and relays into a group took none.
- **People passed on** (``passed_on``): a haven passes on only people it took in. Relays
  out of ``h`` carry at most what trips brought into it by name, the far trips into its
  group (any of them may have ended at ``h``) and the relays into its group from its other
  havens and other groups (which may have ended at ``h``); relays out of a group into
  others at most what trips and relays from others brought into it.

Why each holds (a plan maps onto a feasible point with its rescued count): a vehicle's
relay starts where its previous kept activity (trip, relay) ended or where it entered, with
an empty move between at least the shortest empty path (the flows' argument of
``fleet_bound.py``): into ``h``'s group itself (trips by name reach the hub through the
haven's way out, far trips and relays into the group through the hub), or from another
group or entry place, charged no more than the shortest move. Each person relayed out of a
haven or a group came into it by a trip or a relay before, as counted. Relays into a haven
by name are left out of its rows (they only loosen).

Timing the relays (rooms at a few instants, relays in time bands charged in the deadline
levels, trips under way and after each instant) was built and measured on ``scale-200``:
4 instants the same bound in 28 s of CPU, 12 instants 89.46% of the people (against 89.59%)
in 143 s, so it is not kept (``bench/results/2026-11-28-vbound.md``). Priced out, the
relays leave the LP 4.3% of the people lower (not a bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.fleet_parts import Model, empty_times, group_min
from evacuate.plan.problem import Problem

__all__ = ["ClassCols", "Relays", "passed_on", "relays", "reposition"]


@dataclass(frozen=True)
class Relays:
    """A class's relay columns: their haven (into ``hv``), target group and charged hours in
    the working time (but the turnaround)."""

    cols: NDArray[np.int64]
    haven: NDArray[np.int64]
    group: NDArray[np.int64]
    work: NDArray[np.float64]


@dataclass(frozen=True)
class ClassCols:
    """A class, its trip columns, their places (into ``pk``) and havens (into ``hv``, or ``-1
    - group`` for far trips), and its relays."""

    c: int
    x: NDArray[np.int64]
    place: NDArray[np.int64]
    haven: NDArray[np.int64]
    relays: Relays


def relays(
    problem: Problem,
    m: Model,
    c: int,
    hv: NDArray[np.int64],
    groups: NDArray[np.int64],
    longest: float,
) -> Relays:
    """Class ``c``'s relay columns, one per haven and group it may go to. A relay lasts at
    least its load, the shortest trip from its haven to another one of the group, and its
    unload; where the class withdraws or pauses (``longest`` > 0) it is charged at most
    ``longest`` (``pooled_trips._pauses_lost``)."""
    between = problem.times.block(c, hv, hv).astype(np.float64)  # (H, H)
    np.fill_diagonal(between, math.inf)
    hours = group_min(between, groups) + float(problem.load[c] + problem.unload[c])  # (H, G)
    if longest > 0:
        hours = np.minimum(hours, longest)
    rh, rg = np.nonzero(np.isfinite(hours))
    cols = m.cols(np.zeros(rh.size))
    return Relays(cols, rh.astype(np.int64), rg.astype(np.int64), hours[rh, rg])


def reposition(
    problem: Problem,
    m: Model,
    c: int,
    hv: NDArray[np.int64],
    groups: NDArray[np.int64],
    qs: NDArray[np.int64],
    rl: Relays,
    hubs: NDArray[np.int64],
    vehicles: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """A relay's vehicle leaves its haven's group's relay pool (a row per group: out <= in),
    which vehicles join from the group's hub (``hubs``: out <= in; they came by a trip or
    relay into the group), from another group's hub or from where they entered
    (``vehicles``: per entry place in ``qs``), the last two charged the shortest empty move
    between the two (any haven of a group). Only relays leave a pool: a vehicle that moves
    to another group and then approaches a place is charged that approach from where it
    was (no longer than the move and the approach), so the moves are not in the deadline
    levels and must not reach the approaches. Returns the moves' columns and hours, for the
    working time."""
    n_g = int(groups.max()) + 1
    pool = m.rows(n_g, 0.0)
    m.terms(pool[groups[rl.haven]], rl.cols, 1.0)
    own = m.cols(np.zeros(n_g))
    m.terms(hubs[:n_g], own, 1.0)
    m.terms(pool, own, -1.0)
    # (G, G): from each group (rows) to each group (columns); empty times need not be
    # symmetric (one-way lanes): charged the other way round, a move was once overcharged
    # (tests/plan/test_fleet_relays.py)
    to_g = group_min(empty_times(problem, c, hv, hv), groups)  # (H, G): haven to group
    between = group_min(to_g.T, groups).T
    np.fill_diagonal(between, math.inf)
    g1, g2 = np.nonzero(np.isfinite(between))
    mv = m.cols(np.zeros(g1.size))
    m.terms(hubs[g1], mv, 1.0)
    m.terms(pool[g2], mv, -1.0)
    from_q = group_min(empty_times(problem, c, qs, hv), groups)  # (Q, G)
    q1, q2 = np.nonzero(np.isfinite(from_q))
    mq = m.cols(np.zeros(q1.size))
    m.terms(vehicles[q1], mq, 1.0)
    m.terms(pool[q2], mq, -1.0)
    return np.concatenate([mv, mq]), np.concatenate([between[g1, g2], from_q[q1, q2]])


def passed_on(
    problem: Problem,
    m: Model,
    classes: list[ClassCols],
    hv: NDArray[np.int64],
    groups: NDArray[np.int64],
) -> None:
    """A haven passes on only people it took in: relays out of haven ``h`` at most the trips
    into it by name, the far trips into its group and the relays into its group from its
    other havens and from other groups (some of which may end at ``h``); relays out of a
    group into others at most the trips into it and the relays into it from others."""
    n_g = int(groups.max()) + 1
    h_rows = m.rows(hv.size, 0.0)
    g_rows = m.rows(n_g, 0.0)
    for cc in classes:
        x, t_haven, rl = cc.x, cc.haven, cc.relays
        cap = float(problem.capacity[cc.c])
        near = t_haven >= 0
        far = ~near
        m.terms(h_rows[rl.haven], rl.cols, cap)
        m.terms(h_rows[t_haven[near]], x[near], -cap)
        for g in range(n_g):
            mine = np.flatnonzero(groups == g)
            sel = np.flatnonzero(far & (-1 - t_haven == g))
            if sel.size:
                m.terms(np.repeat(h_rows[mine], sel.size), np.tile(x[sel], mine.size), -cap)
            into = np.flatnonzero(rl.group == g)
            if into.size:
                rows = np.repeat(h_rows[mine], into.size)
                cols = np.tile(rl.cols[into], mine.size)
                frm = np.tile(rl.haven[into], mine.size)
                own = frm != np.repeat(mine, into.size)
                m.terms(rows[own], cols[own], -cap)
        across = groups[rl.haven] != rl.group
        m.terms(g_rows[groups[rl.haven[across]]], rl.cols[across], cap)
        m.terms(g_rows[rl.group[across]], rl.cols[across], -cap)
        m.terms(g_rows[groups[t_haven[near]]], x[near], -cap)
        m.terms(g_rows[-1 - t_haven[far]], x[far], -cap)
