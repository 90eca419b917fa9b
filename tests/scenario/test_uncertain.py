"""The ``uncertainties`` section: paths, units, distributions checked with lines; applying
drawn values gives the concrete scenario."""

from __future__ import annotations

import textwrap

import pytest

import evacuate
from evacuate import ScenarioError
from evacuate.scenario import uncertain
from evacuate.scenario.schema import json_schema

BASE = """\
scenario:
  id: tiny
  end: 48h
hazard:
  origin: [0, 0]
  speed: 5 km/h
  max_radius: 20 km
places:
  - id: town
    position: [5, 0]
    population: 400
  - id: shelter
    position: [40, 0]
    capacity: 1000
  - id: depot
    position: [40, 10]
fleet:
  classes:
    - {id: bus, capacity: 50, speed: 60 km/h}
  stock:
    - {id: buses, class: bus, place: depot, count: 4}
events:
  - id: flood
    at: 10h
    mode: surprise
    effects: [{type: close_place, place: shelter, until: 12h}]
"""


def load(uncertainties: str) -> evacuate.Scenario:
    return evacuate.loads(BASE + "uncertainties:\n" + textwrap.indent(uncertainties, "  "))


def test_values_with_units_are_read_by_the_target_field() -> None:
    """A range written with units means what it means in the field it varies."""
    s = load(
        "- {path: hazard.speed, distribution: uniform, low: 2 km/h, high: 0.25 km/min}\n"
        "- {path: 'events[flood].at', distribution: triangular, low: 4h, mode: 1d, high: 30h}\n"
        "- {path: 'fleet.stock[buses].count', distribution: discrete, values: [2, 4, 8]}\n"
        "- {path: 'places[0].population', distribution: normal, mean: 400, sd: 50, low: 0}\n"
        "- {id: spread, path: perturbations.travel_cv, distribution: lognormal,"
        " median: 0.1, sigma: 0.5}\n"
        "- {event: flood, probability: 0.25}\n"
    )
    r = {u.name: u for u in uncertain.resolve(s)}
    assert r["hazard.speed"].params == {"low": 2.0, "high": pytest.approx(15.0)}
    assert r["events[flood].at"].params == {"low": 4.0, "mode": 24.0, "high": 30.0}
    assert r["fleet.stock[buses].count"].integer
    assert r["fleet.stock[buses].count"].params["values"] == (2.0, 4.0, 8.0)
    assert not r["hazard.speed"].integer
    assert r["spread"].params == {"median": 0.1, "sigma": 0.5}
    assert r["event.flood"].params == {"probability": 0.25}


@pytest.mark.parametrize(
    ("entry", "path", "message"),
    [
        ("{path: hazard.sped, distribution: uniform, low: 1, high: 2}", "path", "no field 'sped'"),
        (
            "{path: 'places[city].population', distribution: uniform, low: 1, high: 2}",
            "path",
            "no item with id 'city'; it has: town, shelter, depot",
        ),
        ("{path: 'places[town].id', distribution: uniform, low: 1, high: 2}", "path", "a number"),
        ("{path: hazard.speed, distribution: uniform, low: 3, high: 2}", "high", "high > low"),
        ("{path: hazard.speed, distribution: uniform, low: 1}", "high", "needs low and high"),
        ("{path: hazard.speed, distribution: uniform, low: 1, high: 2, sd: 1}", "sd", "not sd"),
        (
            "{path: hazard.speed, distribution: triangular, low: 1, mode: 5, high: 2}",
            "mode",
            "low <= mode <= high",
        ),
        ("{path: hazard.speed, distribution: normal, mean: 1, sd: 0}", "sd", "positive"),
        (
            "{path: hazard.speed, distribution: discrete, values: [1, 2], weights: [1]}",
            "weights",
            "expected 2 weights",
        ),
        ("{path: hazard.speed, distribution: uniform, low: 1 h, high: 2}", "path", "cannot read"),
        ("{event: fire, probability: 0.5}", "event", "unknown event 'fire'; events: flood"),
        ("{event: flood}", "probability", "needs probability"),
        ("{event: flood, probability: 0.5, path: hazard.speed}", "path", "either path"),
        ("{path: hazard.speed}", "distribution", "missing"),
    ],
)
def test_each_mistake_is_reported_at_its_line(entry: str, path: str, message: str) -> None:
    """Every rule of the section names the field, the line and what was expected."""
    with pytest.raises(ScenarioError) as info:
        load("- {event: flood, probability: 0.5, id: fine}\n- " + entry + "\n")
    issues = [i for i in info.value.issues if i.severity == "error"]
    assert len(issues) == 1, issues
    assert issues[0].path == f"uncertainties[1].{path}"
    assert issues[0].line == BASE.count("\n") + 3
    assert message in issues[0].message


def test_all_errors_at_once_and_duplicate_names() -> None:
    """Several broken entries are all reported together; two entries may not share a name."""
    with pytest.raises(ScenarioError) as info:
        load(
            "- {path: hazard.speed, distribution: uniform, low: 1, high: 2}\n"
            "- {path: hazard.speed, distribution: uniform, low: 1, high: 3}\n"
            "- {path: nowhere, distribution: uniform, low: 1, high: 3}\n"
            "- {event: flood}\n"
        )
    paths = sorted(i.path for i in info.value.issues)
    assert paths == [
        "uncertainties[1].id",
        "uncertainties[2].path",
        "uncertainties[3].probability",
    ]
    with pytest.raises(ScenarioError, match=r"uncertainties\[0\]\.probability"):
        load("- {event: flood, probability: 1.5}\n")


def test_apply_puts_values_in_place_and_drops_the_section() -> None:
    """Drawn numbers land at their paths (counts rounded); events that do not happen are off."""
    s = load(
        "- {id: n, path: 'fleet.stock[buses].count', distribution: uniform, low: 1, high: 9}\n"
        "- {id: v, path: hazard.speed, distribution: uniform, low: 1, high: 9}\n"
        "- {event: flood, probability: 0.5}\n"
    )
    out = uncertain.apply(s, {"n": 6.6, "v": 7.25}, {"flood": False})
    assert out.fleet.stock[0].count == 7
    assert out.hazard is not None and out.hazard.speed == 7.25
    assert not out.events[0].enabled
    assert out.uncertainties == ()
    assert uncertain.apply(s, {"n": 2.0, "v": 2.0}, {"flood": True}).events[0].enabled
    with pytest.raises(ScenarioError, match="drawn value"):
        uncertain.apply(s, {"n": -3.0, "v": 2.0})


def test_json_schema_describes_the_section() -> None:
    """Editors see the uncertainties section and its distributions in the JSON Schema."""
    schema = json_schema()
    assert "uncertainties" in schema["properties"]
    text = str(schema["$defs"]["Uncertainty"])
    for word in ("uniform", "normal", "lognormal", "triangular", "discrete", "probability"):
        assert word in text


def test_hurricane_example_declares_its_uncertainties() -> None:
    """The example used in the docs has numbers, a count and events to vary."""
    s = evacuate.load("examples/hurricane_bus.yaml")
    names = [u.name for u in uncertain.resolve(s)]
    assert "storm_speed" in names and "event.garage_flooding" in names
