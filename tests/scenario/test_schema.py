"""The JSON Schema of the file format accepts the files the loader accepts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.scenario import builtin_path, from_dict
from evacuate.scenario.schema import json_schema
from tests.strategies import scenarios

jsonschema = pytest.importorskip("jsonschema")

DATA = Path(__file__).parent.parent / "data"
EXAMPLES = sorted(p for p in (DATA.parent.parent / "examples").glob("*.yaml") if p.stem != "broken")
VALID = (
    sorted((DATA / "valid").glob("*.yaml")) + sorted((DATA / "warnings").glob("*.yaml")) + EXAMPLES
)


_VALIDATOR = jsonschema.Draft202012Validator(json_schema())


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema.Draft202012Validator.check_schema(_VALIDATOR.schema)
    return _VALIDATOR


def _as_json(node: Any) -> Any:
    """What a JSON file holds for YAML data: dates become ISO strings."""
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def _read(path: Path) -> Any:
    return _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_schema_is_json_and_uses_file_names() -> None:
    """The schema is plain JSON and names fields as files do (from, to, class)."""
    schema = json.loads(json.dumps(json_schema()))
    assert schema["$schema"].endswith("2020-12/schema")
    defs = schema["$defs"]
    assert {"from", "to"} <= set(defs["Lane"]["properties"])
    assert "class" in defs["Stock"]["properties"] and "class" in defs["Shipyard"]["properties"]


def test_schema_says_quantities_take_numbers_or_strings() -> None:
    """Durations, times, distances and speeds accept a number or a string with a unit."""
    defs = json_schema()["$defs"]
    for model, field in [
        ("VehicleClass", "load_time"),
        ("Meta", "end"),
        ("Hazard", "speed"),
        ("Hazard", "max_radius"),
    ]:
        text = json.dumps(defs[model]["properties"][field])
        assert '"type": "number"' in text and '"type": "string"' in text, (model, field)


def test_romulan_file_validates(validator: Any) -> None:
    """The embedded Romulan file is valid against the schema."""
    validator.validate(_read(builtin_path()))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_files_validate(validator: Any, path: Path) -> None:
    """Each valid test scenario and each example in examples/ is valid against the schema."""
    validator.validate(_read(path))


@pytest.mark.parametrize("stem", ["wrong_type", "unknown_field", "bad_effect_type", "bad_map_kind"])
def test_schema_rejects_type_errors(validator: Any, stem: str) -> None:
    """Files with wrong types, unknown fields or unknown kinds fail the schema too."""
    assert not validator.is_valid(_read(DATA / "broken" / f"{stem}.yaml"))


def test_dumped_scenarios_validate(validator: Any) -> None:
    """The data evacuate writes (dumps) for the Romulan scenario and its variants is valid."""
    base = evacuate.load()
    for scenario in [base, *(base.variant(n) for n in base.variant_names)]:
        validator.validate(json.loads(evacuate.dumps(scenario, "json")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_validate(data: dict[str, Any]) -> None:
    """Random valid scenario data, as written and as dumped, is valid against the schema."""
    _VALIDATOR.validate(_as_json(data))
    _VALIDATOR.validate(from_dict(data).to_data())
