"""Validation of help and the small items of issue 10: one broken file per rule (in
tests/data/broken_fleet), each reported with its path, line and a helpful message."""

from __future__ import annotations

from pathlib import Path

import yaml

import evacuate
from evacuate.scenario import schema
from tests.scenario.broken import Expected, broken_file_tests

BROKEN = Path(__file__).parent.parent / "data" / "broken_fleet"

# file stem -> (path, line, message fragment)
EXPECTED: Expected = {
    "reinforcement_unknown_class": (
        "events[0].effects[0].class",
        28,
        "unknown class 'buss' (did you mean 'bus'?)",
    ),
    "open_place_never_closed": (
        "events[0].effects[0]",
        27,
        "open_place of a place that no close_place event closes",
    ),
    "open_lane_both_targets": ("events[1].effects[0]", 30, "found both 'lane' and 'between'"),
    "reinforcement_in_attack_menu": (
        "attacks.options[0].effects[0]",
        27,
        "found type 'add_vehicles'; expected one of 'destroy_vehicles'",
    ),
    "damage_repaired_before": ("events[0].effects[0].until", 29, "found until 5 h, not after"),
    "sink_both_targets": ("events[0].effects[0]", 27, "found both 'lane' and 'between'"),
    "return_never_withdrawn": (
        "events[0].effects[0]",
        28,
        "return_operator of 'county', which no withdraw_operator event withdraws",
    ),
    "capacity_not_unlimited": ("places[1].capacity", 12, "a number of people or 'unlimited'"),
}


test_every_broken_file_has_expectations, test_broken_file_reports_path_line_and_message = (
    broken_file_tests(BROKEN, EXPECTED)
)


def test_the_schema_knows_help_notes_and_unlimited() -> None:
    """The JSON Schema lists the new effect types and accepts ``unlimited`` capacities."""
    text = str(schema.json_schema())
    kinds = (
        "add_vehicles",
        "open_place",
        "open_lane",
        "return_operator",
        "sink_vehicles",
        "damage_vehicles",
        "note",
    )
    for kind in kinds:
        assert f"'{kind}'" in text
    assert "'unlimited'" in text


def test_attack_menus_still_take_every_disruption() -> None:
    """The attack menu accepts the six disruptions it took before (help is not an attack)."""
    data = yaml.safe_load((BROKEN / "reinforcement_in_attack_menu.yaml").read_text())
    data["travel"] = {"lanes": [{"id": "road", "from": "town", "to": "shelter"}]}
    data["fleet"]["shipyards"] = [
        {"id": "works", "place": "shelter", "class": "bus", "schedule": [{"start": 0, "rate": 1}]}
    ]
    effects = [
        {"type": "destroy_vehicles", "place": "shelter"},
        {"type": "stop_production", "shipyard": "works"},
        {"type": "close_lane", "lane": "road"},
        {"type": "close_place", "place": "town"},
        {"type": "move_deadline", "place": "town", "to": "12h"},
        {"type": "withdraw_operator", "operator": "default"},
    ]
    data["attacks"] = {
        "options": [{"id": f"a{i}", "effects": [fx]} for i, fx in enumerate(effects)]
    }
    scenario = evacuate.scenario.from_dict(data)
    assert scenario.attacks is not None
    assert [o.effects[0].type for o in scenario.attacks.options] == [fx["type"] for fx in effects]
