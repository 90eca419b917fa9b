"""Validation: one broken file per rule, each reported with its path, line and a helpful message."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate import ScenarioError
from evacuate.scenario import derive, from_dict, model_rules, validate
from tests.strategies import scenarios

DATA = Path(__file__).parent.parent / "data"

Expected = tuple[str, int | None, str]

# file stem -> the issues it must report: (path, line, message fragment)
BROKEN: dict[str, list[Expected]] = {
    # duplicate ids
    "duplicate_place_id": [("places[2].id", 13, "duplicate place id 'town'")],
    "duplicate_class_id": [("fleet.classes[1].id", 16, "duplicate vehicle class id 'bus'")],
    "duplicate_stock_id": [("fleet.stock[1].id", 23, "duplicate stock entry id 'buses'")],
    "duplicate_shipyard_id": [("fleet.shipyards[1].id", 28, "duplicate shipyard id 'works'")],
    "duplicate_event_id": [("events[1].id", 27, "duplicate event id 'fire'")],
    "duplicate_lane_id": [("travel.lanes[1].id", 26, "duplicate lane id 'road'")],
    # unknown references
    "unknown_stock_class": [
        ("fleet.stock[0].class", 18, "unknown class 'buss' (did you mean 'bus'?)")
    ],
    "unknown_stock_place": [("fleet.stock[0].place", 19, "unknown place 'depot'")],
    "unknown_shipyard_place": [("fleet.shipyards[0].place", 25, "unknown place 'factory'")],
    "unknown_shipyard_class": [("fleet.shipyards[0].class", 26, "unknown class 'tram'")],
    "unknown_lane_place": [("travel.lanes[0].to", 27, "unknown place 'shelterr'")],
    "unknown_lane_class_time": [("travel.lanes[0].class_times.ferry", 30, "unknown class 'ferry'")],
    "unknown_effect_place": [("events[0].effects[0].place", 28, "unknown place 'townn'")],
    "unknown_effect_shipyard": [
        ("events[0].effects[0].shipyard", 28, "unknown shipyard 'works'; expected one of the ids")
    ],
    "unknown_effect_lane": [("events[0].effects[0].lane", 28, "unknown lane 'bridge'")],
    "unknown_effect_between": [("events[0].effects[0].between[1]", 30, "unknown place 'nowhere'")],
    "unknown_effect_classes": [("events[0].effects[0].classes[0]", 30, "unknown class 'truck'")],
    "unknown_operator": [
        (
            "events[0].effects[0].operator",
            28,
            "unknown operator 'army'; expected one of the operators",
        )
    ],
    "variant_unknown_event": [("variants.dry.events.fire", 32, "unknown event 'fire'")],
    "variant_unknown_class": [("variants.dry.classes.tram", 31, "unknown class 'tram'")],
    "variant_unknown_stock": [("variants.dry.stock.trams", 31, "unknown stock id 'trams'")],
    # ranges that depend on each other
    "end_not_after_zero": [("scenario.end", 4, "expected a horizon after time zero")],
    "window_end_before_start": [("travel.lanes[0].windows[1].end", 31, "not after its start 12 h")],
    "periodic_end_before_start": [("travel.lanes[0].periodic.end", 32, "expected end > start")],
    "periodic_open_longer_than_period": [
        ("travel.lanes[0].periodic.open_for", 30, "expected open_for <= every")
    ],
    "production_period_end_before_start": [
        ("fleet.shipyards[0].schedule[0].end", 29, "production period end 2 h")
    ],
    "arrival_outside_horizon": [("places[0].arrivals[1].at", 12, "expected a time between 0 and")],
    "lane_to_itself": [("travel.lanes[0].to", 27, "lane from 'town' to itself")],
    "close_lane_both_targets": [("events[0].effects[0]", 32, "found both 'lane' and 'between'")],
    "close_lane_no_target": [("events[0].effects[0]", 27, "neither 'lane' nor 'between'")],
    "closure_until_before_at": [("events[0].effects[0].until", 29, "expected until > at")],
    # geometry
    "plane_position_latlon": [("places[0].position", 7, "{lat, lon} position on a plane map")],
    "sphere_position_xy": [("places[1].position", 11, "[x, y] position on a sphere map")],
    "hazard_origin_mismatch": [("hazard.origin", 24, "hazard origin on a plane map")],
    "place_without_position": [("places[2].position", 13, "no position and no lane")],
    "place_without_lane": [("places[2]", 13, "no lane joins")],
    "class_without_speed": [("fleet.classes[0].speed", 15, "class 'bus' without a speed")],
    "haven_in_hazard_reach": [
        ("places[1].capacity", 11, "havens inside the hazard's reach: 'shelter' (capacity 500)"),
        ("places[1].capacity", 11, "reached by the hazard at t = 15 h"),
    ],
    "populated_haven": [("places[1].population", 13, "people at haven 'shelter'")],
    # schema level: types, ranges, unknown fields, effect types
    "missing_required": [
        ("fleet.classes[0].capacity", 10, "missing; this field is required"),
    ],
    "wrong_type": [("places[0].population", 8, "found 'many'; expected a valid integer")],
    "bad_duration": [
        ("fleet.classes[0].load_time", 18, "found '2 fortnights'; expected a duration")
    ],
    "bad_speed": [("fleet.classes[0].speed", 17, "found '60 km'; expected a speed")],
    "negative_count": [("fleet.stock[0].count", 19, "found -2; expected at least 0")],
    "unknown_field": [("places[0].populaton", 8, "unknown field")],
    "bad_effect_type": [("events[0].effects[0]", 27, "found type 'explode'; expected one of")],
    "missing_effect_type": [("events[0].effects[0]", 27, "missing 'type'")],
    "bad_id": [("places[0].id", 6, "found 'old town'; expected an id")],
    "date_without_start_date": [("places[0].deadline", 9, "need 'scenario.start_date'")],
    "bad_map_kind": [("map.kind", 24, "found 'globe'; expected 'plane' or 'sphere'")],
    # arrivals over time (docs/model.md, Arrivals over time)
    "arrival_curve_after_horizon": [
        ("places[0].arrival_curve.start", 12, "expected a time from 0 to before scenario.end")
    ],
    "arrival_curve_rayleigh_spread": [
        ("places[0].arrival_curve.spread", 13, "expected spread only with shape: logistic")
    ],
    "arrival_rates_out_of_order": [
        ("places[0].arrival_rates.rates[2].from", 13, "expected the rates in time order")
    ],
    "change_arrivals_until_before_at": [("events[0].effects[0].until", 22, "expected until > at")],
    "load_rates_beyond_repeat": [
        ("places[0].load_rates.rates[1].from", 14, "expected every entry within one repeat")
    ],
    "change_throughput_until_before_at": [
        ("events[0].effects[0].until", 23, "expected until > at")
    ],
    "unknown_change_arrivals_place": [("events[0].effects[0].place", 22, "unknown place 'twon'")],
    "latitude_out_of_range": [("places[0].position.lat", 7, "found 95; expected at most 90")],
    "empty_places": [("places", 5, "expected at least 1 item")],
    # reading the file
    "yaml_syntax": [("", 8, "not valid YAML")],
    "duplicate_key": [("places[0].population", 9, "duplicate key 'population'")],
    "not_a_mapping": [("", 2, "found list; expected a mapping of sections")],
    "empty_file": [("", None, "the file is empty")],
    # several errors of different kinds, all reported at once
    "several_errors": [
        ("places[0].population", 8, "found 'lots'"),
        ("places[1].id", 10, "duplicate place id 'town'"),
        ("fleet.classes[0].load_time", 18, "expected a duration"),
        ("fleet.stock[0].class", 21, "unknown class 'tram'"),
        ("travel.lanes[0].to", 28, "to itself"),
        ("travel.lanes[0].windows[0].end", 30, "not after its start"),
        ("variants.what_if.events.storm", 33, "unknown event 'storm'"),
    ],
}

# file stem -> the warning it must give: (path, line, message fragment)
WARNINGS: dict[str, Expected] = {
    "unreachable_population": ("places[0]", 6, "no enabled vehicle can load before its deadline"),
    "no_haven_reachable": ("places[0]", 6, "no route to any haven"),
    "haven_capacity_short": ("places", 5, "total haven capacity 500, less than the 800"),
    "no_enabled_vehicle": ("fleet", 13, "found no enabled vehicle"),
}


def _stems(folder: str) -> set[str]:
    return {p.stem for p in (DATA / folder).glob("*.yaml")}


def test_every_broken_file_has_expectations() -> None:
    """Each file in tests/data/broken is in the table, and each table entry has a file."""
    assert _stems("broken") == set(BROKEN)


def test_every_warning_file_has_expectations() -> None:
    """Each file in tests/data/warnings is in the table, and each table entry has a file."""
    assert _stems("warnings") == set(WARNINGS)


@pytest.mark.parametrize("stem", sorted(BROKEN))
def test_broken_file_reports_path_line_and_message(stem: str) -> None:
    """A broken file raises ScenarioError naming the field path, the line and the problem."""
    path = DATA / "broken" / f"{stem}.yaml"
    with pytest.raises(ScenarioError) as info:
        evacuate.load(path)
    issues = info.value.issues
    assert issues and all(i.message and i.file == str(path) for i in issues)
    assert any(i.severity == "error" for i in issues)
    for want_path, want_line, fragment in BROKEN[stem]:
        matches = [i for i in issues if i.path == want_path and i.line == want_line]
        assert any(fragment in i.message for i in matches), (
            f"no issue at {want_path}:{want_line} mentioning {fragment!r}; got:\n{info.value}"
        )


def test_several_errors_are_reported_together() -> None:
    """A file with several kinds of errors reports every one of them in one ScenarioError."""
    with pytest.raises(ScenarioError) as info:
        evacuate.load(DATA / "broken" / "several_errors.yaml")
    errors = [i for i in info.value.issues if i.severity == "error"]
    assert len(errors) == len(BROKEN["several_errors"])
    assert str(info.value).startswith(f"{len(errors)} error(s) in scenario")


@pytest.mark.parametrize("stem", sorted(WARNINGS))
def test_warning_file_loads_with_its_warning(stem: str) -> None:
    """A risky but valid file loads, and its warning names the path, line and the risk."""
    scenario = evacuate.load(DATA / "warnings" / f"{stem}.yaml")
    want_path, want_line, fragment = WARNINGS[stem]
    assert [(w.path, w.line) for w in scenario.warnings] == [(want_path, want_line)]
    (warning,) = scenario.warnings
    assert warning.severity == "warning" and fragment in warning.message


def test_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Loading logs each warning (library code logs, never prints)."""
    with caplog.at_level(logging.WARNING, logger="evacuate"):
        evacuate.load(DATA / "warnings" / "haven_capacity_short.yaml")
    assert any("total haven capacity" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("stem", sorted(_stems("valid")))
def test_valid_file_loads_without_issues(stem: str) -> None:
    """Each valid test scenario loads with no warning."""
    scenario = evacuate.load(DATA / "valid" / f"{stem}.yaml")
    assert scenario.warnings == ()


def test_romulan_scenario_and_variants_are_clean() -> None:
    """The embedded Romulan scenario and each of its variants pass every rule without warning."""
    base = evacuate.load()
    assert base.warnings == ()
    for name in base.variant_names:
        assert validate.check_model(base.variant(name)) == []
    assert validate.check_raw(base.to_data()) == []


def _tiny(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "scenario": {"id": "tiny", "end": "48h"},
        "places": [
            {"id": "town", "position": [0, 0], "population": 100, "deadline": "24h"},
            {"id": "shelter", "position": [30, 0], "capacity": 500},
        ],
        "fleet": {
            "classes": [{"id": "bus", "capacity": 50, "speed": "60 km/h"}],
            "stock": [{"class": "bus", "place": "shelter", "count": 2}],
        },
    }
    data.update(changes)
    return data


def test_from_dict_reports_rules_without_lines() -> None:
    """Plain data (no file) is checked by the same rules; issues carry paths but no lines."""
    data = _tiny(events=[{"id": "e", "at": 1, "effects": [{"type": "close_place", "place": "x"}]}])
    with pytest.raises(ScenarioError) as info:
        from_dict(data)
    (issue,) = info.value.issues
    assert issue.path == "events[0].effects[0].place" and issue.line is None


def test_late_shipyard_vehicles_warn() -> None:
    """Vehicles that only a shipyard makes, too late for a deadline, give a warning."""
    fleet = {
        "classes": [{"id": "bus", "capacity": 50, "speed": "60 km/h", "load_time": "1h"}],
        "shipyards": [
            {
                "id": "works",
                "place": "shelter",
                "class": "bus",
                "schedule": [
                    {"start": "10h", "end": "20h", "rate": 0},
                    {"start": "20h", "rate": 1},
                ],
                "available_from": "23h",
            }
        ],
    }
    warnings = from_dict(_tiny(fleet=fleet)).warnings
    assert [w.path for w in warnings] == ["places[0]"]
    assert "loading ends at t = 1.021 d at the earliest" in warnings[0].message


def test_vehicles_in_time_give_no_warning() -> None:
    """Production early enough (via a staging-free direct route) gives no warning."""
    fleet = {
        "classes": [{"id": "bus", "capacity": 50, "speed": "60 km/h"}],
        "shipyards": [
            {
                "id": "works",
                "place": "shelter",
                "class": "bus",
                "schedule": [{"start": 0, "rate": 1}],
            }
        ],
    }
    assert from_dict(_tiny(fleet=fleet)).warnings == ()


def test_multi_hop_lanes_reach_a_place() -> None:
    """Vehicles reach a place by chained lanes; people reach a haven through a staging place."""
    data = _tiny(
        places=[
            {"id": "depot"},
            {"id": "junction", "capacity": 50, "deadline": "30h"},
            {"id": "town", "population": 100, "deadline": "24h"},
            {"id": "shelter", "capacity": 500},
        ],
        travel={
            "routes": "lanes",
            "lanes": [
                {"id": "a", "from": "depot", "to": "junction", "time": "1h"},
                {"id": "b", "from": "junction", "to": "town", "time": "1h"},
                {"id": "c", "from": "junction", "to": "shelter", "time": "1h"},
            ],
        },
        fleet={
            "classes": [{"id": "bus", "capacity": 50}],
            "stock": [{"class": "bus", "place": "depot", "count": 1}],
        },
    )
    assert from_dict(data).warnings == ()


def test_warnings_wait_for_errors_to_be_fixed() -> None:
    """When a file has errors, warnings that would only repeat their consequences are left out."""
    data = _tiny(
        hazard={"origin": [0, 0], "speed": "2 km/h"},
        places=[
            {"id": "town", "position": [0, 0], "population": 100},
            {"id": "shelter", "position": [30, 0], "capacity": 500},
        ],
    )
    with pytest.raises(ScenarioError) as info:
        from_dict(data)
    assert [i.severity for i in info.value.issues] == ["error"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"places": 5, "fleet": [1], "events": "x", "variants": [1, 2]},
        {"places": [{"id": ["a"]}, "x", None], "fleet": {"stock": [{"class": {}, "place": 3}]}},
        {"events": [{"effects": [{"type": ["close_lane"], "between": "ab"}, 7]}]},
        {"travel": {"lanes": [{"from": [], "to": [], "windows": [{"start": {}, "end": []}]}]}},
        {"map": {"kind": ["sphere"], "unit": {}}, "scenario": {"time_unit": [], "end": 10**400}},
        {"variants": {"v": {"events": {"e": True}, "stock": {3: 1}}}, "events": []},
    ],
)
def test_check_raw_never_raises_on_odd_shapes(data: dict[str, object]) -> None:
    """check_raw returns issues (maybe none) for any shape of data instead of raising."""
    for found, loc in validate.check_raw(data):
        assert found.message and isinstance(loc, tuple)


