"""Limits of real operations on vehicles: parking stands at places, sorties and rest per class.

``stands`` (a place): how many vehicles may be at the place at once, loading, unloading,
resting or idle: one number for every class, or one per class. ``max_sorties`` (a class):
loaded trips per vehicle over the operation. ``rest`` (a class): a duty (trips with breaks
shorter than ``for`` between them) lasts at most ``after``; then the vehicle rests ``for``.
Semantics in docs/model.md (Stands; Sorties and rest). The fields join ``Place`` and
``VehicleClass`` through the two bases below, so ``model.py`` stays the schema's index.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field

from evacuate.scenario import limits
from evacuate.scenario.fields import _MAX_T, Id, Time, _Frozen, _reject_bool, _to_duration

__all__ = [
    "ClassLimits",
    "PlaceStands",
    "Rest",
    "StandCount",
    "StockRecord",
    "WearRecord",
    "fleet_limited",
    "record_of",
    "stands_for",
]

StandCount = Annotated[int, BeforeValidator(_reject_bool), Field(ge=0, le=limits.MAX_VEHICLES)]
"""Vehicles that may be at a place at once (0: none may come)."""

_Positive = Annotated[float, BeforeValidator(_to_duration), Field(gt=0, le=_MAX_T)]


class Rest(_Frozen):
    """After ``after`` of duty a vehicle rests ``for`` (a break that long ends the duty)."""

    after: _Positive
    """Longest duty: from the first departure after a rest to the end of the last trip."""
    rest_for: _Positive = Field(alias="for")
    """A break between trips at least this long is a rest (the next duty starts afresh)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PlaceStands(_Frozen):
    """The place's ``stands`` field (a base of ``Place``)."""

    stands: StandCount | dict[Id, StandCount] | None = None
    """Vehicles that may be at the place at once (loading, unloading, resting or idle): one
    number for all classes together, or a number per class id (classes not named: no limit)."""


class ClassLimits(_Frozen):
    """The class's ``max_sorties`` and ``rest`` fields (a base of ``VehicleClass``)."""

    max_sorties: (
        Annotated[int, BeforeValidator(_reject_bool), Field(ge=0, le=limits.MAX_PEOPLE)] | None
    ) = None
    """Loaded trips one vehicle may make over the operation (omitted: no limit)."""
    rest: Rest | None = None
    """Crew rest: ``{after: 12h, for: 8h}`` (omitted: vehicles never rest)."""


class WearRecord(_Frozen):
    """What stock vehicles have flown before (a state written mid-operation): ``sorties``
    loaded trips so far; a duty begun at ``duty_from`` whose last trip ended at ``last_end``
    (both omitted: rested). A replan counts ``max_sorties`` and ``rest`` from it."""

    sorties: Annotated[int, BeforeValidator(_reject_bool), Field(ge=0, le=limits.MAX_PEOPLE)] = 0
    duty_from: Time | None = None
    """First departure of the vehicles' current duty (with ``last_end``)."""
    last_end: Time | None = None
    """End of their last trip (with ``duty_from``): a rest counts from it."""


class StockRecord(_Frozen):
    """The stock entry's ``record`` field (a base of ``Stock``)."""

    record: WearRecord | None = None
    """Sorties and duty the vehicles bring (omitted: fresh and rested)."""


def stands_for(stands: int | dict[str, int] | None, vehicle_class: str) -> tuple[str, int] | None:
    """The stand pool a class uses at a place: ("*", n) shared by all classes, (class, n) its
    own, or None (no limit for that class)."""
    if stands is None:
        return None
    if isinstance(stands, int):
        return ("*", stands)
    n = stands.get(vehicle_class)
    return None if n is None else (vehicle_class, n)


def fleet_limited(scenario: object) -> bool:
    """Some place has stands or some class a sortie limit or rest (a ``Scenario``)."""
    places = getattr(scenario, "places", ())
    classes = getattr(getattr(scenario, "fleet", None), "classes", ())
    return any(p.stands is not None for p in places) or any(
        c.max_sorties is not None or c.rest is not None for c in classes
    )


def record_of(record: WearRecord | None) -> tuple[int, float | None, float] | None:
    """(sorties, duty_from, last_end) of a stock entry's record, -inf for a rested one's last
    end (None: no record, fresh and rested)."""
    if record is None or (record.sorties == 0 and record.duty_from is None):
        return None
    if record.duty_from is None or record.last_end is None:
        return (record.sorties, None, -math.inf)
    return (record.sorties, record.duty_from, record.last_end)
