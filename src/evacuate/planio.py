"""Plan files: the ``Plan`` and ``Trip`` records and their CSV, JSON and Parquet forms.

A plan is a header (scenario, variant, objective, claimed rescued and bound, time unit) plus
trip rows ``group, class, count, origin, depart, destination, arrive, people`` with times in the
scenario's time unit after time zero (docs/model.md, "Trips"; docs/plan-format.md). This module
stores and validates data only: planning lives in ``evacuate.plan``, verification in
``evacuate.check``.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evacuate.errors import Issue, PlanFormatError
from evacuate.files import atomic_write, read_at_most

__all__ = [
    "COLUMNS",
    "FORMAT",
    "HEADER_KEYS",
    "SUFFIXES",
    "TIME_UNITS",
    "Plan",
    "Trip",
    "plan_from_rows",
    "plan_to_array",
    "plan_to_rows",
    "read_plan",
    "write_plan",
]

log = logging.getLogger(__name__)

FORMAT = "evacuate-plan/1"
"""Name and version of the file format, written as the ``format`` header field."""

COLUMNS: tuple[str, ...] = (
    "group",
    "class",
    "count",
    "origin",
    "depart",
    "destination",
    "arrive",
    "people",
)
"""Trip columns, in file order."""

HEADER_KEYS: tuple[str, ...] = (
    "format",
    "scenario",
    "scenario_digest",
    "variant",
    "objective",
    "rescued",
    "bound",
    "time_unit",
    "meta",
)
"""Header fields, in file order (``None`` values are left out)."""

TIME_UNITS: tuple[str, ...] = ("minute", "hour", "day")

MAX_COUNT = 10**18
"""Largest ``count`` or ``people`` read from a file: sums over trips stay exact in 64 bits."""

MAX_PLAN_BYTES = 256 * 2**20
"""Largest plan file read: about 4 million trips, far past any plan a planner writes."""

MAX_ISSUES = 1000
"""A file with more problems than this reports the first ones and how many more there are."""

_SUFFIXES = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
SUFFIXES: tuple[str, ...] = tuple(_SUFFIXES)
"""The suffixes of plan files, each naming its format."""
_PARQUET_KEY = b"evacuate.plan"


@dataclass(frozen=True)
class Trip:
    """One move of a group of identical vehicles (docs/model.md, "Trips").

    ``people`` is the total on board the whole group (0 for an empty move); times are in the
    scenario's time unit after time zero.
    """

    group: str
    vehicle_class: str
    count: int
    origin: str
    depart: float
    destination: str
    arrive: float
    people: int


@dataclass(frozen=True)
class Plan:
    """All trips of an evacuation plan plus what the planner claims about it.

    ``rescued`` and ``bound`` are the planner's claims (``evacuate.check`` recomputes the
    former and tests the latter); ``meta`` holds JSON-ready extras such as solver statistics,
    ``makespan`` or ``makespan_lower_bound``.
    """

    scenario_id: str
    variant: str | None = None
    objective: str = "max_rescued"
    rescued: float | None = None
    bound: float | None = None
    trips: tuple[Trip, ...] = ()
    time_unit: str = "hour"
    meta: dict[str, object] = field(default_factory=dict, hash=False)
    scenario_digest: str | None = None
    """The scenario's ``Scenario.digest``: readers refuse the plan for another scenario."""

    def __post_init__(self) -> None:
        if not isinstance(self.trips, tuple):
            object.__setattr__(self, "trips", tuple(self.trips))

    def header(self) -> dict[str, object]:
        """The header fields as a JSON-ready mapping (``None`` values left out)."""
        out: dict[str, object] = {
            "format": FORMAT,
            "scenario": self.scenario_id,
            "scenario_digest": self.scenario_digest,
            "variant": self.variant,
            "objective": self.objective,
            "rescued": self.rescued,
            "bound": self.bound,
            "time_unit": self.time_unit,
            "meta": dict(self.meta) if self.meta else None,
        }
        return {k: v for k, v in out.items() if v is not None}