def _naive_arrivals(scenario: evacuate.Scenario, vc: Any) -> dict[str, float]:
    """Earliest arrivals by plain relaxation over derive.fastest_time (the reference)."""
    ids = [p.id for p in scenario.places]
    deadline = {i: scenario.deadline(i) for i in ids}
    best = dict.fromkeys(ids, math.inf)
    for place, t in model_rules._sources(scenario, vc):
        limit = deadline[place]
        if limit is None or t <= limit:
            best[place] = min(best[place], t)
    for _ in ids:
        for a in ids:
            for b in ids:
                t = derive.fastest_time(scenario, vc, a, b) if a != b else None
                limit = deadline[b]
                if t is not None and best[a] + t < min(
                    best[b], math.inf if limit is None else limit
                ):
                    best[b] = best[a] + t
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_earliest_arrivals_match_fastest_time(data: dict[str, Any]) -> None:
    """The reachability warning's earliest arrivals agree with chained derive.fastest_time."""
    scenario = from_dict(data)
    routes = model_rules._Routes(scenario)
    for vc in scenario.enabled_classes:
        fast = model_rules._earliest_arrivals(scenario, routes, vc)
        naive = _naive_arrivals(scenario, vc)
        for i, place in enumerate(scenario.places):
            assert fast[i] == pytest.approx(naive[place.id], rel=1e-9, abs=1e-9)
