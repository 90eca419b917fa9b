"""Quantities with units: durations, time points, distances and speeds.

A scenario counts time in one unit (``time_unit``: minute, hour or day) from time zero, and
distance in one map unit. Inputs may be plain numbers (already in those units) or strings with
a unit ("36h", "4d", "2.8 ly/d", "50 km/h"); time points may also be calendar dates when the
scenario gives ``start_date``. Everything is converted once, at load time, to plain floats.
"""

from __future__ import annotations

import datetime as dt
import math
import re

__all__ = [
    "DISTANCE_UNITS",
    "TIME_UNITS",
    "UnitError",
    "format_duration",
    "great_circle_km",
    "parse_distance",
    "parse_duration",
    "parse_speed",
    "parse_time",
]

# seconds per unit
TIME_UNITS: dict[str, float] = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "wk": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
}

# metres per unit
DISTANCE_UNITS: dict[str, float] = {
    "m": 1.0,
    "km": 1000.0,
    "mi": 1609.344,
    "nmi": 1852.0,
    "au": 1.495978707e11,
    "ly": 9.4607304725808e15,
}

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_DURATION_RE = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Z]+)\s*$")
_SPEED_RE = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Z]+)\s*/\s*([a-zA-Z]+)\s*$")
_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*$")


class UnitError(ValueError):
    """A quantity could not be read; the message says what was expected."""


def _finite(x: float, what: str) -> float:
    if not math.isfinite(x):
        raise UnitError(f"{what} that is a finite number")
    return x


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond float range: reported as not finite
            return math.inf
    return None


def parse_duration(value: object, time_unit: str) -> float:
    """A length of time in ``time_unit``: a number (in that unit) or "36h", "4d", "90min"."""
    x = _number(value)
    if x is not None:
        return _finite(x, "a duration")
    if isinstance(value, str):
        m = _DURATION_RE.match(value)
        if m and m.group(2).lower() in TIME_UNITS:
            seconds = float(m.group(1)) * TIME_UNITS[m.group(2).lower()]
            return _finite(seconds / TIME_UNITS[time_unit], "a duration")
    raise UnitError(
        "a duration: a number in the scenario's time unit or a string such as '36h', '4d', '90min'"
    )


def _as_date(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        # an offset would be silently dropped: refuse it (the caller's message says why)
        return value if value.tzinfo is None else None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        m = _DATE_RE.match(value)
        if m:
            y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
            try:
                return dt.datetime(y, mo, d, hh, mm, ss)
            except ValueError:
                return None
    return None


def parse_time(value: object, time_unit: str, start_date: dt.datetime | None) -> float:
    """A point in time, in ``time_unit`` after time zero: a duration, or a calendar date."""
    when = _as_date(value)
    if when is not None:
        if start_date is None:
            raise UnitError("a time; calendar dates need 'scenario.start_date' to be set")
        seconds = (when - start_date).total_seconds()
        return seconds / TIME_UNITS[time_unit]
    if isinstance(value, dt.date):
        raise UnitError("a calendar date without a time-zone offset, such as '2383-01-01T06:00'")
    try:
        t = parse_duration(value, time_unit)
    except UnitError:
        raise UnitError(
            "a time: a number in the scenario's time unit, a duration such as '36h', "
            "or a date such as '2385-04-05' (with scenario.start_date set)"
        ) from None
    if start_date is not None:
        try:
            start_date + dt.timedelta(seconds=t * TIME_UNITS[time_unit])
        except (OverflowError, ValueError):
            raise UnitError(
                "a time that falls in the calendar (years 1 to 9999) counted from "
                "scenario.start_date"
            ) from None
    return t


def parse_date(value: object) -> dt.datetime:
    """A calendar date or date-time ("2383-01-01", "2383-01-01T06:00")."""
    when = _as_date(value)
    if when is None:
        raise UnitError(
            "a calendar date such as '2383-01-01' or '2383-01-01T06:00' (local time, without "
            "a time-zone offset)"
        )
    return when


def parse_distance(value: object, map_unit: str) -> float:
    """A distance in ``map_unit``: a number (already in that unit) or "10 ly", "25km"."""
    x = _number(value)
    if x is not None:
        return _finite(x, "a distance")
    if isinstance(value, str):
        m = _DURATION_RE.match(value)
        if m and m.group(2).lower() in DISTANCE_UNITS:
            metres = float(m.group(1)) * DISTANCE_UNITS[m.group(2).lower()]
            return _finite(metres / DISTANCE_UNITS[map_unit], "a distance")
    raise UnitError(
        f"a distance: a number in the map unit ({map_unit}) or a string such as '10 ly', '25 km'"
    )


def parse_speed(value: object, map_unit: str, time_unit: str) -> float:
    """A speed in map units per time unit: a number, or "2.8 ly/d", "50 km/h", "50 mph"."""
    x = _number(value)
    if x is not None:
        return _finite(x, "a speed")
    if isinstance(value, str):
        text = value.strip().lower()
        if text.endswith("mph"):
            text = text[:-3] + "mi/h"
        elif text.endswith("kph"):
            text = text[:-3] + "km/h"
        elif text.endswith("kn"):
            text = text[:-2] + "nmi/h"
        m = _SPEED_RE.match(text)
        if m and m.group(2) in DISTANCE_UNITS and m.group(3) in TIME_UNITS:
            metres_per_s = float(m.group(1)) * DISTANCE_UNITS[m.group(2)] / TIME_UNITS[m.group(3)]
            return _finite(
                metres_per_s * TIME_UNITS[time_unit] / DISTANCE_UNITS[map_unit], "a speed"
            )
    raise UnitError(
        f"a speed: a number in {map_unit} per {time_unit}, or a string such as "
        "'2.8 ly/d', '50 km/h', '30 mph'"
    )


def format_duration(value: float, time_unit: str) -> str:
    """A short human form of a duration given in ``time_unit`` ("3.5 d", "36 h")."""
    seconds = value * TIME_UNITS[time_unit]
    for unit in ("d", "h", "min"):
        if abs(seconds) >= TIME_UNITS[unit] or unit == "min":
            return f"{seconds / TIME_UNITS[unit]:.4g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of the Earth's mean radius (6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))
