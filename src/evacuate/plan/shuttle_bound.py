"""A lower bound on the makespan of a shuttle problem (shuttle.py): busy time per vehicle,
from the loads' least costs and a transportation LP over the havens' room."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from evacuate.plan.improve import ShuttleSearch
from evacuate.plan.makespan_mixed import mixed_fleet_bound
from evacuate.plan.problem import Problem
from evacuate.plan.shuttle import empty_paths, is_shuttle

__all__ = ["REACH_PLACES", "reach_makespan_bound", "shuttle_makespan_bound"]

REACH_PLACES = 400
"""Places beyond which ``reach_makespan_bound`` is not computed (its quickest ways between
every two places cost places^3)."""


def reach_makespan_bound(problem: Problem) -> float:
    """A lower bound on the makespan of any problem whose people ride to safety (no
    walkways): each group of people, from the time it is at its place, waits at least for
    the first vehicle that can reach it, then for one loading, the quickest way on to a
    haven with room (through any places, by any class: relays only add time) and one
    unloading. 0 when nobody waits outside a haven or no vehicle exists."""
    pb = problem
    havens = np.flatnonzero(pb.is_haven & (pb.sink_capacity > 0))
    if not pb.supply or not len(havens) or pb.n_places > REACH_PLACES:
        return 0.0
    quickest = empty_paths(np.min(pb.travel, axis=0))[0]
    by_class = {c: empty_paths(pb.travel[c])[0] for c in sorted({sp.c for sp in pb.supply})}
    reach = np.full(pb.n_places, np.inf)
    for sp in pb.supply:
        reach = np.minimum(reach, sp.t + by_class[sp.c][sp.p])
    ride = float(np.min(pb.load)) + float(np.min(pb.unload))
    out = 0.0
    for i, t, n in pb.arrivals:
        if n > 0 and not pb.is_haven[i]:
            out = max(out, max(t, float(reach[i])) + ride + float(np.min(quickest[i, havens])))
    return out if np.isfinite(out) else 0.0


def shuttle_makespan_bound(problem: Problem, flows: bool = True) -> float:
    """A lower bound on the makespan of a shuttle problem (0 for other problems; a shuttle
    problem but for its vehicles' capacities gets the bound of its fleet all as large as
    the largest vehicle).

    Every load k (at pickup i) costs its vehicle at least ``a_k`` = loading, the trip to the
    nearest haven and unloading, and, unless it is its vehicle's first, ``e_k`` = the
    nearest haven's trip back to i; a first one costs ``s_k`` = the nearest start's trip to i
    instead. At most one first load per vehicle, so the vehicles' busy time sums to at
    least sum(a_k + e_k) minus the largest ``len(vehicles)`` gains e_k - s_k, and the last
    vehicle finishes no earlier than the earliest start plus the mean busy time. Besides, the
    load whose pickup is farthest from every start ends no earlier than its own trip; and
    (``flows``) no earlier than makespan_mixed.mixed_fleet_bound (each class's routes as
    flows of whole loads, with the havens' room).
    """
    if not is_shuttle(problem):
        caps = {int(problem.capacity[sp.c]) for sp in problem.supply}
        if len(caps) < 2:
            return 0.0
        # a fleet of several capacities: every vehicle as large as the largest relaxes it
        relaxed = replace(problem, capacity=np.full_like(problem.capacity, max(caps)))
        # (the flow bound of the relaxed fleet is never above the fleet's own: not computed)
        big = shuttle_makespan_bound(relaxed, flows=False) if is_shuttle(relaxed) else 0.0
        return max(big, mixed_fleet_bound(problem) if flows else 0.0)
    s = ShuttleSearch(problem, random.Random(0))
    a, e, first = [], [], []
    for k, i in enumerate(s.pt):
        a.append(s.shortest[k])
        e.append(min(s.E[c][h][i] for c in {c for c, _, _ in s.veh} for h in s.havens))
        first.append(min(t + s.E[c][p][i] for c, p, t in s.veh))
    t0 = min(t for _, _, t in s.veh)
    n_v = len(s.veh)
    gains = sorted((max(0.0, e[k] - (first[k] - t0)) for k in range(len(a))), reverse=True)
    busy = sum(a) + sum(e) - sum(gains[:n_v])
    single = max((first[k] + a[k] for k in range(len(a))), default=0.0)
    room = _room_bound(s) if len({c for c, _, _ in s.veh}) == 1 else 0.0
    loads = mixed_fleet_bound(problem) if flows else 0.0  # makespan_mixed.py
    return float(max(single, t0 + busy / n_v, t0 + room / n_v, loads))


def _room_bound(s: ShuttleSearch) -> float:
    """Busy time with the havens' room: a load from pickup i to haven h costs the loaded
    trip and, for all but one load per vehicle, the way from h to the nearest pickup; a
    transportation LP (HiGHS, per person: a load carries at most a vehicle's capacity) sends
    everyone to a haven with room at least cost."""
    from scipy.optimize import linprog

    pts = sorted(set(s.pt))
    people = {i: sum(q for k, q in enumerate(s.q) if s.pt[k] == i) for i in pts}
    c = s.veh[0][0]
    tt = s.T[c]
    back = {h: min(s.E[c][h][i] for i in pts) for h in s.havens}
    n_i, n_h = len(pts), len(s.havens)
    # per person: a load carries at most s.cap (so this relaxes the whole-trip count)
    cost = [(s.L[c] + tt[i][h] + back[h]) / s.cap for i in pts for h in s.havens]
    a_eq = np.zeros((n_i, n_i * n_h))
    for r in range(n_i):
        a_eq[r, r * n_h : (r + 1) * n_h] = 1.0
    a_ub = np.zeros((n_h, n_i * n_h))
    for col in range(n_h):
        a_ub[col, col::n_h] = 1.0
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=[float(s.room[h]) for h in s.havens],
        A_eq=a_eq,
        b_eq=[float(people[i]) for i in pts],
        method="highs",
    )
    if res.status != 0:
        return 0.0
    return float(res.fun) - len(s.veh) * float(max(back.values()))
