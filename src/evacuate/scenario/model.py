"""The scenario schema: immutable pydantic models, from places and hazard to events and variants.

All quantities are stored as plain floats in the scenario's own units (``scenario.time_unit``
for times and durations, ``map.unit`` for distances); the loader converts strings such as
"36h", "2.8 ly/d" or "2385-04-05" using the validation context. A model dumped with
``model_dump(mode="json")`` loads back to an equal model. The semantics every planner,
checker and simulator follows are in ``docs/model.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    ValidationInfo,
)

from evacuate import units
from evacuate.scenario import limits

__all__ = [
    "AddVehicles",
    "Arrival",
    "AttackMenu",
    "AttackOption",
    "AttackWindow",
    "CloseLane",
    "ClosePlace",
    "DefenceMeasure",
    "DefenceMenu",
    "DestroyVehicles",
    "Disperse",
    "Effect",
    "Event",
    "EventEffect",
    "Fleet",
    "Guard",
    "Hazard",
    "Lane",
    "LatLon",
    "MapSpec",
    "Meta",
    "MoveDeadline",
    "Note",
    "OpenLane",
    "OpenPlace",
    "PeriodicWindow",
    "Perturbations",
    "Place",
    "Preposition",
    "ProductionPeriod",
    "Reserve",
    "ScenarioModel",
    "Shipyard",
    "Stock",
    "StopProduction",
    "Travel",
    "Uncertainty",
    "Variant",
    "VehicleClass",
    "Window",
    "WithdrawOperator",
]

Id = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*$", min_length=1, max_length=100)]


def _ctx(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _to_duration(v: object, info: ValidationInfo) -> float:
    return units.parse_duration(v, _ctx(info).get("time_unit", "hour"))


def _to_time(v: object, info: ValidationInfo) -> float:
    c = _ctx(info)
    return units.parse_time(v, c.get("time_unit", "hour"), c.get("start_date"))


def _to_distance(v: object, info: ValidationInfo) -> float:
    return units.parse_distance(v, _ctx(info).get("map_unit", "km"))


def _to_speed(v: object, info: ValidationInfo) -> float:
    c = _ctx(info)
    map_unit, time_unit = c.get("map_unit", "km"), c.get("time_unit", "hour")
    x = units.parse_speed(v, map_unit, time_unit)
    metres_per_s = x * units.DISTANCE_UNITS[map_unit] / units.TIME_UNITS[time_unit]
    lo, hi = limits.MIN_SPEED_M_PER_S, limits.MAX_SPEED_M_PER_S
    if not lo <= metres_per_s <= hi:
        raise ValueError(
            f"a speed from {lo:g} to {hi:g} m/s (the limits; found {metres_per_s:.3g} m/s)"
        )
    return x


def _reject_bool(v: object) -> object:
    """Numbers only: YAML's true/false and quoted text such as "5" are not read as numbers."""
    if isinstance(v, bool):
        raise ValueError("a number, not true/false")
    if isinstance(v, str):
        try:
            float(v)
        except ValueError:
            return v  # not a number at all: pydantic says so
        raise ValueError("a number, not text (write it without quotes)")
    return v


def _to_period(v: object, info: ValidationInfo) -> float:
    """A duration of at least ``MIN_PERIOD_SECONDS`` (periods repeat; shorter ones never end)."""
    unit = _ctx(info).get("time_unit", "hour")
    x = units.parse_duration(v, unit)
    shortest = limits.MIN_PERIOD_SECONDS / units.TIME_UNITS[unit]
    if not x >= shortest:
        raise ValueError(
            f"a period of at least {limits.MIN_PERIOD_SECONDS:g} second ({shortest:.3g} {unit})"
        )
    return x


_MAX_T = limits.MAX_TIME
_MAX_X = limits.MAX_MAGNITUDE
_MIN_X = limits.MIN_POSITIVE

