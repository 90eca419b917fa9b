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
from evacuate.planio.records import COLUMNS, Plan, Trip
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


def read_parquet(path: Path) -> Plan:
    source = str(path)
    _, pq = pyarrow_modules(path)
    try:
        table = pq.read_table(source)
    except (OSError, ValueError) as exc:  # ArrowInvalid (not Parquet, empty) is a ValueError
        raise PlanFormatError(
            [Issue(f"cannot read the Parquet file: {exc}", file=source)]
        ) from None
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
