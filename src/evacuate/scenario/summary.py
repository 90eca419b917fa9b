"""What a scenario amounts to, as data: places by role, fleet over time, events in words.

``evacuate show`` renders these; nothing here prints. Production follows ``docs/model.md``:
cumulative output is ``min(max_total, floor(sum of rate / per * overlap(period, [0, t])))``, cut
off by known, enabled ``stop_production`` events. Vehicles destroyed by events are not counted
here: where vehicles are when an event strikes depends on the plan.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.scenario.model import (
    AddVehicles,
    ChangeArrivals,
    ChangeThroughput,
    CloseLane,
    ClosePlace,
    DamageVehicles,
    DestroyVehicles,
    EventEffect,
    MoveDeadline,
    Note,
    OpenLane,
    OpenPlace,
    Place,
    ReturnOperator,
    Shipyard,
    SinkVehicles,
    StopProduction,
    WithdrawOperator,
)

if TYPE_CHECKING:
    from evacuate.scenario.scenario import Scenario

__all__ = [
    "FleetCount",
    "FleetSnapshot",
    "PlaceRow",
    "calendar",
    "completion_time",
    "describe_effect",
    "describe_variant",
    "effective_deadline",
    "fleet_at",
    "fleet_over_time",
    "format_date",
    "format_time",
    "havens",
    "is_haven",
    "milestones",
    "place_rows",
    "produced",
    "production_stop",
]

_ROUNDOFF = 1e-9
"""Slack on ``floor`` so that a schedule landing exactly on an integer (66,500 / 7 = 9,500)
is not cut to the integer below by float round-off."""


# ---------------------------------------------------------------------------- time
def calendar(scenario: Scenario, t: float) -> dt.datetime | None:
    """The calendar date and time of scenario time ``t``, or None without ``start_date``."""
    start = scenario.scenario.start_date
    if start is None:
        return None
    from evacuate.units import TIME_UNITS

    return start + dt.timedelta(seconds=t * TIME_UNITS[scenario.time_unit])


def _number(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def format_time(scenario: Scenario, t: float, *, with_date: bool = True) -> str:
    """``day 824 (2385-04-04)``: the time in the scenario's unit, plus the date if known."""
    text = f"{scenario.time_unit} {_number(t)}"
    when = calendar(scenario, t) if with_date else None
    if when is not None:
        text += f" ({format_date(scenario, when)})"
    return text


def format_date(scenario: Scenario, when: dt.datetime) -> str:
    """The date (scenarios counted in days) or the date and clock time (hours, minutes)."""
    if scenario.time_unit == "day":
        return when.date().isoformat()
    return when.isoformat(sep=" ", timespec="minutes")


# ---------------------------------------------------------------------------- places
@dataclass(frozen=True)
class PlaceRow:
    """One place as ``show`` lists it."""

    id: str
    name: str
    roles: tuple[str, ...]
    """Some of: people (to evacuate), haven, staging (holds evacuees, then lost), depot, yard
    (depots and yards of enabled vehicle classes only)."""
    population: int
    """People at time zero plus all later arrivals."""
    later_arrivals: int
    deadline: float | None
    """The effective deadline: after known ``move_deadline`` events (see ``effective_deadline``)."""
    deadline_source: str | None
    """``explicit``, ``hazard`` or ``event`` (moved by a known event); None without a deadline."""
    base_deadline: float | None
    """The deadline before events: explicit, else the hazard front's arrival."""
    capacity: int
    open_from: float | None
    load_per_hour: float | None
    unload_per_hour: float | None
    berths: int | None


def effective_deadline(scenario: Scenario, place_id: str) -> float | None:
    """The place's deadline after known, enabled ``move_deadline`` events, in time order: an
    event at ``at`` sets it to ``max(to, at)`` unless the place was already lost before ``at``.
    """
    d = scenario.deadline(place_id)
    for event in sorted(scenario.enabled_events, key=lambda e: e.at):
        if event.mode != "known":
            continue
        for fx in event.effects:
            if isinstance(fx, MoveDeadline) and fx.place == place_id:
                if d is not None and d < event.at:
                    return d
                d = max(fx.to, event.at)
    return d


def is_haven(scenario: Scenario, place_id: str) -> bool:
    """A haven holds evacuees and is safe through the horizon, by its effective deadline."""
    d = effective_deadline(scenario, place_id)
    return scenario.place(place_id).capacity > 0 and (d is None or d > scenario.end)


