"""Exact sub-MIPs for shuttle routes (improve.py): fix every vehicle but a few and let HiGHS
decide whether those few can carry the loads they hold now by an earlier time.

The few vehicles' loads become the population of a small problem (their pickups, the havens'
room left plus what those loads take, the vehicles at their own starts, the horizon one time
unit before the makespan), which the time-expanded MIP of ten.py solves on a grid of one
time unit: with whole-unit durations and no clock in the rules (a shuttle problem), that MIP
is exact. The rest of the plan is untouched and the few vehicles do only what the MIP says,
so the plan stays feasible: rules between vehicles are only people and haven room, both
shared out above. People ride only straight from a pickup to a haven (the BEP's rule), so
the MIP's plan reads back into routes (each loaded trip one load per vehicle of its group).

When the few vehicles are all vehicles and that MIP proves that no such plan rescues everyone
by the earlier time, the same MIP without the straight-ride rule (any plan the checker allows)
is asked too; if it agrees, the makespan is optimal. Not when some move takes no time (a yard
on a point): the grid gives it a step, so there the MIP finds plans but proves nothing.

Budget in work units: MIP branch-and-bound nodes (``SUB_NODES`` a solve) and solves, on one
HiGHS thread (so the nodes explored do not depend on the machine's cores).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np

from evacuate.plan.budget import SafetyStop
from evacuate.plan.improve import ShuttleSearch
from evacuate.plan.problem import Problem, Supply
from evacuate.plan.ten_build import build_ten
from evacuate.plan.ten_trips import rescued_by, to_trips
from evacuate.planio import Trip
from evacuate.solvers import highs

__all__ = [
    "SUB_CELLS",
    "SUB_NODES",
    "SUB_VEHICLES",
    "SubMipResult",
    "no_instant_moves",
    "sub_mips",
    "sub_mips_apply",
    "whole_units",
]

log = logging.getLogger(__name__)

SUB_CELLS = 60_000
"""Grid steps x places^2 x classes beyond which no sub-MIP is built (its network is too big
for a solve of a few thousand nodes)."""

SUB_NODES = 1_000
"""Branch-and-bound nodes of each sub-MIP."""

SUB_VEHICLES = 3
"""Vehicles freed in each sub-MIP (the ones that finish last, and the earliest others)."""


def no_instant_moves(problem: Problem) -> bool:
    """Every move between two places takes at least one time unit: the grid of one time unit
    (whose arcs take at least a step) then holds every plan, so its MIP's "no plan by then"
    is a proof; a move that takes no time (a yard on a point) costs a step there, so such a
    MIP only finds plans (BEP-like: a yard at distance 0 from a point)."""
    travel = problem.travel
    off = ~np.eye(problem.n_places, dtype=np.bool_)[None, :, :] & np.isfinite(travel)
    return bool(np.all(travel[off] >= 1.0 - 1e-9))


def whole_units(problem: Problem) -> bool:
    """Every duration a whole number of time units: then so is every makespan, and the MIP
    on a grid of one time unit is exact."""
    times = [*problem.load, *problem.unload, *(s.t for s in problem.supply)]
    times += [float(x) for x in problem.travel[np.isfinite(problem.travel)]]
    return all(abs(t - round(t)) < 1e-9 for t in times)


@dataclass(frozen=True)
class SubMipResult:
    """What the sub-MIPs did: solves, the ones that shortened the plan, nodes spent, and
    whether a whole-problem MIP proved the makespan optimal."""

    solves: int
    gains: int
    nodes: int
    proven: bool
    stopped_by_time: bool


def _cells(problem: Problem, end: float) -> float:
    return (end + 1) * problem.n_places**2 * problem.n_classes


def sub_mips_apply(problem: Problem, makespan: float) -> bool:
    """Whether sub-MIPs can shorten a plan of this makespan: whole-unit data, small grid."""
    return whole_units(problem) and _cells(problem, makespan - 1.0) <= SUB_CELLS


def _subproblem(s: ShuttleSearch, vehicles: list[int], end: float) -> Problem:
    pb = s.pb
    pop = np.zeros(pb.n_places, dtype=np.int64)
    room = np.zeros(pb.n_places, dtype=np.int64)
    for h in s.havens:
        room[h] = s.room[h]
    for v in vehicles:
        for k in s.routes[v]:
            pop[s.pt[k]] += s.q[k]
            room[s.sh[k]] += s.q[k]
    count = Counter(s.veh[v] for v in vehicles)
    made = {(x.c, x.p, x.t): x.made for x in pb.supply}
    supply = [Supply(c, p, t, n, made[(c, p, t)]) for (c, p, t), n in sorted(count.items())]
    arrivals = [(int(i), 0.0, int(pop[i])) for i in np.flatnonzero(pop)]
    return replace(
        pb, population=pop, arrivals=arrivals, sink_capacity=room, supply=supply, end=end
    )


def _routes(
    s: ShuttleSearch, vehicles: list[int], trips: list[Trip]
) -> list[list[tuple[int, int, int]]] | None:
    """The MIP's trips as one route of loads (pickup, haven, people) per freed vehicle, in the
    order of ``vehicles``; None if some trip is not a pickup-to-haven load or a group fits
    no freed vehicle."""
    pb = s.pb
    groups: dict[str, list[Trip]] = defaultdict(list)
    for tr in trips:
        groups[tr.group].append(tr)
    free = list(vehicles)
    out: dict[int, list[tuple[int, int, int]]] = {v: [] for v in vehicles}
    for legs in groups.values():
        legs.sort(key=lambda t: t.depart)
        c, start, n = pb.cindex[legs[0].vehicle_class], pb.pindex[legs[0].origin], legs[0].count
        mine = [v for v in free if s.veh[v][0] == c and s.veh[v][1] == start][:n]
        if len(mine) < n:
            return None
        for v in mine:
            free.remove(v)
        for tr in legs:
            if not tr.people:
                continue
            i, h = pb.pindex[tr.origin], pb.pindex[tr.destination]
            if pb.population[i] <= 0 or not pb.is_haven[h]:
                return None  # people moved between havens: no route of loads says that
            each, extra = divmod(tr.people, n)
            for j, v in enumerate(mine):
                q = each + (j < extra)
                if q > s.cap:
                    return None
                if q:
                    out[v].append((i, h, q))
    return [out[v] for v in vehicles]


def _install(
    s: ShuttleSearch, vehicles: list[int], new_routes: list[list[tuple[int, int, int]]]
) -> None:
    """Replace the freed vehicles' loads by the new routes (load indices are renumbered)."""
    freed = set(vehicles)
    keep = [k for v, r in enumerate(s.routes) if v not in freed for k in r]
    new_index = {k: n for n, k in enumerate(keep)}
    pt = [s.pt[k] for k in keep]
    q = [s.q[k] for k in keep]
    sh = [s.sh[k] for k in keep]
    shortest = [s.shortest[k] for k in keep]
    by_pickup = {s.pt[k]: s.shortest[k] for k in range(len(s.pt))}
    routes = [[new_index[k] for k in r] if v not in freed else [] for v, r in enumerate(s.routes)]
    for v, loads in zip(vehicles, new_routes, strict=True):
        for i, h, people in loads:
            pt.append(i)
            q.append(people)
            sh.append(h)
            shortest.append(by_pickup[i])
            routes[v].append(len(pt) - 1)
    s.pt, s.q, s.sh, s.shortest, s.routes = pt, q, sh, shortest, routes
    s.room = {h: int(s.pb.sink_capacity[h]) for h in s.havens}
    for k, h in enumerate(sh):
        s.room[h] -= q[k]
    s.fin = [s.finish(v, r) for v, r in enumerate(s.routes)]


