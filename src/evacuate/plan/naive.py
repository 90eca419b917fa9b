"""The naive greedy dispatcher: the baseline a spreadsheet user would write.

Event-driven over vehicle groups in order of when they become free. A free group goes to the
threatened place where it can start loading first (the nearest open place with people left),
loads what it can, and delivers to the haven it reaches first that has room. Groups stay whole,
except that a group larger than a load needs splits off just enough vehicles (or as many as the
place's berths take). It looks no further ahead than that, but it obeys every rule of
``docs/model.md`` it touches: deadlines for people and vehicles, ``open_from``, haven
capacity, lane windows and closures, closed places, withdrawn operators, known vehicle
destruction, berths and load/unload rates; so its plans pass ``evacuate.check``.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import math
from dataclasses import dataclass

import numpy as np

from evacuate.plan import loading
from evacuate.plan.ledger import Berths
from evacuate.plan.ops_limits import OpsLimits
from evacuate.plan.problem import Problem, Route
from evacuate.planio import Trip
from evacuate.scenario.model import WithdrawOperator

__all__ = ["naive_plan"]

log = logging.getLogger(__name__)

INF = math.inf
_MAX_SHIFTS = 200
"""Retries when a window, closure, berth or rate pushes a trip later; beyond that, give up."""


@dataclass
class _Group:
    gid: str | None
    """Id once it has moved (trips name it); None for vehicles not yet moved as this group."""
    c: int
    count: int
    place: int
    free: float
    since: float
    """When these vehicles came to ``place`` (their unloading start, or when they were made)."""


@dataclass
class _Leg:
    """A planned trip before it is committed."""

    origin: int
    depart: float
    dest: int
    arrive: float
    leave: float
    """When the group stops being at the origin (travel start)."""


@dataclass
class _Option:
    p: int
    h: int
    empty: _Leg | None
    loaded: _Leg
    people: int
    vehicles: int


class _Move:
    """An option as the stand and wear hooks see it (plan/ops_limits.py, ``Move``)."""

    def __init__(self, opt: _Option) -> None:
        e = opt.empty
        self.empty = None if e is None else (e.depart, e.arrive)
        self.i, self.j = opt.loaded.origin, opt.loaded.dest
        self.x, self.y = opt.loaded.depart, opt.loaded.arrive


class _Naive:
    def __init__(self, pb: Problem) -> None:
        self.pb = pb
        n_p = pb.n_places
        self.end = pb.end
        self.cap = pb.capacity
        self.room = pb.sink_capacity.astype(np.int64).copy()
        self.room[~pb.is_haven] = 0
        self.sources = [p for p in range(n_p) if pb.population[p] > 0 and not bool(pb.is_haven[p])]
        # people arriving at each place: times and cumulative counts
        self.arr_t: list[list[float]] = [[] for _ in range(n_p)]
        self.arr_cum: list[list[int]] = [[] for _ in range(n_p)]
        for p, t, n in pb.arrivals:
            self.arr_t[p].append(t)
            prev = self.arr_cum[p][-1] if self.arr_cum[p] else 0
            self.arr_cum[p].append(prev + n)
        self.picked = np.zeros(n_p, dtype=np.int64)
        # vehicle-side hazards per place: (time, classes) of known destruction
        self.destroy: list[list[tuple[float, frozenset[int]]]] = [[] for _ in range(n_p)]
        for d in (*pb.destroys, *pb.damages):  # damaged vehicles are not counted on again
            self.destroy[d.p].append((d.t, d.classes))
        self.closed: list[list[tuple[float, float]]] = [[] for _ in range(n_p)]
        for p, a, b in pb.place_closed:
            self.closed[p].append((a, b))
        # operators withdrawn without finishing the trip under way: arrive before that time
        self.hard_stop = np.full(pb.n_classes, INF)
        for ev in pb.scenario.enabled_events:
            if ev.mode != "known":
                continue
            for eff in ev.effects:
                if isinstance(eff, WithdrawOperator) and not eff.finish_current_trip:
                    for c in range(pb.n_classes):
                        if pb.operator[c] == eff.operator:
                            self.hard_stop[c] = min(self.hard_stop[c], ev.at)
        # vehicles loading or unloading, within the berths in force at each instant
        self.berths = [Berths(*pb.berth_schedule(p)) for p in range(n_p)]
        self.load_used: dict[int, dict[int, float]] = {}
        """Per place, people booked per throughput period (plan/loading.py)."""
        self.unload_used: dict[tuple[int, int], float] = {}
        # havens nearest first, per class and source
        self.haven_order: dict[tuple[int, int], list[int]] = {}
        havens = np.flatnonzero(pb.is_haven & (pb.sink_capacity > 0))
        for c in range(pb.n_classes):
            for p in self.sources:
                times = pb.travel[c, p, havens]
                order = havens[np.argsort(times, kind="stable")]
                self.haven_order[(c, p)] = [
                    int(h) for h in order if np.isfinite(pb.travel[c, p, h])
                ]
        self.trips: list[Trip] = []
        self.next_id = 0
        self.lim = OpsLimits(pb)  # stands, sorties and rest: groups named from the start
        self.named = self.lim.stands.active or self.lim.wear.active
        self.back = INF

    # ------------------------------------------------------------------ small rules
    def new_id(self) -> str:
        self.next_id += 1
        return f"n{self.next_id}"

    def destroyed(self, p: int, c: int, t0: float, t1: float) -> bool:
        """A known destruction hits class c vehicles at p while they are there in [t0, t1]."""
        return any(t0 <= t <= t1 and c in cls for t, cls in self.destroy[p])

    def clear_from(self, p: int, t0: float, dur: float) -> float:
        """Earliest t >= t0 such that [t, t + dur] meets no closure of place p."""
        t = t0
        for _ in range(_MAX_SHIFTS):
            hit = [b for a, b in self.closed[p] if a <= t + dur and t < b]
            if not hit:
                return t
            t = max(hit)
        return INF

    def available(self, p: int, t: float) -> int:
        """People that may be picked up at p at time t (arrived by t, minus everyone already
        promised to a pickup at any time: conservative, so nobody is picked up twice)."""
        k = bisect.bisect_right(self.arr_t[p], t)
        arrived = self.arr_cum[p][k - 1] if k else 0
        return int(arrived - self.picked[p])

    def first_available(self, p: int, t: float) -> float | None:
        """Earliest time >= t at which someone may be picked up at p."""
        need = int(self.picked[p]) + 1
        k = bisect.bisect_left(self.arr_cum[p], need)
        if k >= len(self.arr_cum[p]):
            return None
        return max(t, self.arr_t[p][k])

    def berths_from(self, p: int, t0: float, dur: float, m: int) -> float:
        """Earliest t >= t0 at which m more vehicles can use p's berths for [t, t + dur)."""
        berths = self.berths[p]
        if dur <= 0 or berths.free:
            return t0
        if m > berths.limit:
            return INF
        t = berths.earliest(t0, dur, m)
        return t if berths.fits(t, t + dur, m) else INF

    def period(self, t: float) -> int:
        return loading.period_of(self.pb, t)

    # ------------------------------------------------------------------ legs
    def route_leg(
        self, c: int, i: int, j: int, ready: float, pre: float, post: float, latest: float
    ) -> tuple[float, float, float] | None:
        """(depart, travel start, travel end) of the earliest arrival from i to j, departing at
        or after ``ready`` with ``pre`` before travel and travel starting by ``latest``."""
        best: tuple[float, float, float] | None = None
        routes: list[Route] = self.pb.routes.get((c, i, j), [])
        for route in routes:
            t = ready
            for _ in range(_MAX_SHIFTS):
                t = self.clear_from(i, t, pre)
                start = route.next_open(t + pre, min(latest, self.end))
                if start is None:
                    break
                dep = start - pre
                if dep < t:
                    dep = t
                # the checker recomputes depart + pre: make that instant the open one
                s = dep + pre
                for _ in range(8):
                    if route.open_at(s):
                        break
                    dep = math.nextafter(dep, INF)
                    s = dep + pre
                if not route.open_at(s) or s > latest:
                    break
                if self.clear_from(i, dep, pre) != dep:
                    t = self.clear_from(i, dep, pre)
                    continue
                finish = s + route.time
                if best is None or finish < best[2]:
                    best = (dep, s, finish)
                break
        return best

    def empty_leg(self, g: _Group, p: int) -> _Leg | None:
        pb, c = self.pb, g.c
        got = self.route_leg(c, g.place, p, g.free, 0.0, 0.0, float(pb.deadline[g.place]))
        if got is None:
            return None
        dep, start, finish = got
        if dep >= pb.stop_for_good(c) or self.destroyed(g.place, c, g.since, start):
            return None
        arrive = self.clear_from(p, finish, 0.0)
        if arrive >= pb.deadline[p] or arrive > self.end or arrive >= self.hard_stop[c]:
            return None
        return _Leg(g.place, dep, p, arrive, start)

    def loaded_leg(
        self, c: int, p: int, h: int, ready: float, since: float, people: int, m: int
    ) -> tuple[_Leg, int] | None:
        """The loaded trip p -> h for m vehicles with up to ``people``, starting to load at or
        after ``ready``; returns the leg and the people it carries."""
        pb = self.pb
        load, unload = float(pb.load[c]), float(pb.unload[c])
        t = ready
        for _ in range(_MAX_SHIFTS):
            t = self.berths_from(p, t, load, m)
            if not math.isfinite(t):
                return None
            got = self.route_leg(c, p, h, t, load, unload, float(pb.deadline[p]))
            if got is None:
                return None
            dep, start, finish = got
            if self.berths_from(p, dep, load, m) != dep:
                t = dep
                continue
            # loading rate: a loading draws on every period it spans (docs/model.md)
            room = loading.room(
                pb, p, self.load_used.setdefault(p, {}), *loading.span(pb, dep, load)
            )
            can = people
            if math.isfinite(room):
                left = int(room + 1e-9)
                if left <= 0:
                    t = (self.period(dep) + 1) * pb.period
                    continue
                can = min(can, left)
            can = min(can, self.available(p, dep))
            if can <= 0:
                return None
            if dep >= pb.stop_for_good(c) or self.destroyed(p, c, since, start):
                return None
            arrive = finish + unload
            for _ in range(_MAX_SHIFTS):
                before = arrive
                arrive = self.clear_from(h, arrive - unload, unload) + unload
                arrive = self.berths_from(h, arrive - unload, unload, m) + unload
                ubudget = float(pb.unload_budget[h])  # the largest period's
                if math.isfinite(ubudget) or pb.unload_periods[h] is not None:
                    if can > ubudget:
                        can = int(ubudget)
                        if can <= 0:
                            return None
                    while (
                        self.unload_used.get((h, self.period(arrive)), 0.0) + can
                        > pb.unload_allowance(h, self.period(arrive)) + 1e-9
                    ):
                        arrive = (self.period(arrive) + 1) * pb.period
                        if arrive > self.end:
                            return None
                if arrive == before:
                    break
            if not math.isfinite(arrive) or arrive >= pb.deadline[h] or arrive > self.end:
                return None
            if arrive >= self.hard_stop[c] or self.destroyed(h, c, arrive - unload, arrive):
                return None
            return _Leg(p, dep, h, arrive, start), can
        return None

    # ------------------------------------------------------------------ choice
    def option(self, g: _Group, p: int) -> _Option | None:
        """Go to p (unless there), load, deliver to the first haven reached with room."""
        pb, c = self.pb, g.c
        empty: _Leg | None = None
        if p == g.place:
            at, since = g.free, g.since
        else:
            empty = self.empty_leg(g, p)
            if empty is None:
                return None
            at, since = empty.arrive, empty.arrive
        ready = self.first_available(p, max(at, float(pb.open_from[p])))
        if ready is None or ready > pb.deadline[p]:
            return None
        cap = int(self.cap[c])
        best: _Option | None = None
        for h in self.haven_order.get((c, p), []):
            room = int(self.room[h])
            if room <= 0 or h == p:
                continue
            lower = ready + pb.load[c] + pb.travel[c, p, h] + pb.unload[c]
            if best is not None and lower >= best.loaded.arrive:
                break
            m = min(g.count, self.berths[p].limit, self.berths[h].limit)
            for q in (p, h) if self.named else ():
                m = min(m, self.lim.stands.cap(c, q) or m)  # no more than a place's stands
            want = min(m * cap, room, int(self.pb.population[p] - self.picked[p]))
            if want <= 0:
                continue
            m = min(m, -(-want // cap))
            got = self.loaded_leg(c, p, h, ready, since, want, m)
            if got is None:
                continue
            leg, people = got
            vehicles = min(m, -(-people // cap))
            if self.named and not self.fits(g, empty, leg, vehicles):
                continue  # no stand, or no sortie or duty left: not this way
            if best is None or leg.arrive < best.loaded.arrive:
                best = _Option(p, h, empty, leg, people, vehicles)
        return best

    def fits(self, g: _Group, empty: _Leg | None, leg: _Leg, n: int) -> bool:
        """Stands at the pickup (when it comes from elsewhere) and at the drop, and the group's
        sorties and duty (plan/ops_limits.py)."""
        c, pb = g.c, self.pb
        load, unload = float(pb.load[c]), float(pb.unload[c])
        move = None if empty is None else (empty.depart, empty.arrive)
        times = (
            leg.depart if empty is None else empty.arrive,
            leg.depart + load,
            leg.arrive - unload,
        )
        got, wait = self.lim.stand_room(c, g.place, leg.origin, leg.dest, times, n)
        assert g.gid is not None
        rest = self.lim.rest_first(c, g.gid, move, leg.depart, leg.arrive, g.free)
        if rest is not None and rest < INF:
            self.back = min(self.back, rest)  # worth trying again once rested
        return got >= n and wait == 0 and rest is None

    def choose(self, g: _Group) -> _Option | None:
        pb, c = self.pb, g.c
        lower = []
        for p in self.sources:
            if self.picked[p] >= pb.population[p]:
                continue
            reach = g.free if p == g.place else g.free + pb.travel[c, g.place, p]
            if not np.isfinite(reach):
                continue
            lower.append((max(reach, float(pb.open_from[p])), p))
        lower.sort()
        best: _Option | None = None
        best_key = INF
        for lb, p in lower:
            if lb >= best_key:
                break
            opt = self.option(g, p)
            if opt is None:
                continue
            key = opt.loaded.depart
            if key < best_key or (key == best_key and best is not None and opt.p < best.p):
                best, best_key = opt, key
        return best

    # ------------------------------------------------------------------ commit
    def emit(self, gid: str, c: int, n: int, leg: _Leg, people: int) -> None:
        pb = self.pb
        self.trips.append(
            Trip(
                group=gid,
                vehicle_class=pb.classes[c],
                count=n,
                origin=pb.places[leg.origin],
                depart=float(leg.depart),
                destination=pb.places[leg.dest],
                arrive=float(leg.arrive),
                people=people,
            )
        )

    def commit(self, g: _Group, opt: _Option) -> tuple[_Group, _Group | None]:
        pb, c = self.pb, g.c
        m = opt.vehicles
        rest: _Group | None = None
        if m < g.count:
            # the whole group stays; two new groups leave the place's inventory
            name = self.new_id() if self.named else None
            rest = _Group(name, c, g.count - m, g.place, g.free, g.since)
            gid = self.new_id()
        else:
            gid = g.gid or self.new_id()
        if self.named:
            assert g.gid is not None
            ids = (g.gid, gid, None if rest is None else rest.gid)
            move = _Move(opt)
            self.lim.book(c, ids, m, g.count - m, move, (float(pb.load[c]), float(pb.unload[c])))
        if opt.empty is not None:
            self.emit(gid, c, m, opt.empty, 0)
        leg = opt.loaded
        self.emit(gid, c, m, leg, opt.people)
        self.picked[opt.p] += opt.people
        self.room[opt.h] -= opt.people
        load, unload = float(pb.load[c]), float(pb.unload[c])
        self.berths[opt.p].add(leg.depart, load, m)
        self.berths[opt.h].add(leg.arrive - unload, unload, m)
        if math.isfinite(float(pb.load_budget[opt.p])) or pb.load_periods[opt.p] is not None:
            used = self.load_used.setdefault(opt.p, {})
            loading.draw(pb, opt.p, used, *loading.span(pb, leg.depart, load), opt.people)
        if math.isfinite(float(pb.unload_budget[opt.h])) or pb.unload_periods[opt.h] is not None:
            key = (opt.h, self.period(leg.arrive))
            self.unload_used[key] = self.unload_used.get(key, 0.0) + opt.people
        tired = pb.rest(c) if opt.people > 0 else 0.0  # turnaround before the next trip
        moved = _Group(gid, c, m, opt.h, leg.arrive + tired, leg.arrive - unload)
        return moved, rest

    def run(self) -> list[Trip]:
        pb = self.pb
        heap: list[tuple[float, int, _Group]] = []
        seq = 0
        for s in pb.supply:
            name = self.new_id() if self.named else None
            heapq.heappush(heap, (s.t, seq, _Group(name, s.c, s.count, s.p, s.t, s.made)))
            if name is not None:
                self.lim.enter(name, s.c, s.p, s.t, s.count, s.record)
            seq += 1
        while heap:
            t, _, g = heapq.heappop(heap)
            if t > self.end or t >= pb.stop_for_good(g.c) or t > pb.deadline[g.place]:
                continue
            if self.destroyed(g.place, g.c, g.since, t):
                continue
            self.back = INF
            if self.named:
                self.lim.advance(t)
            opt = self.choose(g)
            if opt is None and self.named:  # try again when a stand frees or once rested
                again = min([self.back, *self.lim.release_after(t)])
                if again < INF:
                    g.free = again
                    heapq.heappush(heap, (again, seq, g))
                    seq += 1
            if opt is None:
                continue  # nothing it can still do: it stays where it is
            moved, rest = self.commit(g, opt)
            heapq.heappush(heap, (moved.free, seq, moved))
            seq += 1
            if rest is not None:
                heapq.heappush(heap, (rest.free, seq, rest))
                seq += 1
        self.trips = self.lim.finish(self.trips)
        self.trips.sort(key=lambda tr: (tr.depart, tr.group))
        return self.trips


def naive_plan(problem: Problem) -> list[Trip]:
    """Trips of the naive greedy dispatcher (see the module docstring)."""
    trips = _Naive(problem).run()
    rescued = sum(t.people for t in trips)
    log.info("naive plan: %d trips, %d people delivered", len(trips), rescued)
    return trips
