"""Time series derived from a simulation's event log: what the report's figures draw.

Everything here reads a run's event log (``ReportRun.events`` or ``SimResult.events``; see
``evacuate.simulation.log`` for the kinds) and the scenario; nothing draws or prints. The
people model follows ``docs/model.md``:

- **rescued** at time t is the net inflow of havens: people delivered (``arrive``) to a haven,
  minus people picked up (``depart``) at a haven (a haven-to-haven move rescues nobody twice);
- **people at a place** are those who appeared there, plus those delivered there and not
  rescued (at a place that is not a haven, or turned away at a full one), minus those who
  departed from it or were lost there;
- people keep their **place of origin** through staging places (mixed in proportion), so the
  per-place table can say how many of a place's people were rescued.

Vehicles: ``enter`` adds vehicles to service; a group is *in a trip* from its ``depart`` to its
``arrive``; ``lost_vehicles``, ``breakdown`` and ``withdrawn`` take vehicles out of service; the
rest are *idle* (waiting at a place).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.log import LogEvent

__all__ = [
    "FleetSeries",
    "Mark",
    "PeopleFlow",
    "PlaceStats",
    "Step",
    "deadline_marks",
    "event_marks",
    "fleet_series",
    "horizon",
    "people_flow",
    "route_flows",
    "utilization",
]

_EPS = 1e-9


class Logged(Protocol):
    """A run with its scenario and event log: a ``SimResult`` or a stored ``ReportRun``."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def events(self) -> Sequence[LogEvent]: ...


# ---------------------------------------------------------------------------- step functions
@dataclass(frozen=True)
class Step:
    """A right-continuous step function: ``values[i]`` holds from ``times[i]`` to the next time.

    Before ``times[0]`` the value is 0. Times are increasing (one value per time).
    """

    times: tuple[float, ...]
    values: tuple[float, ...]

    def at(self, t: float) -> float:
        """The value at time ``t`` (after every change at ``t``)."""
        i = bisect.bisect_right(self.times, t) - 1
        return self.values[i] if i >= 0 else 0.0

    @property
    def final(self) -> float:
        return self.values[-1] if self.values else 0.0

    @property
    def peak(self) -> float:
        return max(self.values, default=0.0)

    def integral(self, start: float, end: float) -> float:
        """The area under the function over ``[start, end]``."""
        total = 0.0
        for i, t in enumerate(self.times):
            nxt = self.times[i + 1] if i + 1 < len(self.times) else end
            lo, hi = max(t, start), min(nxt, end)
            if hi > lo:
                total += self.values[i] * (hi - lo)
        return total

    def sampled(self, max_points: int, end: float) -> Step:
        """At most about ``max_points`` points: the value at evenly spaced times, keeping the
        first and last change exactly (a thinner figure, the same final value)."""
        if len(self.times) <= max_points or max_points < 3:
            return self
        t0, t1 = self.times[0], max(self.times[-1], end)
        grid = [t0 + (t1 - t0) * k / (max_points - 1) for k in range(max_points)]
        grid.append(self.times[-1])
        grid = sorted(set(grid))
        return Step(tuple(grid), tuple(self.at(t) for t in grid))

    def extended(self, end: float) -> Step:
        """The same function with a point at ``end`` (so a figure draws it to the horizon)."""
        if not self.times:
            return Step((0.0, end), (0.0, 0.0))
        if self.times[-1] >= end:
            return self
        return Step((*self.times, end), (*self.values, self.values[-1]))


class _StepBuilder:
    """Collects (time, new value) pairs in time order; later values at one time win."""

    def __init__(self, start: float = 0.0) -> None:
        self.times: list[float] = [start]
        self.values: list[float] = [0.0]
        self.value = 0.0

    def add(self, t: float, delta: float) -> None:
        self.set(t, self.value + delta)

    def set(self, t: float, value: float) -> None:
        self.value = value
        if self.times and abs(self.times[-1] - t) <= _EPS:
            self.values[-1] = value
        else:
            self.times.append(t)
            self.values.append(value)

    def build(self) -> Step:
        return Step(tuple(self.times), tuple(self.values))


def horizon(result: Logged) -> float:
    """The end of the figures' time axes: the scenario's end, or the last logged event."""
    last = result.events[-1].time if result.events else 0.0
    return max(result.scenario.end, last)