def _solve(
    s: ShuttleSearch,
    vehicles: list[int],
    end: float,
    nodes: int,
    left: float | None,
    direct: bool = True,
) -> tuple[bool, bool, int, str]:
    """One sub-MIP: (the freed vehicles now finish by ``end``, the MIP proved that they
    cannot, branch-and-bound nodes used, HiGHS's status).

    ``direct``: people ride only from a pickup straight to a haven (the BEP's rule, and all a
    route of loads can say); else any move the checker allows (people may change vehicles
    on the way), which only a proof needs. The objective is people rescued alone (ten.py's
    tie-breaks, worth less than a person, are dropped), so every value is a whole number and
    an absolute gap under one person ends the solve as soon as a plan rescues everyone or
    the bound proves that none can."""
    sub = _subproblem(s, vehicles, end)
    need = int(sub.population.sum())
    model = build_ten(sub, 1.0, "feasible")
    upper = model.col_upper.copy()
    if direct:
        arcs = model.loaded
        straight = (sub.population[arcs.i] > 0) & sub.is_haven[arcs.j]
        upper[model.col_loaded_y[~straight]] = 0.0
        upper[model.col_loaded_x[~straight & arcs.must_load]] = 0.0
    res = highs.solve(
        np.round(model.c),
        model.A,
        model.row_lower,
        model.row_upper,
        model.col_lower,
        upper,
        integrality=model.integrality,
        sense="max",
        time_limit=left,
        options={"mip_max_nodes": nodes, "mip_abs_gap": 0.99},
        # one thread: HiGHS's default sizes its pool by the machine's cores, and on 2 cores
        # its second thread burned a third of the processor time that the safety stop counts
        # (BEP-1-6-6-4-i9 at --time-limit 30: 9.5 of 29.9 s, cut after 512 nodes; with one
        # thread the same 1,000-node budget ends at 463 nodes, 21.6 s, the same makespan)
        threads=1,
        start=np.zeros(model.n_cols),  # everyone idle: an incumbent from the start
    )
    cannot = res.dual_bound is not None and res.dual_bound + model.offset < need - 0.5
    if not len(model.loaded):
        cannot = need > 0  # no loaded move fits by ``end``: nobody can be rescued
    if direct and res.x is not None:
        trips = to_trips(sub, model, res.x)
        if rescued_by(sub, trips) >= need:
            routes = _routes(s, vehicles, trips)
            if routes is not None:
                _install(s, vehicles, routes)
                return True, False, res.nodes, res.status
            log.debug("sub-MIP plan is no route of loads: left out")
    return False, cannot, res.nodes, res.status