# ---------------------------------------------------------------------------- conversions
def plan_to_rows(plan: Plan) -> list[dict[str, object]]:
    """The trips as dicts keyed by the file's column names (``class``, not ``vehicle_class``)."""
    return [
        {
            "group": t.group,
            "class": t.vehicle_class,
            "count": t.count,
            "origin": t.origin,
            "depart": t.depart,
            "destination": t.destination,
            "arrive": t.arrive,
            "people": t.people,
        }
        for t in plan.trips
    ]


def plan_to_array(plan: Plan) -> np.ndarray[Any, np.dtype[np.void]]:
    """The trips as a numpy structured array with the file's column names as fields.

    Strings are fixed-width unicode; ``count`` and ``people`` int64; times float64.
    """
    trips = plan.trips

    def width(values: Iterable[str]) -> int:
        return max((len(v) for v in values), default=1) or 1

    dtype = np.dtype(
        [
            ("group", f"U{width(t.group for t in trips)}"),
            ("class", f"U{width(t.vehicle_class for t in trips)}"),
            ("count", "i8"),
            ("origin", f"U{width(t.origin for t in trips)}"),
            ("depart", "f8"),
            ("destination", f"U{width(t.destination for t in trips)}"),
            ("arrive", "f8"),
            ("people", "i8"),
        ]
    )
    return np.array(
        [
            (
                t.group,
                t.vehicle_class,
                t.count,
                t.origin,
                t.depart,
                t.destination,
                t.arrive,
                t.people,
            )
            for t in trips
        ],
        dtype=dtype,
    )


def plan_from_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    scenario_id: str,
    time_unit: str,
    variant: str | None = None,
    objective: str = "max_rescued",
    rescued: float | None = None,
    bound: float | None = None,
    meta: Mapping[str, object] | None = None,
    source: str = "<rows>",
) -> Plan:
    """Build a plan from row mappings (as from ``plan_to_rows`` or a data frame's records),
    validating every row like ``read_plan``; raises ``PlanFormatError``."""
    header = {
        "scenario": scenario_id,
        "variant": variant,
        "objective": objective,
        "rescued": rescued,
        "bound": bound,
        "time_unit": time_unit,
        "meta": dict(meta or {}),
    }
    issues = _Issues(source)
    values = _header_from_mapping(header, issues, None)
    trips = _trips_from_mappings(rows, issues, text=False)
    issues.raise_if_any()
    return _make_plan(values, trips)


