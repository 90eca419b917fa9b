"""Exact maximum of rescued people for tiny scenarios, by exhaustive search (a test oracle).

It shares no code with the planners nor with ``evacuate.scenario.derive``: it reads the
``Scenario`` and re-derives travel times, lane windows and closures itself, then searches every
plan whose times are integers, vehicle by vehicle (groups of one), with memoisation.

Scope: at most 4 vehicles and a handful of people; integer times and durations (travel times
>= 1 after load and unload); explicit deadlines (no hazard); lanes or direct routes; lane
windows; stock (no shipyards), with its ``record`` (integer times; each vehicle starts from
its own); class turnarounds, sortie limits and rest (integer ``after`` and ``for``; each
vehicle keeps its own record); known ``close_place``, ``close_lane``,
``withdraw_operator`` (with ``return_operator`` after soft ones), ``add_vehicles``
(reinforcements: stock from ``at``), ``open_place``, ``open_lane``, ``note`` and
``damage_vehicles`` without a ``count`` (every idle vehicle of its classes at the place, whose
turnaround has ended, stays there until ``until``; loading or unloading there then is not
allowed; a vehicle leaving at ``at`` has left) events;
``load_per_hour`` and ``unload_per_hour`` when the throughput period is one time unit (hours
or days), changed by ``load_rates``/``unload_rates`` tables and known ``change_throughput``
rates whose times are whole time units (so each period has one rate, worked out here from
docs/model.md, Throughput); ``berths``, also changed by ``change_throughput`` on whole time
units (a vehicle holds one from the start of its loading to its end, and from the start of its
unloading to its arrival; checked at the end of every instant); parking ``stands`` (one number
or per class). Other events are refused.

Stands (docs/model.md, Stands): a vehicle is present at a place while idle there (stock from
its ``available_from``), while loading there (until ``depart + load_time``) and from the start
of its unloading (``arrive - unload_time``); at the end of each instant at which some vehicle's
presence began at a place, the vehicles present in each of its stand pools are at most its
stands (those leaving at that instant have left). A loaded vehicle bound for a place with
stands chooses when to begin unloading, and then arrives ``unload_time`` later.

Rates (docs/model.md, Throughput): a loading over ``[t, t + load)`` draws on the periods
``t .. t + load - 1`` (the period ``t`` when instant), in any split. The search keeps, per
place, the loadings still drawing (last period, people left) and at the end of each period
serves them earliest deadline first (optimal: every loading that can use the period is known
by then); a loading left short in its last period makes the branch infeasible. People
arriving at a place in one period are at most its unloading allowance.

Why integer times lose nothing (without rates): with integer data, flooring every time of a
feasible plan keeps it feasible (``floor(a) >= floor(d) + D`` when ``a >= d + D``; deadlines,
windows, closures and availability are integer-bounded intervals; the state at integer ``n`` becomes
the original state just before ``n + 1``) and rescues at least as many. Trips arriving after
the end are left out: they count for nothing, and moving people out of a haven frees as much
room as it costs. At equal times the checker's order applies: people delivered at ``t`` can be
picked up at ``t``, and pickups at ``t`` free room for deliveries at ``t``. With rates a plan
may gain by starting a loading between whole instants (a one-hour loading from half past
meets two periods), so there the answer is the optimum over integer-time plans: a lower
bound of the optimum, which is what a bound is tested against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from evacuate.planio import Trip
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
from tests.oracle_parts import Flow, _is_int, _Rates, _Route, _Throughput

__all__ = ["OracleResult", "OracleTooBig", "exhaustive"]

INF = math.inf
NEG = -(10**9)


@dataclass(frozen=True)
class OracleResult:
    rescued: int
    trips: list[Trip]
    states: int
    """Memoised states visited (a measure of the work done)."""


class OracleTooBig(Exception):
    """The search passed its budget of memoised states (``exhaustive(max_states=...)``)."""


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


# vehicle state: (class, en_route, place, time, people, sorties, duty start, last arrival,
#                 loading place, loading until, flag)
#   idle: en_route 0, at ``place`` since/ready at ``time``; flag: present there from (stock)
#   moving: en_route 1, to ``place``, earliest arrival ``time``, ``people`` on board; flag 1:
#     unloading at ``place`` (arrives at ``time``)
#   sorties: loaded trips flown; duty start: first departure of the current duty (-1: none)
#   loading place and until: the stand held while loading (-1: none; places with stands only)
VState = tuple[int, ...]  # the last three only where some place has stands (fewer states)


def _arrival(d: _Data, state: VState, t: int) -> VState | None:
    """The idle state after arriving at ``t`` (None: not allowed now)."""
    c, _, p, _, people, flown, duty = state[:7]
    if not d.can_arrive(c, p, t) or t - duty > d.after[c]:
        return None
    if people > 0 and d.busy_hit(c, p, t - d.U[c], t):
        return None  # a damage strikes it while it unloads
    ready = t + round(d.rest[c]) if people > 0 else t  # turnaround
    last = t if d.after[c] < INF else NEG  # records only where they matter (fewer states)
    if d.track:
        return (c, 0, p, ready, 0, flown, duty, last, -1, 0, 0)
    return (c, 0, p, ready, 0, flown, duty, last)


def _leaving(d: _Data, state: VState, t: int, j: int, n: int, dur: int) -> VState | None:
    """The moving state after leaving at ``t`` for ``j`` with ``n`` people (None: the sorties
    or the duty do not allow it)."""
    c, _, p, _, _, flown, duty, last = state[:8]
    if n > 0 and flown >= d.sorties[c]:
        return None
    if d.after[c] == INF:
        start = -1  # no rest: no duty to keep
    elif duty < 0 or t - last >= d.rest_for[c]:
        start = t
    else:
        start = duty
    if start >= 0 and t + dur - start > d.after[c]:
        return None
    flown += int(n > 0 and d.sorties[c] < INF)
    if not d.track:
        return (c, 1, j, t + dur, n, flown, start, last)
    if n > 0 and d.L[c] > 0 and (d.pool[p][c] >= 0 or d.berthed[p]):
        return (c, 1, j, t + dur, n, flown, start, last, p, t + round(d.L[c]), 0)
    return (c, 1, j, t + dur, n, flown, start, last, -1, 0, 0)


def _unloading(d: _Data, state: VState, t: int) -> VState:
    """The moving state that begins unloading at ``t`` (present at its destination)."""
    return (*state[:3], t + round(d.U[state[0]]), *state[4:8], -1, 0, 1)


def _arrivals(
    d: _Data, rates: _Rates, state: VState, t: int, q: Flow
) -> list[tuple[VState, int, Flow, int]]:
    """A vehicle's choices at the start of instant ``t``: (new state, people delivered,
    throughput state, bit mask of the places where a presence began)."""
    c, moving, p, when, people = state[:5]
    if not moving:
        return [(state, 0, q, 0)]
    here = 1 << p if d.pool[p][c] >= 0 else 0
    unloading = bool(d.track and state[10])
    if not unloading and d.unloads_on_stand(c, p, people):
        # present from the start of its unloading: begin now, or keep travelling
        u = round(d.U[c])
        if when - u > t:
            return [(state, 0, q, 0)]
        out = [(_unloading(d, state, t), 0, q, here)] if t + u <= d.end else []
        return out + ([(state, 0, q, 0)] if t < d.end else [])
    if when > t:
        return [(state, 0, q, 0)]
    out = []
    came = _arrival(d, state, t)
    q2 = rates.unload(q, p, people, t) if came is not None else None
    if came is not None and q2 is not None:
        out.append((came, people, q2, 0 if unloading else here))
    if t < d.end and not unloading and not (came is not None and people == 0 and d.idle_free):
        out.append((state, 0, q, 0))  # keep travelling (it may still arrive by the end)
    return out


def exhaustive(scenario: Scenario, max_states: int | None = None) -> OracleResult:
    """The most people any integer-time plan rescues, and one plan that does it.

    ``max_states``: raise ``OracleTooBig`` once the search has memoised more states (a work
    budget: a few tiny scenarios take millions, a minute and a gigabyte)."""
    d = _Data(scenario)
    visited = [0]
    rates = _Rates(d)
    end, P = d.end, d.P
    options_cache: dict[tuple[int, int, int, int], list[tuple[int, int, int]]] = {}

    def departures(c: int, p: int, t: int, present: int) -> list[tuple[int, int, int]]:
        """(destination, people, duration) choices of an idle vehicle, 'stay' excluded."""
        key = (c, p, t, present)
        if key in options_cache:
            return options_cache[key]
        out: list[tuple[int, int, int]] = []
        paused = any(a <= t < b for a, b in d.paused[c])
        if t < d.withdraw[c] and not paused and d.place_open(p, t):
            for j in range(P):
                if j == p or (c, p, j) not in d.routes:
                    continue
                if t <= d.deadline[p]:
                    dur = d.duration(c, p, j, t, False)
                    if dur is not None and t + dur <= end:
                        out.append((j, 0, dur))
                loading_hit = d.L[c] > 0 and d.busy_hit(c, p, t, t + d.L[c])
                if (
                    t + d.L[c] <= d.deadline[p]
                    and t >= d.open_from[p]
                    and present > 0
                    and not loading_hit
                    and d.cap[j] > 0  # people are dropped only where there is capacity
                ):
                    dur = d.duration(c, p, j, t, True)
                    if dur is not None and t + dur <= end:
                        for n in range(1, min(d.vcap[c], present) + 1):
                            out.append((j, n, dur))
        options_cache[key] = out
        return out

    @cache
    def value(
        t: int,
        phase: int,
        idx: int,
        veh: tuple[VState, ...],
        present: tuple[int, ...],
        net: tuple[int, ...],
        q: Flow,
        started: int,
    ) -> int:
        """``started``: bit ``p`` set when some vehicle's presence began at ``p`` at ``t``."""
        visited[0] += 1
        if max_states is not None and visited[0] > max_states:
            raise OracleTooBig(f"more than {max_states:,} states")
        if phase == 0 and idx == 0:
            # start of instant t: population arrivals
            if t > end:
                return sum(net[h] for h in range(P) if d.haven[h])
            arr = d.arrivals.get(t)
            if arr:
                pl = list(present)
                for p, n in arr:
                    pl[p] += n
                present = tuple(pl)
        if idx >= len(veh):
            if phase == 0:
                return value(t, 1, 0, tuple(sorted(veh)), present, net, q, started)
            # end of instant t: capacity after all pickups and deliveries, stands
            if any(net[p] > d.cap[p] for p in range(P)) or (
                started and not d.stands_ok(veh, started, t)
            ):
                return NEG
            if any(d.berthed) and not d.berths_ok(veh, t):
                return NEG
            settled = rates.settle(q, t)
            if settled is None:
                return NEG
            # vehicles and people at struck places are out of the game
            nv = tuple(sorted(v for v in veh if v[1] == 1 or t + 1 <= d.deadline[v[2]]))
            return value(t + 1, 0, 0, nv, present, net, settled, 0)
        c, moving, p, when = veh[idx][:4]
        best = NEG
        if phase == 0:
            if not moving or (when > t and not d.track):  # nothing to decide (fast path)
                return value(t, 0, idx + 1, veh, present, net, q, started)
            for new, delta, q2, mark in _arrivals(d, rates, veh[idx], t, q):
                if new is veh[idx]:  # keeps travelling
                    best = max(best, value(t, 0, idx + 1, veh, present, net, q, started))
                    continue
                nv = (*veh[:idx], new, *veh[idx + 1 :])
                pl, nl = list(present), list(net)
                pl[p] += delta
                nl[p] += delta
                best = max(best, value(t, 0, idx + 1, nv, tuple(pl), tuple(nl), q2, started | mark))
            return best
        if moving or when > t:
            return value(t, 1, idx + 1, veh, present, net, q, started)
        back = d.damaged(c, p, t)
        stay = veh if back == t else (*veh[:idx], (c, 0, p, back, *veh[idx][4:]), *veh[idx + 1 :])
        best = value(t, 1, idx + 1, stay, present, net, q, started)  # stay
        for j, n, dur in departures(c, p, t, present[p]):
            gone = _leaving(d, veh[idx], t, j, n, dur)
            if gone is None:
                continue
            nv = (*veh[:idx], gone, *veh[idx + 1 :])
            pl, nl = list(present), list(net)
            pl[p] -= n
            nl[p] -= n
            q2 = rates.book(q, c, p, t, n)
            best = max(best, value(t, 1, idx + 1, nv, tuple(pl), tuple(nl), q2, started))
        return best

    present_from = (lambda r: (-1, 0, r)) if d.track else (lambda r: ())
    veh0 = tuple(
        sorted(
            (c, 0, p, r, 0, flown, duty, last, *present_from(r))
            for c, p, r, flown, duty, last in d.vehicles
        )
    )
    zero = tuple(0 for _ in range(P))
    best = value(0, 0, 0, veh0, zero, zero, rates.start(), 0)
    trips = _replay(d, rates, value, departures, veh0, best)
    return OracleResult(best, trips, value.cache_info().currsize)