def _choose(
    s: ShuttleSearch, late: list[int], free: int, tried: set[tuple[int, ...]]
) -> list[int] | None:
    """Every vehicle first (the grid is as large either way, and only that MIP can prove
    the makespan optimal); then the late ones and the next untried run of the earliest
    others (None: every run tried)."""
    n_v = len(s.veh)
    everyone = tuple(range(n_v))
    if everyone not in tried or len(late) >= n_v or n_v <= free:
        return None if everyone in tried else list(everyone)
    early = sorted((v for v in range(n_v) if v not in late), key=lambda v: (s.fin[v], v))
    for a in range(len(early)):
        pick = tuple(sorted(late + early[a : a + max(1, free - len(late))]))
        if pick not in tried:
            return list(pick)
    return None


def sub_mips(
    s: ShuttleSearch,
    *,
    target: float,
    solves: int,
    free: int = SUB_VEHICLES,
    stop: SafetyStop | None = None,
) -> SubMipResult:
    """Shorten the makespan of ``s``'s routes (whole-unit data) by exact sub-MIPs, at most
    ``solves`` of them, until the makespan reaches ``target``. The whole problem is solved
    at once first; then, if its MIP decides nothing within its nodes, the vehicles that
    finish last and the earliest others, up to ``free`` in all, partners in turn.
    ``stop`` is a safety stop only (it gives each solve its time left); the result says
    whether it bound."""
    pb = s.pb
    done = gains = spent = 0
    proven = timed_out = False
    tried: set[tuple[int, ...]] = set()
    while done < solves:
        if stop is not None and stop.reached():
            timed_out = True
            break
        left = None if stop is None else stop.left()
        makespan = max(s.fin)
        end = float(round(makespan)) - 1.0
        if end < target - 1e-9:
            break
        n_v = len(s.veh)
        if _cells(pb, end) > SUB_CELLS:
            break
        late = [v for v in range(n_v) if s.fin[v] > end + 1e-9]
        chosen = _choose(s, late, free, tried)
        if chosen is None:
            break
        tried.add(tuple(chosen))
        done += 1
        ok, infeasible, used, status = _solve(s, chosen, end, SUB_NODES, left)
        spent += used
        if "time" in status:
            timed_out = True
        if ok:
            gains += 1
            tried.clear()
            log.info("sub-MIP over %d vehicles: makespan %.6g", len(chosen), max(s.fin))
        elif infeasible and len(chosen) == n_v:
            # no direct plan rescues everyone by ``end``; the proof must hold for any plan,
            # and a grid that gives an instant move a step proves nothing
            if no_instant_moves(pb):
                done += 1
                left = None if stop is None else stop.left()
                _, proven, used, status = _solve(s, chosen, end, SUB_NODES, left, direct=False)
                spent += used
                timed_out = timed_out or "time" in status
            break
    return SubMipResult(done, gains, spent, proven, timed_out)
