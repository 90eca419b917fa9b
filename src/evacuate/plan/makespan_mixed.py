"""Min makespan with a fleet of several capacities (a shuttle problem but for its vehicles'
seats, such as the bus evacuation problem with buses of 30 and 45 seats): a lower bound that
counts each class's seats and whole loads, and the route search with loads sized per
vehicle."""

from __future__ import annotations

import logging
import math
import random
from typing import Any

import numpy as np
import scipy.sparse as sp

from evacuate.plan.improve import ShuttleSearch, _Snap
from evacuate.plan.problem import Problem
from evacuate.plan.shuttle import empty_paths, is_shuttle, uniform_views

__all__ = ["MIXED_BOUND_NODES", "MIXED_MIP_COLUMNS", "MixedSearch", "mixed_fleet_bound"]

log = logging.getLogger(__name__)

MIXED_BOUND_NODES = 200
"""Branch-and-bound nodes of the bound's MIP (a work budget: the bound is HiGHS's proven dual
bound when the budget ends first, still valid) ..."""

MIXED_MIP_COLUMNS = 100
"""... solved as a MIP up to this many load columns (classes x pickups x havens), else as
its LP with the whole-load cuts. Measured (CPU s, loaded machine), bench.bep_mixed's random
instances (buses of 3 and 5 seats): 6 points (72 columns) LP 7 in 0.01 s, MIP 9 in 0.45 s;
8 points (128) 7 and 9 both ways, MIP 0.4-1.5 s; 12 points (288) LP 8 and 5, MIP 8.1 and 5 in
6 s; Valparaiso with 10 buses of 30 and 45 seats (1,248) LP 25,455 in 0.08 s, the MIP's root
node 26,203 in 17.6 s."""


