"""Min makespan with a fleet of several capacities (a shuttle problem but for its vehicles'
seats, such as the bus evacuation problem with buses of 30 and 45 seats): a lower bound that
counts each class's seats and whole loads, and the route search with loads sized per
vehicle."""

from __future__ import annotations

import logging
import math
import random

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

MIXED_MIP_COLUMNS = 500
"""... solved as a MIP up to this many load columns (classes x pickups x havens), else as
its LP with the whole-load cuts: Valparaiso with 10 buses of 30 and 45 seats has 1,248, and
there the LP gives 24,026 in 0.05 s of CPU, the MIP's root node 24,415 in 2.7 s, 200 nodes
24,662 in 6.1 s."""


def mixed_fleet_bound(problem: Problem, nodes: int = MIXED_BOUND_NODES) -> float:
    """A lower bound on the makespan of a shuttle problem, or of one that is a shuttle
    problem but for its vehicles' capacities (0 for other problems).

    Why it holds. In a shuttle problem each vehicle flies its loads back to back. A load
    from pickup i to haven h by a vehicle of class c costs it at least ``L_c + T_c[i][h]``
    (loading, the direct loaded trip, unloading) plus the empty way to i before it: from the
    previous load's haven, at least ``e_ci`` = the quickest way from any haven to i, or for
    its first load from its start p, ``E_c[p][i]``, which is ``e_ci - gain`` with ``gain <=
    g_v = max_i max(0, e_ci - E_c[p][i])``. So the loads of a vehicle that starts at t_v and
    ends by T cost at most ``T - t_v + g_v <= T - t0 + g_v`` in these terms (t0: the earliest
    start; ``T >= t0``, so a vehicle without loads adds a term >= 0); summed over a class's
    ``n_c`` vehicles, its loads cost at most ``n_c T - sum(t0 - g_v)``. A load carries at most the
    class's capacity ``Q_c``, loads are whole, and everyone reaches a haven with room.
    The MIP below (y: whole loads per class, pickup and haven; x: people per pickup and
    haven) therefore admits every plan's counts at its makespan T, and its least T (or the
    proven dual bound when the node budget ends first) is a lower bound. Besides, the
    pickup farthest from every start ends no earlier than its first vehicle's arrival plus
    one loaded trip (the ``single`` term, as in the shuttle bound).

    Against the bound of the fleet all as large as its largest vehicle it counts each
    class's own seats (a 30-seat bus carries 30, not 45) and whole loads (a point of 30
    people costs a 45-seat bus a whole load); against the shuttle bound, the havens' room
    in each load's cost. As an LP (large problems) the whole loads are kept by the cuts
    ``sum of loads at i >= ceil(people at i / largest capacity)``.
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
    n_y, n_x = len(ys), len(xs)
    t_col = n_y + n_x
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
    for c in classes:  # each class's loads fit in its vehicles' time by T
        cost = [
            (k, float(pb.load[c] + pb.unload[c] + pb.travel[c][i, h] + e[c][i]))
            for k, (cc, i, h) in enumerate(ys)
            if cc == c
        ]
        row([*cost, (t_col, -float(n_v[c]))], -np.inf, spare[c])
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
        "mixed-fleet bound: %.6g (MIP %s, %d nodes; single load %.6g)",
        bound,
        res.status,
        res.nodes,
        single,
    )
    return float(max(0.0, bound, single))


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
