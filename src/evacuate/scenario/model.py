"""The scenario schema: immutable pydantic models, from places and hazard to events and variants.

All quantities are stored as plain floats in the scenario's own units (``scenario.time_unit``
for times and durations, ``map.unit`` for distances); the loader converts strings such as
"36h", "2.8 ly/d" or "2385-04-05" using the validation context. A model dumped with
``model_dump(mode="json")`` loads back to an equal model. The semantics every planner,
checker and simulator follows are in ``docs/model.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from evacuate.scenario import limits
from evacuate.scenario.fields import (
    Coordinate,
    Count,
    Date,
    Distance,
    Duration,
    Flag,
    Fraction,
    HavenCapacity,
    Id,
    Period,
    PositiveCount,
    Rate,
    Speed,
    Time,
    Vehicles,
    _Frozen,
    _reject_bool,
    _to_duration,
)
from evacuate.scenario.fleet_limits import ClassLimits, PlaceStands, StockRecord
from evacuate.scenario.flows import (
    ArrivalCurve,
    ArrivalRates,
    ChangeArrivals,
    ChangeThroughput,
    RateFrom,
    RateTable,
)
from evacuate.scenario.travel_model import Lane, PeriodicWindow, Travel, Walkway, Window

__all__ = [
    "AddVehicles",
    "Arrival",
    "ArrivalCurve",
    "ArrivalRates",
    "AttackMenu",
    "AttackOption",
    "AttackWindow",
    "ChangeArrivals",
    "ChangeThroughput",
    "CloseLane",
    "ClosePlace",
    "DamageVehicles",
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
    "RateFrom",
    "RateTable",
    "Reserve",
    "ReturnOperator",
    "ScenarioModel",
    "Shipyard",
    "SinkVehicles",
    "Stock",
    "StopProduction",
    "Travel",
    "Uncertainty",
    "Variant",
    "VehicleClass",
    "Walkway",
    "Window",
    "WithdrawOperator",
]


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


class Place(PlaceStands):
    """Anywhere people or vehicles can be: a threatened place, a haven, a depot, a staging base."""

    id: Id
    name: str = ""
    position: Position | None = None
    population: Count = 0
    """People at the place at time zero who are to be evacuated."""
    arrivals: tuple[Arrival, ...] = ()
    arrival_curve: ArrivalCurve | None = None
    """People reaching the place by a mobilization curve (added to ``arrivals``)."""
    arrival_rates: ArrivalRates | None = None
    """People reaching the place by a rate table (added to ``arrivals``)."""
    load_rates: RateTable | None = None
    """``load_per_hour`` changing over time (piecewise, optionally periodic)."""
    unload_rates: RateTable | None = None
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


class VehicleClass(ClassLimits):
    id: Id
    name: str = ""
    capacity: PositiveCount
    """People one vehicle carries."""
    speed: Speed | None = None
    """Map units per time unit; needed unless every lane it uses gives a time."""
    load_time: Duration = 0.0
    """Time one vehicle spends loading at the pickup place (the whole group loads at once)."""
    unload_time: Duration = 0.0
    turnaround: Duration = 0.0
    """Rest at the destination after each loaded trip (coaling, repairs): a stand, no berth."""
    operator: Id = "default"
    enabled: Flag = True
    notes: str = ""


class Stock(StockRecord):
    """Vehicles of a class waiting at a place from a time (``record``: fleet_limits.py)."""

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


class DamageVehicles(_Frozen):
    """Vehicles at a place put out of service (all, or ``count``; optionally only
    ``classes``) until ``until``: damaged, they are back at the place, repaired, then."""

    type: Literal["damage_vehicles"]
    place: Id
    until: Time
    classes: tuple[Id, ...] | None = None
    count: Vehicles | None = None


class SinkVehicles(_Frozen):
    """Losses under way: every vehicle (of ``classes``, default all) travelling between the
    two places of ``lane`` (or ``between``) at the event's instant is lost with the people
    aboard (a ship sunk at sea, an aircraft shot down)."""

    type: Literal["sink_vehicles"]
    lane: Id | None = None
    between: tuple[Id, Id] | None = None
    classes: tuple[Id, ...] | None = None


class ReturnOperator(_Frozen):
    """A withdrawn operator comes back: every withdraw_operator of it that began before this
    event ends now, and its vehicles may start trips again where they are."""

    type: Literal["return_operator"]
    operator: Id


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
    | OpenLane
    | ChangeArrivals
    | ChangeThroughput
    | ReturnOperator
    | SinkVehicles
    | DamageVehicles,
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
