"""The Parquet form of a plan: one column per trip field, the header as JSON in the schema's
metadata. Needs pyarrow (an optional extra)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from evacuate.errors import Issue, PlanFormatError
from evacuate.planio.records import COLUMNS, MAX_PLAN_BYTES, Plan, Trip
from evacuate.planio.values import Issues, header_from_mapping, make_plan, trip_from_values
from evacuate.planio.walk_form import PARQUET_WALKS_KEY, walk_rows, walks_from_json

__all__ = ["PARQUET_KEY", "arrow_table", "pyarrow_modules", "read_parquet"]

PARQUET_KEY = b"evacuate.plan"


def pyarrow_modules(path: Path) -> tuple[Any, Any]:
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise PlanFormatError(
            [Issue("Parquet plan files need pyarrow: pip install pyarrow", file=str(path))]
        ) from None
    return pa, pq


def arrow_table(plan: Plan, pa: Any) -> Any:
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
        metadata={
            PARQUET_KEY: json.dumps(plan.header(), allow_nan=False).encode(),
            **(
                {PARQUET_WALKS_KEY: json.dumps(walk_rows(plan), allow_nan=False).encode()}
                if plan.walks
                else {}
            ),
        },
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


def column_getter(data: Mapping[str, list[object]], i: int) -> Callable[[str], object]:
    return lambda col: data[col][i]


MAX_PLAN_ROWS = 4_000_000
"""Most rows read from a Parquet plan: about what a CSV plan holds at ``MAX_PLAN_BYTES``.
Parquet compresses repeated rows (20 million equal trips fit in 600 KB), so the file's size
bounds nothing: such a file took 20 GB of memory and 7 minutes before it was refused."""


def _read_table(source: str, pa: Any, pq: Any) -> Any:
    """The table, its text columns kept dictionary-encoded (their size as read is what the
    file holds), after refusing more than ``MAX_PLAN_ROWS`` rows or ``MAX_PLAN_BYTES`` of
    text once decoded (a long text repeated on every row)."""

    def refuse(problem: str) -> PlanFormatError:
        return PlanFormatError([Issue(problem, file=source)])

    try:
        meta = pq.read_metadata(source)
        if meta.num_rows > MAX_PLAN_ROWS:
            raise refuse(
                f"{meta.num_rows:,} rows; expected at most {MAX_PLAN_ROWS:,} (the limit for a plan)"
            )
        schema = meta.schema.to_arrow_schema()
        texts = [f.name for f in schema if pa.types.is_string(f.type)]
        table = pq.read_table(source, read_dictionary=texts)
        decoded = 0
        for name in set(table.column_names) & set(COLUMNS):
            for chunk in table.column(name).chunks:
                if pa.types.is_dictionary(chunk.type):
                    values, picks = chunk.dictionary, chunk.indices
                else:
                    values, picks = chunk, None
                if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
                    continue
                lengths = pa.compute.binary_length(values)
                if picks is not None:
                    lengths = lengths.take(picks)
                decoded += pa.compute.sum(lengths).as_py() or 0
    except PlanFormatError:
        raise
    except (OSError, ValueError, KeyError, NotImplementedError, pa.ArrowException) as exc:
        # ArrowInvalid (not Parquet, empty) is a ValueError; two columns of one name a KeyError
        raise refuse(f"cannot read the Parquet file: {exc}") from None
    if decoded > MAX_PLAN_BYTES:
        size = f"{MAX_PLAN_BYTES // 2**20:,} MiB"
        raise refuse(f"its text decoded is larger than {size} (the limit for a plan)")
    return table


def read_parquet(path: Path) -> Plan:
    source = str(path)
    pa, pq = pyarrow_modules(path)
    importlib.import_module("pyarrow.compute")
    table = _read_table(source, pa, pq)
    issues = Issues(source)
    metadata = table.schema.metadata or {}
    header: Mapping[str, object] = {}
    if PARQUET_KEY in metadata:
        try:
            loaded = json.loads(metadata[PARQUET_KEY])
            header = loaded if isinstance(loaded, Mapping) else {}
        except (ValueError, RecursionError):  # bad JSON or UTF-8, 4,300+ digit numbers
            issues.add("the plan header in the schema metadata is not valid JSON", "header")
    else:
        issues.add(
            f"no plan header; expected schema metadata key '{PARQUET_KEY.decode()}'", "header"
        )
    values = header_from_mapping(header, issues, None)
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
        trip = trip_from_values(column_getter(data, i), i, None, issues, False)
        if trip is not None:
            trips.append(trip)
    walks = (
        walks_from_json(metadata[PARQUET_WALKS_KEY], issues)
        if PARQUET_WALKS_KEY in metadata
        else []
    )
    issues.raise_if_any()
    return replace(make_plan(values, trips), walks=tuple(walks))
