"""A discrete-event simulation of a plan meeting the world.

The simulator executes a plan's trips as dispatch orders: a group leaves its origin at the
planned time or when it is ready (whichever is later), with as many of its vehicles as are
really there, picks up as many of the planned people as are really waiting, and waits for
berths, loading allowance, open lanes and open places as the rules of docs/model.md demand.
Travel times carry lognormal noise and vehicles break down when the scenario's
``perturbations`` say so. Events fire at their time; a surprise event stops the clock for
the operation to replan from its state (``policy="replan"``) or to keep its plan
(``policy="follow"``).

Cost grows with the plan's trips and the scenario's events, not with heads or vehicles:
vehicles are counts per (place, class), production is counted lazily per shipyard.
"""

from __future__ import annotations

import copy
import heapq
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evacuate import units
from evacuate.planio import Trip, Walk
from evacuate.scenario.arrivals import releases
from evacuate.scenario.model import (
    Event,
)
from evacuate.scenario.scenario import Scenario
from evacuate.scenario.summary import effective_deadline
from evacuate.simulation import appear, departures, harms, helps, instant, walking
from evacuate.simulation.limits import SimLimits
from evacuate.simulation.log import LogEvent
from evacuate.simulation.parts import (
    APPEAR,
    ARRIVE,
    DEPART,
    EPS,
    EVENT,
    STRIKE,
    Group,
    InTransit,
    Yard,
    tol,
)
from evacuate.simulation.world import Closure, Held, Routes, Throughput

__all__ = ["Engine", "Group", "InTransit"]

log = logging.getLogger(__name__)

_EPS = EPS
_ARRIVE, _APPEAR, _EVENT, _DEPART, _STRIKE = ARRIVE, APPEAR, EVENT, DEPART, STRIKE


