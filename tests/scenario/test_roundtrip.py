"""Round trip: a scenario dumped as YAML or JSON loads back to an equal scenario."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.scenario import from_dict, validate
from tests.strategies import scenarios

FORMATS = ("yaml", "json")


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text such as '1e5' that the loader reads as a number."""


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _roundtrips(scenario: evacuate.Scenario) -> None:
    for fmt in FORMATS:
        again = evacuate.loads(evacuate.dumps(scenario, fmt), source=f"<{fmt}>")
        assert again == scenario, fmt
        assert again.to_data() == scenario.to_data()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenario_roundtrips(data: dict[str, Any]) -> None:
    """A random valid scenario loads, and its YAML and JSON dumps load back equal."""
    scenario = from_dict(data)
    _roundtrips(scenario)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenario_as_yaml_text_loads_equal(data: dict[str, Any]) -> None:
    """The same data written as YAML text loads to the scenario built from the dict."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False)  # no allow_unicode: U+0085 breaks
    assert evacuate.loads(text) == from_dict(data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenario_has_no_errors(data: dict[str, Any]) -> None:
    """The strategy draws only data that passes every rule (warnings allowed)."""
    assert [i for i, _ in validate.check_raw(data) if i.severity == "error"] == []
    scenario = from_dict(data)
    assert [i for i, _ in validate.check_model(scenario) if i.severity == "error"] == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_variants_roundtrip(data: dict[str, Any]) -> None:
    """Each variant of a random scenario round-trips and remembers it is that variant."""
    scenario = from_dict(data)
    for name in scenario.variant_names:
        derived = scenario.variant(name)
        _roundtrips(derived)
        assert evacuate.loads(evacuate.dumps(derived)).applied_variant == name


def test_romulan_roundtrips() -> None:
    """The embedded Romulan scenario round-trips through YAML and JSON."""
    _roundtrips(evacuate.load())


@pytest.mark.parametrize("name", evacuate.load().variant_names)
def test_romulan_variant_roundtrips(name: str) -> None:
    """Each Romulan variant round-trips through YAML and JSON."""
    _roundtrips(evacuate.load().variant(name))


def test_dump_writes_a_file_that_loads_equal(tmp_path: Any) -> None:
    """dump() writes YAML or JSON by suffix, and load() reads it back equal."""
    scenario = evacuate.load()
    for suffix in (".yaml", ".json"):
        target = tmp_path / f"romulan{suffix}"
        evacuate.dump(scenario, target)
        assert evacuate.load(target) == scenario
