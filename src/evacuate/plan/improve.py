"""Improvement of shuttle plans: vehicles as individuals, iterated local search over routes.

A *shuttle* problem is one whose rules have no clock but travel: no deadlines before the
horizon, lane windows, closures, throughput limits, berths, events or withdrawals; everyone
waits at a pickup place from time zero and havens hold people for good. The bus evacuation
problem (Bish 2011) is one. A plan is then each vehicle's sequence of loads (pickup, haven,
people), flown back to back, and every time follows from the sequence. Here each vehicle is
an individual (identical vehicles that end up with identical routes are merged into one group
when the plan is written), and the search minimises the makespan, then the sum of squared
finish times (which spreads work and makes the landscape less flat):

- construction: every load inserted where it raises the objective least;
- local search: move a load to another place in any route (re-choosing its haven), swap two
  loads, until no move improves;
- perturbation (iterated local search): remove a few loads, from the vehicle that finishes
  last and at random, and insert them again, best first; keep the result if it is no worse.

Every step is counted in work units (move evaluations), so a budget gives the same plan on any
machine and load; a wall-clock limit is only a safety stop and is reported when it binds.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass, replace

import numpy as np

from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import Problem
from evacuate.plan.shuttle import empty_paths, is_shuttle, uniform_views
from evacuate.planio import Trip

__all__ = ["ShuttleResult", "ShuttleSearch", "improve_makespan", "is_shuttle"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShuttleResult:
    """Trips of the best plan found, its makespan, and what the search did."""

    trips: list[Trip]
    makespan: float
    work: int
    """Move evaluations spent."""
    rounds: int
    """Perturbation rounds done."""
    stopped_by_time: bool
    mip_solves: int = 0
    """Exact sub-MIPs solved (submip.py) ..."""
    mip_gains: int = 0
    """... those that shortened the plan ..."""
    mip_nodes: int = 0
    """... and the branch-and-bound nodes they used."""
    proven_optimal: bool = False
    """A MIP over the whole problem proved that no plan finishes a time unit earlier."""


_Snap = tuple[
    list[list[int]],
    list[int],
    dict[int, int],
    list[float],
    tuple[list[int], list[int], list[float]],
]
"""Routes, havens of the loads, room left, finish times, and the loads (pickup, size, least
time), which splitting changes."""


class ShuttleSearch:
    """The routes of a shuttle problem's vehicles (one per vehicle) and the moves on them."""

    def __init__(self, problem: Problem, rng: random.Random) -> None:
        pb = problem
        self.pb = pb
        self.rng = rng
        cap = int(pb.capacity[pb.supply[0].c])
        self.cap = cap
        # one entry per vehicle: class, start place, start time
        self.veh: list[tuple[int, int, float]] = [
            (s.c, s.p, s.t) for s in pb.supply for _ in range(s.count)
        ]
        self.pt: list[int] = []
        self.q: list[int] = []
        for i in np.flatnonzero(pb.population > 0).tolist():
            left = int(pb.population[i])
            while left > 0:
                self.pt.append(i)
                self.q.append(min(cap, left))
                left -= cap
        self.sh: list[int] = [-1] * len(self.pt)
        self.havens = np.flatnonzero(pb.is_haven).tolist()
        self.room = {h: int(pb.sink_capacity[h]) for h in self.havens}
        self.T = [pb.travel[c].tolist() for c in range(pb.n_classes)]
        """Loaded trips: the direct way."""
        paths = [empty_paths(pb.travel[c]) for c in range(pb.n_classes)]
        self.E = [d.tolist() for d, _ in paths]
        """Empty moves: the quickest chain of moves."""
        self.hop = [h.tolist() for _, h in paths]
        self.L = [float(pb.load[c] + pb.unload[c]) for c in range(pb.n_classes)]
        n_p = pb.n_places
        # per class and (pickup, next pickup or n_p for none): havens by detour, best first
        self.order: list[dict[tuple[int, int], list[tuple[float, int]]]] = []
        sources = sorted(set(self.pt))
        for c in range(pb.n_classes):
            tt, ee = self.T[c], self.E[c]
            table: dict[tuple[int, int], list[tuple[float, int]]] = {}
            for i in sources:
                for w in [*sources, n_p]:
                    table[(i, w)] = sorted(
                        (tt[i][h] + (ee[h][w] if w < n_p else 0.0), h) for h in self.havens
                    )
            self.order.append(table)
        # the least time any vehicle spends on a load: loading, the nearest haven, unloading
        self.shortest = [
            min(self.L[c] + min(self.T[c][i][h] for h in self.havens) for c in range(pb.n_classes))
            for i in self.pt
        ]
        self.routes: list[list[int]] = [[] for _ in self.veh]
        self.fin: list[float] = [0.0] * len(self.veh)
        self.work = 0

    # ------------------------------------------------------------------ evaluation
    def finish(self, v: int, route: list[int]) -> float:
        if not route:
            return 0.0
        c, u, t = self.veh[v]
        tt, ee, lu = self.T[c], self.E[c], self.L[c]
        for k in route:
            i, h = self.pt[k], self.sh[k]
            t += ee[u][i] + lu + tt[i][h]
            u = h
        return t

    def key(self, fin: list[float]) -> tuple[float, float]:
        return (max(fin), sum(f * f for f in fin))

    def _insertion(self, v: int, k: int, own: int = -1) -> tuple[float, int, int]:
        """(added time, position, haven) of the cheapest place for load k in route v."""
        c, start, _ = self.veh[v]
        ee, lu = self.E[c], self.L[c]
        route = self.routes[v]
        i, q = self.pt[k], self.q[k]
        n_p = self.pb.n_places
        best = (math.inf, -1, -1)
        u = start
        order, room, pts, sh = self.order[c], self.room, self.pt, self.sh
        ti = ee[u]
        for m in range(len(route) + 1):
            w = pts[route[m]] if m < len(route) else n_p
            for cost, h in order[(i, w)]:
                if room[h] + (q if h == own else 0) >= q:
                    add = ti[i] + lu + cost - (ti[w] if w < n_p else 0.0)
                    if add < best[0]:
                        best = (add, m, h)
                    break
            if m < len(route):
                ti = ee[sh[route[m]]]
        self.work += len(route) + 1
        return best

    # ------------------------------------------------------------------ moves
    def _place(self, v: int, k: int, m: int, h: int) -> None:
        self.routes[v].insert(m, k)
        self.sh[k] = h
        self.room[h] -= self.q[k]
        self.fin[v] = self.finish(v, self.routes[v])

    def _take(self, v: int, k: int) -> None:
        self.routes[v].remove(k)
        self.room[self.sh[k]] += self.q[k]
        self.fin[v] = self.finish(v, self.routes[v])

    def insert_best(self, k: int, noise: float = 0.0) -> bool:
        """Insert load k where the objective rises least (each route's rise scaled by a
        random factor in [1, 1 + noise]: repairs that are not always the greedy one)."""
        fin = self.fin
        top = max(fin) if fin else 0.0
        best: tuple[tuple[float, float], int, int, int] | None = None
        for v in range(len(self.veh)):
            add, m, h = self._insertion(v, k)
            if m < 0:
                continue
            if noise:
                add *= 1.0 + noise * self.rng.random()
            base = fin[v] if self.routes[v] else self.veh[v][2]
            new = base + add
            key = (max(top, new), new * new - fin[v] * fin[v])
            if best is None or key < best[0]:
                best = (key, v, m, h)
        if best is None:
            return self._split(k, noise)
        _, v, m, h = best
        self._place(v, k, m, h)
        return True

    def _split(self, k: int, noise: float) -> bool:
        """No haven has room for all of load k: it becomes two loads from the same pickup,
        one as large as the roomiest haven takes, and both are inserted."""
        rest = max((self.room[h] for h in self.havens), default=0)
        if not 0 < rest < self.q[k]:
            return False
        left = self.q[k] - rest
        self.q[k] = rest
        if not self.insert_best(k, noise):
            return False
        # the remainder joins a load of the same pickup still to insert, if it has seats
        routed = {m for r in self.routes for m in r}
        for m in range(len(self.pt)):
            if m not in routed and self.pt[m] == self.pt[k] and self.q[m] + left <= self.cap:
                self.q[m] += left
                return True
        self.pt.append(self.pt[k])
        self.q.append(left)
        self.sh.append(-1)
        self.shortest.append(self.shortest[k])
        return self.insert_best(len(self.pt) - 1, noise)

    def build(self, order: list[int]) -> bool:
        return all(self.insert_best(k) for k in order)

    def relocate_pass(self) -> bool:
        """Move one load (of the latest vehicles first) wherever it improves the objective."""
        improved = False
        n_v = len(self.veh)
        for a in sorted(range(n_v), key=lambda v: -self.fin[v]):
            for k in list(self.routes[a]):
                cur = self.key(self.fin)
                old_m, old_h = self.routes[a].index(k), self.sh[k]
                self._take(a, k)
                best: tuple[tuple[float, float], int, int, int] | None = None
                fin = self.fin
                sq = sum(f * f for f in fin)
                top = sorted(range(n_v), key=lambda v: -fin[v])[:2]
                for b in range(n_v):
                    base = fin[b] if self.routes[b] else self.veh[b][2]
                    if base + self.shortest[k] > cur[0]:
                        continue  # b would end after the makespan: no improvement
                    add, m, h = self._insertion(b, k)
                    if m < 0:
                        continue
                    new = base + add
                    other = fin[top[0]] if top[0] != b else (fin[top[1]] if n_v > 1 else 0.0)
                    key = (max(new, other), sq - fin[b] * fin[b] + new * new)
                    if best is None or key < best[0]:
                        best = (key, b, m, h)
                if best is not None and best[0] < cur:
                    self._place(best[1], k, best[2], best[3])
                    improved = True
                else:
                    self._place(a, k, old_m, old_h)
        return improved

    def swap_pass(self) -> bool:
        """Exchange two loads of different pickups between two routes when that improves."""
        improved = False
        n_v = len(self.veh)
        late = max(range(n_v), key=lambda v: self.fin[v])
        for a in [late]:
            for k in list(self.routes[a]):
                for b in range(n_v):
                    if b == a:
                        continue
                    for m in list(self.routes[b]):
                        if self.pt[m] == self.pt[k]:
                            continue
                        self.work += 1
                        if self._try_swap(a, k, b, m):
                            return True
        return improved

    def _try_swap(self, a: int, k: int, b: int, o: int) -> bool:
        cur = self.key(self.fin)
        ma, mb = self.routes[a].index(k), self.routes[b].index(o)
        hk, hl = self.sh[k], self.sh[o]
        self._take(a, k)
        self._take(b, o)
        _, pa, ha = self._insertion(a, o)
        if pa >= 0:
            self._place(a, o, pa, ha)
            _, pb_, hb = self._insertion(b, k)
            if pb_ >= 0:
                self._place(b, k, pb_, hb)
                if self.key(self.fin) < cur:
                    return True
                self._take(b, k)
            self._take(a, o)
        self._place(a, k, ma, hk)
        self._place(b, o, mb, hl)
        return False

    def _best_for(self, v: int, k: int) -> int:
        """The haven with room that makes load k's place in route v cheapest (-1: none)."""
        c = self.veh[v][0]
        route = self.routes[v]
        m = route.index(k)
        w = self.pt[route[m + 1]] if m + 1 < len(route) else self.pb.n_places
        q = self.q[k]
        for _, h in self.order[c][(self.pt[k], w)]:
            if self.room[h] + (q if h == self.sh[k] else 0) >= q:
                return h
        return -1

    def haven_pass(self) -> bool:
        """A load of the latest vehicle takes a full haven's room from another load, which
        moves to the best haven with room left (havens are shared, so single moves stall)."""
        n_v = len(self.veh)
        late = max(range(n_v), key=lambda v: self.fin[v])
        owner = {k: v for v in range(n_v) for k in self.routes[v]}
        cur = self.key(self.fin)
        for k in list(self.routes[late]):
            hk = self.sh[k]
            for h in self.havens:
                if h == hk:
                    continue
                for m in [m for m, v in owner.items() if self.sh[m] == h and m != k]:
                    self.work += 1
                    b = owner[m]
                    # k to h (in m's room), then m to its best haven with room
                    self.room[hk] += self.q[k]
                    self.room[h] += self.q[m]
                    if self.room[h] < self.q[k]:
                        self.room[hk] -= self.q[k]
                        self.room[h] -= self.q[m]
                        continue
                    self.sh[k], self.sh[m] = h, -1
                    self.room[h] -= self.q[k]
                    self.sh[m] = h  # so that _best_for sees its own room as free
                    self.room[h] -= self.q[m]
                    hm = self._best_for(b, m)
                    self.room[h] += self.q[m]
                    if hm < 0:  # m fits nowhere once k has taken its room
                        self.room[h] += self.q[k] - self.q[m]
                        self.room[hk] -= self.q[k]
                        self.sh[k] = hk
                        continue
                    self.sh[m] = hm
                    self.room[hm] -= self.q[m]
                    fin = self.fin[:]
                    fin[late] = self.finish(late, self.routes[late])
                    fin[b] = self.finish(b, self.routes[b])
                    if self.key(fin) < cur:
                        self.fin = fin
                        return True
                    self.room[hm] += self.q[m]
                    self.room[h] += self.q[k]
                    self.room[h] -= self.q[m]
                    self.room[hk] -= self.q[k]
                    self.sh[k], self.sh[m] = hk, h
        return False

    def local_search(self, budget: int) -> None:
        while self.work < budget:
            if self.relocate_pass():
                continue
            if self.swap_pass():
                continue
            if not self.haven_pass():
                return

    def perturb(self) -> bool:
        """Remove a few loads (some from the latest route, some at random); insert them again
        (False if some found no room: the caller restores its snapshot)."""
        n = len(self.pt)
        size = self.rng.randint(2, max(3, min(15, n // 2)))
        late = max(range(len(self.veh)), key=lambda v: self.fin[v])
        pool = list(self.routes[late])
        self.rng.shuffle(pool)
        chosen = set(pool[: max(1, size // 2)])
        how = self.rng.random()
        if how < 0.3:  # the loads of one haven: their room is shared out afresh
            h = self.rng.choice(self.havens)
            at = [k for k in range(n) if self.sh[k] == h]
            self.rng.shuffle(at)
            chosen.update(at[:size])
        elif how < 0.5:  # one other vehicle's whole route
            chosen.update(self.routes[self.rng.randrange(len(self.veh))][:size])
        while len(chosen) < min(size, n):
            chosen.add(self.rng.randrange(n))
        for v, route in enumerate(self.routes):
            for k in [k for k in route if k in chosen]:
                self._take(v, k)
        order = sorted(chosen, key=lambda k: (-self.q[k], self.rng.random()))
        noise = 0.3 if self.rng.random() < 0.5 else 0.0
        return all(self.insert_best(k, noise) for k in order)

    # ------------------------------------------------------------------ state
    def snapshot(self) -> _Snap:
        loads = (self.pt[:], self.q[:], self.shortest[:])
        return ([r[:] for r in self.routes], self.sh[:], dict(self.room), self.fin[:], loads)

    def restore(self, snap: _Snap) -> None:
        routes, sh, room, fin, (pt, q, shortest) = snap
        self.routes, self.sh, self.room, self.fin = (
            [r[:] for r in routes],
            sh[:],
            dict(room),
            fin[:],
        )
        self.pt, self.q, self.shortest = pt[:], q[:], shortest[:]

    def trips(self) -> list[Trip]:
        """The routes as trips; identical vehicles with identical routes form one group."""
        pb = self.pb
        groups: dict[tuple[int, int, float, tuple[tuple[int, int, int], ...]], int] = {}
        for v, route in enumerate(self.routes):
            if route:
                c, p, t = self.veh[v]
                sig = (c, p, t, tuple((self.pt[k], self.sh[k], self.q[k]) for k in route))
                groups[sig] = groups.get(sig, 0) + 1
        out: list[Trip] = []
        for g, (sig, n) in enumerate(groups.items(), start=1):
            c, u, t, legs = sig
            tt, name, hop = self.T[c], pb.classes[c], self.hop[c]
            gid = f"v{g}"
            for i, h, q in legs:
                while u != i:  # empty, possibly through other places
                    x = hop[u][i]
                    out.append(Trip(gid, name, n, pb.places[u], t, pb.places[x], t + tt[u][x], 0))
                    t, u = t + tt[u][x], x
                y = t + self.L[c] + tt[i][h]
                out.append(Trip(gid, name, n, pb.places[i], t, pb.places[h], y, n * q))
                t, u = y, h
        return out


STALL_ROUNDS = 200
"""Perturbation rounds without a shorter makespan after which the route search hands over to
the exact sub-MIPs, when they apply (on the BEP's random sets the search found its best
within 20,000 work units, then spent 1.5 million on nothing)."""


def improve_makespan(
    problem: Problem,
    *,
    seed: int = 0,
    work: int = 2_000_000,
    target: float = 0.0,
    stop: SafetyStop | None = None,
    mip_solves: int = 0,
    mixed: bool = False,
) -> ShuttleResult | None:
    """The shortest makespan found for a shuttle problem within ``work`` move evaluations
    (None if the problem is no shuttle problem or its havens cannot take every load).
    ``mixed``: a shuttle problem but for its vehicles' capacities, searched with loads sized
    per vehicle (makespan_mixed.MixedSearch; without sub-MIPs).

    The search ends early when it reaches ``target`` (a lower bound: nothing shorter exists).
    ``stop`` is a safety stop only (it binds once both the processor time and the wall clock
    have passed its limit, so a loaded machine alone never cuts the search); the result says
    whether it bound. ``mip_solves``: exact sub-MIPs after the route search (submip.py; only
    on whole-unit data with a small grid), each on a budget of branch-and-bound nodes; the
    route search then hands over to them after ``STALL_ROUNDS`` rounds without progress.
    """
    rng = random.Random(seed)
    if mixed:
        from evacuate.plan.makespan_mixed import MixedSearch

        s: ShuttleSearch = MixedSearch(problem, rng)
        mip_solves = 0
    elif not is_shuttle(problem):
        return _best_view(problem, seed, work, target, stop)
    else:
        s = ShuttleSearch(problem, rng)
    far = {
        k: min(s.E[c][p][s.pt[k]] for c, p, _ in s.veh)
        + s.order[s.veh[0][0]][(s.pt[k], problem.n_places)][0][0]
        for k in range(len(s.pt))
    }
    order = sorted(range(len(s.pt)), key=lambda k: (-s.q[k], -far[k], k))
    if not s.build(order):
        return None
    s.local_search(work)
    best, best_key = s.snapshot(), s.key(s.fin)
    current_key = best_key
    rounds = stalled = 0
    timed_out = False
    mips = False
    if mip_solves > 0:
        from evacuate.plan.submip import sub_mips, sub_mips_apply

        mips = sub_mips_apply(problem, best_key[0])
    budget = work
    for phase in range(2 if mixed else 1):
        if phase:  # loads sized per vehicle, from the best plan at the smallest capacity
            if timed_out or best_key[0] <= target + 1e-9:
                break
            from evacuate.plan.makespan_mixed import MixedSearch

            assert isinstance(s, MixedSearch)
            s.restore(best)
            s.sized = True
            budget = 2 * work
            s.local_search(budget)
            if s.key(s.fin) < best_key:
                best, best_key = s.snapshot(), s.key(s.fin)
            s.restore(best)
            current_key = best_key
        while s.work < budget and best_key[0] > target + 1e-9:
            if mips and stalled >= STALL_ROUNDS:
                break
            if stop is not None and stop.reached():
                timed_out = True
                break
            rounds += 1
            saved = s.snapshot()
            if not s.perturb():
                s.restore(saved)
                continue
            s.local_search(budget)
            k = s.key(s.fin)
            stalled += 1
            if k < best_key:
                if k[0] < best_key[0]:
                    log.debug("makespan %.6g after %d work units", k[0], s.work)
                    stalled = 0
                best, best_key = s.snapshot(), k
            if k[0] <= current_key[0]:  # a walk on the plateau of equal makespans
                current_key = k
            else:
                s.restore(saved)
    s.restore(best)
    if timed_out:
        log.warning("makespan search stopped by the time limit after %d work units", s.work)
    log.info("makespan search: %.6g after %d rounds, %d work units", best_key[0], rounds, s.work)
    mip = None
    if mips and not timed_out and best_key[0] > target + 1e-9:
        mip = sub_mips(s, target=target, solves=mip_solves, stop=stop)
        timed_out = mip.stopped_by_time
    trips = s.trips()
    makespan = max(t.arrive for t in trips if t.people)
    if mip is None:
        return ShuttleResult(trips, makespan, s.work, rounds, timed_out)
    return ShuttleResult(
        trips, makespan, s.work, rounds, timed_out, mip.solves, mip.gains, mip.nodes, mip.proven
    )


def _best_view(
    problem: Problem,
    seed: int,
    work: int,
    target: float,
    stop: SafetyStop | None,
) -> ShuttleResult | None:
    """A fleet of several capacities (fuzz2): the route search needs one, so it runs on each
    uniform view (shuttle.uniform_views: the vehicles of at least c seats, carrying c), each
    on the whole budget, and the shortest plan is kept (the first on ties); one that meets
    ``target`` (a lower bound) ends the loop. Without the exact sub-MIPs: they prove a
    view's optimum, not the fleet's. The first view (every vehicle, carrying the smallest
    capacity) runs as ``improve_makespan(mixed=True)``: the same search move for move, then
    on a second budget loads sized per vehicle from its best plan, so never worse."""
    results = []
    views = uniform_views(problem)
    for n, view in enumerate(views):
        # no sub-MIPs: a view's proof is not the fleet's, and their node budgets went on
        # views that could not beat the best one (46 s of CPU on 8 points, for nothing).
        # The first view (every vehicle) is searched as the mixed fleet: its search, then
        # loads sized per vehicle (makespan_mixed.py) on another budget, never worse.
        if n == 0:
            r = improve_makespan(
                problem, seed=seed, work=work, target=target, stop=stop, mixed=True
            )
        else:
            r = improve_makespan(view, seed=seed, work=work, target=target, stop=stop)
        if r is not None:
            results.append(r)
            log.info("uniform view of %d vehicles: makespan %.6g", view.total_vehicles, r.makespan)
            if r.makespan <= target + 1e-9:
                break  # the lower bound: no view does better
    if not results:
        return None
    best = min(results, key=lambda r: r.makespan)
    return replace(
        best,
        work=sum(r.work for r in results),
        rounds=sum(r.rounds for r in results),
        stopped_by_time=any(r.stopped_by_time for r in results),
    )
