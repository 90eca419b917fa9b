"""Validation of a plan's values, whatever the file format: header fields and trip rows, every
problem collected with its place (field path, line) up to ``MAX_ISSUES``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from evacuate.errors import Issue, PlanFormatError
from evacuate.planio.records import (
    COLUMNS,
    FORMAT,
    HEADER_KEYS,
    MAX_COUNT,
    MAX_ISSUES,
    TIME_UNITS,
    Plan,
    Trip,
)

__all__ = [
    "EXPECT",
    "Issues",
    "as_float",
    "as_int",
    "as_text",
    "describe",
    "header_from_mapping",
    "make_plan",
    "row_values",
    "trip_from_values",
    "trips_from_mappings",
]


class Issues:
    """Collects problems of one file; keeps the first ``MAX_ISSUES`` and counts the rest."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Issue] = []
        self.dropped = 0

    def add(self, message: str, path: str = "", line: int | None = None) -> None:
        if len(self.items) < MAX_ISSUES:
            self.items.append(Issue(message, path, self.source, line))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        items = list(self.items)
        if self.dropped:
            items.append(
                Issue(f"... and {self.dropped} more problem(s) not listed", "", self.source)
            )
        raise PlanFormatError(items)


def describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


EXPECT = {
    "group": "a group id (text)",
    "class": "a vehicle class id (text)",
    "origin": "a place id (text)",
    "destination": "a place id (text)",
    "count": "a whole number of vehicles, from 1 to 10**18",
    "people": "a whole number of people, from 0 to 10**18",
    "depart": "a finite number (time in the scenario's time unit)",
    "arrive": "a finite number (time in the scenario's time unit)",
}


