"""The checker's state: the plan's trips as arrays, the scenario's places, classes and
deadlines (explicit, from the hazard front, moved by known events)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from evacuate.planio import Plan
from evacuate.scenario.model import (
    LatLon,
    MoveDeadline,
)
from evacuate.units import DISTANCE_UNITS

if TYPE_CHECKING:
    from evacuate.scenario.model import Position
    from evacuate.scenario.scenario import Scenario

from evacuate.check.arrivals import place_arrivals
from evacuate.check.common import _BIG, EARTH_RADIUS_KM, INF, IntArr, _codes, _t, _tol
from evacuate.check.report import _Collector


def _whole(x: object) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and abs(int(x)) < _BIG


def _real(x: object) -> float:
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        return float(x)
    return math.nan


class CheckerBase:
    """The plan's trips as arrays and the scenario's places, classes and deadlines; each
    rule family is a subclass adding its checks."""

    _by_lane: dict[str, list[tuple[float, float]]]
    _by_pair: dict[frozenset[str], list[tuple[float, float]]]
    _declared: set[frozenset[str]]
    _people_trips: IntArr

    def __init__(self, sc: Scenario, plan: Plan, cap: int | None) -> None:
        self.sc = sc
        self.plan = plan
        self.end = float(sc.scenario.end)
        self.E = self.end + _tol(self.end)
        self.unit = sc.scenario.time_unit
        self.places = list(sc.places)
        self.pidx = {p.id: i for i, p in enumerate(self.places)}
        self.classes = list(sc.fleet.classes)
        self.cidx = {c.id: i for i, c in enumerate(self.classes)}
        self.events = [e for e in sc.events if e.enabled and e.mode == "known"]
        self.arrivals = [place_arrivals(p, self.events, self.end, self.unit) for p in self.places]
        trips = plan.trips
        self.n = n = len(trips)
        groups, vclasses, origins, dests = (
            list(map(attrgetter(name), trips))
            for name in ("group", "vehicle_class", "origin", "destination")
        )
        self.out = _Collector(cap, groups)

        P, C = len(self.places), len(self.classes)
        self.P, self.C = P, C
        self.deadline = np.array(
            [INF if d is None else d for d in self._deadlines()], dtype=np.float64
        )
        self.has_deadline = np.isfinite(self.deadline)
        self.struck = self.deadline <= self.end
        self.capacity = np.array([p.capacity for p in self.places], dtype=np.int64)
        self.haven = (self.capacity > 0) & ~self.struck

        self.ccap = np.array([c.capacity for c in self.classes] + [0], dtype=np.int64)
        self.cload = np.array([c.load_time for c in self.classes] + [0.0], dtype=np.float64)
        self.cunload = np.array([c.unload_time for c in self.classes] + [0.0], dtype=np.float64)
        self.cenabled = np.array([c.enabled for c in self.classes] + [False], dtype=bool)
        self.crest = np.array([c.turnaround for c in self.classes] + [0.0], dtype=np.float64)

        # trip arrays. Codes number every name (known ids first, unknown ones after); the
        # index arrays hold -1 for unknown ids (the extra last slot of the per-class arrays).
        self.cls_code = _codes(vclasses, self.cidx)
        self.o_code = _codes(origins, self.pidx, also=dests)
        self.d_code = _codes(dests, self.pidx, also=origins)
        self.group_code = _codes(groups, {})
        self.cls = np.where(self.cls_code < C, self.cls_code, -1)
        self.o = np.where(self.o_code < P, self.o_code, -1)
        self.d = np.where(self.d_code < P, self.d_code, -1)
        # a Trip built in Python may hold anything: counts that are not whole numbers (or
        # past 2**62) are reported under "not_whole" and read as an empty move of one vehicle;
        # times that are not real numbers are read as NaN and reported under "not_finite"
        counts = list(map(attrgetter("count"), trips))
        people = list(map(attrgetter("people"), trips))
        self.not_whole = [
            i
            for i, (c, p) in enumerate(zip(counts, people, strict=True))
            if not (_whole(c) and _whole(p))
        ]
        for i in self.not_whole:
            counts[i], people[i] = 1, 0
        self.count = np.fromiter(counts, np.int64, n)
        self.people = np.fromiter(people, np.int64, n)
        self.depart = np.fromiter(map(_real, map(attrgetter("depart"), trips)), np.float64, n)
        self.arrive = np.fromiter(map(_real, map(attrgetter("arrive"), trips)), np.float64, n)
        self.finite = np.isfinite(self.depart) & np.isfinite(self.arrive)
        self.kc = self.cls >= 0
        self.kp = (self.o >= 0) & (self.d >= 0)
        self.loaded = self.people > 0
        self.L = np.where(self.loaded, self.cload[self.cls], 0.0)
        self.U = np.where(self.loaded, self.cunload[self.cls], 0.0)
        self.t0 = self.depart + self.L
        # people are delivered at arrive (never before they left, for the accounting)
        self.tdel = np.where(self.finite, np.maximum(self.arrive, self.depart), self.arrive)
        # vehicles are free again after their turnaround (loaded trips only)
        self.rest = np.where(self.loaded, self.crest[self.cls], 0.0)

    # ------------------------------------------------------------------ geometry
    def _distance(self, a: Position | None, b: Position | None) -> float | None:
        if a is None or b is None:
            return None
        if self.sc.map.kind == "sphere":
            if not isinstance(a, LatLon) or not isinstance(b, LatLon):
                return None
            p1, p2 = math.radians(a.lat), math.radians(b.lat)
            dp, dl = p2 - p1, math.radians(b.lon - a.lon)
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            km = 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
            return km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[self.sc.map.unit]
        if isinstance(a, LatLon) or isinstance(b, LatLon):
            return None
        za = a[2] if len(a) > 2 else 0.0
        zb = b[2] if len(b) > 2 else 0.0
        return math.hypot(a[0] - b[0], a[1] - b[1], za - zb)

    def _deadlines(self) -> list[float | None]:
        """Explicit deadline, else the hazard front's arrival (within max_radius), then known
        move_deadline events in time order."""
        hz = self.sc.hazard
        moves: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, MoveDeadline):
                    moves[eff.place].append((ev.at, eff.to))
        out: list[float | None] = []
        for p in self.places:
            d: float | None = p.deadline
            if d is None and hz is not None:
                r = self._distance(hz.origin, p.position)
                if r is not None and (hz.max_radius is None or r <= hz.max_radius):
                    d = hz.start + r / hz.speed
            # AMBIGUITY: a move that comes after the deadline has struck changes nothing (the
            # place is already lost); a move to a time before the event takes effect at the
            # event: trips before it were judged by the old deadline.
            # at one instant, moves apply in file order (the last one wins): docs/model.md
            for at, to in sorted(moves.get(p.id, []), key=lambda m: m[0]):
                if d is not None and d < at:
                    break
                d = max(to, at)
            out.append(d)
        return out

    def _text(self, template: str) -> Callable[[int, float], str]:
        """A message maker filling {group}, {count}, {depart}... from the trip, {amount}."""

        def make(i: int, amount: float) -> str:
            t = self.plan.trips[i]
            return template.format(
                group=t.group,
                vehicle_class=t.vehicle_class,
                count=t.count,
                origin=t.origin,
                depart=_t(t.depart),
                destination=t.destination,
                arrive=_t(t.arrive),
                people=f"{t.people:,}",
                amount=f"{amount:,.6g}",
            )

        return make

    def _name(self, i: int, what: str) -> str:
        t = self.plan.trips[i]
        return str(getattr(t, what))
