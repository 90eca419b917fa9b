"""The value types of the scenario schema: ids, times, durations, counts, rates and dates,
each converted from the file's text by the validation context (``evacuate.scenario.model``
builds the sections from them)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

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
    "Coordinate",
    "Count",
    "Date",
    "Distance",
    "Duration",
    "Flag",
    "Fraction",
    "HavenCapacity",
    "Id",
    "PeopleRate",
    "Period",
    "PositiveCount",
    "Rate",
    "Span",
    "Speed",
    "Time",
    "Vehicles",
]

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
"""What an id may be: letters, digits, '_', '.' or '-', starting with a letter or '_'."""
Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=100)]


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
    # the factor first: 1e308 km/h is 2.8e307 m/s, not an overflow to inf
    metres_per_s = x * (units.DISTANCE_UNITS[map_unit] / units.TIME_UNITS[time_unit])
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


def _at_least_a_second(v: object, info: ValidationInfo, what: str) -> float:
    unit = _ctx(info).get("time_unit", "hour")
    x = units.parse_duration(v, unit)
    shortest = limits.MIN_PERIOD_SECONDS / units.TIME_UNITS[unit]
    if not x >= shortest:
        raise ValueError(
            f"{what} of at least {limits.MIN_PERIOD_SECONDS:g} second ({shortest:.3g} {unit})"
        )
    return x


def _to_period(v: object, info: ValidationInfo) -> float:
    """A duration of at least ``MIN_PERIOD_SECONDS`` (periods repeat; shorter ones never end)."""
    return _at_least_a_second(v, info, "a period")


def _to_span(v: object, info: ValidationInfo) -> float:
    """A duration of at least ``MIN_PERIOD_SECONDS``: a curve's ``half`` or ``spread`` (of
    1e-300 its square underflowed to 0 and the curve divided by it)."""
    return _at_least_a_second(v, info, "a duration")


_MAX_T = limits.MAX_TIME
_MAX_X = limits.MAX_MAGNITUDE
_MIN_X = limits.MIN_POSITIVE

Duration = Annotated[float, BeforeValidator(_to_duration), Field(ge=0, le=_MAX_T)]
"""A non-negative length of time in the scenario's time unit."""
Time = Annotated[float, BeforeValidator(_to_time), Field(ge=-_MAX_T, le=_MAX_T)]
"""A point in time in the scenario's time unit after time zero (may be negative)."""
Period = Annotated[float, BeforeValidator(_to_period), Field(le=_MAX_T)]
"""A repeat interval: at least one second."""
Span = Annotated[float, BeforeValidator(_to_span), Field(le=_MAX_T)]
"""The scale of a curve over time: at least one second."""
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


PeopleRate = Annotated[
    float, BeforeValidator(_reject_bool), Field(ge=0, le=_MAX_X, allow_inf_nan=False)
]
"""People per hour (zero allowed: a flow that stops)."""