def havens(scenario: Scenario) -> list[Place]:
    """The havens, by effective deadlines (see ``is_haven``), in file order."""
    return [p for p in scenario.places if is_haven(scenario, p.id)]


def place_rows(scenario: Scenario) -> list[PlaceRow]:
    """Every place with its role, people, deadline and limits, in file order."""
    enabled = {c.id for c in scenario.enabled_classes}
    depots = {s.place for s in scenario.fleet.stock if s.vehicle_class in enabled and s.count}
    yards = {y.place for y in scenario.fleet.shipyards if y.vehicle_class in enabled}
    rows = []
    for p in scenario.places:
        later = scenario.people_at(p) - p.population
        roles = []
        if p.population + later > 0:
            roles.append("people")
        if p.capacity > 0:
            roles.append("haven" if is_haven(scenario, p.id) else "staging")
        if p.id in depots:
            roles.append("depot")
        if p.id in yards:
            roles.append("yard")
        base = scenario.deadline(p.id)
        deadline = effective_deadline(scenario, p.id)
        if deadline is None:
            source = None
        elif deadline != base:
            source = "event"
        else:
            source = "explicit" if p.deadline is not None else "hazard"
        rows.append(
            PlaceRow(
                id=p.id,
                name=p.name,
                roles=tuple(roles),
                population=p.population + later,
                later_arrivals=later,
                deadline=deadline,
                deadline_source=source,
                base_deadline=base,
                capacity=p.capacity,
                open_from=p.open_from,
                load_per_hour=p.load_per_hour,
                unload_per_hour=p.unload_per_hour,
                berths=p.berths,
            )
        )
    return rows


# ---------------------------------------------------------------------------- production
def production_stop(scenario: Scenario, shipyard_id: str) -> float | None:
    """When a known, enabled ``stop_production`` event halts the shipyard, if one does."""
    stops = [
        e.at
        for e in scenario.enabled_events
        if e.mode == "known"
        for fx in e.effects
        if isinstance(fx, StopProduction) and fx.shipyard == shipyard_id
    ]
    return min(stops) if stops else None


def _raw_output(shipyard: Shipyard, t: float) -> float:
    total = 0.0
    for period in shipyard.schedule:
        lo = max(period.start, 0.0)
        hi = t if period.end is None else min(period.end, t)
        if hi > lo:
            total += period.rate / period.per * (hi - lo)
    return total


def produced(shipyard: Shipyard, t: float, *, stop: float | None = None) -> int:
    """Vehicles the shipyard has produced by time ``t`` (nothing after ``stop``)."""
    horizon = t if stop is None else min(t, stop)
    n = math.floor(_raw_output(shipyard, horizon) + _ROUNDOFF)
    return n if shipyard.max_total is None else min(shipyard.max_total, n)


def completion_time(shipyard: Shipyard, *, stop: float | None = None) -> float | None:
    """When the shipyard's output reaches ``max_total``; None if it never does (or no cap)."""
    if shipyard.max_total is None:
        return None
    target = shipyard.max_total - _ROUNDOFF
    points = sorted(
        {0.0}
        | {max(0.0, p.start) for p in shipyard.schedule}
        | {p.end for p in shipyard.schedule if p.end is not None and p.end > 0}
    )
    if stop is not None:
        points = sorted({min(x, stop) for x in points} | {max(0.0, stop)})
    if _raw_output(shipyard, 0.0) >= target:
        return 0.0
    for i, lo in enumerate(points):
        hi = points[i + 1] if i + 1 < len(points) else math.inf
        if stop is not None and lo >= stop:
            return None
        rate = sum(
            p.rate / p.per
            for p in shipyard.schedule
            if p.start <= lo and (p.end is None or p.end > lo)
        )
        before = _raw_output(shipyard, lo)
        if rate > 0 and before + rate * (hi - lo) >= target:
            return lo + (shipyard.max_total - before) / rate
    return None


# ---------------------------------------------------------------------------- fleet
@dataclass(frozen=True)
class FleetCount:
    """Vehicles of one class at one time, by the schedule."""

    total: int
    """Stock (whenever it becomes available) plus everything produced so far."""
    ready: int
    """Of those, the vehicles allowed to leave by then (``available_from`` passed)."""

    @property
    def held(self) -> int:
        """Vehicles that exist but may not leave yet."""
        return self.total - self.ready


