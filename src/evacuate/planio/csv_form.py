"""The CSV form of a plan: ``# key: value`` header lines, the column row, then one trip per
record (RFC 4180 quoting), written and read strictly."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import replace

from evacuate.planio.records import COLUMNS, Plan, Trip, Walk
from evacuate.planio.values import (
    Issues,
    describe,
    header_from_mapping,
    make_plan,
    trip_from_values,
)
from evacuate.planio.walk_form import walk_from_values

__all__ = ["csv_text", "num_text", "read_csv"]

log = logging.getLogger(__name__)


def num_text(x: float) -> str:
    """Shortest text that reads back to the same float (integers without '.0')."""
    if isinstance(x, bool):
        raise TypeError("a number, not a bool")
    if isinstance(x, int):
        return str(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def header_text_value(key: str, value: object) -> str:
    if key == "meta":
        return json.dumps(value, allow_nan=False, separators=(", ", ": "))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return num_text(value)
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"plan header field '{key}' must be one line; found {text!r}")
    return text


def csv_text(plan: Plan) -> str:
    out = io.StringIO()
    for key, value in plan.header().items():
        out.write(f"# {key}: {header_text_value(key, value)}\n")
    writer = csv.writer(out, lineterminator="\n")
    # other tools (pandas' comment="#", R's comment.char) cut text from an unquoted '#' on;
    # such rows are written fully quoted
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    # walks (walk_form.py): a ``walkway`` column, only when there are walks
    tail: tuple[str, ...] = ("",) if plan.walks else ()
    writer.writerow((*COLUMNS, "walkway") if plan.walks else COLUMNS)
    for t in plan.trips:
        texts = (t.group, t.vehicle_class, t.origin, t.destination)
        row = (
            t.group,
            t.vehicle_class,
            t.count,
            t.origin,
            num_text(t.depart),
            t.destination,
            num_text(t.arrive),
            t.people,
            *tail,
        )
        (quoted if any("#" in x for x in texts) else writer).writerow(row)
    for w in plan.walks:
        names = (w.walkway, w.origin, w.destination)
        cells = ("", "", "", w.origin, num_text(w.depart), w.destination, num_text(w.arrive))
        (quoted if any("#" in x for x in names) else writer).writerow((*cells, w.people, w.walkway))
    return out.getvalue()


def row_getter(fields: list[str], pos: Mapping[str, int]) -> Callable[[str], object]:
    return lambda col: fields[pos[col]]


def read_csv(text: str, source: str) -> Plan:
    """The documented CSV form, read strictly: a block of lines starting with '#' (``# key:
    value`` header fields or free comments) and empty lines, then the column row, then CSV
    records (RFC 4180 quoting). After the column row nothing is a comment: a record whose
    first field starts with '#' is a trip like any other."""
    issues = Issues(source)
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
            except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
                why = (
                    exc.msg
                    if isinstance(exc, json.JSONDecodeError)
                    else "nested too deep"
                    if isinstance(exc, RecursionError)
                    else "a number of more than 4,300 digits"
                )
                issues.add(
                    f"found {describe(value)}; expected a JSON object ({why})",
                    "header.meta",
                    i + 1,
                )
            continue
        header[key] = value
    values = header_from_mapping(header, issues, header_lines)
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
        issues.add(csv_problem(exc), "columns", start + 1)
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
    walk_at = columns.index("walkway") if "walkway" in columns else None
    if walk_at is not None:
        pos["walkway"] = walk_at
    walks: list[Walk] = []
    trips: list[Trip] = []
    row = walk_row = 0
    prev_line = reader.line_num
    while True:
        line = start + prev_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.add(csv_problem(exc), f"trips[{row}]", line)
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
        if walk_at is not None and fields[walk_at].strip():
            walk = walk_from_values(row_getter(fields, pos), walk_row, line, issues, True)
            if walk is not None:
                walks.append(walk)
            walk_row += 1
            continue
        trip = trip_from_values(row_getter(fields, pos), row, line, issues, True)
        if trip is not None:
            trips.append(trip)
        row += 1
    issues.raise_if_any()
    return replace(make_plan(values, trips), walks=tuple(walks))


def csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"found a field longer than {csv.field_size_limit():,} characters (the limit); "
            "expected ids and numbers"
        )
    return f"not valid CSV: {text}"
