"""The exhaustive oracle's reading of a scenario (``tests/oracle.py``): its places, classes,
vehicles, routes, events, stands and berths re-derived from the ``Scenario`` alone, and the
rules a search state is checked against (deadlines, closures, damage, berths, stands).

Part of the oracle: ``from tests.oracle import ...`` re-exports every name defined here."""

from __future__ import annotations

import math

from evacuate.scenario.flows import ChangeThroughput
from evacuate.scenario.model import (
    AddVehicles,
    CloseLane,
    ClosePlace,
    DamageVehicles,
    Note,
    OpenLane,
    OpenPlace,
    ReturnOperator,
    WithdrawOperator,
)
from evacuate.scenario.scenario import Scenario
from tests.oracle_parts import _is_int, _Route, _Throughput

__all__ = ["INF", "NEG", "VState", "_Data"]

INF = math.inf
NEG = -(10**9)

# vehicle state: (class, en_route, place, time, people, sorties, duty start, last arrival,
#                 loading place, loading until, flag)
#   idle: en_route 0, at ``place`` since/ready at ``time``; flag: present there from (stock)
#   moving: en_route 1, to ``place``, earliest arrival ``time``, ``people`` on board; flag 1:
#     unloading at ``place`` (arrives at ``time``)
#   sorties: loaded trips flown; duty start: first departure of the current duty (-1: none)
#   loading place and until: the stand held while loading (-1: none; places with stands only)
VState = tuple[int, ...]  # the last three only where some place has stands (fewer states)