@dataclass(frozen=True)
class FleetSnapshot:
    """The fleet at one milestone time."""

    time: float
    reasons: tuple[str, ...]
    """What happens at this time (``start``, ``utopia_planitia completes 9,500``, ...)."""
    counts: dict[str, FleetCount]
    """By enabled vehicle class id, in file order."""
    seats_ready: int
    """People the ready vehicles carry in one trip: sum of ``ready * capacity``."""


def fleet_at(scenario: Scenario, t: float) -> dict[str, FleetCount]:
    """Vehicles of each enabled class by time ``t``: stock plus production, total and ready."""
    total = {c.id: 0 for c in scenario.enabled_classes}
    ready = dict(total)
    for s in scenario.fleet.stock:
        if s.vehicle_class in total:
            total[s.vehicle_class] += s.count
            if s.available_from <= t:
                ready[s.vehicle_class] += s.count
    for y in scenario.fleet.shipyards:
        if y.vehicle_class in total:
            n = produced(y, t, stop=production_stop(scenario, y.id))
            total[y.vehicle_class] += n
            if y.available_from is None or y.available_from <= t:
                ready[y.vehicle_class] += n
    return {cid: FleetCount(total[cid], ready[cid]) for cid in total}


def milestones(scenario: Scenario, limit: int = 10) -> list[tuple[float, tuple[str, ...]]]:
    """Times at which the fleet or the situation changes, within ``[0, end]``, with reasons.

    Start and end are always kept; with more than ``limit`` times, the others are thinned
    evenly (fleet changes first).
    """
    enabled = {c.id for c in scenario.enabled_classes}
    fleet: dict[float, list[str]] = {}
    other: dict[float, list[str]] = {}
    for s in scenario.fleet.stock:
        if s.vehicle_class in enabled and s.count > 0 and s.available_from > 0:
            fleet.setdefault(s.available_from, []).append(
                f"{s.id or s.vehicle_class} ready at {s.place}"
            )
    for y in scenario.fleet.shipyards:
        if y.vehicle_class not in enabled:
            continue
        stop = production_stop(scenario, y.id)
        for period in y.schedule:
            if period.start > 0 and (stop is None or period.start < stop):
                fleet.setdefault(period.start, []).append(
                    f"{y.id} at {_number(period.rate)} per {_per(scenario, period.per)}"
                )
        if y.available_from is not None and y.available_from > 0:
            fleet.setdefault(y.available_from, []).append(f"{y.id} output may leave")
        done = completion_time(y, stop=stop)
        if done is not None and done > 0 and y.max_total is not None:
            fleet.setdefault(done, []).append(f"{y.id} completes {y.max_total:,}")
        if stop is not None:
            fleet.setdefault(stop, []).append(f"{y.id} stops")
    for e in scenario.enabled_events:
        other.setdefault(e.at, []).append(f"{e.id} ({e.mode})")
    end = scenario.end
    inner = {t: r for t, r in fleet.items() if 0 < t < end}
    spare = {t: r for t, r in other.items() if 0 < t < end and t not in inner}
    keep = _thin(sorted(inner), limit - 2)
    keep += _thin(sorted(spare), limit - 2 - len(keep))
    out: list[tuple[float, tuple[str, ...]]] = [(0.0, ("start",))]
    out += [(t, tuple(inner.get(t, []) + other.get(t, []))) for t in sorted(keep)]
    out.append((end, ("horizon end",)))
    return out


def _per(scenario: Scenario, per: float) -> str:
    unit = scenario.time_unit
    return unit if per == 1 else f"{_number(per)} {unit}s"


def _thin(times: list[float], room: int) -> list[float]:
    if room <= 0:
        return []
    if len(times) <= room:
        return times
    step = (len(times) - 1) / max(1, room - 1)
    return sorted({times[round(i * step)] for i in range(room)})


def fleet_over_time(scenario: Scenario, limit: int = 10) -> list[FleetSnapshot]:
    """The fleet at each milestone (see ``milestones``): vehicles by class, total and ready."""
    capacity = {c.id: c.capacity for c in scenario.enabled_classes}
    out = []
    for t, reasons in milestones(scenario, limit):
        counts = fleet_at(scenario, t)
        seats = sum(n.ready * capacity[cid] for cid, n in counts.items())
        out.append(FleetSnapshot(t, reasons, counts, seats))
    return out