# ---------------------------------------------------------------------------- writing
def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write a plan as CSV, JSON or Parquet (chosen from the suffix), atomically.

    The file appears complete or not at all: it is written to a temporary file in the same
    folder and renamed. Values are not validated here; ``read_plan`` validates.
    """
    target = Path(path)
    fmt = _format_of(target)
    if fmt == "parquet":
        pa, pq = _pyarrow(target)
        table = _arrow_table(plan, pa)
        atomic_write(target, lambda tmp: pq.write_table(table, str(tmp)))
        return
    text = _csv_text(plan) if fmt == "csv" else _json_text(plan)
    atomic_write(target, text)
    log.debug("wrote %d trips to %s", len(plan.trips), target)


def _num(x: float) -> str:
    """Shortest text that reads back to the same float (integers without '.0')."""
    if isinstance(x, bool):
        raise TypeError("a number, not a bool")
    if isinstance(x, int):
        return str(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _header_text_value(key: str, value: object) -> str:
    if key == "meta":
        return json.dumps(value, allow_nan=False, separators=(", ", ": "))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _num(value)
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"plan header field '{key}' must be one line; found {text!r}")
    return text


def _csv_text(plan: Plan) -> str:
    out = io.StringIO()
    for key, value in plan.header().items():
        out.write(f"# {key}: {_header_text_value(key, value)}\n")
    writer = csv.writer(out, lineterminator="\n")
    # other tools (pandas' comment="#", R's comment.char) cut text from an unquoted '#' on;
    # such rows are written fully quoted
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for t in plan.trips:
        texts = (t.group, t.vehicle_class, t.origin, t.destination)
        row = (
            t.group,
            t.vehicle_class,
            t.count,
            t.origin,
            _num(t.depart),
            t.destination,
            _num(t.arrive),
            t.people,
        )
        (quoted if any("#" in x for x in texts) else writer).writerow(row)
    return out.getvalue()


def _json_text(plan: Plan) -> str:
    header = json.dumps(plan.header(), indent=2, allow_nan=False)
    header = header.replace("\n", "\n  ")
    rows = ",\n    ".join(json.dumps(r, allow_nan=False) for r in plan_to_rows(plan))
    body = f"\n    {rows}\n  " if rows else ""
    return f'{{\n  "header": {header},\n  "trips": [{body}]\n}}\n'


def _arrow_table(plan: Plan, pa: Any) -> Any:
    trips = plan.trips
    schema = pa.schema(
        [
            ("group", pa.string()),
            ("class", pa.string()),
            ("count", pa.int64()),
            ("origin", pa.string()),
            ("depart", pa.float64()),
            ("destination", pa.string()),
            ("arrive", pa.float64()),
            ("people", pa.int64()),
        ],
        metadata={_PARQUET_KEY: json.dumps(plan.header(), allow_nan=False).encode()},
    )
    columns = [
        [t.group for t in trips],
        [t.vehicle_class for t in trips],
        [t.count for t in trips],
        [t.origin for t in trips],
        [float(t.depart) for t in trips],
        [t.destination for t in trips],
        [float(t.arrive) for t in trips],
        [t.people for t in trips],
    ]
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


# ---------------------------------------------------------------------------- reading
def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read and validate a plan file (CSV, JSON or Parquet, chosen from the suffix).

    Raises ``PlanFormatError`` listing every problem found (file, line or row, column, what
    was found and what was expected), up to ``MAX_ISSUES``.
    """
    source = Path(path)
    fmt = _format_of(source)
    if fmt == "parquet":
        return _read_parquet(source)
    try:
        raw = read_at_most(source, MAX_PLAN_BYTES)
    except OSError as exc:
        raise PlanFormatError(
            [Issue(f"cannot read the file: {exc.strerror or exc}", file=str(source))]
        ) from None
    if raw is None:
        size = f"{MAX_PLAN_BYTES // 2**20:,} MiB"
        raise PlanFormatError(
            [Issue(f"the file is larger than {size} (the limit for a plan)", file=str(source))]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(
            [Issue(f"not UTF-8 text (byte {exc.start})", file=str(source))]
        ) from None
    plan = _read_csv(text, str(source)) if fmt == "csv" else _read_json(text, str(source))
    log.debug("read %d trips from %s", len(plan.trips), source)
    return plan


def _format_of(path: Path) -> str:
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise PlanFormatError(
            [
                Issue(
                    f"unknown plan file suffix '{path.suffix}'; expected .csv, .json or .parquet",
                    file=str(path),
                )
            ]
        )
    return fmt


def _pyarrow(path: Path) -> tuple[Any, Any]:
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise PlanFormatError(
            [Issue("Parquet plan files need pyarrow: pip install pyarrow", file=str(path))]
        ) from None
    return pa, pq


class _Issues:
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


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_EXPECT = {
    "group": "a group id (text)",
    "class": "a vehicle class id (text)",
    "origin": "a place id (text)",
    "destination": "a place id (text)",
    "count": "a whole number of vehicles, from 1 to 10**18",
    "people": "a whole number of people, from 0 to 10**18",
    "depart": "a finite number (time in the scenario's time unit)",
    "arrive": "a finite number (time in the scenario's time unit)",
}


def _as_text(value: object, text: bool) -> str | None:
    if isinstance(value, str):
        value = value.strip() if text else value
        return value if value else None
    return None


def _as_float(value: object, text: bool) -> float | None:
    x: float
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str) and text:
        try:
            x = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


def _as_int(value: object, text: bool, minimum: int) -> int | None:
    if isinstance(value, bool):
        return None
    n: int
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and text:
        s = value.strip()
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


def _trip_from_values(
    get: Callable[[str], object], row: int, line: int | None, issues: _Issues, text: bool
) -> Trip | None:
    ok = True
    vals: dict[str, object] = {}
    for col in COLUMNS:
        raw = get(col)
        if col in ("count", "people"):
            value: object = _as_int(raw, text, 1 if col == "count" else 0)
        elif col in ("depart", "arrive"):
            value = _as_float(raw, text)
        else:
            value = _as_text(raw, text)
        if value is None:
            ok = False
            found = "nothing" if raw is None or raw == "" else _describe(raw)
            issues.add(f"found {found}; expected {_EXPECT[col]}", f"trips[{row}].{col}", line)
        vals[col] = value
    if not ok:
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


