"""Walkways in the scenario format: they load, dump back and validate with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate
from evacuate import ScenarioError
from evacuate.scenario.schema import json_schema

DATA = Path(__file__).parent.parent / "data" / "walkways"


def test_a_walkway_loads_with_its_fields() -> None:
    """``travel.walkways`` entries load with their times and rates in the scenario's units."""
    s = evacuate.loads(
        """
scenario: {id: w, end: 2d}
places:
  - {id: a, position: [0, 0], population: 10, deadline: 1d}
  - {id: b, position: [1, 0], capacity: 10}
travel:
  walkways:
    - {id: path, from: a, to: b, time: 90min, per_hour: 30, both_ways: true,
       open_from: 2h, open_until: 1d}
fleet:
  classes: [{id: bus, capacity: 5, speed: 10 km/h}]
  stock: [{class: bus, place: b, count: 1}]
"""
    )
    (w,) = s.travel.walkways
    assert (w.id, w.start, w.end, w.time, w.per_hour) == ("path", "a", "b", 1.5, 30.0)
    assert (w.both_ways, w.open_from, w.open_until) == (True, 2.0, 24.0)
    again = evacuate.loads(evacuate.dumps(s, "json"))
    assert again.travel.walkways == s.travel.walkways


def test_every_walkway_error_is_reported_at_its_line() -> None:
    """Duplicate id, unknown place, a walkway to itself, a negative time, a rate of zero and a
    window that closes before it opens: all reported together, each at its line."""
    with pytest.raises(ScenarioError) as info:
        evacuate.load(DATA / "broken_walkways.yaml")
    found = {(i.path, i.line) for i in info.value.issues if i.severity == "error"}
    messages = str(info.value)
    assert {
        ("travel.walkways[1].id", 12),
        ("travel.walkways[2].to", 13),
        ("travel.walkways[3].to", 14),
        ("travel.walkways[4].time", 15),
        ("travel.walkways[5].per_hour", 16),
        ("travel.walkways[6].open_until", 23),
    } <= found, messages
    assert "duplicate walkway id 'beach'" in messages
    assert "unknown place 'moel' (did you mean 'mole'?)" in messages
    assert "walkway from 'mole' to itself" in messages
    assert "expected open_until > open_from" in messages


def test_a_place_reached_only_on_foot_is_not_isolated() -> None:
    """With ``routes: lanes``, a place that only a walkway joins is valid."""
    s = evacuate.load(DATA / "walk_only.yaml")
    assert [w.id for w in s.travel.walkways] == ["footpath"]


def test_the_json_schema_describes_walkways() -> None:
    """The JSON Schema has the walkway with the names used in files."""
    schema = json_schema()
    text = str(schema)
    assert "walkways" in text and "per_hour" in text and "both_ways" in text