def _start(result: Logged) -> float:
    return min(0.0, result.events[0].time) if result.events else 0.0


# ---------------------------------------------------------------------------- people
@dataclass(frozen=True)
class PlaceStats:
    """One row of the per-place table, for one run."""

    place: str
    population: int
    """People who appeared at the place (time zero and later arrivals)."""
    picked_up: int
    """People who left the place on loaded trips."""
    received: int
    """Net people delivered to the place (delivered minus picked up); for a haven, rescued there."""
    rescued: float
    """People from this place (by origin, through staging places) who ended in a haven."""
    lost: int
    """People lost at this place (``lost_people`` logged here)."""
    waiting_at_end: float
    """People still at the place at the end of the log, not rescued."""
    deadline: float | None
    last_pickup: float | None
    """Time of the last loaded departure from the place."""
    haven: bool


@dataclass(frozen=True)
class PeopleFlow:
    """People over time for one run: rescued overall, present per place, and per-place totals."""

    rescued: Step
    present: dict[str, Step]
    """People at each place that ever held people (havens: only those turned away)."""
    places: tuple[PlaceStats, ...]
    """Every place of the scenario, in file order."""
    lost: Step
    """Cumulative people lost."""


def _take(pool: dict[str, float], n: float) -> dict[str, float]:
    """Remove ``n`` people from ``pool`` in proportion to its origins; return what was taken."""
    total = sum(pool.values())
    if total <= _EPS or n <= 0:
        return {}
    share = min(1.0, n / total)
    taken = {k: v * share for k, v in pool.items()}
    for k, v in taken.items():
        pool[k] -= v
        if pool[k] <= _EPS:
            del pool[k]
    return taken


def _put(pool: dict[str, float], part: dict[str, float]) -> None:
    for k, v in part.items():
        pool[k] = pool.get(k, 0.0) + v


def people_flow(result: Logged) -> PeopleFlow:
    """Follow every person in the log: rescued over time, people per place, per-place totals."""
    s = result.scenario
    haven = {p.id: summary.is_haven(s, p.id) for p in s.places}
    start = _start(result)
    rescued = _StepBuilder(start)
    lost_total = _StepBuilder(start)
    present: dict[str, _StepBuilder] = {}
    waiting: dict[str, dict[str, float]] = defaultdict(dict)  # place -> origin -> people
    safe: dict[str, dict[str, float]] = defaultdict(dict)  # haven -> origin -> people
    cargo: dict[str, dict[str, float]] = {}  # group -> origin -> people on board
    appeared: dict[str, int] = defaultdict(int)
    picked: dict[str, int] = defaultdict(int)
    delivered: dict[str, int] = defaultdict(int)
    lost_at: dict[str, int] = defaultdict(int)
    last_pickup: dict[str, float] = {}

    def mark(place: str, t: float) -> None:
        b = present.get(place)
        if b is None:
            b = present[place] = _StepBuilder(start)
        b.set(t, sum(waiting[place].values()))

    for e in result.events:
        if e.kind == "appear":
            appeared[e.place] += e.people
            _put(waiting[e.place], {e.place: float(e.people)})
            mark(e.place, e.time)
        elif e.kind == "depart" and e.people > 0:
            picked[e.place] += e.people
            last_pickup[e.place] = e.time
            if haven.get(e.place, False):
                # as the simulator picks: the rescued there first, then any turned away there
                part = _take(safe[e.place], e.people)
                rescued.add(e.time, -sum(part.values()))
                more = e.people - sum(part.values())
                if more > 0.5:
                    _put(part, _take(waiting[e.place], more))
                    mark(e.place, e.time)
            else:
                part = _take(waiting[e.place], e.people)
                mark(e.place, e.time)
            short = e.people - sum(part.values())
            if short > 0.5:  # more on board than the log had there: keep the count right
                _put(part, {e.place: short})
            _put(cargo.setdefault(e.group, {}), part)
        elif e.kind == "arrive":
            again = e.group not in cargo  # its first arrival here found no room
            load = cargo.pop(e.group, {})
            delivered[e.place] += e.people
            part = _take(load, e.people)
            short = e.people - sum(part.values())
            if short > 0.5 and again:
                # unloaded once room was made: they had waited there since the group arrived
                _put(part, _take(waiting[e.place], short))
                short = e.people - sum(part.values())
            if short > 0.5:
                _put(part, {e.other or e.place: short})
            if haven.get(e.place, False):
                _put(safe[e.place], part)
                rescued.add(e.time, e.people)
            else:
                _put(waiting[e.place], part)
            if sum(load.values()) > 0.5:  # not unloaded (turned away): they wait at the place
                _put(waiting[e.place], load)
            if not haven.get(e.place, False) or sum(load.values()) > 0.5:
                mark(e.place, e.time)
        elif e.kind == "lost_people":
            lost_at[e.place] += e.people
            lost_total.add(e.time, e.people)
            left = float(e.people)
            if e.group and e.group in cargo:
                left -= sum(_take(cargo[e.group], left).values())
            if left > 0.5:
                _take(waiting[e.place], left)
                mark(e.place, e.time)

    end_time = horizon(result)
    rescued_by_origin: dict[str, float] = defaultdict(float)
    for pool in safe.values():
        for origin, n in pool.items():
            rescued_by_origin[origin] += n
    rows = tuple(
        PlaceStats(
            place=p.id,
            population=appeared.get(p.id, 0),
            picked_up=picked.get(p.id, 0),
            received=delivered.get(p.id, 0) - (picked.get(p.id, 0) if haven[p.id] else 0),
            rescued=rescued_by_origin.get(p.id, 0.0),
            lost=lost_at.get(p.id, 0),
            waiting_at_end=sum(waiting[p.id].values()) if p.id in waiting else 0.0,
            deadline=summary.effective_deadline(s, p.id),
            last_pickup=last_pickup.get(p.id),
            haven=haven[p.id],
        )
        for p in s.places
    )
    return PeopleFlow(
        rescued=rescued.build().extended(end_time),
        present={k: b.build().extended(end_time) for k, b in present.items()},
        places=rows,
        lost=lost_total.build().extended(end_time),
    )