def _trips_from_mappings(rows: Iterable[object], issues: _Issues, *, text: bool) -> list[Trip]:
    trips: list[Trip] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            issues.add(f"found {_describe(row)}; expected a trip object", f"trips[{i}]")
            continue
        if "class" not in row and "vehicle_class" in row:
            row = {**row, "class": row["vehicle_class"]}
        trip = _trip_from_values(row.get, i, None, issues, text)
        if trip is not None:
            trips.append(trip)
    return trips


def _header_from_mapping(
    header: Mapping[str, object], issues: _Issues, line_of: Mapping[str, int] | None
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
            f"found format {_describe(fmt)}; expected '{FORMAT}'",
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
            f"found {_describe(scenario)}; expected the scenario id (text)",
            "header.scenario",
            lines.get("scenario"),
        )
    out["scenario_id"] = scenario
    unit = header.get("time_unit")
    if unit not in (None, "") and unit not in TIME_UNITS:
        issues.add(
            f"found {_describe(unit)}; expected minute, hour or day",
            "header.time_unit",
            lines.get("time_unit"),
        )
    out["time_unit"] = unit
    for key in ("scenario_digest", "variant", "objective"):
        value = header.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            issues.add(f"found {_describe(value)}; expected text", f"header.{key}", lines.get(key))
        out[key] = value
    for key in ("rescued", "bound"):
        value = header.get(key)
        if value is None or value == "":
            continue
        x = _as_float(value, isinstance(value, str))
        if x is None:
            issues.add(
                f"found {_describe(value)}; expected a finite number",
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
                f"found {_describe(raw_meta)}; expected a JSON object",
                "header.meta",
                lines.get("meta"),
            )
    out["meta"] = meta
    return out


def _make_plan(header: Mapping[str, Any], trips: list[Trip]) -> Plan:
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


def _getter(fields: list[str], pos: Mapping[str, int]) -> Callable[[str], object]:
    return lambda col: fields[pos[col]]


def _column_getter(data: Mapping[str, list[object]], i: int) -> Callable[[str], object]:
    return lambda col: data[col][i]


def _read_csv(text: str, source: str) -> Plan:
    """The documented CSV form, read strictly: a block of lines starting with '#' (``# key:
    value`` header fields or free comments) and empty lines, then the column row, then CSV
    records (RFC 4180 quoting). After the column row nothing is a comment: a record whose
    first field starts with '#' is a trip like any other."""
    issues = _Issues(source)
    lines = text.splitlines(keepends=True)
    header: dict[str, object] = {}
    header_lines: dict[str, int] = {}
    start = len(lines)
    for i, raw_line in enumerate(lines):
        if not raw_line.strip():
            continue
        if not raw_line.startswith("#"):
            start = i
            break
        body = raw_line[1:].strip()
        key, sep, value = body.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or " " in key:
            continue  # a free comment
        if key in header:
            issues.add(f"duplicate header field '{key}'", f"header.{key}", i + 1)
            continue
        header_lines[key] = i + 1
        if key == "meta":
            try:
                header[key] = json.loads(value)
            except (json.JSONDecodeError, RecursionError) as exc:
                why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
                issues.add(
                    f"found {_describe(value)}; expected a JSON object ({why})",
                    "header.meta",
                    i + 1,
                )
            continue
        header[key] = value
    values = _header_from_mapping(header, issues, header_lines)
    if start == len(lines):
        issues.add(
            f"no column row; expected a line '{','.join(COLUMNS)}'",
            "columns",
            len(lines) + 1,
        )
        issues.raise_if_any()
    reader = csv.reader(lines[start:], strict=True)
    try:
        columns = [c.strip() for c in next(reader)]
    except csv.Error as exc:
        issues.add(_csv_problem(exc), "columns", start + 1)
        issues.raise_if_any()
        raise AssertionError("unreachable") from None  # pragma: no cover
    col_line = start + 1
    if "class" not in columns and "vehicle_class" in columns:
        columns = ["class" if c == "vehicle_class" else c for c in columns]
    missing = [c for c in COLUMNS if c not in columns]
    dupes = sorted({c for c in columns if columns.count(c) > 1 and c in COLUMNS})
    if missing or dupes:
        what = (f"missing column(s) {', '.join(missing)}" if missing else "") + (
            ("; " if missing else "") + f"duplicate column(s) {', '.join(dupes)}" if dupes else ""
        )
        issues.add(f"{what}; expected the columns {','.join(COLUMNS)}", "columns", col_line)
        issues.raise_if_any()
    extra = [c for c in columns if c not in COLUMNS]
    if extra:
        log.debug("%s: ignoring extra column(s) %s", source, ", ".join(extra))
    pos = {c: columns.index(c) for c in COLUMNS}
    trips: list[Trip] = []
    row = 0
    prev_line = reader.line_num
    while True:
        line = start + prev_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.add(_csv_problem(exc), f"trips[{row}]", line)
            break  # the reader cannot resynchronise after a broken record
        prev_line = reader.line_num
        if not fields:
            continue  # an empty line
        if len(fields) != len(columns):
            issues.add(
                f"found {len(fields)} field(s); expected {len(columns)} ({','.join(columns)})",
                f"trips[{row}]",
                line,
            )
            row += 1
            continue
        trip = _trip_from_values(_getter(fields, pos), row, line, issues, True)
        if trip is not None:
            trips.append(trip)
        row += 1
    issues.raise_if_any()
    return _make_plan(values, trips)


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"found a field longer than {csv.field_size_limit():,} characters (the limit); "
            "expected ids and numbers"
        )
    return f"not valid CSV: {text}"