Duration = Annotated[float, BeforeValidator(_to_duration), Field(ge=0, le=_MAX_T)]
"""A non-negative length of time in the scenario's time unit."""
Time = Annotated[float, BeforeValidator(_to_time), Field(ge=-_MAX_T, le=_MAX_T)]
"""A point in time in the scenario's time unit after time zero (may be negative)."""
Period = Annotated[float, BeforeValidator(_to_period), Field(le=_MAX_T)]
"""A repeat interval: at least one second."""
Distance = Annotated[float, BeforeValidator(_to_distance), Field(ge=0, le=_MAX_X)]
Speed = Annotated[float, BeforeValidator(_to_speed), Field(gt=0)]
Count = Annotated[int, BeforeValidator(_reject_bool), Field(ge=0, le=limits.MAX_PEOPLE)]
"""A number of people (or of places' capacity)."""


def _unlimited(v: object) -> object:
    """``unlimited`` is room for everyone: the largest capacity a place may have."""
    if v == "unlimited":
        return limits.MAX_PEOPLE
    if isinstance(v, str) and not v.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("a number of people or 'unlimited'")
    return _reject_bool(v)


def _capacity_text(n: int) -> int | str:
    return "unlimited" if n == limits.MAX_PEOPLE else n


HavenCapacity = Annotated[
    int,
    BeforeValidator(_unlimited),
    Field(ge=0, le=limits.MAX_PEOPLE),
    PlainSerializer(_capacity_text),
]
"""A place's capacity: a number of people, or ``unlimited`` (stored as ``MAX_PEOPLE``)."""
Vehicles = Annotated[int, BeforeValidator(_reject_bool), Field(ge=0, le=limits.MAX_VEHICLES)]
PositiveCount = Annotated[int, BeforeValidator(_reject_bool), Field(gt=0, le=limits.MAX_CAPACITY)]
Rate = Annotated[
    float, BeforeValidator(_reject_bool), Field(ge=_MIN_X, le=_MAX_X, allow_inf_nan=False)
]
Coordinate = Annotated[
    float, BeforeValidator(_reject_bool), Field(ge=-_MAX_X, le=_MAX_X, allow_inf_nan=False)
]
Fraction = Annotated[float, BeforeValidator(_reject_bool), Field(allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]
"""true or false only (not "yes", "on", 1 or "true")."""


def _to_date(v: object) -> dt.datetime:
    # whole seconds: the file format writes no fractions, so a dump loads back the same date
    return units.parse_date(v).replace(microsecond=0)


def _date_text(d: dt.datetime) -> str:
    if d.time() == dt.time(0):
        return d.date().isoformat()
    return d.isoformat(timespec="seconds" if d.second else "minutes")


Date = Annotated[
    dt.datetime,
    BeforeValidator(_to_date),
    PlainSerializer(_date_text, return_type=str),
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)


class Meta(_Frozen):
    """Who and what the scenario is, and how it counts time."""

    id: Id
    name: str = ""
    description: str = ""
    time_unit: Literal["minute", "hour", "day"] = "hour"
    start_date: Date | None = None
    """Calendar date and time of time zero; enables dates in time fields and in reports."""
    end: Time
    """The horizon: the operation is judged at this time."""


class MapSpec(_Frozen):
    """How positions are given: plane coordinates in ``unit``, or latitude/longitude (km)."""

    kind: Literal["plane", "sphere"] = "plane"
    unit: Literal["m", "km", "mi", "nmi", "au", "ly"] = "km"


class LatLon(_Frozen):
    lat: Annotated[Coordinate, Field(ge=-90, le=90)]
    lon: Annotated[Coordinate, Field(ge=-180, le=180)]


Position = tuple[Coordinate, Coordinate] | tuple[Coordinate, Coordinate, Coordinate] | LatLon


class Arrival(_Frozen):
    """People who reach a place at a given time (e.g. from outlying areas) and then wait there."""

    at: Time
    people: Count


class Place(_Frozen):
    """Anywhere people or vehicles can be: a threatened place, a haven, a depot, a staging base."""

    id: Id
    name: str = ""
    position: Position | None = None
    population: Count = 0
    """People at the place at time zero who are to be evacuated."""
    arrivals: tuple[Arrival, ...] = ()
    deadline: Time | None = None
    """When the hazard reaches the place: people still there are lost, vehicles destroyed.
    Overrides the hazard's deadline."""
    capacity: HavenCapacity = 0
    """How many evacuees the place can hold (received by trips, net of those moved on);
    ``unlimited`` for a haven with room for everyone."""
    open_from: Time | None = None
    """No trip may pick people up here before this time (e.g. permission to enter)."""
    load_per_hour: Rate | None = None
    """People per hour the place can board, summed over all vehicles."""
    unload_per_hour: Rate | None = None
    berths: (
        Annotated[int, BeforeValidator(_reject_bool), Field(gt=0, le=limits.MAX_VEHICLES)] | None
    ) = None
    """Vehicles that can load or unload here at the same time."""
    notes: str = ""


class Hazard(_Frozen):
    """A front expanding from ``origin`` at ``speed`` from ``start``, up to ``max_radius``."""

    id: Id = "hazard"
    name: str = ""
    origin: Position
    start: Time = 0.0
    speed: Speed
    max_radius: Distance | None = None
    notes: str = ""


class Window(_Frozen):
    """Open between two times (``to`` omitted: open for good)."""

    start: Time
    end: Time | None = None


class PeriodicWindow(_Frozen):
    """Open for ``open_for`` at the start of each ``every``, shifted by ``offset`` (e.g. nights)."""

    every: Period
    open_for: Duration
    offset: Duration = 0.0
    start: Time | None = None
    end: Time | None = None


class Lane(_Frozen):
    """A way between two places. Declared lanes replace the direct route between their ends."""

    id: Id
    start: Id = Field(alias="from")
    end: Id = Field(alias="to")
    bidirectional: Flag = True
    distance: Distance | None = None
    """Overrides the distance computed from positions."""
    time: Duration | None = None
    """A fixed travel time for every class (overrides distance and speed)."""
    class_times: dict[Id, Duration] = Field(default_factory=dict)
    """Fixed travel time per vehicle class id."""
    speed_factor: Rate = 1.0
    """Multiplies each class's speed on this lane (e.g. 1.5 for a contraflow highway)."""
    windows: tuple[Window, ...] = ()
    periodic: PeriodicWindow | None = None
    notes: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Travel(_Frozen):
    """``routes: all`` connects every pair of positioned places directly; ``lanes`` only lanes."""

    routes: Literal["all", "lanes"] = "all"
    lanes: tuple[Lane, ...] = ()


class VehicleClass(_Frozen):
    id: Id
    name: str = ""
    capacity: PositiveCount
    """People one vehicle carries."""
    speed: Speed | None = None
    """Map units per time unit; needed unless every lane it uses gives a time."""
    load_time: Duration = 0.0
    """Time one vehicle spends loading at the pickup place (the whole group loads at once)."""
    unload_time: Duration = 0.0
    operator: Id = "default"
    enabled: Flag = True
    notes: str = ""


class Stock(_Frozen):
    """Vehicles of a class waiting at a place from a time."""

    id: Id | None = None
    vehicle_class: Id = Field(alias="class")
    place: Id
    count: Vehicles
    available_from: Time = 0.0
    notes: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ProductionPeriod(_Frozen):
    """Vehicles produced at ``rate`` per ``per`` from ``start`` to ``end`` (omitted: no end)."""

    start: Time
    end: Time | None = None
    rate: Annotated[
        float,
        BeforeValidator(_reject_bool),
        Field(ge=0, le=limits.MAX_VEHICLES, allow_inf_nan=False),
    ]
    per: Period = 1.0


class Shipyard(_Frozen):
    """Where new vehicles of one class appear, by schedule, up to ``max_total``."""

    id: Id
    place: Id
    vehicle_class: Id = Field(alias="class")
    schedule: tuple[ProductionPeriod, ...]
    max_total: Vehicles | None = None
    available_from: Time | None = None
    """Vehicles it produces may not leave before this time (held at the yard)."""
    notes: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Fleet(_Frozen):
    classes: tuple[VehicleClass, ...]
    stock: tuple[Stock, ...] = ()
    shipyards: tuple[Shipyard, ...] = ()


class DestroyVehicles(_Frozen):
    """Destroy vehicles docked at a place (all, or ``count``; optionally only ``classes``)."""

    type: Literal["destroy_vehicles"]
    place: Id
    classes: tuple[Id, ...] | None = None
    count: Vehicles | None = None


class StopProduction(_Frozen):
    type: Literal["stop_production"]
    shipyard: Id


class CloseLane(_Frozen):
    """Close a declared lane (or the direct route between two places) until ``until``."""

    type: Literal["close_lane"]
    lane: Id | None = None
    between: tuple[Id, Id] | None = None
    until: Time | None = None


class ClosePlace(_Frozen):
    """No trip may leave from or arrive at the place until ``until``."""

    type: Literal["close_place"]
    place: Id
    until: Time | None = None


class MoveDeadline(_Frozen):
    type: Literal["move_deadline"]
    place: Id
    to: Time


class WithdrawOperator(_Frozen):
    """The operator's vehicles start no new trip (``finish_current_trip``: trips under way end)."""

    type: Literal["withdraw_operator"]
    operator: Id
    finish_current_trip: Flag = True


Effect = Annotated[
    DestroyVehicles | StopProduction | CloseLane | ClosePlace | MoveDeadline | WithdrawOperator,
    Field(discriminator="type"),
]
"""What a disruption (and an attack option) does."""


class Note(_Frozen):
    """No effect on the operation: a marker (e.g. an attack with casualties only) that the
    simulator logs and the report shows on its curves."""

    type: Literal["note"]


class AddVehicles(_Frozen):
    """Reinforcements: ``count`` vehicles of ``class`` appear at ``place``, free to leave."""

    type: Literal["add_vehicles"]
    vehicle_class: Id = Field(alias="class")
    place: Id
    count: Vehicles

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class OpenPlace(_Frozen):
    """Reopen a place early: every close_place of it that began before this event ends now."""

    type: Literal["open_place"]
    place: Id


class OpenLane(_Frozen):
    """Reopen a lane (or the way between two places) early: every close_lane of the same
    ``lane`` (or the same ``between`` pair) that began before this event ends now."""

    type: Literal["open_lane"]
    lane: Id | None = None
    between: tuple[Id, Id] | None = None


EventEffect = Annotated[
    DestroyVehicles
    | StopProduction
    | CloseLane
    | ClosePlace
    | MoveDeadline
    | WithdrawOperator
    | Note
    | AddVehicles
    | OpenPlace
    | OpenLane,
    Field(discriminator="type"),
]
"""What an event does: the disruptions of ``Effect``, a note, or help (docs/model.md)."""


class Event(_Frozen):
    """A disruption at time ``at``; ``known`` events are planned for, ``surprise`` ones are not."""

    id: Id
    name: str = ""
    at: Time
    mode: Literal["known", "surprise"] = "known"
    enabled: Flag = True
    effects: tuple[EventEffect, ...] = Field(min_length=1)
    reported_casualties: Count | None = None
    """People killed outside the evacuation (reported only, not modelled)."""
    notes: str = ""


class Variant(_Frozen):
    """A named what-if: switch events and vehicle classes on or off, change stock counts."""

    description: str = ""
    events: dict[Id, Flag] = Field(default_factory=dict)
    classes: dict[Id, Flag] = Field(default_factory=dict)
    stock: dict[Id, Vehicles] = Field(default_factory=dict)


class Perturbations(_Frozen):
    """Stochastic noise for simulation (off by default)."""

    travel_cv: Annotated[Fraction, Field(ge=0, le=5)] = 0.0
    """Coefficient of variation of each trip's travel time (lognormal)."""
    breakdowns: Annotated[Fraction, Field(ge=0, le=1)] = 0.0
    """Probability that a vehicle breaks down on a trip and leaves service."""


class AttackWindow(_Frozen):
    """When an attack may strike: the attacker picks the instant in ``[start, end]``."""

    start: Time
    end: Time


AttackCost = Annotated[float, BeforeValidator(_reject_bool), Field(ge=0, allow_inf_nan=False)]


class AttackOption(_Frozen):
    """One thing the attacker may do: effects the format already has, struck at an instant
    of ``window`` (omitted: any time from zero to the horizon), for a ``cost``."""

    id: Id
    name: str = ""
    effects: tuple[Effect, ...] = Field(min_length=1)
    window: AttackWindow | None = None
    cost: AttackCost = 1.0
    success: Annotated[float, BeforeValidator(_reject_bool), Field(gt=0, le=1)] = 1.0
    """Probability that the attack succeeds (damage intervals assume it does)."""
    lasts: Annotated[float, BeforeValidator(_to_duration), Field(gt=0)] | None = None
    """For closures without ``until``: how long they last after the instant of the attack."""
    notes: str = ""


class AttackMenu(_Frozen):
    """The attacker's options and budget (``evacuate sabotage``; docs/sabotage.md)."""

    budget: AttackCost = 1.0
    options: tuple[AttackOption, ...] = Field(min_length=1)


class Guard(_Frozen):
    """Guard a place: attack options aimed at it (its vehicles, yards, closure) fail."""

    id: Id
    type: Literal["guard"]
    name: str = ""
    place: Id
    cost: AttackCost = 1.0
    notes: str = ""


class Disperse(_Frozen):
    """Move ``fraction`` of the stock and production at ``place`` to ``to`` from the start."""

    id: Id
    type: Literal["disperse"]
    name: str = ""
    place: Id
    to: Id
    fraction: Annotated[float, Field(gt=0, le=1)] = 0.5
    cost: AttackCost = 1.0
    notes: str = ""


class Reserve(_Frozen):
    """Hold ``fraction`` of the stock and production at ``place`` back at ``at`` (a safe
    place), released at ``release`` (omitted: at the horizon's midpoint)."""

    id: Id
    type: Literal["reserve"]
    name: str = ""
    place: Id
    at: Id
    fraction: Annotated[float, Field(gt=0, le=1)] = 0.2
    release: Time | None = None
    cost: AttackCost = 1.0
    notes: str = ""


class Preposition(_Frozen):
    """Station a stock entry's vehicles at another place from the start."""

    id: Id
    type: Literal["preposition"]
    name: str = ""
    stock: Id
    to: Id
    cost: AttackCost = 1.0
    notes: str = ""


DefenceMeasure = Annotated[Guard | Disperse | Reserve | Preposition, Field(discriminator="type")]


class DefenceMenu(_Frozen):
    """The defender's protective measures and budget (``evacuate sabotage --defend``)."""

    budget: AttackCost = 1.0
    measures: tuple[DefenceMeasure, ...] = Field(min_length=1)


Quantity = float | str
"""A number in the target field's units, or a string with a unit ("36h", "2.8 ly/d")."""


class Uncertainty(_Frozen):
    """One uncertain input of a sweep (``evacuate sweep``): the number at ``path`` drawn from a
    ``distribution``, or the event ``event`` happening with ``probability``. Values are in the
    target's units; see docs/scenario-format.md (Uncertainties) and ``evacuate.scenario.uncertain``.
    """

    id: Id | None = None
    """The name in results; default: the path (or ``event.<id>``)."""
    path: str | None = None
    """Where the number is, e.g. ``places[romulus].population`` or ``hazard.speed``."""
    event: Id | None = None
    probability: Annotated[float, Field(ge=0, le=1)] | None = None
    distribution: Literal["uniform", "normal", "lognormal", "triangular", "discrete"] | None = None
    low: Quantity | None = None
    high: Quantity | None = None
    mode: Quantity | None = None
    """Triangular: the most likely value."""
    mean: Quantity | None = None
    sd: Quantity | None = None
    """Normal: the standard deviation (``low``/``high``, if given, truncate)."""
    median: Quantity | None = None
    sigma: Annotated[float, Field(gt=0)] | None = None
    """Lognormal: the standard deviation of the value's logarithm."""
    values: tuple[Quantity, ...] | None = None
    weights: tuple[Annotated[float, Field(ge=0)], ...] | None = None
    """Discrete: relative weights of ``values`` (default: equal)."""
    notes: str = ""


class ScenarioModel(_Frozen):
    """A whole scenario as written in the file (see ``evacuate.Scenario`` for the public type)."""

    scenario: Meta
    map: MapSpec = MapSpec()
    places: tuple[Place, ...] = Field(min_length=1)
    hazard: Hazard | None = None
    travel: Travel = Travel()
    fleet: Fleet
    events: tuple[Event, ...] = ()
    variants: dict[Id, Variant] = Field(default_factory=dict)
    perturbations: Perturbations = Perturbations()
    attacks: AttackMenu | None = None
    defences: DefenceMenu | None = None
    uncertainties: tuple[Uncertainty, ...] = ()
