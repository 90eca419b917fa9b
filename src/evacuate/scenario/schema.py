"""A JSON Schema for the scenario FILE format, for editors and other tools.

Generated from the pydantic schema with the names used in files (``from``, ``to``, ``class``).
Quantities that the loader converts say so: times, durations, distances and speeds accept a
number in the scenario's units or a string with a unit ("36h", "2.8 ly/d"), and times also a
calendar date. The schema checks shapes and types; references and geometry are ``validate``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from evacuate import units
from evacuate.scenario import fields
from evacuate.scenario.scenario import Scenario

__all__ = ["SCHEMA_ID", "json_schema"]

SCHEMA_ID = "https://evacuate.invalid/schema/scenario.json"
"""The ``$id`` of the generated schema (a name, not a place to download it from)."""

_NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
_WITH_UNIT = rf"^\s*{_NUMBER}\s*[A-Za-z]+\s*$"
_SPEED = rf"^\s*{_NUMBER}\s*[A-Za-z]+(\s*/\s*[A-Za-z]+)?\s*$"
_DATE = r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$"

_TIME_UNITS = ", ".join(sorted(units.TIME_UNITS, key=lambda u: units.TIME_UNITS[u]))
_DISTANCE_UNITS = ", ".join(units.DISTANCE_UNITS)


def _text(pattern: str, description: str, examples: list[str]) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, "description": description, "examples": examples}


_DURATION_TEXT = _text(
    _WITH_UNIT, f"A duration with a unit ({_TIME_UNITS}).", ["36h", "4d", "90min", "2w"]
)
_DATE_TEXT = _text(
    _DATE,
    "A calendar date or date-time; needs scenario.start_date.",
    ["2385-04-05", "2385-04-05T06:00"],
)
_DISTANCE_TEXT = _text(
    _WITH_UNIT, f"A distance with a unit ({_DISTANCE_UNITS}).", ["10 ly", "25 km"]
)
_SPEED_TEXT = _text(
    _SPEED,
    "A speed: distance unit / time unit, or mph, kph, kn.",
    ["2.8 ly/d", "50 km/h", "30 mph"],
)

_CONVERTERS: dict[Callable[..., Any], tuple[str, list[dict[str, Any]]]] = {
    fields._to_duration: ("in the scenario's time unit", [_DURATION_TEXT]),
    fields._to_period: ("in the scenario's time unit, at least one second", [_DURATION_TEXT]),
    fields._to_span: ("in the scenario's time unit, at least one second", [_DURATION_TEXT]),
    fields._to_time: ("time units after time zero", [_DURATION_TEXT, _DATE_TEXT]),
    fields._to_distance: ("in the map unit", [_DISTANCE_TEXT]),
    fields._to_speed: ("map units per time unit", [_SPEED_TEXT]),
}


class _FileSchema(GenerateJsonSchema):
    """Describes what a file may hold where the loader converts values before checking them."""

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if function is fields._to_date:
            return dict(_DATE_TEXT)
        if function is fields._unlimited:
            number = {**self.generate_inner(schema["schema"]), "description": "People."}
            return {"anyOf": [number, {"const": "unlimited", "description": "Room for everyone."}]}
        if function not in _CONVERTERS:
            return super().function_before_schema(schema)
        number = self.generate_inner(schema["schema"])
        meaning, texts = _CONVERTERS[function]
        number = {**number, "description": f"A number, {meaning}."}
        return {"anyOf": [number, *texts]}


_BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def _standard_bounds(node: Any) -> None:
    """Pydantic writes bounds it applies after a before-validator as ``ge``/``gt``/``le``/``lt``
    beside the value's schema; move them, as JSON Schema keywords, onto the numeric schemas."""
    if isinstance(node, list):
        for item in node:
            _standard_bounds(item)
        return
    if not isinstance(node, dict):
        return
    bounds = {_BOUNDS[key]: node.pop(key) for key in list(node) if key in _BOUNDS}
    if bounds:
        numeric = [m for m in node.get("anyOf", [node]) if m.get("type") in ("number", "integer")]
        for member in numeric:
            member.update(bounds)
    for key, value in node.items():
        if key not in ("examples", "default", "const", "enum"):
            _standard_bounds(value)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as plain data."""
    out: dict[str, Any] = Scenario.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_FileSchema
    )
    _standard_bounds(out)
    out.pop("title", None)
    out.pop("description", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "evacuate scenario",
        "description": (
            "An evacuation scenario for evacuate (YAML or JSON): who is in danger and until "
            "when, where they can go, and what vehicles exist. See docs/scenario-format.md."
        ),
        **out,
    }