# ---------------------------------------------------------------------------- words
def describe_effect(scenario: Scenario, effect: EventEffect) -> str:
    """An event's effect in words, e.g. ``destroy all wallenberg_armada vehicles at mars``."""
    if isinstance(effect, DestroyVehicles):
        what = "all" if effect.count is None else f"{effect.count:,}"
        kinds = "/".join(effect.classes) + " " if effect.classes else ""
        return f"destroy {what} {kinds}vehicles at {effect.place}"
    if isinstance(effect, StopProduction):
        return f"stop production at {effect.shipyard}"
    if isinstance(effect, CloseLane):
        target = (
            f"lane {effect.lane}"
            if effect.lane
            else "the route " + " - ".join(effect.between or ())
        )
        until = (
            "for good" if effect.until is None else f"until {format_time(scenario, effect.until)}"
        )
        return f"close {target} {until}"
    if isinstance(effect, ClosePlace):
        until = (
            "for good" if effect.until is None else f"until {format_time(scenario, effect.until)}"
        )
        return f"close {effect.place} to departures and arrivals {until}"
    if isinstance(effect, MoveDeadline):
        return f"move the deadline of {effect.place} to {format_time(scenario, effect.to)}"
    if isinstance(effect, WithdrawOperator):
        tail = (
            "trips under way finish" if effect.finish_current_trip else "no trip may be under way"
        )
        return f"operator {effect.operator} withdraws ({tail})"
    if isinstance(effect, AddVehicles):
        return f"{effect.count:,} {effect.vehicle_class} vehicles arrive at {effect.place}"
    if isinstance(effect, OpenPlace):
        return f"reopen {effect.place}"
    if isinstance(effect, OpenLane):
        target = (
            f"lane {effect.lane}"
            if effect.lane
            else "the route " + " - ".join(effect.between or ())
        )
        return f"reopen {target}"
    if isinstance(effect, ReturnOperator):
        return f"operator {effect.operator} comes back"
    if isinstance(effect, SinkVehicles):
        where = (
            f"lane {effect.lane}" if effect.lane else "the way " + " - ".join(effect.between or ())
        )
        kinds = "/".join(effect.classes) + " " if effect.classes else ""
        return f"sink the {kinds}vehicles under way on {where}"
    if isinstance(effect, DamageVehicles):
        what = "all" if effect.count is None else f"{effect.count:,}"
        kinds = "/".join(effect.classes) + " " if effect.classes else ""
        back = format_time(scenario, effect.until)
        return f"damage {what} {kinds}vehicles at {effect.place} (back in service {back})"
    if isinstance(effect, Note):
        return "a note (no effect on the operation)"
    if isinstance(effect, ChangeArrivals):
        until = (
            "for good" if effect.until is None else f"until {format_time(scenario, effect.until)}"
        )
        flow = "stop" if effect.per_hour == 0 else f"pass at most {effect.per_hour:,g}/h"
        return f"arrivals at {effect.place} {flow} {until}"
    if isinstance(effect, ChangeThroughput):
        until = (
            "for good" if effect.until is None else f"until {format_time(scenario, effect.until)}"
        )
        parts = [
            f"{what} {rate:,g}/h"
            for what, rate in (("load", effect.load_per_hour), ("unload", effect.unload_per_hour))
            if rate is not None
        ]
        if effect.berths is not None:
            parts.append(f"{effect.berths} berth(s)")
        return f"{effect.place} throughput: {', '.join(parts) or 'unchanged'} {until}"
    raise TypeError(f"unknown effect {effect!r}")  # pragma: no cover


def describe_variant(scenario: Scenario, name: str) -> list[str]:
    """What a variant switches, one phrase per item, e.g. ``event attack_on_mars: off``."""
    v = scenario.variants[name]
    base_events = {e.id: e.enabled for e in scenario.events}
    base_classes = {c.id: c.enabled for c in scenario.fleet.classes}
    base_stock = {s.id: s.count for s in scenario.fleet.stock if s.id}

    def mark(changed: bool) -> str:
        return "" if changed else " (as in the base)"

    out = [
        f"event {k}: {'on' if on else 'off'}{mark(base_events.get(k) != on)}"
        for k, on in v.events.items()
    ]
    out += [
        f"class {k}: {'on' if on else 'off'}{mark(base_classes.get(k) != on)}"
        for k, on in v.classes.items()
    ]
    out += [
        f"stock {k}: {base_stock.get(k, 0):,} -> {n:,}{mark(base_stock.get(k) != n)}"
        for k, n in v.stock.items()
    ]
    return out
