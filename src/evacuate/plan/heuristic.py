"""Feasible plans in continuous time: an event-driven dispatcher over vehicle groups.

Each free group (identical vehicles at one place) picks its next loaded trip, possibly after an
empty move, by the people it moves per unit of time (weighted by how urgent the pickup place
is), evaluated for all (pickup, drop) pairs at once with numpy, then checked exactly for the
best few: lane windows, closures, deadlines, throughput periods, berths, and the people and
room a place has at the instants that matter. A group splits only when fewer vehicles suffice,
so the work grows with distinct decisions, not with the number of vehicles or people. The
exact check of one trip and the ledgers it reads are in ``trip_rules.py``.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import math

import numpy as np

from evacuate.plan import loading
from evacuate.plan.approach import Approaches
from evacuate.plan.budget import SafetyStop
from evacuate.plan.dispatch_kernel import best_options, estimates, pickups, transfers
from evacuate.plan.drops import DropLists, DropValues, refuge
from evacuate.plan.ledger import Berths as _Berths
from evacuate.plan.ledger import Ledger as _Ledger
from evacuate.plan.ops_limits import OpsLimits, Vacate
from evacuate.plan.problem import Problem
from evacuate.plan.trip_rules import DispatchParams, Group, Option, TripRules
from evacuate.planio import Trip

__all__ = ["DispatchParams", "dispatch"]

log = logging.getLogger(__name__)

EPS = 1e-9
MAX_DECISIONS = 500_000
CANDIDATE_DROPS = 16
"""Drops considered per pickup place: the nearest ones that still have room."""


Guide = dict[int, list[tuple[int, list[tuple[int, int]]]]]


class _Dispatcher(TripRules):
    def __init__(
        self,
        problem: Problem,
        params: DispatchParams,
        guide: Guide | None,
        stop: SafetyStop | None,
        pools: bool = True,
        targets: np.ndarray | None = None,
        decisions: int = MAX_DECISIONS,
    ) -> None:
        self.pb = problem
        self.decisions = decisions
        self.prm = params
        self.guide = guide or {}
        self.stop = stop
        n_p = problem.n_places
        self.ledgers = [_Ledger(int(problem.sink_capacity[p])) for p in range(n_p)]
        self.empty_until = np.full(n_p, -math.inf)
        self.arrivals_at: dict[int, list[float]] = {}
        for p, t, n in problem.arrivals:
            self.arrivals_at.setdefault(p, []).append(t)
            led = self.ledgers[p]
            led.add(t, n, 0)
            if t > 0:
                led.late_arrivals = True
        self.berths = [_Berths(*problem.berth_schedule(p)) for p in range(n_p)]
        self.lim = OpsLimits(problem, vacate=True, pools=pools)  # stands, sorties and rest
        self.live: dict[str, Group] = {}  # each group's latest entry in the heap
        self.load_used: list[dict[int, float]] = [{} for _ in range(n_p)]
        self.unload_used: list[dict[int, float]] = [{} for _ in range(n_p)]
        self.trips: list[Trip] = []
        # people (pickups) and room (drops) that guided legs not yet flown count on: greedy
        # decisions leave them alone
        self.res_pick = np.zeros(n_p)
        self.res_room = np.zeros(n_p)
        self.seq = 0
        self.gcount = 0
        self.lost_vehicles = 0
        d = problem.deadline
        # values per person of a trip, computed for the pairs looked at (drops.DropValues):
        # no (places, places) array
        self.value = DropValues(problem, params.stage_value, params.transfer_value)
        self.direct: np.ndarray | None = None  # (P, P) some class goes i -> j, when needed
        self.approaches = Approaches(problem)  # empty moves over several lanes
        self.full_room = 0.05 * problem.sink_capacity.astype(float)
        self.deadline = d
        window = params.urgency_window * max(problem.end, EPS)
        self.urgent_until = d - window
        # each pickup's priority (a factor of its score): 1, or growing as its deadline nears
        self.prio = np.ones(n_p)
        self.prio_key: tuple[float, int] = (-math.inf, -1)
        self.targets = targets
        self.taken = np.zeros(n_p)  # people loaded at each place so far
        self.commits = 0
        self.last_chance = np.minimum(d, problem.end)
        # totals of every ledger as arrays, kept up to date on each commit, so that one
        # decision costs O(places), not a pass over Python objects
        self.stock_tot = np.array([led.total_stock for led in self.ledgers], dtype=float)
        self.netin_tot = np.zeros(n_p)
        self.cap = problem.sink_capacity.astype(float)
        self.has_pick = np.zeros(n_p, dtype=bool)
        self.pick = np.zeros(n_p)
        self.room = np.zeros(n_p)
        self.no_transfer = np.zeros(n_p, dtype=np.bool_)
        self.transfer = np.zeros(n_p, dtype=np.bool_)
        sc = problem.scenario
        # straight-line travel between places that all have a position: every place is
        # reached directly from every other (no (places, places) matrix needed to know it)
        self.all_direct = (
            problem.routes.straight
            and sc.travel.routes == "all"
            and all(q.position is not None for q in sc.places)
            and any(sc.vehicle_class(k).speed is not None for k in problem.classes)
        )
        self.x = np.zeros(n_p)
        self.ok_i = np.zeros(n_p, dtype=np.bool_)
        self.havens = np.flatnonzero(problem.is_haven)
        # the best few options of a decision (dispatch_kernel.best_options)
        self.top_score = np.zeros(params.top_k)
        self.top_i = np.zeros(params.top_k, dtype=np.int64)
        self.top_j = np.zeros(params.top_k, dtype=np.int64)
        # candidate drops: for each class and place, the nearest few places that can take
        # people (and may still have room); rows are refreshed when one of theirs fills up
        self.drops = DropLists(problem, self.value, max(params.top_k, CANDIDATE_DROPS))
        # the exact check only ever lowers a score (fewer people, a later arrival), except
        # that a later loading may turn urgent: with straight-line travel and no stands or
        # duty limits (which may move the departure or its instant), a kernel score times
        # this factor (and ``urgent_factor`` where the kernel's loading is not urgent) bounds
        # the exact one, so an option below the best one checked needs no check (inf: check
        # them all)
        exact_le_kernel = (
            problem.routes.straight and not self.lim.stands.active and not self.lim.wear.active
        )
        self.bound_factor = 1.0 + 1e-6 if exact_le_kernel else math.inf
        self.urgent_factor = 1.0 + max(params.urgency, 0.0)
        self.waiting_key = b""
        self.reachable = np.zeros(n_p, dtype=bool)
        # when waiting may help: later arrivals, openings, and any change at a place with
        # capacity once it has received people (see ``_next_change``)
        self.arrival_times = sorted({a for _, a, _ in problem.arrivals})
        self.open_times = sorted({float(o) for o in problem.open_from if math.isfinite(o)})
        self.reopen_times = sorted({b for _, _, b in problem.place_closed if math.isfinite(b)})
        self.sink_times: list[float] = []

    # ----------------------------------------------------------------- helpers
    def _new_gid(self) -> str:
        self.gcount += 1
        return f"g{self.gcount}"

    def _push(self, g: Group) -> None:
        self.seq += 1
        g.seq = self.seq
        self.live[g.gid] = g
        heapq.heappush(self.heap, g)

    def _reserve(self, g: Group, legs: tuple[tuple[int, int], ...], sign: float) -> None:
        if not self.prm.reserve:
            return
        amount = sign * g.n * float(self.pb.capacity[g.c])
        for i, j in legs:
            self.res_pick[i] += amount
            self.res_room[j] += amount

    def _estimates(self) -> tuple[np.ndarray, np.ndarray]:
        """People to pick up and room per place, as the scoring sees them (estimates: the
        exact check follows)."""
        estimates(
            self.stock_tot,
            self.res_pick,
            self.netin_tot,
            self.res_room,
            self.cap,
            self.has_pick,
            self.pick,
            self.room,
        )
        return self.pick, self.room

    def _options(self, g: Group, t: float, chains: bool = False) -> list[Option]:
        """The best few options checked exactly; ``chains``: pickups reached only by a
        chain of empty trips over several lanes (``approach.py``)."""
        pb = self.pb
        c, n, p = g.c, g.n, g.p
        load = float(pb.load[c])
        w = float(pb.withdraw[c])
        d = self.deadline
        if t > d[p] + EPS or t >= w - EPS or pb.pause_end(c, t) is not None:
            return []
        if chains and not self.approaches.active:
            return []  # straight-line travel: every place is reached directly
        pick, room = self._estimates()
        x, ok_i = self.x, self.ok_i
        row = self.approaches.row(c, p) if chains else pb.times.row(c, p)
        if row is None:
            return []
        if not pickups(t, p, row, pb.open_from, d, pb.end, load, w, pick, x, ok_i):
            return []
        if self.prm.skip_empty:
            ok_i &= x >= self.empty_until
            if not np.any(ok_i):
                return []
        if pb.pauses:  # no departure while the operator is withdrawn (it comes back later)
            ok_i &= np.array([pb.pause_end(c, float(v)) is None for v in x], dtype=np.bool_)
            if not np.any(ok_i):
                return []
        self.drops.refresh()
        found = best_options(
            t,
            x,
            ok_i,
            pick,
            room,
            float(n * pb.capacity[c]),
            load,
            float(pb.unload[c]),
            d,
            float(pb.end),
            self.drops.cand[c],
            self.drops.ctt[c],
            self.drops.cval[c],
            pb.is_haven,
            self._transfer_ok(pick, room),
            self.urgent_until,
            self.prm.urgency,
            self._priority(t),
            self.top_score,
            self.top_i,
            self.top_j,
        )
        out = []
        best = -math.inf
        for k in range(found):
            i = int(self.top_i[k])
            # an upper bound of the exact score (see ``bound_factor``): the kernel's score,
            # times what urgency adds if the loading may turn urgent later
            late = 1.0 if x[i] >= self.urgent_until[i] else self.urgent_factor
            if self.top_score[k] * late * self.bound_factor < best:
                continue  # it cannot beat the best option checked
            opt = self._exact(g, t, i, int(self.top_j[k]))
            if opt is not None:
                out.append(opt)
                best = max(best, opt.score)
        return out

    def _priority(self, t: float) -> np.ndarray:
        """(P,) each pickup's priority at ``t`` (a factor of its score): ``(end / slack) **
        slack_power``, the slack being the time left before its deadline (or the end), at
        least ``slack_floor`` of the horizon; times ``off_target`` where the allocation's
        target (``allocate.targets``) has been taken already."""
        key = (t, self.commits)
        if key == self.prio_key or (self.prm.slack_power == 0.0 and self.targets is None):
            return self.prio
        self.prio_key = key
        end = max(float(self.pb.end), EPS)
        if self.prm.slack_power != 0.0:
            slack = np.maximum(self.last_chance - t, self.prm.slack_floor * end)
            np.power(end / slack, self.prm.slack_power, out=self.prio)
        else:
            self.prio.fill(1.0)
        if self.targets is not None:
            self.prio[self.taken >= self.targets] *= self.prm.off_target
        return self.prio

    def _transfer_ok(self, pick: np.ndarray, room: np.ndarray) -> np.ndarray:
        """(P,) where moving people on to another haven pays: room is what limits the
        rescue (the havens the remaining people can reach directly cannot take them all)
        and the haven is (nearly) full."""
        haven = self.pb.is_haven
        if not np.any(pick[self.havens] > 0):
            return self.no_transfer
        if self.all_direct:
            reachable = haven  # every haven is reached from every other place
        else:
            waiting = (pick > 0) & ~haven
            key = waiting.tobytes()
            if key != self.waiting_key:
                self.waiting_key = key
                self.reachable = self._reachable(waiting) & haven if np.any(waiting) else haven
            reachable = self.reachable
        transfers(pick, room, haven, reachable, self.full_room, self.transfer)
        return self.transfer

    def _reachable(self, waiting: np.ndarray) -> np.ndarray:
        """(P,) places some class reaches directly from a ``waiting`` place."""
        if self.direct is None:
            self.direct = np.zeros((self.pb.n_places,) * 2, dtype=np.bool_)
            for c in range(self.pb.n_classes):
                self.direct |= np.isfinite(self.pb.travel[c])
        return np.asarray(np.any(self.direct[waiting], axis=0), dtype=np.bool_)

    def _all_done(self, t: float) -> bool:
        """No people outside havens that are still alive at ``t``, and none to arrive: the
        only trips left would move people between havens, which frees room for nobody."""
        if self.arrival_times and self.arrival_times[-1] > t + EPS:
            return False
        waiting = (self.stock_tot > 0) & ~self.pb.is_haven & (self.deadline > t)
        return not bool(np.any(waiting))

    def _next_change(self, t: float) -> float | None:
        """When waiting could help: a later arrival, opening, reopening (a known closure of
        a place ends), or delivery somewhere."""
        times = []
        for seq in (self.arrival_times, self.open_times, self.reopen_times):
            k = bisect.bisect_right(seq, t + EPS)
            if k < len(seq):
                times.append(seq[k])
        k = bisect.bisect_right(self.sink_times, t)
        if k < len(self.sink_times):
            times.append(self.sink_times[k])
        times += [b for _, _, b, _ in self.pb.pauses if b > t + EPS]  # an operator is back
        times += self.lim.release_after(t)  # a stand is free again
        first = min(times, default=None)
        return first if first is not None and first <= self.pb.end else None

    # ----------------------------------------------------------------- main loop
    def run(self) -> list[Trip] | None:
        pb = self.pb
        self.heap: list[Group] = []
        for k, s in enumerate(pb.supply):
            left = s.count
            for n, legs in self.guide.get(k, []):
                n = min(n, left)
                if n > 0:
                    left -= n
                    grp = Group(
                        s.t, 0, self._new_gid(), s.c, n, s.p, since=s.made, legs=tuple(legs)
                    )
                    self._reserve(grp, grp.legs, 1.0)
                    self._push(grp)
                    self.lim.enter(grp.gid, s.c, s.p, s.t, n, s.record)
            if left > 0:
                self._push(Group(s.t, 0, gid := self._new_gid(), s.c, left, s.p, since=s.made))
                self.lim.enter(gid, s.c, s.p, s.t, left, s.record)
        guard = 0
        while self.heap:
            guard += 1
            # trips that take no time let one vehicle shuttle without end: stop at a
            # decision cap (work), or at the safety stop; the plan so far stays feasible
            if guard > self.decisions or (
                self.stop is not None and guard % 64 == 0 and self.stop.reached()
            ):
                log.warning(
                    "dispatcher stopped early after %d decisions (%s); the plan so far is "
                    "kept and is feasible",
                    guard,
                    "decision cap" if guard > self.decisions else "time limit",
                )
                break
            g = heapq.heappop(self.heap)
            if self.live.get(g.gid) is not g:
                continue  # it left its place to free a stand (OpsLimits.stands_at)
            t = g.free
            self.lim.advance(t)
            if t > pb.end or t > self.deadline[g.p] + EPS:
                self._reserve(g, g.legs, -1.0)
                continue  # nothing more to do, or lost with the place
            if self._destroyed(g.c, g.p, g.since, t - EPS):
                self._reserve(g, g.legs, -1.0)
                self.lost_vehicles += g.n  # idle at a place when a known event struck
                continue
            if g.legs and self._follow(g, t):
                continue
            # nothing over its own routes: pickups a chain of lanes away
            options = self._options(g, t) or self._options(g, t, chains=True)
            if not options:
                if self._all_done(t):
                    self._reserve(g, g.legs, -1.0)
                    self._escape(g, t)
                    continue  # nobody is left to move: waiting cannot help
                nxt = self._next_change(t)
                if nxt is not None and nxt < self.deadline[g.p] - EPS:
                    g.free = nxt
                    self._push(g)
                else:
                    self._escape(g, t)  # waiting here ends with the place
                continue
            best = max(options, key=lambda o: (o.score, -o.y))
            self._commit(g, t, best)
        log.info("dispatcher: %d trips, %d decisions", len(self.trips), guard)
        out = self.lim.finish(self.trips)
        return out if self.lim.pools_kept(out) else None

    def _escape(self, g: Group, t: float) -> None:
        """The fleet counts, after people: a group with nothing to do at a place whose
        deadline strikes within the horizon leaves it, empty, for the place reached first
        among those safe longest (havens first), and may work on from there."""
        pb = self.pb
        c, p = g.c, g.p
        dp = float(self.deadline[p])
        if dp > pb.end or t >= dp - EPS:
            return
        found = refuge(
            pb,
            self.deadline,
            c,
            p,
            t,
            lambda q, st0, ti: (
                not (self._destroyed(c, p, t, st0) or self._destroyed(c, q, ti, ti))
                and self.lim.escape_ok(c, g.gid, q, (st0, ti), g.n)
            ),  # a stand, a short duty
        )
        if found is None:
            return
        st0, ti, q = found
        name = pb.classes[c]
        self.trips.append(Trip(g.gid, name, g.n, pb.places[p], st0, pb.places[q], ti, 0))
        self._push(Group(ti, 0, g.gid, c, g.n, q, since=ti))
        self.lim.escaped(c, g.gid, q, (st0, ti), g.n)

    def _follow(self, g: Group, t: float) -> bool:
        """Fly the next feasible leg of the group's guide path; drop the legs it cannot."""
        legs = list(g.legs)
        while legs:
            i, j = legs.pop(0)
            self._reserve(g, ((i, j),), -1.0)
            opt = self._exact(g, t, i, j, reserved=False)
            if opt is None and self.prm.redirect:
                opt = self._redirect(g, t, i, j)
            if opt is not None:
                g.legs = tuple(legs)
                self._commit(g, t, opt)
                return True
        g.legs = ()
        return False

    def _redirect(self, g: Group, t: float, i: int, j: int) -> Option | None:
        """A guide leg i -> j that cannot be flown (j full, most often): the best other drop
        for the same pickup, among the nearest few."""
        pb = self.pb
        tt = pb.times.row(g.c, i)
        good = self.value[i, np.arange(pb.n_places)] > 0
        order = [int(k) for k in np.argsort(tt) if k != j and good[k]]
        best: Option | None = None
        for k in order[: self.prm.top_k]:
            if not math.isfinite(tt[k]):
                break
            opt = self._exact(g, t, i, k)
            if opt is not None and (best is None or opt.score > best.score):
                best = opt
        return best

    def _vacated(self, v: Vacate) -> None:
        """An idle group leaves a drop, empty, for a trip's stand (booked by ``lim.book``); it
        is free again where it lands, and a guide path it had goes on from there."""
        pb = self.pb
        name, p, q = pb.classes[v.c], pb.places[v.p], pb.places[v.q]
        self.trips.append(Trip(v.gid, name, v.n, p, v.start, q, v.arrive, 0))
        old = self.live.get(v.gid)
        legs = old.legs if old is not None else ()
        self._push(Group(v.arrive, 0, v.gid, v.c, v.n, v.q, since=v.arrive, legs=legs))

    def _commit(self, g: Group, t: float, o: Option) -> None:
        pb = self.pb
        c = g.c
        k = o.vehicles
        load, unload = float(pb.load[c]), float(pb.unload[c])
        rest_gid: str | None = None
        if k < g.n:
            rest = Group(t, 0, self._new_gid(), c, g.n - k, g.p, since=g.since, legs=g.legs)
            self._push(rest)
            gid, rest_gid = self._new_gid(), rest.gid
        else:
            gid = g.gid
        name = pb.classes[c]
        for v in self.lim.book(c, (g.gid, gid, rest_gid), k, g.n - k, o, (load, unload)):
            self._vacated(v)
        for a, b, st0, ti in o.hops:  # an empty move over several lanes
            self.trips.append(Trip(gid, name, k, pb.places[a], st0, pb.places[b], ti, 0))
        if o.empty is not None and not o.hops:
            st0, ti = o.empty
            self.trips.append(Trip(gid, name, k, pb.places[g.p], st0, pb.places[o.i], ti, 0))
        self.trips.append(Trip(gid, name, k, pb.places[o.i], o.x, pb.places[o.j], o.y, o.people))
        li, lj = self.ledgers[o.i], self.ledgers[o.j]
        self.taken[o.i] += o.people
        self.commits += 1
        li.add(o.x, -o.people, -o.people)
        li.has_pickups = True
        if li.has_deliveries and li.capacity > 0:
            bisect.insort(self.sink_times, o.x)
        lj.add(o.y, o.people, o.people)
        if lj.capacity > 0:
            for when in lj.times if not lj.has_deliveries else (o.y,):
                bisect.insort(self.sink_times, when)
        lj.has_deliveries = True
        for q in (o.i, o.j):
            led = self.ledgers[q]
            self.stock_tot[q] = led.total_stock
            self.netin_tot[q] = led.total_netin
        self.has_pick[o.i] = True
        if not self.drops.open[o.i] and li.capacity > 0:
            self.drops.reopen(o.i)  # people left a full place: room again
        if self.drops.open[o.j] and not lj.has_pickups and lj.total_netin >= lj.capacity:
            self.drops.close(o.j)  # full for good (nobody leaves it): drop it
        self.berths[o.i].add(o.x, load, k)
        self.berths[o.j].add(o.y - unload, unload, k)
        if math.isfinite(pb.load_budget[o.i]) or pb.load_periods[o.i] is not None:
            loading.draw(pb, o.i, self.load_used[o.i], *loading.span(pb, o.x, load), o.people)
        if math.isfinite(pb.unload_budget[o.j]) or pb.unload_periods[o.j] is not None:
            per = self._period(o.y)
            self.unload_used[o.j][per] = self.unload_used[o.j].get(per, 0.0) + o.people
        # the vehicles rest (turnaround) before their next trip
        ready = o.y + (pb.rest(c) if o.people > 0 else 0.0)
        self._push(Group(ready, 0, gid, c, k, o.j, since=o.y - unload, legs=g.legs))


def dispatch(
    problem: Problem,
    params: DispatchParams | None = None,
    guide: Guide | None = None,
    stop: SafetyStop | None = None,
    targets: np.ndarray | None = None,
    decisions: int = MAX_DECISIONS,
) -> list[Trip]:
    """A feasible plan (trips) for the problem by dispatch of vehicle groups.

    ``guide``: per supply index, (vehicles, loaded legs) paths to follow first (from the
    bound's master LP); a group whose next leg is infeasible skips it, and a group with no
    legs left is dispatched greedily. ``stop``: the safety stop (see budget.py).
    ``decisions``: a work budget (groups taken off the queue); the plan so far when it is
    spent is kept (feasible), whatever the machine's load.
    """
    params = params or DispatchParams()
    trips = _Dispatcher(problem, params, guide, stop, targets=targets, decisions=decisions).run()
    if trips is None:  # a pool of worn stock drawn out of order (wear.py): the worst record
        trips = _Dispatcher(
            problem, params, guide, stop, pools=False, targets=targets, decisions=decisions
        ).run()
        assert trips is not None
    return trips