# ---------------------------------------------------------------------------- vehicles
@dataclass(frozen=True)
class FleetSeries:
    """Vehicles by state over time, for one class or all classes of a run."""

    entered: Step
    """Cumulative vehicles that entered service (stock and production)."""
    in_trip: Step
    idle: Step
    lost: Step
    """Cumulative vehicles lost (hazard, destroyed, arrived too late)."""
    retired: Step
    """Cumulative vehicles out of service otherwise (broken down, withdrawn)."""

    @property
    def in_service(self) -> Step:
        return _combine((self.in_trip, self.idle), lambda v: v[0] + v[1])


def _combine(steps: Sequence[Step], f: Callable[[list[float]], float]) -> Step:
    times = sorted({t for s in steps for t in s.times})
    return Step(tuple(times), tuple(f([s.at(t) for s in steps]) for t in times))


@dataclass
class _Trip:
    vehicle_class: str
    vehicles: int


@dataclass
class _FleetBuilders:
    entered: _StepBuilder
    in_trip: _StepBuilder
    lost: _StepBuilder
    retired: _StepBuilder
    idle: _StepBuilder = field(init=False)

    def __post_init__(self) -> None:
        self.idle = _StepBuilder(self.entered.times[0])

    def refresh(self, t: float) -> None:
        idle = self.entered.value - self.in_trip.value - self.lost.value - self.retired.value
        self.idle.set(t, max(0.0, idle))

    def build(self) -> FleetSeries:
        return FleetSeries(
            entered=self.entered.build(),
            in_trip=self.in_trip.build(),
            idle=self.idle.build(),
            lost=self.lost.build(),
            retired=self.retired.build(),
        )


