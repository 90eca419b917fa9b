"""Walks in plan files (docs/plan-format.md, "Walks"): who walks where and when along the
scenario's walkways. CSV: rows with a ``walkway`` (and no group, class or count) beside the
trips; JSON: a ``walks`` list; Parquet: the walks as JSON in the schema metadata. A plan
without walks is written exactly as before, and plans written before walks read unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict

from evacuate.planio.records import Plan, Walk
from evacuate.planio.values import Issues, describe, row_values

__all__ = [
    "PARQUET_WALKS_KEY",
    "WALK_COLUMNS",
    "walk_from_values",
    "walk_rows",
    "walks_from_json",
    "walks_from_mappings",
]

WALK_COLUMNS = ("walkway", "origin", "depart", "destination", "arrive", "people")
PARQUET_WALKS_KEY = b"evacuate.walks"

_KINDS = {
    "walkway": ("text", "a walkway id (text)"),
    "origin": ("text", "a place id (text)"),
    "depart": ("time", "a finite number (time in the scenario's time unit)"),
    "destination": ("text", "a place id (text)"),
    "arrive": ("time", "a finite number (time in the scenario's time unit)"),
    "people": ("count1", "a whole number of people, from 1 to 10**18"),
}


def walk_rows(plan: Plan) -> list[dict[str, object]]:
    """The walks as mappings keyed by ``WALK_COLUMNS``."""
    return [asdict(w) for w in plan.walks]


def walk_from_values(
    get: Callable[[str], object], row: int, line: int | None, issues: Issues, text: bool
) -> Walk | None:
    """One walk from its column values (``get(column)``), or None after noting problems."""
    vals = row_values(get, _KINDS, f"walks[{row}]", line, issues, text)
    if vals is None:
        return None
    return Walk(
        walkway=str(vals["walkway"]),
        origin=str(vals["origin"]),
        depart=float(vals["depart"]),  # type: ignore[arg-type]
        destination=str(vals["destination"]),
        arrive=float(vals["arrive"]),  # type: ignore[arg-type]
        people=int(vals["people"]),  # type: ignore[call-overload]
    )


def walks_from_mappings(rows: Iterable[object], issues: Issues, *, text: bool) -> list[Walk]:
    out: list[Walk] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            issues.add(f"found {describe(row)}; expected a walk object", f"walks[{i}]")
            continue
        walk = walk_from_values(row.get, i, None, issues, text)
        if walk is not None:
            out.append(walk)
    return out


def walks_from_json(raw: bytes | str, issues: Issues) -> list[Walk]:
    """Walks stored as a JSON list (the Parquet form's metadata)."""
    try:
        rows = json.loads(raw)
    except (ValueError, RecursionError):  # bad JSON or UTF-8, 4,300+ digit numbers
        issues.add("the walks in the schema metadata are not valid JSON", "walks")
        return []
    if not isinstance(rows, list):
        issues.add(f"found {describe(rows)}; expected a list of walk objects", "walks")
        return []
    return walks_from_mappings(rows, issues, text=False)