def _replay(
    d: _Data, rates: _Rates, value, departures, veh0: tuple[VState, ...], best: int
) -> list[Trip]:  # type: ignore[no-untyped-def]
    """Follow the optimal decisions forward and write the trips (one group per vehicle)."""
    end, P = d.end, d.P
    # full state: per vehicle id, (reduced state, origin, depart)
    ids = list(range(len(veh0)))
    full = {i: (veh0[i], -1, -1) for i in ids}
    trips: list[Trip] = []
    present = [0] * P
    net = [0] * P
    q = rates.start()

    def order() -> list[int]:
        return sorted(full, key=lambda i: (full[i][0], i))

    for t in range(end + 1):
        for p, n in d.arrivals.get(t, []):
            present[p] += n
        started = 0
        for phase in (0, 1):
            seq = order()
            veh = tuple(full[i][0] for i in seq)
            # value() adds the arrivals itself at (t, 0, 0): undo them for the lookup
            pres = list(present)
            if phase == 0:
                for p, n in d.arrivals.get(t, []):
                    pres[p] -= n
            for idx, vid in enumerate(seq):
                state, origin, depart = full[vid]
                c, moving, p, when, people = state[:5]
                cur = value(
                    t,
                    phase,
                    idx,
                    veh,
                    tuple(pres if idx == 0 and phase == 0 else present),
                    tuple(net),
                    q,
                    started,
                )
                # (new state, delta at place, place, throughput state, presences begun)
                choices: list[tuple[VState, int, int, Flow | None, int]] = []
                if phase == 0:
                    for came, delta, q3, mark in _arrivals(d, rates, state, t, q):
                        choices.append((came, delta, p, q3, mark))
                elif phase == 1 and not moving and when <= t:
                    back = d.damaged(c, p, t)
                    stay = state if back == t else (c, 0, p, back, *state[4:])
                    choices.append((stay, 0, p, q, 0))
                    for j, n, dur in departures(c, p, t, present[p]):
                        if (gone := _leaving(d, state, t, j, n, dur)) is not None:
                            choices.append((gone, -n, p, rates.book(q, c, p, t, n), 0))
                else:
                    choices.append((state, 0, p, q, 0))
                for new, delta, place, q2, mark in choices:
                    if q2 is None:
                        continue
                    nv = (*veh[:idx], new, *veh[idx + 1 :])
                    pl, nl = list(present), list(net)
                    pl[place] += delta
                    nl[place] += delta
                    if (
                        value(t, phase, idx + 1, nv, tuple(pl), tuple(nl), q2, started | mark)
                        == cur
                    ):
                        started |= mark
                        break
                else:  # pragma: no cover - the memo always has a matching choice
                    raise AssertionError("oracle replay lost the optimum")
                if new != state and phase == 0 and new[1] == 1:
                    full[vid] = (new, origin, depart)  # begins unloading
                elif new != state:
                    if phase == 0:
                        trips.append(
                            Trip(
                                group=f"v{vid}",
                                vehicle_class=d.cnames[c],
                                count=1,
                                origin=d.names[origin],
                                depart=float(depart),
                                destination=d.names[p],
                                arrive=float(t),
                                people=people,
                            )
                        )
                        full[vid] = (new, -1, -1)
                    else:
                        full[vid] = (new, p, t)
                present, net, q = pl, nl, q2
                veh = nv
        settled = rates.settle(q, t)
        assert settled is not None  # the optimum's branch settles every period
        q = settled
        # drop vehicles stuck at struck places, as value() does
        for vid in list(full):
            state = full[vid][0]
            if state[1] == 0 and not t + 1 <= d.deadline[state[2]]:
                del full[vid]
    del best
    return trips