@dataclass
class Engine:
    """The state of a running simulation (copyable: replanning forks it to compare plans)."""

    scenario: Scenario
    noise_cv: float = 0.0
    breakdown_p: float = 0.0
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    record: bool = True

    def __post_init__(self) -> None:
        s = self.scenario
        self.now = 0.0
        self.progress = 0
        self.turns: instant.Turns | None = None  # the order of this instant's pickups
        self.chains = False  # whether a plan loaded has loaded trips that take no time
        self.heap: list[tuple[float, int, int, str, Any]] = []
        self.seq = 0
        self.log: list[LogEvent] = []
        self.classes = {c.id: c for c in s.enabled_classes}
        self.routes = Routes(s)
        hours = units.TIME_UNITS[s.time_unit] / units.TIME_UNITS["hour"]
        self.throughput = Throughput(s, max(1.0, 1.0 / hours), hours)
        self.place_closures: dict[str, list[Closure]] = {}
        self.deadline: dict[str, float | None] = {}
        self.strike_version: dict[str, int] = {}
        self.struck: set[str] = set()
        # haven status is decided by the deadlines the operation knows at the start
        self.haven = {p.id: False for p in s.places}
        self.present: dict[str, int] = {p.id: 0 for p in s.places}
        self.rescued_at: dict[str, int] = {p.id: 0 for p in s.places}
        self.netinflow: dict[str, int] = {p.id: 0 for p in s.places}
        self.pool: dict[tuple[str, str], int] = {}
        self.yards: list[Yard] = []
        self.groups: dict[str, Group] = {}
        self.transit: list[InTransit] = []
        self.parked: dict[tuple[str, str], list[Group]] = {}
        self.unloading: list[tuple[str, int, str, str]] = []
        self.withdrawn: dict[str, tuple[float, bool]] = {}
        self.benched: dict[str, list[Held]] = {}
        """Vehicles of withdrawn operators, where they are (a return_operator gives them back);
        shipyards' output is given back through ``Yard.benched``."""
        self.population = 0
        self.lost_people = 0
        self.lost_by_place: dict[str, int] = {p.id: 0 for p in s.places}
        self.vehicles_entered = 0
        self.vehicles_lost = 0
        self.vehicles_broken = 0
        self.vehicles_withdrawn = 0
        self.last_rescue: float | None = None
        self.trips_made = 0
        self.fired: list[Event] = []
        self.surprises: list[tuple[float, str]] = []
        self.walkers = walking.Walkers()
        for p in s.places:
            d = effective_deadline(s, p.id)
            self.deadline[p.id] = d
            self.haven[p.id] = p.capacity > 0 and (d is None or d > s.end)
            if d is not None:
                self._schedule_strike(p.id)
            if not self.haven[p.id]:
                if p.population:
                    self._push(0.0, _APPEAR, "appear", (p.id, p.population))
                # the world's arrivals: every enabled event holds people back, surprises too
                for at, n in releases(s, p, [e for e in s.events if e.enabled]):
                    self._push(at, _APPEAR, "appear", (p.id, n))
        # stock enters its place at ``available_from``: events and strikes before miss it
        self.held: list[Held] = []
        for st in s.fleet.stock:
            if st.vehicle_class in self.classes and st.count > 0:
                h = Held(
                    st.place,
                    st.vehicle_class,
                    st.count,
                    max(st.available_from, 0.0),
                    entering=st.id or "stock",
                )
                self.held.append(h)
                self._push(h.until, _APPEAR, "release", h)
        for y in s.fleet.shipyards:
            if y.vehicle_class in self.classes:
                self.yards.append(Yard(y, None))
        self.limits = SimLimits(self)  # stands, sorties and rest (limits.py)
        for e in sorted(s.enabled_events, key=lambda e: e.at):
            self._push(e.at, _EVENT, "event", e)

    # ----------------------------------------------------------------- bookkeeping
    def _push(self, t: float, prio: int, kind: str, payload: Any) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, prio, self.seq, kind, payload))

    def _log(self, t: float, kind: str, place: str = "", **kw: Any) -> None:
        if self.record:
            self.log.append(LogEvent(t, kind, place, **kw))

    def _schedule_strike(self, place: str) -> None:
        d = self.deadline[place]
        v = self.strike_version.get(place, 0) + 1
        self.strike_version[place] = v
        if d is not None and place not in self.struck:
            self._push(d, _STRIKE, "strike", (place, v))

    def _closed(self, place: str, t: float) -> float | None:
        """If the place is closed at t, when it reopens (inf: never); else None."""
        until: float | None = None
        for c in self.place_closures.get(place, []):
            if c.covers(t):
                end = math.inf if c.until is None else c.until
                until = end if until is None else max(until, end)
        return until

    def _enter(self, h: Held, t: float) -> None:
        """Stock enters its place (benched at once if its operator is withdrawn)."""
        name, h.entering = h.entering, None
        if h.count <= 0:
            return
        self.vehicles_entered += h.count
        self._log(t, "enter", h.place, vehicle_class=h.cls, vehicles=h.count, detail=name or "")
        op = self.classes[h.cls].operator
        if op in self.withdrawn:
            self.vehicles_withdrawn += h.count
            self.benched.setdefault(op, []).append(Held(h.place, h.cls, h.count, t))
            self._log(t, "withdrawn", h.place, vehicle_class=h.cls, vehicles=h.count)
            h.count = 0

    def _yard_sync(self, t: float) -> None:
        """Log production up to ``t`` (lazily, at the times something asks for it)."""
        for y in self.yards:
            made = y.made(t)
            if made > y.logged:
                self._log(
                    t,
                    "enter",
                    y.spec.place,
                    vehicle_class=y.spec.vehicle_class,
                    vehicles=made - y.logged,
                    detail=y.spec.id,
                )
                self.vehicles_entered += made - y.logged
                y.logged = made

    def available(self, place: str, cls: str, t: float) -> int:
        n = self.pool.get((place, cls), 0)
        for y in self.yards:
            if y.spec.place == place and y.spec.vehicle_class == cls:
                n += y.ready(t + tol(t))  # made within the checker's tolerance: there
        return n

    def _take(self, place: str, cls: str, n: int, t: float) -> None:
        have = self.pool.get((place, cls), 0)
        k = min(have, n)
        self.pool[(place, cls)] = have - k
        n -= k
        for y in self.yards:
            if n <= 0:
                break
            if y.spec.place == place and y.spec.vehicle_class == cls:
                k = min(n, y.ready(t + tol(t)))
                y.taken += k
                n -= k

    # ----------------------------------------------------------------- plans
    def load_plan(self, trips: list[Trip], prefix: str = "") -> None:
        """Add a plan's trips as dispatch orders (groups start at their first trip)."""
        by_group: dict[str, list[Trip]] = {}
        self.chains = self.chains or instant.has_chains(trips)
        for tr in trips:
            by_group.setdefault(tr.group, []).append(tr)
        for gid, ts in by_group.items():
            ts.sort(key=lambda x: (x.depart, x.arrive))
            vc = self.classes.get(ts[0].vehicle_class)
            if vc is None:
                continue
            g = Group(prefix + gid, vc, ts, ts[0].count)
            self.groups[g.id] = g
            self._push(ts[0].depart, _DEPART, "dispatch", g)

    def load_walks(self, walks: Sequence[Walk], prefix: str = "") -> None:
        """Add a plan's walks as orders (walking.py)."""
        walking.load_walks(self, walks, prefix)

    def add_event(self, event: Event) -> None:
        """Schedule one more event (at or after ``now``), as if it had been in the scenario
        after its own events of that instant: a forked run can take a strike the scenario
        did not have."""
        if event.at < self.now:
            raise ValueError(f"event {event.id} at {event.at:g} is before now ({self.now:g})")
        self._push(event.at, _EVENT, "event", event)

    def drop_orders(self) -> None:
        """Forget every trip not yet started (groups under way finish their current trip)."""
        for g in self.groups.values():
            if not g.done and g.next < len(g.trips) and g.place is not None:
                self.limits.ended(g, g.place, g.count)
            g.done = True
        self.parked = {}
        walking.drop_walks(self)

    # ----------------------------------------------------------------- run
    def run(self, until: float = math.inf, stop_at_surprise: bool = True, before: int = 99) -> bool:
        """Process events up to ``until`` (those at ``until`` only if they come before the
        ``before`` step: e.g. ``_DEPART`` stops short of departures at ``until``); with
        ``stop_at_surprise``, return True right after the surprise events of one instant
        fired (the caller may replan, then run again)."""
        end = self.scenario.end
        while self.heap:
            t, prio, _, kind, payload = self.heap[0]
            if self.unloading and (t > self.now or prio >= _STRIKE):
                instant.flush(self)
            if t > until or (t == until and prio >= before) or t > end + tol(end):
                break
            heapq.heappop(self.heap)
            self.now = t
            if kind != "dispatch":
                self.progress += 1
            if kind == "arrive":
                self._arrive(payload)
            elif kind == "reach":
                self._reach(payload)
            elif kind in appear.KINDS:
                appear.happen(self, kind, payload)
            elif kind == "event":
                self._event(payload)
                if payload.mode == "surprise":
                    self.surprises.append((t, payload.id))
                nxt = self.heap[0] if self.heap else None
                more = nxt is not None and nxt[0] == t and nxt[1] == _EVENT
                if stop_at_surprise and payload.mode == "surprise" and not more:
                    return True
            elif kind == "dispatch":
                self._dispatch(payload)
            elif kind == walking.WALK_DEPART:
                walking.set_out(self, payload)
            elif kind == walking.WALK_ARRIVE:
                walking.arrive(self, payload)
            elif kind == "strike":
                place, v = payload
                if self.strike_version.get(place) == v:
                    self._strike(place)
        if self.unloading and (not self.heap or self.heap[0][0] > self.now):
            instant.flush(self)
        if until >= end:
            # the horizon: nothing after ``end`` happens
            self.heap.clear()
            for waiting in self.parked.values():
                for g in waiting:
                    if not g.done and g.next < len(g.trips):
                        self._cancel(
                            g, g.trips[g.next], end, "the vehicles it waited for never came"
                        )
            self.parked = {}
            self.now = max(self.now, end)
            self._yard_sync(self.now)
        return False

    # ----------------------------------------------------------------- handlers
    def _dispatch(self, g: Group) -> None:
        departures.depart(self, g)

    def _reach(self, it: InTransit) -> None:
        """The group is at the destination: wait for the place to open and for berths."""
        if it.aborted:
            return
        t = self.now
        unload = it.group.vc.unload_time if it.people > 0 else 0.0
        # a closed place admits no arrival (the end of unloading, docs/model.md) while closed
        reopen = self._closed(it.destination, t + unload)
        if reopen is not None and not math.isinf(reopen) and reopen - unload > t:
            self._push(reopen - unload, _ARRIVE, "reach", it)
            return
        if self.limits.must_wait(self, it, t):
            return  # no stand free yet: tried again when one frees
        if it.people > 0:
            start, _ = self.throughput.earliest(
                it.destination, t, it.vehicles, it.people, unload, unload=True
            )
            if start > t + _EPS:
                self._push(start, _ARRIVE, "reach", it)
                return
            self.throughput.book(it.destination, t, it.vehicles, it.people, unload, unload=True)
        it.reach = t
        it.arrive = t + unload
        if abs(it.arrive - it.target) <= 1e-9 * max(1.0, abs(it.target)):
            it.arrive = it.target
        self._push(it.arrive, _ARRIVE, "arrive", it)

    def _arrive(self, it: InTransit) -> None:
        if it.aborted:
            return
        t = self.now
        g, dest = it.group, it.destination
        self.transit.remove(it)
        self.limits.flown(g, it.depart, t, it.people > 0)
        d = self.deadline[dest]
        if dest in self.struck or (d is not None and t >= d - _EPS):
            self._lose_transit(it, t, "arrived after the deadline")
            g.done = True
            return
        delivered = it.people
        if delivered:
            surplus = max(0, delivered - self._room(dest))
            delivered -= surplus
            self._deliver(dest, delivered, t)
            if surplus:
                # people picked up here in this same instant may make room: they wait on
                # board until the instant's departures are done
                self.unloading.append((dest, surplus, g.id, it.origin))
        self._log(
            t,
            "arrive",
            dest,
            other=it.origin,
            group=g.id,
            vehicle_class=g.vc.id,
            vehicles=it.vehicles,
            people=delivered,
        )
        n = it.vehicles
        if self.breakdown_p > 0 and n > 0:
            broken = int(self.rng.binomial(n, self.breakdown_p))
            if broken:
                n -= broken
                self.vehicles_broken += broken
                self._log(t, "breakdown", dest, group=g.id, vehicle_class=g.vc.id, vehicles=broken)
        op = g.vc.operator
        # after a loaded trip the vehicles rest (turnaround), held at the place meanwhile
        rest = g.vc.turnaround if it.people > 0 else 0.0
        if op in self.withdrawn and t >= self.withdrawn[op][0] - _EPS:
            if n:
                self.vehicles_withdrawn += n
                self.benched.setdefault(op, []).append(Held(dest, g.vc.id, n, t + rest))
                self._log(t, "withdrawn", dest, group=g.id, vehicle_class=g.vc.id, vehicles=n)
            if not helps.comes_back(self, op, t) or n <= 0:
                g.done = True
                return
            # the operator comes back: the group keeps its plan (its vehicles are benched)
            g.count, g.place, g.ready = n, dest, t + rest
            if not g.done and g.next < len(g.trips):
                self._push(max(t + rest, g.trips[g.next].depart), _DEPART, "dispatch", g)
            return
        if rest > 0 and n > 0:
            h = Held(dest, g.vc.id, n, t + rest)
            self.held.append(h)
            self._push(t + rest, _APPEAR, "release", h)
        else:
            self.pool[(dest, g.vc.id)] = self.pool.get((dest, g.vc.id), 0) + n
            self._unpark(dest, g.vc.id)
        g.count, g.place, g.ready = n, dest, t + rest
        if g.done or g.next >= len(g.trips):
            self.limits.ended(g, dest, n)  # its vehicles keep its record there
        if n <= 0:
            if not g.done and g.next < len(g.trips):
                self._cancel(g, g.trips[g.next], t, "no vehicles left in the group")
            g.done = True
            return
        if not g.done and g.next < len(g.trips):
            self._push(max(t + rest, g.trips[g.next].depart), _DEPART, "dispatch", g)

    def _incoming(self, place: str, cls: str, waiting: Group) -> bool:
        """Whether vehicles of ``cls`` are still to come to ``place`` by the plan: a trip under
        way there, or a group whose remaining trips end there."""
        for it in self.transit:
            if it.destination == place and it.group.vc.id == cls and it.vehicles > 0:
                return True
        for h in self.held:
            if h.place == place and h.cls == cls and h.count > 0:
                return True  # resting (turnaround) or not yet available: released later
        for g in self.groups.values():
            if g is waiting or g.done or g.vc.id != cls or g.count <= 0:
                continue
            if g.place is None and g.next == 0:
                continue  # not started: it draws vehicles, it does not bring them
            if any(tr.destination == place for tr in g.trips[g.next :]):
                return True
        return False

    def _unpark(self, place: str, cls: str) -> None:
        for g in self.parked.pop((place, cls), []):
            self._push(self.now, _DEPART, "dispatch", g)

    def _retry(self, g: Group, t: float) -> bool:
        """Put the dispatch back behind the other events of this instant, once per change."""
        later_now = bool(self.heap) and self.heap[0][0] == t
        if not later_now or g.retry_mark == self.progress:
            return False
        g.retry_mark = self.progress
        self._push(t, _DEPART, "dispatch", g)
        return True

    def _cancel(self, g: Group, tr: Trip, t: float, why: str) -> None:
        self._log(
            t,
            "cancelled",
            tr.origin,
            other=tr.destination,
            group=g.id,
            vehicle_class=g.vc.id,
            vehicles=tr.count,
            people=tr.people,
            detail=why,
        )
        g.done = True

    # ----------------------------------------------------------------- people
    def _deliver(self, dest: str, n: int, t: float) -> None:
        if n <= 0:
            return
        if self.haven[dest]:
            self.rescued_at[dest] += n
            self.last_rescue = t
        else:
            self.present[dest] += n
        self.netinflow[dest] += n

    def _pickable(self, place: str) -> int:
        """People a departure may take at ``place`` now: those there (at a haven the rescued
        too) and those still on board there waiting for room (a departure this instant makes
        it: at one instant only the balance at its end counts, as in the checker)."""
        here = self.present[place] + (self.rescued_at[place] if self.haven[place] else 0)
        return here + instant.on_board_at(self, place)

    def _pick(self, place: str, n: int) -> None:
        if n <= 0:
            return
        short = n - self.present[place] - (self.rescued_at[place] if self.haven[place] else 0)
        if short > 0:
            instant.unload_for(self, place, short)
        if self.haven[place]:
            k = min(n, self.rescued_at[place])
            self.rescued_at[place] -= k
            n2 = n - k
            self.present[place] -= n2
        else:
            self.present[place] -= n
        self.netinflow[place] -= n

    def _put_back(self, place: str, n: int, t: float) -> None:
        """People taken off a trip that will not happen, back where they were picked up."""
        if place in self.struck:
            self.lost_people += n
            self.lost_by_place[place] += n
            self._log(t, "lost_people", place, people=n, detail="hazard")
            return
        if self.haven[place]:
            self.rescued_at[place] += n
        else:
            self.present[place] += n
        self.netinflow[place] += n

    def _room(self, place: str) -> int:
        cap = self.scenario.place(place).capacity
        return max(0, cap - self.netinflow[place])

    def _lose_transit(self, it: InTransit, t: float, why: str, where: str | None = None) -> None:
        """A group is lost with its passengers at ``where`` (default: its destination)."""
        place = it.destination if where is None else where
        if it.people:
            self.lost_people += it.people
            self.lost_by_place[place] += it.people
            self._log(t, "lost_people", place, group=it.group.id, people=it.people, detail=why)
        self.vehicles_lost += it.vehicles
        self._log(
            t,
            "lost_vehicles",
            place,
            group=it.group.id,
            vehicle_class=it.group.vc.id,
            vehicles=it.vehicles,
            detail=why,
        )

    # ------------------------------------------------- hazard and events (harms.py)
    def _strike(self, place: str) -> None:
        harms.strike(self, place)

    def _event(self, e: Event) -> None:
        harms.fire(self, e)

    # ----------------------------------------------------------------- state
    def rescued(self) -> int:
        return sum(self.rescued_at[p] for p, h in self.haven.items() if h)

    def waiting(self) -> int:
        """People at places, not rescued, and walkers under way."""
        return sum(self.present.values()) + self.walkers.walking()

    def on_board(self) -> int:
        return sum(it.people for it in self.transit) + sum(x[1] for x in self.unloading)

    def forget_surprises(self) -> None:
        """Drop the surprise events still to come (a fork judging a plan without them)."""
        kept = [e for e in self.heap if not (e[3] == "event" and e[4].mode == "surprise")]
        if len(kept) < len(self.heap):
            self.heap = kept
            heapq.heapify(self.heap)

    def fork(self) -> Engine:
        """A copy that records nothing and draws no noise (to compare plans from this state)."""
        twin = copy.copy(self)
        memo: dict[int, Any] = {id(self.scenario): self.scenario}
        for g in self.groups.values():
            memo[id(g.trips)] = g.trips  # plans are never changed: share them
        for shared in (
            *self.classes.values(),
            *self.scenario.events,
            *self.scenario.fleet.shipyards,
        ):
            memo[id(shared)] = shared  # immutable scenario parts
        for name, value in vars(self).items():
            if name in ("scenario", "log", "rng"):
                continue
            setattr(twin, name, copy.deepcopy(value, memo) if name != "routes" else value)
        twin.routes = copy.copy(self.routes)
        twin.routes.lane_closures = copy.deepcopy(self.routes.lane_closures)
        twin.routes.direct_closures = copy.deepcopy(self.routes.direct_closures)
        twin.log = []
        twin.record = False
        twin.noise_cv = 0.0
        twin.breakdown_p = 0.0
        twin.rng = np.random.default_rng(0)
        return twin