def fleet_series(result: Logged) -> dict[str, FleetSeries]:
    """Vehicles by state over time per class (key: class id) and in all (key: ``""``)."""
    start = _start(result)
    builders: dict[str, _FleetBuilders] = {}

    def get(key: str) -> _FleetBuilders:
        b = builders.get(key)
        if b is None:
            b = builders[key] = _FleetBuilders(*(_StepBuilder(start) for _ in range(4)))
        return b

    get("")
    trips: dict[str, _Trip] = {}

    def change(cls: str, t: float, attr: str, delta: float) -> None:
        for key in ("", cls):
            b = get(key)
            getattr(b, attr).add(t, delta)
            b.refresh(t)

    def leave_trip(group: str, vehicles: int, t: float) -> None:
        trip = trips.get(group)
        if trip is None:
            return
        n = min(vehicles, trip.vehicles)
        trip.vehicles -= n
        change(trip.vehicle_class, t, "in_trip", -n)
        if trip.vehicles <= 0:
            del trips[group]

    for e in result.events:
        cls = e.vehicle_class
        if e.kind == "enter":
            change(cls, e.time, "entered", e.vehicles)
        elif e.kind == "depart":
            if e.group in trips:  # a new trip before the last arrived: close the old one
                leave_trip(e.group, trips[e.group].vehicles, e.time)
            trips[e.group] = _Trip(cls, e.vehicles)
            change(cls, e.time, "in_trip", e.vehicles)
        elif e.kind == "arrive":
            if e.group in trips:
                leave_trip(e.group, trips[e.group].vehicles, e.time)
        elif e.kind in ("lost_vehicles", "breakdown", "withdrawn"):
            if e.group in trips:
                cls = cls or trips[e.group].vehicle_class
                leave_trip(e.group, e.vehicles, e.time)
            change(cls, e.time, "lost" if e.kind == "lost_vehicles" else "retired", e.vehicles)
    end_time = horizon(result)
    out = {}
    for key, b in builders.items():
        fs = b.build()
        out[key] = FleetSeries(*(st.extended(end_time) for st in _fields(fs)))
    return out


def _fields(fs: FleetSeries) -> tuple[Step, Step, Step, Step, Step]:
    return (fs.entered, fs.in_trip, fs.idle, fs.lost, fs.retired)


def utilization(result: Logged, fleet: dict[str, FleetSeries] | None = None) -> dict[str, float]:
    """Per class (and ``""`` for all): vehicle-time in trips / vehicle-time in service, 0..1.

    A class that never entered service is left out.
    """
    fleet = fleet_series(result) if fleet is None else fleet
    start, end = _start(result), horizon(result)
    out = {}
    for key, fs in fleet.items():
        service = fs.in_service.integral(start, end)
        if service > _EPS:
            out[key] = min(1.0, fs.in_trip.integral(start, end) / service)
    return out


# ---------------------------------------------------------------------------- routes and marks
def route_flows(events: Iterable[LogEvent]) -> dict[tuple[str, str], tuple[int, int]]:
    """People carried and loaded trips per route ``(origin, destination)`` (``depart`` events)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for e in events:
        if e.kind == "depart" and e.people > 0:
            people, trips = out.get((e.place, e.other), (0, 0))
            out[(e.place, e.other)] = (people + e.people, trips + 1)
    return out


@dataclass(frozen=True)
class Mark:
    """A moment to mark on time axes: an event, a replanning or a hazard arrival."""

    time: float
    label: str
    kind: str
    """``event``, ``replan`` or ``deadline``."""


def event_marks(results: Sequence[Logged]) -> list[Mark]:
    """Scenario events that fired in any of the runs (once each), in time order.

    Events are read from the logs (``event`` records; ``detail`` is the event id); a run whose log
    has none contributes its scenario's enabled events instead.
    """
    seen: dict[tuple[str, float], Mark] = {}
    for r in results:
        names = {e.id: (e.name or e.id) for e in r.scenario.events}
        logged = [e for e in r.events if e.kind == "event"]
        if logged:
            for e in logged:
                event_id = e.detail.split(":")[0].strip() or "event"
                seen.setdefault(
                    (event_id, e.time), Mark(e.time, names.get(event_id, event_id), "event")
                )
        else:
            for ev in r.scenario.enabled_events:
                seen.setdefault((ev.id, ev.at), Mark(ev.at, ev.name or ev.id, "event"))
    return sorted(seen.values(), key=lambda m: (m.time, m.label))


def deadline_marks(scenario: Scenario) -> list[Mark]:
    """Deadlines of places with people to evacuate, in time order (one mark per time)."""
    by_time: dict[float, list[str]] = defaultdict(list)
    for p in scenario.places:
        people = scenario.people_at(p)
        d = summary.effective_deadline(scenario, p.id)
        if people > 0 and d is not None and d <= scenario.end:
            by_time[d].append(p.name or p.id)
    return [Mark(t, ", ".join(names), "deadline") for t, names in sorted(by_time.items())]