class _Data:
    def __init__(self, sc: Scenario) -> None:
        if sc.hazard is not None:
            raise NotImplementedError("oracle: explicit deadlines only")
        if sc.fleet.shipyards:
            raise NotImplementedError("oracle: no shipyards")
        self.end = round(sc.end)
        if not _is_int(sc.end) or self.end < 0:
            raise NotImplementedError("oracle: integer end >= 0")
        places = list(sc.places)
        self.names = [p.id for p in places]
        pidx = {p.id: i for i, p in enumerate(places)}
        self.P = len(places)
        hours = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}[sc.time_unit]
        self.hours = hours
        self.flows = _Throughput(sc, places)
        limited = any(self.flows.limited(i, u) for i in range(len(places)) for u in (0, 1))
        if limited and hours < 1:
            raise NotImplementedError("oracle: rates with periods of one time unit only")
        self.berthed = [self.flows.has_berths(i) for i in range(len(places))]
        # per place: None when its rate never limits; else the allowance of the first period
        # (a marker: ``load_allow``/``unload_allow`` give each period's)
        self.load_rate = [
            self.load_allow(i, 0) if self.flows.limited(i, 0) else None for i in range(len(places))
        ]
        self.unload_rate = [
            self.unload_allow(i, 0) if self.flows.limited(i, 1) else None
            for i in range(len(places))
        ]
        self.deadline = [INF if p.deadline is None else p.deadline for p in places]
        self.open_from = [-INF if p.open_from is None else p.open_from for p in places]
        self.cap = [p.capacity for p in places]
        self.haven = [
            p.capacity > 0 and (p.deadline is None or p.deadline > sc.end) for p in places
        ]
        self.arrivals: dict[int, list[tuple[int, int]]] = {}
        for i, p in enumerate(places):
            items = [(0.0, p.population)] + [(a.at, a.people) for a in p.arrivals]
            for at, n in items:
                if n <= 0:
                    continue
                if not _is_int(at):
                    raise NotImplementedError("oracle: integer arrival times")
                self.arrivals.setdefault(max(0, round(at)), []).append((i, n))
        classes = [c for c in sc.fleet.classes if c.enabled]
        self.cnames = [c.id for c in classes]
        cidx = {c.id: i for i, c in enumerate(classes)}
        self.vcap = [c.capacity for c in classes]
        self.L = [c.load_time for c in classes]
        self.U = [c.unload_time for c in classes]
        self.rest = [c.turnaround for c in classes]
        # stands: pool index per (place, class) (-1: no limit) and each pool's stands
        self.pool = [[-1] * len(classes) for _ in places]
        self.pool_stands: list[int] = []
        self.pool_place: list[int] = []
        for i, p in enumerate(places):
            if p.stands is None:
                continue
            named = p.stands if isinstance(p.stands, dict) else dict.fromkeys(cidx, p.stands)
            shared = not isinstance(p.stands, dict)
            for c, vc in enumerate(classes):
                if vc.id not in named:
                    continue
                if not shared or not self.pool_place or self.pool_place[-1] != i:
                    self.pool_stands.append(named[vc.id])
                    self.pool_place.append(i)
                self.pool[i][c] = len(self.pool_stands) - 1
        self.stands = bool(self.pool_stands)
        # where a vehicle's loading and unloading are tracked (stands or berths)
        self.track = self.stands or any(self.berthed)
        if self.track and not all(_is_int(x) for x in (*self.L, *self.U)):
            raise NotImplementedError("oracle: integer load and unload times with stands or berths")
        if not all(_is_int(r) for r in self.rest):
            raise NotImplementedError("oracle: integer turnarounds")
        self.sorties = [INF if c.max_sorties is None else c.max_sorties for c in classes]
        self.after = [INF if c.rest is None else c.rest.after for c in classes]
        self.rest_for = [INF if c.rest is None else c.rest.rest_for for c in classes]
        if not all(_is_int(x) for x in (*self.after, *self.rest_for) if x < INF):
            raise NotImplementedError("oracle: integer rest")
        self.withdraw = [INF] * len(classes)
        self.hard = [INF] * len(classes)  # arrivals must be by then (no finish_current_trip)
        self.closed: list[list[tuple[float, float]]] = [[] for _ in places]
        lane_closed: dict[str, list[tuple[float, float]]] = {}
        pair_closed: dict[frozenset[str], list[tuple[float, float]]] = {}
        # openings end closures of the same target that began strictly before them
        opened: dict[object, list[float]] = {}
        arriving: list[tuple[int, int, float, int]] = []  # reinforcements (class, place, at, n)
        # known damage: (at, place, classes hit, until)
        self.damage: list[tuple[int, int, frozenset[int], int]] = []
        returns: dict[str, list[float]] = {}
        self.paused: list[list[tuple[float, float]]] = [[] for _ in classes]
        for ev in sc.events:
            if not ev.enabled or ev.mode != "known":
                continue
            for eff in ev.effects:
                if isinstance(eff, ReturnOperator):
                    returns.setdefault(eff.operator, []).append(ev.at)
                if isinstance(eff, OpenPlace):
                    opened.setdefault(("place", eff.place), []).append(ev.at)
                elif isinstance(eff, OpenLane):
                    key = eff.lane if eff.lane is not None else frozenset(eff.between or ())
                    opened.setdefault(("lane", key), []).append(ev.at)

        def end_of(key: object, at: float, until: float | None) -> float:
            ends = [INF if until is None else until]
            ends += [r for r in opened.get(key, []) if r > at]
            return min(ends)

        for ev in sc.events:
            if not ev.enabled or ev.mode != "known":
                continue
            for eff in ev.effects:
                if isinstance(eff, Note | OpenPlace | OpenLane | ReturnOperator):
                    continue
                if isinstance(eff, ChangeThroughput):
                    continue  # its rates: _Throughput; its berths: refused there
                if isinstance(eff, DamageVehicles):
                    if eff.count is not None or not (_is_int(ev.at) and _is_int(eff.until)):
                        raise NotImplementedError("oracle: damage of all, at whole times")
                    names = eff.classes if eff.classes is not None else list(cidx)
                    hit = frozenset(cidx[n] for n in names if n in cidx)
                    self.damage.append((round(ev.at), pidx[eff.place], hit, round(eff.until)))
                    continue
                if isinstance(eff, AddVehicles):
                    if eff.vehicle_class in cidx:
                        arriving.append(
                            (cidx[eff.vehicle_class], pidx[eff.place], ev.at, eff.count)
                        )
                    continue
                if isinstance(eff, ClosePlace):
                    until = end_of(("place", eff.place), ev.at, eff.until)
                    self.closed[pidx[eff.place]].append((ev.at, until))
                elif isinstance(eff, CloseLane):
                    if eff.lane is not None:
                        until = end_of(("lane", eff.lane), ev.at, eff.until)
                        lane_closed.setdefault(eff.lane, []).append((ev.at, until))
                    if eff.between is not None:
                        pair = frozenset(eff.between)
                        until = end_of(("lane", pair), ev.at, eff.until)
                        pair_closed.setdefault(pair, []).append((ev.at, until))
                elif isinstance(eff, WithdrawOperator):
                    back = min((r for r in returns.get(eff.operator, []) if r > ev.at), default=INF)
                    if back < INF and not eff.finish_current_trip:
                        raise NotImplementedError("oracle: no return after a hard withdrawal")
                    for c, vc in enumerate(classes):
                        if vc.operator != eff.operator:
                            continue
                        if back < INF:  # a pause: no departure in [at, back)
                            self.paused[c].append((ev.at, back))
                            continue
                        self.withdraw[c] = min(self.withdraw[c], ev.at)
                        if not eff.finish_current_trip:
                            self.hard[c] = min(self.hard[c], ev.at)
                else:
                    raise NotImplementedError(f"oracle: no {type(eff).__name__} events")
        # routes
        self.routes: dict[tuple[int, int, int], list[_Route]] = {}
        declared = {frozenset((ln.start, ln.end)) for ln in sc.travel.lanes}
        for c, vc in enumerate(classes):
            for i, a in enumerate(places):
                for j, b in enumerate(places):
                    if i == j:
                        continue
                    pair = frozenset((a.id, b.id))
                    opts: list[_Route] = []
                    pc = tuple(pair_closed.get(pair, ()))
                    if (
                        sc.travel.routes == "all"
                        and pair not in declared
                        and a.position is not None
                        and b.position is not None
                        and vc.speed is not None
                    ):
                        opts.append(_Route(math.dist(a.position, b.position) / vc.speed, None, pc))  # type: ignore[arg-type]
                    for ln in sc.travel.lanes:
                        fwd = ln.start == a.id and ln.end == b.id
                        back = ln.bidirectional and ln.start == b.id and ln.end == a.id
                        if not (fwd or back):
                            continue
                        if vc.id in ln.class_times:
                            tau: float | None = ln.class_times[vc.id]
                        elif ln.time is not None:
                            tau = ln.time
                        else:
                            dist = ln.distance
                            if dist is None:
                                pa, pb = sc.place(ln.start), sc.place(ln.end)
                                if pa.position is None or pb.position is None:
                                    continue
                                dist = math.dist(pa.position, pb.position)  # type: ignore[arg-type]
                            tau = None if vc.speed is None else dist / (vc.speed * ln.speed_factor)
                        if tau is not None:
                            closed = tuple(lane_closed.get(ln.id, ())) + pc
                            opts.append(_Route(tau, ln, closed))
                    if opts:
                        self.routes[(c, i, j)] = opts
        # (class, place, ready, sorties flown, duty start or -1, last trip end or NEG)
        self.vehicles: list[tuple[int, int, int, int, int, int]] = []
        for st in sc.fleet.stock:
            if st.vehicle_class not in cidx or st.count <= 0:
                continue
            if not _is_int(st.available_from):
                raise NotImplementedError("oracle: integer available_from")
            c = cidx[st.vehicle_class]
            rec = st.record
            flown, duty, last = 0, -1, NEG
            if rec is not None and self.sorties[c] < INF:
                flown = rec.sorties
            if rec is not None and rec.duty_from is not None and self.after[c] < INF:
                if not (_is_int(rec.duty_from) and _is_int(rec.last_end) and rec.duty_from >= 0):
                    raise NotImplementedError("oracle: integer records from time 0")
                duty, last = round(rec.duty_from), round(rec.last_end)  # type: ignore[arg-type]
            for _ in range(st.count):
                self.vehicles.append(
                    (c, pidx[st.place], max(0, round(st.available_from)), flown, duty, last)
                )
        for c, p, at, n in arriving:
            if not _is_int(at):
                raise NotImplementedError("oracle: integer reinforcement times")
            self.vehicles += [(c, p, max(0, round(at)), 0, -1, NEG)] * n
        if len(self.vehicles) > 4:
            raise NotImplementedError("oracle: at most 4 vehicles")
        if self.damage and self.stands:  # under repair a vehicle holds no stand (not modelled)
            raise NotImplementedError("oracle: no damage with stands")
        # an empty vehicle that may arrive now need not keep travelling: idling there from
        # now on does all that arriving later would (it may stay until then; a later arrival
        # rests later and keeps a duty longer; one past the deadline there never arrives)
        # unless idling itself has a cost: a stand held, or a damage striking idle vehicles
        self.idle_free = not self.stands and not self.damage

    def load_allow(self, p: int, k: int) -> float:
        """People place ``p`` may load in period ``k`` (``inf``: no limit then)."""
        return self.flows.rate(p, 0, k) * self.hours

    def unload_allow(self, p: int, k: int) -> float:
        """People place ``p`` may unload in period ``k`` (``inf``: no limit then)."""
        return self.flows.rate(p, 1, k) * self.hours

    def damaged(self, c: int, p: int, t: int) -> int:
        """When a vehicle of class ``c`` idle at ``p`` at ``t`` may leave again if it stays
        (``t`` itself when no damage strikes it then)."""
        back = t
        for at, place, hit, until in self.damage:
            if at == t and place == p and c in hit and at <= self.end:
                back = max(back, until)
        return back

    def busy_hit(self, c: int, p: int, start: float, stop: float) -> bool:
        """Whether a damage strikes a vehicle of class ``c`` loading or unloading at ``p``
        over ``[start, stop)``."""
        return any(
            place == p and c in hit and start <= at < stop and at <= self.end
            for at, place, hit, _ in self.damage
        )

    def place_open(self, p: int, t: float) -> bool:
        return not any(a <= t < b for a, b in self.closed[p])

    def duration(self, c: int, i: int, j: int, t: int, loaded: bool) -> int | None:
        """Shortest whole duration of a trip departing at ``t`` (None if no route is open)."""
        L = self.L[c] if loaded else 0.0
        U = self.U[c] if loaded else 0.0
        best: float | None = None
        for r in self.routes.get((c, i, j), ()):
            if r.open_at(t + L) and (best is None or r.time < best):
                best = r.time
        if best is None:
            return None
        d = L + best + U
        if not _is_int(d) or round(d) < 1:
            raise NotImplementedError("oracle: integer trip durations >= 1")
        return round(d)

    def can_arrive(self, c: int, j: int, t: int) -> bool:
        return t < self.deadline[j] and self.place_open(j, t) and t <= self.hard[c]

    def unloads_on_stand(self, c: int, j: int, people: int) -> bool:
        """Whether a vehicle bound for ``j`` is present (or holds a berth) there before it
        arrives."""
        return people > 0 and self.U[c] > 0 and (self.pool[j][c] >= 0 or self.berthed[j])

    def berths_ok(self, veh: tuple[VState, ...], t: int) -> bool:
        """At the end of instant ``t``: vehicles loading or unloading at each place with
        berths are at most the berths in force then."""
        busy = [0] * self.P
        for v in veh:
            if not v[1]:
                continue
            if v[10]:
                busy[v[2]] += 1  # unloading there until it arrives
            elif v[8] >= 0 and v[9] > t:
                busy[v[8]] += 1  # still loading at its origin
        return all(
            n <= self.flows.berths(p, t) for p, n in enumerate(busy) if n and self.berthed[p]
        )

    def stands_ok(self, veh: tuple[VState, ...], started: int, t: int) -> bool:
        """At the end of instant ``t``: every pool at a place where some vehicle's presence
        began (bit ``p`` of ``started``) holds at most its stands."""
        if not started:
            return True
        used = [0] * len(self.pool_stands)
        for v in veh:
            c, moving, p = v[0], v[1], v[2]
            if not moving and v[10] <= t:
                at = p  # idle there (entered)
            elif moving and v[10]:
                at = p  # unloading there
            elif moving and v[8] >= 0 and v[9] > t:
                at = v[8]  # still loading at its origin
            else:
                continue
            k = self.pool[at][c]
            if k >= 0 and started >> at & 1:
                used[k] += 1
        return all(n <= cap for n, cap in zip(used, self.pool_stands, strict=True))
