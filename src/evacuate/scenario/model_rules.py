"""Checks of a typed scenario: isolated places and speeds, hazard reach and havens, and the
warnings (capacity, vehicles, reachability by earliest arrivals).

``check_model`` runs the rules of ``MODEL_RULES``; then, when every reference resolves (no
error from ``validate.check_raw``), those of ``DERIVED_RULES``; then, if all is well, the
warnings of ``WARNING_RULES``. Each returns ``(Issue, loc)`` pairs; the semantics (deadlines,
havens, routes) are those of docs/model.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from evacuate import units
from evacuate.errors import Issue
from evacuate.scenario import derive
from evacuate.scenario.model import LatLon
from evacuate.scenario.validate import Found, Loc, _found, _names, check_raw

if TYPE_CHECKING:
    from evacuate.scenario.model import Lane, Position, VehicleClass
    from evacuate.scenario.scenario import Scenario

__all__ = ["DERIVED_RULES", "MODEL_RULES", "WARNING_RULES", "check_model"]


ModelRule = Callable[["Scenario"], Iterator[Found]]


def _when(scenario: Scenario, t: float) -> str:
    text = "t = 0" if t == 0 else f"t = {units.format_duration(t, scenario.time_unit)}"
    start = scenario.scenario.start_date
    if start is not None:
        try:
            seconds = t * units.TIME_UNITS[scenario.time_unit]
            text += f" ({(start + dt.timedelta(seconds=seconds)).date().isoformat()})"
        except (OverflowError, ValueError):
            pass
    return text


def _used_places(scenario: Scenario) -> set[str]:
    """Places that trips must reach: people, capacity, or vehicles entering there."""
    used = {p.id for p in scenario.places if scenario.people_at(p) > 0 or p.capacity > 0}
    used |= {s.place for s in scenario.fleet.stock} | {y.place for y in scenario.fleet.shipyards}
    return used


def isolated_places(scenario: Scenario) -> Iterator[Found]:
    """A place with people, capacity or vehicles has a way in: a position, a lane or a walkway."""
    laned = {end for ln in scenario.travel.lanes for end in (ln.start, ln.end)}
    laned |= {end for w in scenario.travel.walkways for end in (w.start, w.end)}
    used = _used_places(scenario)
    for i, place in enumerate(scenario.places):
        if place.id not in used or place.id in laned:
            continue
        if scenario.travel.routes == "all" and place.position is None:
            yield _found(
                f"found place '{place.id}' with no position and no lane, so no trip can reach it; "
                "expected a position ([x, y]) or a lane in travel.lanes",
                ("places", i, "position"),
            )
        elif scenario.travel.routes == "lanes":
            yield _found(
                f"found place '{place.id}' that no lane joins, and travel.routes is 'lanes', so no "
                "trip can reach it; expected a lane in travel.lanes (or travel.routes: all)",
                ("places", i),
            )


def speedless_classes(scenario: Scenario) -> Iterator[Found]:
    """A class without speed is not asked to take a direct route (which needs one)."""
    if scenario.travel.routes != "all":
        return
    positioned = [p.id for p in scenario.places if p.position is not None]
    pairs = {frozenset((ln.start, ln.end)) for ln in scenario.travel.lanes}
    example = next(
        (
            (a, b)
            for k, a in enumerate(positioned)
            for b in positioned[k + 1 :]
            if a != b and frozenset((a, b)) not in pairs
        ),
        None,
    )
    if example is None:
        return
    for i, vc in enumerate(scenario.fleet.classes):
        if vc.speed is None:
            yield _found(
                f"found class '{vc.id}' without a speed, but travel.routes is 'all', so direct "
                f"routes such as {example[0]} -> {example[1]} need one; expected a speed "
                "(e.g. '50 km/h'), or travel.routes: lanes with a time on every lane",
                ("fleet", "classes", i, "speed"),
            )


def uncertainties(scenario: Scenario) -> Iterator[Found]:
    """The ``uncertainties`` section: shapes, paths that name numbers, units, ranges."""
    from evacuate.scenario import uncertain

    yield from uncertain.check(scenario)


MODEL_RULES: list[ModelRule] = [isolated_places, speedless_classes, uncertainties]
"""Rules on the typed scenario that hold even when references are broken."""


def haven_in_hazard_reach(scenario: Scenario) -> Iterator[Found]:
    """A place with capacity and no deadline of its own is not reached by the hazard in time."""
    for i, place in enumerate(scenario.places):
        if place.capacity <= 0 or place.deadline is not None:
            continue
        reached = derive.hazard_arrival(scenario, place)
        if reached is not None and reached <= scenario.end:
            yield _found(
                f"havens inside the hazard's reach: '{place.id}' (capacity {place.capacity}) is "
                f"reached by the hazard at {_when(scenario, reached)}, before scenario.end "
                f"({_when(scenario, scenario.end)}); expected a haven out of reach: move it, or "
                "give it an explicit deadline to make it a staging place",
                ("places", i, "capacity"),
            )


def populated_haven(scenario: Scenario) -> Iterator[Found]:
    """A haven (safe through the horizon) has nobody to evacuate."""
    for i, place in enumerate(scenario.places):
        people = scenario.people_at(place)
        if people > 0 and scenario.is_haven(place.id):
            field = next(
                f
                for f in ("population", "arrivals", "arrival_curve", "arrival_rates")
                if getattr(place, f)
            )
            yield _found(
                f"found {people} people at haven '{place.id}', which is safe through the "
                "horizon, so they are already rescued; expected no population at a haven "
                "(remove it, or give the place a deadline)",
                ("places", i, field),
            )


def _first_vehicle_time(scenario: Scenario, yard_index: int) -> float | None:
    """When a shipyard's first vehicle may leave, or None if it never makes one."""
    yard = scenario.fleet.shipyards[yard_index]
    if yard.max_total is not None and yard.max_total < 1:
        return None
    sched = yard.schedule
    points = sorted(
        {0.0}
        | {max(0.0, p.start) for p in sched}
        | {max(0.0, p.end) for p in sched if p.end is not None}
    )
    made = 0.0
    for k, t in enumerate(points):
        nxt = points[k + 1] if k + 1 < len(points) else math.inf
        rate = sum(p.rate / p.per for p in sched if p.start <= t and (p.end is None or t < p.end))
        if rate <= 0:
            continue
        if made + rate * (nxt - t) >= 1:
            first = t + (1 - made) / rate
            return first if yard.available_from is None else max(first, yard.available_from)
        made += rate * (nxt - t)
    return None