def _read_json(text: str, source: str) -> Plan:
    issues = _Issues(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(
            [Issue(f"not valid JSON: {exc.msg}", "", source, exc.lineno)]
        ) from None
    except RecursionError:
        raise PlanFormatError(
            [Issue("not valid JSON: nested too deep for a plan", "", source, 1)]
        ) from None
    if not isinstance(data, Mapping):
        raise PlanFormatError(
            [
                Issue(
                    f"found {type(data).__name__}; expected an object with 'header' and 'trips'",
                    "",
                    source,
                    1,
                )
            ]
        )
    header = data.get("header")
    if not isinstance(header, Mapping):
        issues.add(f"found {_describe(header)}; expected a header object", "header")
        header = {}
    values = _header_from_mapping(header, issues, None)
    rows = data.get("trips")
    if not isinstance(rows, list):
        issues.add(f"found {_describe(rows)}; expected a list of trip objects", "trips")
        rows = []
    trips = _trips_from_mappings(rows, issues, text=False)
    issues.raise_if_any()
    return _make_plan(values, trips)


def _read_parquet(path: Path) -> Plan:
    source = str(path)
    _, pq = _pyarrow(path)
    try:
        table = pq.read_table(source)
    except OSError as exc:
        raise PlanFormatError(
            [Issue(f"cannot read the Parquet file: {exc}", file=source)]
        ) from None
    issues = _Issues(source)
    metadata = table.schema.metadata or {}
    header: Mapping[str, object] = {}
    if _PARQUET_KEY in metadata:
        try:
            loaded = json.loads(metadata[_PARQUET_KEY])
            header = loaded if isinstance(loaded, Mapping) else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            issues.add("the plan header in the schema metadata is not valid JSON", "header")
    else:
        issues.add(
            f"no plan header; expected schema metadata key '{_PARQUET_KEY.decode()}'", "header"
        )
    values = _header_from_mapping(header, issues, None)
    names = list(table.column_names)
    if "class" not in names and "vehicle_class" in names:
        names = ["class" if c == "vehicle_class" else c for c in names]
        table = table.rename_columns(names)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        issues.add(
            f"missing column(s) {', '.join(missing)}; expected the columns {','.join(COLUMNS)}",
            "columns",
        )
        issues.raise_if_any()
    data = {c: table.column(c).to_pylist() for c in COLUMNS}
    trips: list[Trip] = []
    for i in range(table.num_rows):
        trip = _trip_from_values(_column_getter(data, i), i, None, issues, False)
        if trip is not None:
            trips.append(trip)
    issues.raise_if_any()
    return _make_plan(values, trips)