def mixed_fleet_bound(
    problem: Problem, nodes: int = MIXED_BOUND_NODES, flows: bool = True
) -> float:
    """A lower bound on the makespan of a shuttle problem, or of one that is a shuttle
    problem but for its vehicles' capacities (0 for other problems).

    Why it holds. In a shuttle problem each vehicle flies its loads back to back: from its
    start p (at t_v) to a pickup i1, loaded to a haven h1, empty to a pickup i2, ... A load
    from i to h by a vehicle of class c costs it at least ``L_c + T_c[i][h]`` (loading, the
    direct loaded trip, unloading); an empty move from a to b at least ``E_c[a][b]``, the
    quickest chain of moves. Summed over a class's ``n_c`` vehicles, the routes' costs plus
    ``t_v - t0`` (t0: the earliest start) are at most ``n_c (T - t0)`` when every vehicle
    ends by T (a vehicle without loads adds 0 <= T - t0). Counting per class y[i, h]
    loads, z[h, i] empty moves from havens and w[p, t, i] first moves from each start, the
    routes satisfy: loads out of i = moves into i (from havens and starts); moves out of h
    <= loads into h; first moves from a start <= its vehicles. A load carries at most the
    class's seats ``Q_c``, loads are whole, everyone reaches a haven with room (x[i, h]:
    people). So every plan's counts at its makespan T are a solution of this MIP, and its
    least T (or the proven dual bound when the node budget ends first) is a lower bound.
    As an LP (large problems) whole loads are kept by the cuts ``sum of loads at i >=
    ceil(people at i / largest capacity)``. Besides, the pickup farthest from every start
    ends no earlier than its first vehicle's arrival plus one loaded trip (``single``).

    Against the shuttle bound of the fleet all as large as its largest vehicle it counts
    each class's own seats (a 30-seat bus carries 30, not 45), whole loads (a point of 30
    people costs a 45-seat bus a whole load), the havens' room, and the way back from the
    haven each load went to (not from the nearest one). ``flows=False``: the earlier form
    without z and w (each load pays the quickest way from any haven to its pickup, the
    first one per vehicle less its start's gain), kept for comparison.
    """
    if not (is_shuttle(problem) or uniform_views(problem)):
        return 0.0
    pb = problem
    pickups = np.flatnonzero(pb.population > 0).tolist()
    all_havens = np.flatnonzero(pb.is_haven)
    havens = [h for h in all_havens.tolist() if pb.sink_capacity[h] > 0]
    if not pickups or not havens:
        return 0.0
    classes = sorted({s.c for s in pb.supply})
    paths = {c: empty_paths(pb.travel[c])[0] for c in classes}
    n_v = {c: 0 for c in classes}
    spare = {c: 0.0 for c in classes}  # sum over the class's vehicles of g_v - t_v
    single = 0.0
    first = np.full(pb.n_places, np.inf)
    e = {c: np.min(paths[c][all_havens, :], axis=0) for c in classes}
    t0 = min(s.t for s in pb.supply)  # every vehicle counted from the earliest start
    for s in pb.supply:
        ee = paths[s.c]
        gain = max(0.0, max(float(e[s.c][i] - ee[s.p, i]) for i in pickups))
        n_v[s.c] += s.count
        spare[s.c] += s.count * (gain - t0)
        first = np.minimum(first, s.t + ee[s.p])
    for i in pickups:
        ride = min(
            float(pb.load[c] + pb.unload[c] + pb.travel[c][i, h]) for c in classes for h in havens
        )
        single = max(single, float(first[i]) + ride)
    # columns: y[c, i, h] (whole loads), x[i, h] (people), T
    ys = [
        (c, i, h)
        for c in classes
        for i in pickups
        for h in havens
        if np.isfinite(pb.travel[c][i, h])
    ]
    xs = [(i, h) for i in pickups for h in havens]
    # flows: z[c, h, i] empty moves from a haven to a pickup, w[c, p, t, i] first moves
    zs = [(c, h, i) for c in classes for h in havens for i in pickups] if flows else []
    starts: dict[tuple[int, int, float], int] = {}
    for sp_ in pb.supply:
        key = (sp_.c, sp_.p, float(sp_.t))
        starts[key] = starts.get(key, 0) + sp_.count
    ws = [(c, p, t, i) for (c, p, t) in sorted(starts) for i in pickups] if flows else []
    n_y, n_x, n_z = len(ys), len(xs), len(zs)
    z0, w0 = n_y + n_x, n_y + n_x + n_z
    t_col = w0 + len(ws)
    n_cols = t_col + 1
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lower)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lower.append(lo)
        upper.append(hi)

    x_at = {ih: n_y + k for k, ih in enumerate(xs)}
    for i in pickups:  # everyone at i reaches a haven
        people = float(pb.population[i])
        row([(x_at[(i, h)], 1.0) for h in havens], people, people)
    for h in havens:  # the havens' room
        if np.isfinite(pb.sink_capacity[h]):
            row([(x_at[(i, h)], 1.0) for i in pickups], -np.inf, float(pb.sink_capacity[h]))
    by_ih: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for k, (c, i, h) in enumerate(ys):
        by_ih.setdefault((i, h), []).append((k, -float(pb.capacity[c])))
    for ih in xs:  # people ride whole loads of at most a class's seats
        row([(x_at[ih], 1.0), *by_ih.get(ih, [])], -np.inf, 0.0)
    q_max = max(float(pb.capacity[c]) for c in classes)
    by_i: dict[int, list[tuple[int, float]]] = {}
    for k, (_, i, _) in enumerate(ys):
        by_i.setdefault(i, []).append((k, 1.0))
    for i in pickups:  # whole loads of at most q_max seats (a Chvatal-Gomory cut)
        row(by_i.get(i, []), float(-(-int(pb.population[i]) // int(q_max))), np.inf)
    if flows:
        _flow_rows(row, ys, zs, ws, z0, w0, starts, classes, pickups, havens)
    for c in classes:  # each class's loads fit in its vehicles' time by T
        rides = [
            (k, float(pb.load[c] + pb.unload[c] + pb.travel[c][i, h] + (0.0 if flows else e[c][i])))
            for k, (cc, i, h) in enumerate(ys)
            if cc == c
        ]
        moves = [(z0 + k, float(paths[c][h, i])) for k, (cc, h, i) in enumerate(zs) if cc == c]
        moves += [
            (w0 + k, float(paths[c][p, i] + t - t0))
            for k, (cc, p, t, i) in enumerate(ws)
            if cc == c
        ]
        budget = -float(n_v[c]) * t0 if flows else spare[c]
        row([*rides, *moves, (t_col, -float(n_v[c]))], -np.inf, budget)
    from evacuate.solvers import highs

    a = sp.csr_array((vals, (rows, cols)), shape=(len(lower), n_cols))
    cost_t = np.zeros(n_cols)
    cost_t[t_col] = 1.0
    integrality = np.zeros(n_cols)
    mip = nodes > 0 and n_y <= MIXED_MIP_COLUMNS
    integrality[:n_y] = 1 if mip else 0
    res = highs.solve(
        cost_t,
        a,
        np.array(lower),
        np.array(upper),
        np.zeros(n_cols),
        np.full(n_cols, np.inf),
        integrality=integrality,
        sense="min",
        options={"mip_max_nodes": nodes} if mip else None,
    )
    bound = res.dual_bound if res.dual_bound is not None else 0.0
    bound -= 1e-7 * max(1.0, abs(bound))  # the solver's tolerances
    log.info(
        "route-flow bound: %.6g (%s %s, %d nodes; single load %.6g)",
        bound,
        "MIP" if mip else "LP",
        res.status,
        res.nodes,
        single,
    )
    return float(max(0.0, bound, single))


def _flow_rows(
    row: Any,
    ys: list[tuple[int, int, int]],
    zs: list[tuple[int, int, int]],
    ws: list[tuple[int, int, float, int]],
    z0: int,
    w0: int,
    starts: dict[tuple[int, int, float], int],
    classes: list[int],
    pickups: list[int],
    havens: list[int],
) -> None:
    """Each class's routes as flows: loads leaving a pickup = empty moves into it from havens
    and starts; empty moves out of a haven <= loads into it; first moves <= the vehicles at
    each start."""
    into: dict[tuple[int, int], list[tuple[int, float]]] = {}
    out: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for k, (c, i, h) in enumerate(ys):
        out.setdefault((c, i), []).append((k, 1.0))
        into.setdefault((c, h), []).append((k, 1.0))
    for k, (c, h, i) in enumerate(zs):
        out.setdefault((c, i), []).append((z0 + k, -1.0))
        into.setdefault((c, h), []).append((z0 + k, -1.0))
    by_start: dict[tuple[int, int, float], list[tuple[int, float]]] = {}
    for k, (c, p, t, i) in enumerate(ws):
        out.setdefault((c, i), []).append((w0 + k, -1.0))
        by_start.setdefault((c, p, t), []).append((w0 + k, 1.0))
    for c in classes:
        for i in pickups:
            row(out.get((c, i), []), 0.0, 0.0)
        for h in havens:
            row(into.get((c, h), []), 0.0, np.inf)
    for key, count in sorted(starts.items()):
        row(by_start.get(key, []), -np.inf, float(count))


class MixedSearch(ShuttleSearch):
    """The route search of improve.py with loads sized per vehicle: every vehicle carries up
    to its own seats. Loads start at the smallest capacity (any vehicle takes any); a load
    placed on a larger vehicle takes on people of loads of its pickup still to place, up to
    the vehicle's seats; a routed load whose people fit in the spare seats of other loads of
    its pickup (with room at their havens) is merged into them and leaves its route
    (``merge_pass``); a perturbation pools the people of the loads it removes per pickup and
    cuts them again at the smallest capacity. Times depend on the routes alone, so sizing
    changes only which vehicles may take a load and how many loads there are."""

    def __init__(self, problem: Problem, rng: random.Random) -> None:
        views = uniform_views(problem)
        super().__init__(views[0], rng)  # every vehicle, each carrying the smallest capacity
        self.capv = [int(problem.capacity[c]) for c, _, _ in self.veh]
        self.on: list[int] = [-1] * len(self.pt)
        """The vehicle whose route holds each load (-1: none)."""
        self.sized = False
        """Loads sized per vehicle; until set, the search is ShuttleSearch's on the first
        uniform view, move for move (improve_makespan sets it once that search ends)."""

    def _insertion(self, v: int, k: int, own: int = -1) -> tuple[float, int, int]:
        if self.q[k] > self.capv[v]:
            self.work += 1
            return (math.inf, -1, -1)
        return super()._insertion(v, k, own)

    def _place(self, v: int, k: int, m: int, h: int) -> None:
        super()._place(v, k, m, h)
        while len(self.on) < len(self.pt):
            self.on.append(-1)
        self.on[k] = v
        if not self.sized:
            return
        spare = min(self.capv[v] - self.q[k], self.room[h])
        if spare <= 0:
            return
        # take on people of loads of the same pickup still to place, the smallest first
        i = self.pt[k]
        waiting = [
            o for o in range(len(self.pt)) if self.pt[o] == i and self.on[o] < 0 and self.q[o] > 0
        ]
        for o in sorted(waiting, key=lambda o: (self.q[o], o)):
            if spare <= 0:
                break
            d = min(spare, self.q[o])
            self.q[o] -= d
            self.q[k] += d
            self.room[h] -= d
            spare -= d
            self.work += 1

    def _take(self, v: int, k: int) -> None:
        super()._take(v, k)
        self.on[k] = -1

    def insert_best(self, k: int, noise: float = 0.0) -> bool:
        if self.q[k] == 0:
            return True  # its people ride in other loads
        return super().insert_best(k, noise)

    def merge_pass(self) -> bool:
        """Empty a load of the latest vehicles first into the spare seats of other routed
        loads of its pickup (their havens' room permitting); it leaves its route."""
        order = sorted(
            (k for k in range(len(self.pt)) if self.on[k] >= 0),
            key=lambda k: (-self.fin[self.on[k]], k),
        )
        for k in order:
            i, q = self.pt[k], self.q[k]
            others = [o for o in range(len(self.pt)) if o != k and self.pt[o] == i]
            others = [o for o in others if self.on[o] >= 0 and self.capv[self.on[o]] > self.q[o]]
            self.work += len(others) + 1
            self.room[self.sh[k]] += q
            fits = 0
            room = dict(self.room)
            for o in others:
                d = min(self.capv[self.on[o]] - self.q[o], room[self.sh[o]])
                room[self.sh[o]] -= d
                fits += d
            self.room[self.sh[k]] -= q
            if fits < q:
                continue
            self._take(self.on[k], k)
            left = q
            for o in others:
                d = min(self.capv[self.on[o]] - self.q[o], self.room[self.sh[o]], left)
                self.q[o] += d
                self.room[self.sh[o]] -= d
                left -= d
            self.q[k] = 0
            return True
        return False

    def local_search(self, budget: int) -> None:
        if not self.sized:
            super().local_search(budget)
            return
        while self.work < budget:
            if self.relocate_pass() or self.merge_pass():
                continue
            if self.swap_pass():
                continue
            if not self.haven_pass():
                return

    def perturb(self) -> bool:
        """As ShuttleSearch.perturb, but the people of the removed loads are pooled per
        pickup and cut again at the smallest capacity before they are inserted."""
        if not self.sized:
            return super().perturb()
        n = len(self.pt)
        before = [k for k in range(n) if self.on[k] >= 0]
        size = self.rng.randint(2, max(3, min(15, len(before) // 2)))
        late = max(range(len(self.veh)), key=lambda v: self.fin[v])
        pool = list(self.routes[late])
        self.rng.shuffle(pool)
        chosen = set(pool[: max(1, size // 2)])
        how = self.rng.random()
        if how < 0.3:
            h = self.rng.choice(self.havens)
            at = [k for k in before if self.sh[k] == h]
            self.rng.shuffle(at)
            chosen.update(at[:size])
        elif how < 0.5:
            chosen.update(self.routes[self.rng.randrange(len(self.veh))][:size])
        while len(chosen) < min(size, len(before)):
            chosen.add(before[self.rng.randrange(len(before))])
        for k in sorted(chosen):
            if self.on[k] >= 0:
                self._take(self.on[k], k)
        # pool per pickup, with the loads not placed, and cut again at the smallest capacity
        free = [k for k in range(n) if self.on[k] < 0]
        people: dict[int, int] = {}
        for k in free:
            people[self.pt[k]] = people.get(self.pt[k], 0) + self.q[k]
            self.q[k] = 0
        for k in free:
            left = people[self.pt[k]]
            self.q[k] = min(self.cap, left)
            people[self.pt[k]] = left - self.q[k]
        for i, left in sorted(people.items()):
            while left > 0:
                self.pt.append(i)
                self.q.append(min(self.cap, left))
                self.sh.append(-1)
                self.on.append(-1)
                self.shortest.append(self._least(i))
                left -= self.q[-1]
        todo = [k for k in range(len(self.pt)) if self.on[k] < 0 and self.q[k] > 0]
        noise = 0.3 if self.rng.random() < 0.5 else 0.0
        order = sorted(todo, key=lambda k: (-self.q[k], self.rng.random()))
        return all(self.insert_best(k, noise) for k in order)

    def _least(self, i: int) -> float:
        return float(
            min(
                self.L[c] + min(self.T[c][i][h] for h in self.havens)
                for c in range(self.pb.n_classes)
            )
        )

    def restore(self, snap: _Snap) -> None:
        super().restore(snap)
        self.on = [-1] * len(self.pt)
        for v, route in enumerate(self.routes):
            for k in route:
                self.on[k] = v