def _sources(scenario: Scenario, vc: VehicleClass) -> list[tuple[str, float]]:
    """(place, time) where vehicles of the class first enter."""
    out = [
        (s.place, s.available_from)
        for s in scenario.fleet.stock
        if s.vehicle_class == vc.id and s.count > 0
    ]
    for k, yard in enumerate(scenario.fleet.shipyards):
        if yard.vehicle_class == vc.id:
            t = _first_vehicle_time(scenario, k)
            if t is not None:
                out.append((yard.place, t))
    return out


class _Routes:
    """The routes between places and their travel times, as ``derive`` defines them; direct
    routes are computed a row of distances at a time (numpy), so large scenarios stay fast."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        places = scenario.places
        self.index = {p.id: i for i, p in enumerate(places)}
        self.n = len(places)
        self.positioned = np.array([p.position is not None for p in places], dtype=bool)
        self.direct = scenario.travel.routes == "all"
        coords = [_coords(p.position) for p in places]
        self.coords = np.array(coords, dtype=float).reshape(self.n, 3)
        self.sphere = scenario.map.kind == "sphere"
        self.km = units.DISTANCE_UNITS["km"] / units.DISTANCE_UNITS[scenario.map.unit]
        self.partners: list[set[int]] = [set() for _ in places]
        self.lanes_from: list[list[tuple[int, Lane]]] = [[] for _ in places]
        for ln in scenario.travel.lanes:
            a, b = self.index[ln.start], self.index[ln.end]
            self.partners[a].add(b)
            self.partners[b].add(a)
            self.lanes_from[a].append((b, ln))
            if ln.bidirectional:
                self.lanes_from[b].append((a, ln))
        deadlines = [scenario.deadline(p.id) for p in places]
        self.deadline = np.array([math.inf if d is None else d for d in deadlines], dtype=float)

    def distances_from(
        self, i: int, to: npt.NDArray[np.intp] | None = None
    ) -> npt.NDArray[np.float64]:
        """Direct-route distances from place ``i`` to every place, or to the places ``to``
        (inf where there is no direct route)."""
        idx = np.arange(self.n) if to is None else to
        out = np.full(len(idx), math.inf)
        if not self.direct or not self.positioned[i]:
            return out
        coords = self.coords[idx]
        with np.errstate(all="ignore"):  # huge coordinates give inf, as they should
            if self.sphere:
                lat, lon = np.radians(coords[:, 0]), np.radians(coords[:, 1])
                lat_i, lon_i = np.radians(self.coords[i, 0]), np.radians(self.coords[i, 1])
                h = (
                    np.sin((lat - lat_i) / 2) ** 2
                    + np.cos(lat_i) * np.cos(lat) * np.sin((lon - lon_i) / 2) ** 2
                )
                dist = 2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(h))) * self.km
            else:
                delta = coords - self.coords[i]
                dist = np.hypot(np.hypot(delta[:, 0], delta[:, 1]), delta[:, 2])
        blocked = ~self.positioned[idx] | (idx == i)
        if self.partners[i]:  # a declared lane replaces the direct route
            blocked |= np.isin(idx, list(self.partners[i]))
        return np.where(blocked, math.inf, dist)

    def lane_times(self, vc: VehicleClass, i: int) -> Iterator[tuple[int, float]]:
        ids = self.scenario.places
        for j, ln in self.lanes_from[i]:
            t = derive.route_time(self.scenario, vc, ids[i].id, ids[j].id, ln)
            if t is not None and j != i:
                yield j, t


def _coords(position: Position | None) -> tuple[float, float, float]:
    if position is None:
        return (0.0, 0.0, 0.0)
    if isinstance(position, LatLon):
        return (position.lat, position.lon, 0.0)
    return (position[0], position[1], position[2] if len(position) > 2 else 0.0)


def _earliest_arrivals(
    scenario: Scenario, routes: _Routes, vc: VehicleClass
) -> npt.NDArray[np.float64]:
    """Earliest time a vehicle of the class can be at each place (inf: never) by empty moves
    and chained trips, ignoring windows and events; no vehicle enters a place at or after its
    deadline (Dijkstra on earliest arrival times).

    Direct routes are straight lines, so a direct move out of a place that was itself reached
    by a direct move from ``k`` is never faster than ``k``'s own direct move, except toward the
    places ``k`` has no direct route to (its lane partners). Only sources and places reached by
    a lane move directly to every place; the others only toward those exceptions. The cost
    grows with sources and lanes times places, not with the square of the places."""
    best = np.full(routes.n, math.inf)
    every: frozenset[int] | None = None
    reach: list[frozenset[int] | None] = [frozenset()] * routes.n  # None: every place
    heap: list[tuple[float, int]] = []
    for place, t in _sources(scenario, vc):
        i = routes.index[place]
        if t <= routes.deadline[i] and t < best[i]:
            best[i], reach[i] = t, every
            heapq.heappush(heap, (t, i))
    settled = np.zeros(routes.n, dtype=bool)
    while heap:
        t, i = heapq.heappop(heap)
        if settled[i] or t > best[i]:
            continue
        settled[i] = True
        targets = reach[i]
        if vc.speed is not None and (targets is None or targets):
            to = None if targets is None else np.array(sorted(targets), dtype=np.intp)
            idx = np.arange(routes.n) if to is None else to
            with np.errstate(all="ignore"):
                arrive = t + routes.distances_from(i, to) / vc.speed
            better = (arrive < routes.deadline[idx]) & (arrive < best[idx]) & ~settled[idx]
            partners = frozenset(routes.partners[i])
            onward = partners if targets is None else targets & partners
            for k in np.flatnonzero(better):
                j = int(idx[k])
                best[j], reach[j] = float(arrive[k]), onward
                heapq.heappush(heap, (float(arrive[k]), j))
        for j, travel in routes.lane_times(vc, i):
            arrive_j = t + travel
            if not settled[j] and arrive_j < routes.deadline[j] and arrive_j < best[j]:
                best[j], reach[j] = arrive_j, every
                heapq.heappush(heap, (arrive_j, j))
    return best


def _enabled_with_vehicles(scenario: Scenario) -> list[VehicleClass]:
    return [vc for vc in scenario.enabled_classes if _sources(scenario, vc)]


def no_enabled_vehicle(scenario: Scenario) -> Iterator[Found]:
    """Some enabled class has vehicles (stock or production)."""
    if not _enabled_with_vehicles(scenario):
        enabled = [vc.id for vc in scenario.enabled_classes]
        classes = f"enabled classes: {_names(enabled)}" if enabled else "no class is enabled"
        yield _found(
            f"found no enabled vehicle ({classes}), so nobody can be evacuated; expected stock or "
            "a shipyard of an enabled class (enabled: true, or through a variant)",
            ("fleet",),
            "warning",
        )


def haven_capacity_short(scenario: Scenario) -> Iterator[Found]:
    """The havens can hold everyone to evacuate."""
    capacity = sum(p.capacity for p in scenario.havens)
    if capacity < scenario.population:
        yield _found(
            f"found total haven capacity {capacity:,}, less than the {scenario.population:,} "
            f"people to evacuate; at most {capacity:,} can be rescued (add havens or capacity)",
            ("places",),
            "warning",
        )


def _walk_into(scenario: Scenario) -> dict[int, set[int]]:
    """Per place index, the places people can walk to it from (``travel.walkways``)."""
    index = {p.id: i for i, p in enumerate(scenario.places)}
    out: dict[int, set[int]] = {}
    for w in scenario.travel.walkways:
        a, b = index[w.start], index[w.end]
        out.setdefault(b, set()).add(a)
        if w.both_ways:
            out.setdefault(a, set()).add(b)
    return out


def no_haven_reachable(scenario: Scenario) -> Iterator[Found]:
    """From every place with people, some chain of loaded trips leads to a haven."""
    classes = _enabled_with_vehicles(scenario)
    havens = [i for i, p in enumerate(scenario.places) if scenario.is_haven(p.id)]
    if not classes or not havens:
        return  # reported by no_enabled_vehicle / haven_capacity_short
    routes = _Routes(scenario)
    receiver = [p.capacity > 0 for p in scenario.places]
    direct = routes.direct and any(vc.speed is not None for vc in classes)
    lane_into: list[set[int]] = [set() for _ in scenario.places]
    for vc in classes:
        for i in range(routes.n):
            for j, _ in routes.lane_times(vc, i):
                lane_into[j].add(i)
    positioned = {i for i in range(routes.n) if routes.positioned[i]}
    walk_into = _walk_into(scenario)
    safe, todo = set(havens), list(havens)
    while todo:  # backwards from the havens: by vehicle into places that can receive
        j = todo.pop()  # evacuees, on foot from any place (walkers board where they arrive)
        into = set(walk_into.get(j, ()))
        if receiver[j]:
            into |= lane_into[j]
            if direct and routes.positioned[j]:
                into |= positioned - routes.partners[j] - {j}
        for i in into - safe:
            safe.add(i)
            todo.append(i)
    for i, place in enumerate(scenario.places):
        people = scenario.people_at(place)
        if people > 0 and i not in safe:
            yield _found(
                f"found {people:,} people at '{place.id}' with no route to any haven for "
                "any enabled class; expected a route (position or lane) to a haven",
                ("places", i),
                "warning",
            )


def unreachable_population(scenario: Scenario) -> Iterator[Found]:
    """Some enabled vehicle can start loading at each populated place before its deadline."""
    classes = _enabled_with_vehicles(scenario)
    if not classes:
        return
    routes = _Routes(scenario)
    arrivals = {vc.id: _earliest_arrivals(scenario, routes, vc) for vc in classes}
    # people who can walk away are the plan's to move: no warning for their place
    walkers = {w.start for w in scenario.travel.walkways}
    walkers |= {w.end for w in scenario.travel.walkways if w.both_ways}
    for i, place in enumerate(scenario.places):
        people, deadline = scenario.people_at(place), scenario.deadline(place.id)
        if people <= 0 or deadline is None or place.id in walkers:
            continue
        ready = 0.0 if place.population > 0 else scenario.releases(place)[0][0]
        ready = max(ready, place.open_from if place.open_from is not None else -math.inf)
        done = [
            max(float(arrivals[vc.id][i]), ready) + vc.load_time
            for vc in classes
            if arrivals[vc.id][i] < math.inf
        ]
        if done and min(done) <= deadline:
            continue
        earliest = (
            f"loading ends at {_when(scenario, min(done))} at the earliest"
            if done
            else "none can get there in time"
        )
        yield _found(
            f"found {people:,} people at '{place.id}' that no enabled vehicle can load before its "
            f"deadline {_when(scenario, deadline)} ({earliest}); they will be lost unless vehicles "
            "start nearer or earlier",
            ("places", i),
            "warning",
        )


DERIVED_RULES: list[ModelRule] = [haven_in_hazard_reach, populated_haven]
"""Rules that compute distances and deadlines; run only on a consistent scenario."""

WARNING_RULES: list[ModelRule] = [
    no_enabled_vehicle,
    haven_capacity_short,
    no_haven_reachable,
    unreachable_population,
]
"""Warnings (severity "warning"); run only on a scenario with no error, whose consequences
they would otherwise repeat."""


def check_model(scenario: Scenario) -> list[tuple[Issue, Loc]]:
    """Problems in a typed scenario: isolated places and speeds; then, when every reference
    resolves and positions match the map, hazard reach and havens; then, if all is well,
    the warnings (capacity, vehicles, reachability). Per-period work is bounded first
    (``step_rules``): past its limits, nothing else is computed."""
    from evacuate.scenario.step_rules import check_steps

    steps = check_steps(scenario)
    if steps:
        return steps
    found = [f for rule in MODEL_RULES for f in rule(scenario)]
    if any(issue.severity == "error" for issue, _ in check_raw(scenario.to_data())):
        return found  # broken references: derived quantities cannot be computed
    found += [f for rule in DERIVED_RULES for f in rule(scenario)]
    if any(issue.severity == "error" for issue, _ in found):
        return found
    return found + [f for rule in WARNING_RULES for f in rule(scenario)]
