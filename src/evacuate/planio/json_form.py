"""The JSON form of a plan: an object with a ``header`` object and a ``trips`` list, one trip
object per line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from evacuate.errors import Issue, PlanFormatError
from evacuate.planio.records import Plan, plan_to_rows
from evacuate.planio.values import (
    Issues,
    describe,
    header_from_mapping,
    make_plan,
    trips_from_mappings,
)
from evacuate.planio.walk_form import walk_rows, walks_from_mappings

__all__ = ["json_text", "read_json"]


def json_text(plan: Plan) -> str:
    header = json.dumps(plan.header(), indent=2, allow_nan=False)
    header = header.replace("\n", "\n  ")
    rows = ",\n    ".join(json.dumps(r, allow_nan=False) for r in plan_to_rows(plan))
    body = f"\n    {rows}\n  " if rows else ""
    if not plan.walks:
        return f'{{\n  "header": {header},\n  "trips": [{body}]\n}}\n'
    walks = ",\n    ".join(json.dumps(r, allow_nan=False) for r in walk_rows(plan))
    return f'{{\n  "header": {header},\n  "trips": [{body}],\n  "walks": [\n    {walks}\n  ]\n}}\n'


def read_json(text: str, source: str) -> Plan:
    issues = Issues(source)
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
    except ValueError:  # a number of more than 4,300 digits (Python's limit)
        raise PlanFormatError(
            [Issue("not valid JSON: a number of more than 4,300 digits", "", source)]
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
        issues.add(f"found {describe(header)}; expected a header object", "header")
        header = {}
    values = header_from_mapping(header, issues, None)
    rows = data.get("trips")
    if not isinstance(rows, list):
        issues.add(f"found {describe(rows)}; expected a list of trip objects", "trips")
        rows = []
    trips = trips_from_mappings(rows, issues, text=False)
    walk_list = data.get("walks", [])
    if not isinstance(walk_list, list):
        issues.add(f"found {describe(walk_list)}; expected a list of walk objects", "walks")
        walk_list = []
    walks = walks_from_mappings(walk_list, issues, text=False)
    issues.raise_if_any()
    return replace(make_plan(values, trips), walks=tuple(walks))