def as_text(value: object, text: bool) -> str | None:
    if isinstance(value, str):
        value = value.strip() if text else value
        return value if value else None
    return None


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number as text: ASCII digits, an optional fraction and exponent (what the writers
emit). Python's own parsers also take ``3_0`` as 30 and other scripts' digits, which a
plan file should not silently mean."""


def as_float(value: object, text: bool) -> float | None:
    x: float
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            x = float(value)
        except OverflowError:  # a whole number past 1.8e308 (JSON): not finite
            return None
    elif isinstance(value, str) and text:
        s = value.strip()
        if not _NUMBER.fullmatch(s):
            return None
        x = float(s)
    else:
        return None
    return x if math.isfinite(x) else None


def as_int(value: object, text: bool, minimum: int) -> int | None:
    if isinstance(value, bool):
        return None
    n: int
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and text:
        s = value.strip()
        if not _NUMBER.fullmatch(s):
            return None
        try:
            n = int(s)
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                return None
            if not (math.isfinite(f) and f.is_integer()):
                return None
            n = int(f)
    else:
        return None
    return n if minimum <= n <= MAX_COUNT else None


def row_values(
    get: Callable[[str], object],
    kinds: Mapping[str, tuple[str, str]],
    where: str,
    line: int | None,
    issues: Issues,
    text: bool,
) -> dict[str, object] | None:
    """The values of one row, read column by column: ``kinds`` maps each column to its kind
    (``text``, ``time``, ``count1`` for a whole number from 1, ``count0`` from 0) and what is
    expected there; None after noting every problem of the row under ``where.column``."""
    ok = True
    vals: dict[str, object] = {}
    for col, (kind, expected) in kinds.items():
        raw = get(col)
        if kind.startswith("count"):
            value: object = as_int(raw, text, int(kind[-1]))
        elif kind == "time":
            value = as_float(raw, text)
        else:
            value = as_text(raw, text)
        if value is None:
            ok = False
            found = "nothing" if raw is None or raw == "" else describe(raw)
            issues.add(f"found {found}; expected {expected}", f"{where}.{col}", line)
        vals[col] = value
    return vals if ok else None


_TRIP_KINDS = {
    col: (
        "count1" if col == "count" else "count0" if col == "people" else
        "time" if col in ("depart", "arrive") else "text",
        EXPECT[col],
    )
    for col in COLUMNS
}  # fmt: skip


def trip_from_values(
    get: Callable[[str], object], row: int, line: int | None, issues: Issues, text: bool
) -> Trip | None:
    vals = row_values(get, _TRIP_KINDS, f"trips[{row}]", line, issues, text)
    if vals is None:
        return None
    return Trip(
        group=str(vals["group"]),
        vehicle_class=str(vals["class"]),
        count=int(vals["count"]),  # type: ignore[call-overload]
        origin=str(vals["origin"]),
        depart=float(vals["depart"]),  # type: ignore[arg-type]
        destination=str(vals["destination"]),
        arrive=float(vals["arrive"]),  # type: ignore[arg-type]
        people=int(vals["people"]),  # type: ignore[call-overload]
    )


def trips_from_mappings(rows: Iterable[object], issues: Issues, *, text: bool) -> list[Trip]:
    trips: list[Trip] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            issues.add(f"found {describe(row)}; expected a trip object", f"trips[{i}]")
            continue
        if "class" not in row and "vehicle_class" in row:
            row = {**row, "class": row["vehicle_class"]}
        trip = trip_from_values(row.get, i, None, issues, text)
        if trip is not None:
            trips.append(trip)
    return trips


def header_from_mapping(
    header: Mapping[str, object], issues: Issues, line_of: Mapping[str, int] | None
) -> dict[str, Any]:
    """Validate header fields; unknown keys are kept in ``meta``."""
    lines = line_of or {}
    out: dict[str, Any] = {
        "scenario_digest": None,
        "variant": None,
        "objective": "max_rescued",
        "rescued": None,
        "bound": None,
    }
    meta: dict[str, object] = {}
    for key, value in header.items():
        if key not in HEADER_KEYS:
            meta[key] = value
    fmt = header.get("format")
    if fmt is not None and fmt != FORMAT:
        issues.add(
            f"found format {describe(fmt)}; expected '{FORMAT}'",
            "header.format",
            lines.get("format"),
        )
    for key in ("scenario", "time_unit"):
        if header.get(key) in (None, ""):
            issues.add(
                f"missing header field '{key}'"
                + (
                    "; expected the scenario id"
                    if key == "scenario"
                    else "; expected minute, hour or day"
                ),
                f"header.{key}",
                lines.get(key),
            )
    scenario = header.get("scenario")
    if scenario not in (None, "") and not isinstance(scenario, str):
        issues.add(
            f"found {describe(scenario)}; expected the scenario id (text)",
            "header.scenario",
            lines.get("scenario"),
        )
    out["scenario_id"] = scenario
    unit = header.get("time_unit")
    if unit not in (None, "") and unit not in TIME_UNITS:
        issues.add(
            f"found {describe(unit)}; expected minute, hour or day",
            "header.time_unit",
            lines.get("time_unit"),
        )
    out["time_unit"] = unit
    for key in ("scenario_digest", "variant", "objective"):
        value = header.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            issues.add(f"found {describe(value)}; expected text", f"header.{key}", lines.get(key))
        out[key] = value
    for key in ("rescued", "bound"):
        value = header.get(key)
        if value is None or value == "":
            continue
        x = as_float(value, isinstance(value, str))
        if x is None:
            issues.add(
                f"found {describe(value)}; expected a finite number",
                f"header.{key}",
                lines.get(key),
            )
        out[key] = x
    raw_meta = header.get("meta")
    if raw_meta is not None:
        if isinstance(raw_meta, Mapping):
            meta.update(raw_meta)
        else:
            issues.add(
                f"found {describe(raw_meta)}; expected a JSON object",
                "header.meta",
                lines.get("meta"),
            )
    out["meta"] = meta
    return out


def make_plan(header: Mapping[str, Any], trips: list[Trip]) -> Plan:
    return Plan(
        scenario_id=header["scenario_id"],
        scenario_digest=header["scenario_digest"],
        variant=header["variant"],
        objective=header["objective"],
        rescued=header["rescued"],
        bound=header["bound"],
        trips=tuple(trips),
        time_unit=header["time_unit"],
        meta=header["meta"],
    )
