"""Plan files: the ``Plan`` and ``Trip`` records and their CSV, JSON and Parquet forms.

A plan is a header (scenario, variant, objective, claimed rescued and bound, time unit) plus
trip rows ``group, class, count, origin, depart, destination, arrive, people`` with times in the
scenario's time unit after time zero (docs/model.md, "Trips"; docs/plan-format.md). This package
stores and validates data only: planning lives in ``evacuate.plan``, verification in
``evacuate.check``.

The package splits by concern: ``records`` (Trip, Plan, the format's names and limits),
``values`` (validation shared by every form), ``csv_form``, ``json_form`` and ``parquet_form``;
this module picks the form from the suffix and re-exports the public names.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evacuate.errors import Issue, PlanFormatError
from evacuate.files import atomic_write, read_at_most
from evacuate.planio.csv_form import csv_text, read_csv
from evacuate.planio.json_form import json_text, read_json
from evacuate.planio.parquet_form import arrow_table, pyarrow_modules, read_parquet
from evacuate.planio.records import (
    COLUMNS,
    FORMAT,
    HEADER_KEYS,
    MAX_COUNT,
    MAX_ISSUES,
    MAX_PLAN_BYTES,
    TIME_UNITS,
    Plan,
    Trip,
    Walk,
    plan_to_array,
    plan_to_rows,
)
from evacuate.planio.values import Issues, header_from_mapping, make_plan, trips_from_mappings

__all__ = [
    "COLUMNS",
    "FORMAT",
    "HEADER_KEYS",
    "MAX_COUNT",
    "MAX_ISSUES",
    "MAX_PLAN_BYTES",
    "SUFFIXES",
    "TIME_UNITS",
    "Plan",
    "Trip",
    "Walk",
    "plan_from_rows",
    "plan_to_array",
    "plan_to_rows",
    "read_plan",
    "write_plan",
]

log = logging.getLogger(__name__)

_SUFFIXES = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
SUFFIXES: tuple[str, ...] = tuple(_SUFFIXES)
"""The suffixes of plan files, each naming its format."""


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
    issues = Issues(source)
    values = header_from_mapping(header, issues, None)
    trips = trips_from_mappings(rows, issues, text=False)
    issues.raise_if_any()
    return make_plan(values, trips)


# ---------------------------------------------------------------------------- writing
def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write a plan as CSV, JSON or Parquet (chosen from the suffix), atomically.

    The file appears complete or not at all: it is written to a temporary file in the same
    folder and renamed. Values are not validated here; ``read_plan`` validates.
    """
    target = Path(path)
    fmt = _format_of(target)
    if fmt == "parquet":
        pa, pq = pyarrow_modules(target)
        table = arrow_table(plan, pa)
        atomic_write(target, lambda tmp: pq.write_table(table, str(tmp)))
        return
    text = csv_text(plan) if fmt == "csv" else json_text(plan)
    atomic_write(target, text)
    log.debug("wrote %d trips to %s", len(plan.trips), target)


# ---------------------------------------------------------------------------- reading
def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read and validate a plan file (CSV, JSON or Parquet, chosen from the suffix).

    Raises ``PlanFormatError`` listing every problem found (file, line or row, column, what
    was found and what was expected), up to ``MAX_ISSUES``.
    """
    source = Path(path)
    fmt = _format_of(source)
    if fmt == "parquet":
        return read_parquet(source)
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
    plan = read_csv(text, str(source)) if fmt == "csv" else read_json(text, str(source))
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
