"""Tests of the independent checker: a correct plan passes, each rule is caught on its own."""

from __future__ import annotations

import ast
import copy
import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import RULES, CheckReport, Violation, check
from evacuate.planio import Plan, Trip, Walk

# town (100 people, deadline 50) -> camp (haven), 10 km apart; buses do 10 km/h,
# load 0.5 h and unload 0.5 h: a loaded town -> camp trip takes 2 h, an empty one 1 h.
BASE: dict[str, Any] = {
    "scenario": {"id": "tiny", "time_unit": "hour", "end": 100},
    "places": [
        {"id": "town", "position": [0, 0], "population": 100, "deadline": 50},
        {"id": "camp", "position": [10, 0], "capacity": 1000},
        {"id": "depot", "position": [0, 10]},
    ],
    "fleet": {
        "classes": [
            {"id": "bus", "capacity": 50, "speed": 10, "load_time": 0.5, "unload_time": 0.5}
        ],
        "stock": [{"id": "s1", "class": "bus", "place": "town", "count": 2}],
    },
}

GOOD = Trip("g1", "bus", 2, "town", 0.0, "camp", 2.0, 100)


def scenario(patch: dict[str, Any] | None = None, **extra: Any) -> evacuate.Scenario:
    """BASE with places/classes patched by id, other sections replaced, built from YAML."""
    data = copy.deepcopy(BASE)
    for key, value in (patch or {}).items():
        if key in ("places", "classes"):
            items = data["places"] if key == "places" else data["fleet"]["classes"]
            for pid, fields in value.items():
                match = [p for p in items if p["id"] == pid]
                if match:
                    match[0].update(fields)
                else:
                    items.append({"id": pid, **fields})
        elif key in ("stock", "shipyards"):
            data["fleet"][key] = data["fleet"].get(key, []) + value
        else:
            data[key] = value
    data.update(extra)
    return evacuate.loads(yaml.safe_dump(data, sort_keys=False))


def plan(*trips: Trip, **header: Any) -> Plan:
    return Plan(header.pop("scenario_id", "tiny"), trips=trips, **header)


def event(eid: str, at: float, *effects: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": eid, "at": at, "effects": list(effects), **more}


# ---------------------------------------------------------------------------- correct plans
def test_correct_plan_passes_with_exact_rescued() -> None:
    """One loaded trip of two buses moves the whole town: feasible, 100 rescued, makespan 2."""
    report = check(scenario(), plan(GOOD, rescued=100, bound=100, meta={"makespan": 2.0}))
    assert report.feasible, report.summary()
    assert report.violations == []
    assert report.rescued == 100
    assert report.rescued_by_place == {"town": 100.0}
    assert report.lost == 0 and report.lost_people_by_place == {}
    assert report.waiting_at_end == 0 and report.on_board_at_end == 0
    assert report.makespan == 2.0
    assert report.vehicles_lost == {}
    assert "feasible" in report.summary()


def test_shuttle_plan_counts_people_lost_and_vehicles_lost() -> None:
    """One bus shuttles twice; people left at the deadline are lost, as is an idle bus."""
    extra_bus = [{"id": "s2", "class": "bus", "place": "town", "count": 1}]
    sc = scenario({"places": {"town": {"population": 150}}, "stock": extra_bus})
    trips = [
        Trip("a", "bus", 1, "town", 0, "camp", 2, 50),
        Trip("a", "bus", 1, "camp", 2, "town", 3, 0),
        Trip("a", "bus", 1, "town", 3, "camp", 5, 50),
    ]
    report = check(sc, plan(*trips))
    assert report.feasible, report.summary()
    assert report.rescued == 100
    assert report.lost_people_by_place == {"town": 50}
    # three buses in stock (2 + 1), one used: two idle at town when its deadline strikes
    assert report.vehicles_lost == {"bus": 2}
    assert report.vehicles_lost_by_place == {"town": 2}
    assert report.makespan == 5.0


def test_staging_place_and_accounting_at_end() -> None:
    """People moved through a staging place are rescued and attributed to where they started;
    people on board at the end are not rescued; people who arrive after a deadline are lost."""
    sc = scenario(
        {
            "places": {
                "stage": {"position": [0, 10], "capacity": 100, "deadline": 30},
                "town": {"arrivals": [{"at": 80, "people": 7}]},
                "village": {"position": [0, -10], "population": 20},
            }
        }
    )
    hop = 1 + math.sqrt(2)  # load + stage <-> camp (14.1 km) + unload
    trips = [
        Trip("a", "bus", 2, "town", 0, "stage", 2, 100),
        Trip("a", "bus", 2, "stage", 2, "camp", 2 + hop, 60),
        Trip("a", "bus", 2, "camp", 5, "stage", 6.5, 0),
        Trip("a", "bus", 2, "stage", 7, "camp", 200, 40),  # still on board at the end (100)
    ]
    report = check(sc, plan(*trips))
    assert report.feasible, report.summary()
    assert report.rescued == 60
    assert report.rescued_by_place == {"town": 60.0, "village": 0.0}
    assert report.on_board_at_end == 40
    # town's 7 late arrivals come after its deadline (50); village (no deadline) keeps its 20
    assert report.lost_people_by_place == {"town": 7}
    assert report.waiting_at_end == 20
    assert report.makespan == pytest.approx(2 + hop)
    assert report.vehicles_lost == {}


def test_hazard_deadlines_on_a_sphere() -> None:
    """Deadlines come from the hazard front (great-circle distance on a sphere map)."""
    sc = scenario(
        map={"kind": "sphere", "unit": "km"},
        places=[
            {"id": "town", "position": {"lat": 0, "lon": 0}, "population": 10},
            {"id": "camp", "position": {"lat": 0, "lon": 1}, "capacity": 100},
        ],
        hazard={"origin": {"lat": 0, "lon": -1}, "start": 5, "speed": 100, "max_radius": 150},
    )
    km = 2 * 6371 * math.asin(math.sin(math.radians(0.5)))  # one degree of longitude
    deadline = 5 + km / 100
    travel = km / 10
    ok = Trip("g", "bus", 1, "town", deadline - 0.5, "camp", deadline + travel + 0.5, 10)
    assert check(sc, plan(ok)).feasible
    late = Trip("g", "bus", 1, "town", deadline - 0.4, "camp", deadline + travel + 1, 10)
    (v,) = check(sc, plan(late)).violations
    assert v.rule == "deadline_origin" and v.amount == pytest.approx(0.1)


def test_romulan_relief_run_and_armada_production() -> None:
    """On the embedded scenario: a relief run is feasible; the armada can leave Mars on day
    840 with exactly 10,000 ferries (500 first hulls + 9,500 built), not one more."""
    sc = evacuate.load().variant("historical")
    fed, inx, vas = (24.0, 0.0), (7.0, 3.0), (17.0, 6.0)
    out = math.dist(fed, inx) / 1.8
    back = 15 / 24 + math.dist(inx, vas) / 1.8 + 8 / 24
    trips = [
        Trip("relief", "starfleet_relief_task_force", 10, "federation_border_worlds", 0,
             "inxtis", out, 0),
        Trip("relief", "starfleet_relief_task_force", 10, "inxtis", out, "vashti",
             out + back, 150_000),
        Trip("armada", "wallenberg_armada", 10_000, "mars", 840, "vashti",
             840 + math.dist((85, 0), vas) / 2.8, 0),
    ]  # fmt: skip
    report = check(sc, plan(*trips, scenario_id=sc.id, variant="historical", time_unit="day"))
    assert report.feasible, report.summary()
    assert report.rescued == 150_000
    assert report.rescued_by_place["inxtis"] == 150_000
    more = [*trips[:2], dataclasses.replace(trips[2], count=10_001)]
    report = check(sc, plan(*more, scenario_id=sc.id, variant="historical", time_unit="day"))
    (v,) = report.violations
    assert (v.rule, v.trip_index, v.amount) == ("inventory", 2, 1.0)


def test_surprise_and_disabled_events_are_ignored() -> None:
    """Only known, enabled events are enforced."""
    boom = {"type": "destroy_vehicles", "place": "town"}
    sc = scenario(
        events=[
            event("s", 0.25, boom, mode="surprise"),
            event("d", 0.25, boom, enabled=False),
        ]
    )
    assert check(sc, plan(GOOD)).feasible


def test_variant_must_match_the_plan() -> None:
    """A plan made for another variant is flagged in the header."""
    sc = scenario(
        events=[event("e", 0.25, {"type": "destroy_vehicles", "place": "town"})],
        variants={"calm": {"events": {"e": False}}},
    )
    calm = sc.variant("calm")
    assert check(calm, plan(GOOD, variant="calm")).feasible
    report = check(calm, plan(GOOD))
    assert [v.rule for v in report.violations] == ["header"]
    assert not check(sc, plan(GOOD)).feasible  # the base scenario destroys the loading buses


# ---------------------------------------------------------------------------- one rule each
STOCK_AT = {
    p: [{"id": f"x_{p}", "class": "bus", "place": p, "count": 3}] for p in ("camp", "depot")
}

# walks (docs/model.md, "Walkways"): a path from town to camp, 3 h, 40 people an hour
PATH = {"id": "path", "from": "town", "to": "camp", "time": 3, "per_hour": 40}
WALKING = {"travel": {"walkways": [PATH, {**PATH, "id": "lane", "to": "depot"}]}}


def _walk(people: int = 10, depart: float = 0, arrive: float = 3, way: str = "path") -> Walk:
    return Walk(way, "town", depart, "depot" if way == "lane" else "camp", arrive, people)


WALK_CASES: list[tuple[str, dict[str, Any], list[Trip], dict[str, Any], str, None, float]] = [
    ("walk_way", WALKING, [], {"walks": (_walk(way="nope"),)}, "walk_way", None, 1),
    ("walk_people_count", WALKING, [], {"walks": (_walk(0),)}, "walk_people_count", None, 1),
    ("walk_time", WALKING, [], {"walks": (_walk(arrive=2),)}, "walk_time", None, 1),
    ("walk_window", {"travel": {"walkways": [{**PATH, "open_from": 5}]}}, [],
     {"walks": (_walk(depart=1, arrive=4),)}, "walk_window", None, 4),
    ("walk_rate", WALKING, [], {"walks": (_walk(30), _walk(20, 0.5, 3.5))}, "walk_rate", None, 10),
    ("walk_deadline_origin", WALKING, [], {"walks": (_walk(depart=51, arrive=54),)},
     "walk_deadline_origin", None, 1),
    ("walk_deadline_destination", {**WALKING, "places": {"depot": {"deadline": 2}}}, [],
     {"walks": (_walk(way="lane"),)}, "walk_deadline_destination", None, 1),
    ("walk_closed_place",
     {**WALKING, "events": [event("c", 2, {"type": "close_place", "place": "camp", "until": 10})]},
     [], {"walks": (_walk(),)}, "walk_closed_place", None, 7),
    ("walk_population", WALKING, [GOOD], {"walks": (_walk(40),)}, "walk_population", None, 40),
    ("walk_capacity", {**WALKING, "places": {"camp": {"capacity": 10}}}, [],
     {"walks": (_walk(20),)}, "walk_capacity", None, 10),
]  # fmt: skip

# two loaded trips of 50 by one group, back to back (a 5 h duty)
SHUTTLE = [
    dataclasses.replace(GOOD, people=50),
    Trip("g1", "bus", 2, "camp", 2, "town", 3, 0),
    Trip("g1", "bus", 2, "town", 3, "camp", 5, 50),
]

# (name, scenario patch, trips, plan header, expected rule, trip index, amount)
# a skiff that takes no time between the town and a landing beside it (same position, no
# loading time): it takes 50 from the landing, where nobody is, and only then brings 50 there
SKIFF: dict[str, Any] = {
    "places": {"landing": {"position": [0, 0], "capacity": 50}, "town": {"capacity": 100}},
    "classes": {"skiff": {"capacity": 50, "speed": 10}},
    "stock": [{"id": "s2", "class": "skiff", "place": "landing", "count": 1}],
}
SELF_FUNDED = [
    Trip("g2", "skiff", 1, "landing", 0, "town", 0, 50),
    Trip("g2", "skiff", 1, "town", 0, "landing", 0, 50),
]

CASES: list[tuple[str, dict[str, Any], list[Trip], dict[str, Any], str, int | None, float]] = [
    ("capacity", {}, [Trip("g1", "bus", 1, "town", 0, "camp", 2, 70)], {}, "capacity", 0, 20),
    ("travel_time", {}, [dataclasses.replace(GOOD, arrive=1.75)], {}, "travel_time", 0, 0.25),
    ("deadline_origin", {}, [Trip("g1", "bus", 2, "town", 49.75, "camp", 52, 100)], {},
     "deadline_origin", 0, 0.25),
    ("deadline_destination", {"places": {"camp": {"deadline": 1.5}}}, [GOOD], {},
     "deadline_destination", 0, 0.5),
    ("open_from", {"places": {"town": {"open_from": 1}}}, [GOOD], {}, "open_from", 0, 1),
    ("closed_place departure",
     {"events": [event("c", 0, {"type": "close_place", "place": "town", "until": 5})]},
     [GOOD], {}, "closed_place", 0, 5),
    ("closed_place arrival",
     {"events": [event("c", 1, {"type": "close_place", "place": "camp", "until": 3})]},
     [GOOD], {}, "closed_place", 0, 1),
    ("withdrawn",
     {"events": [event("w", 0.5, {"type": "withdraw_operator", "operator": "default"})]},
     [Trip("g1", "bus", 2, "town", 1, "camp", 3, 100)], {}, "withdrawn", 0, 0.5),
    ("withdrawn under way",
     {"events": [event("w", 1.5, {"type": "withdraw_operator", "operator": "default",
                                  "finish_current_trip": False})]},
     [GOOD], {}, "withdrawn", 0, 0.5),
    ("lane_window",
     {"travel": {"routes": "lanes", "lanes": [
         {"id": "road", "from": "town", "to": "camp", "windows": [{"start": 5, "end": 10}]}]}},
     [GOOD], {}, "lane_window", 0, 4.5),
    ("lane_window periodic",
     {"travel": {"routes": "lanes", "lanes": [
         {"id": "road", "from": "camp", "to": "town", "periodic": {"every": 24, "open_for": 8}}]}},
     [Trip("g1", "bus", 2, "town", 10, "camp", 12, 100)], {}, "lane_window", 0, 13.5),
    ("lane_closed lane",
     {"travel": {"lanes": [{"id": "road", "from": "town", "to": "camp"}]},
      "events": [event("c", 0, {"type": "close_lane", "lane": "road", "until": 3})]},
     [GOOD], {}, "lane_closed", 0, 2.5),
    ("lane_closed direct",
     {"events": [event("c", 0, {"type": "close_lane", "between": ["camp", "town"]})]},
     [GOOD], {}, "lane_closed", 0, math.inf),
    ("no_route", {"travel": {"routes": "lanes", "lanes": [
        {"id": "r1", "from": "town", "to": "depot"}, {"id": "r2", "from": "depot", "to": "camp"}]}},
     [GOOD], {}, "no_route", 0, 1),
    ("unknown_place", {}, [Trip("g1", "bus", 2, "town", 0, "nowhere", 2, 100)], {},
     "unknown_place", 0, 1),
    ("unknown_class", {}, [Trip("g1", "tram", 2, "town", 0, "camp", 2, 100)], {},
     "unknown_class", 0, 1),
    ("disabled_class",
     {"classes": {"bus": {"enabled": False}, "car": {"capacity": 50, "speed": 10}},
      "stock": [{"id": "c", "class": "car", "place": "town", "count": 2}]},
     [Trip("g1", "bus", 2, "town", 0, "camp", 2, 100)], {}, "disabled_class", 0, 1),
    ("same_place", {}, [GOOD, Trip("g1", "bus", 2, "camp", 3, "camp", 3, 0)], {},
     "same_place", 1, 1),
    ("negative people", {}, [Trip("g1", "bus", 2, "town", 0, "camp", 1, -5)], {},
     "negative", 0, 5),
    ("negative count", {}, [Trip("g1", "bus", 0, "town", 0, "camp", 1, 0)], {},
     "negative", 0, 1),
    ("not_finite", {}, [Trip("g1", "bus", 2, "town", math.nan, "camp", 2, 0)], {},
     "not_finite", 0, 1),
    ("not_whole", {}, [Trip("g1", "bus", 1.5, "town", 0, "camp", 2, 50)], {},  # type: ignore[arg-type]
     "not_whole", 0, 1),
    ("group_chain place", {"stock": STOCK_AT["depot"]},
     [GOOD, Trip("g1", "bus", 2, "depot", 3, "camp", 5, 0)], {}, "group_chain", 1, 2),
    ("group_chain time", {"stock": STOCK_AT["camp"]},
     [GOOD, Trip("g1", "bus", 2, "camp", 1.5, "town", 2.5, 0)], {}, "group_chain", 1, 0.5),
    ("group_chain count", {"stock": STOCK_AT["camp"]},
     [GOOD, Trip("g1", "bus", 3, "camp", 3, "town", 4, 0)], {}, "group_chain", 1, 1),
    ("turnaround", {"stock": STOCK_AT["camp"], "classes": {"bus": {"turnaround": 2}}},
     [GOOD, Trip("g1", "bus", 2, "camp", 3, "town", 4, 0)], {}, "turnaround", 1, 1),
    ("inventory", {}, [Trip("g1", "bus", 3, "town", 0, "camp", 2, 100)], {}, "inventory", 0, 1),
    ("inventory not yet available",
     {"stock": [{"id": "late", "class": "bus", "place": "depot", "count": 1,
                 "available_from": 4}]},
     [GOOD, Trip("g2", "bus", 1, "depot", 3, "camp", 5, 0)], {}, "inventory", 1, 1),
    ("inventory production",
     {"shipyards": [{"id": "yard", "place": "depot", "class": "bus",
                     "schedule": [{"start": 0, "rate": 1, "per": 1}]}]},
     [GOOD, Trip("g2", "bus", 2, "depot", 1.5, "camp", 3, 0)], {}, "inventory", 1, 1),
    ("inventory production stopped",
     {"shipyards": [{"id": "yard", "place": "depot", "class": "bus",
                     "schedule": [{"start": 0, "rate": 1, "per": 1}]}],
      "events": [event("s", 1, {"type": "stop_production", "shipyard": "yard"})]},
     [GOOD, Trip("g2", "bus", 2, "depot", 5, "camp", 7, 0)], {}, "inventory", 1, 1),
    ("inventory destroyed idle",
     {"events": [event("x", 0.25, {"type": "destroy_vehicles", "place": "town", "count": 1})]},
     [Trip("g1", "bus", 2, "town", 1, "camp", 3, 100)], {}, "inventory", 0, 1),
    ("destroyed while loading",
     {"events": [event("x", 0.25, {"type": "destroy_vehicles", "place": "town"})]},
     [GOOD], {}, "destroyed", 0, 2),
    ("damaged while loading",
     {"events": [event("x", 0.25, {"type": "damage_vehicles", "place": "town", "until": 9})]},
     [GOOD], {}, "damaged", 0, 2),
    ("inventory damaged idle",
     {"events": [event("x", 0.25, {"type": "damage_vehicles", "place": "town", "until": 9})]},
     [Trip("g1", "bus", 2, "town", 1, "camp", 3, 100)], {}, "inventory", 0, 2),
    ("sunk",
     {"events": [event("s", 1, {"type": "sink_vehicles", "between": ["camp", "town"]})]},
     [GOOD], {}, "sunk", 0, 2),
    ("population", {"places": {"town": {"population": 80}}}, [GOOD], {}, "population", 0, 20),
    ("population not arrived yet",
     {"places": {"town": {"population": 50, "arrivals": [{"at": 5, "people": 50}]}}},
     [GOOD], {}, "population", 0, 50),
    ("instant_order", SKIFF, SELF_FUNDED, {}, "instant_order", 0, 1),
    ("haven_capacity", {"places": {"camp": {"capacity": 60}}}, [GOOD], {}, "haven_capacity",
     0, 40),
    ("no_capacity", {}, [GOOD, Trip("g1", "bus", 2, "camp", 2, "town", 4, 50)], {},
     "no_capacity", 1, 50),
    ("berths", {"places": {"town": {"berths": 1}}}, [GOOD], {}, "berths", 0, 1),
    ("stands", {"places": {"camp": {"stands": 1}}}, [GOOD], {}, "stands", 0, 1),
    ("sorties", {"classes": {"bus": {"max_sorties": 1}}}, SHUTTLE, {}, "sorties", 2, 1),
    ("rest", {"classes": {"bus": {"rest": {"after": 4, "for": 2}}}}, SHUTTLE, {}, "rest", 2, 1),
    ("load_rate", {"places": {"town": {"load_per_hour": 50}}}, [GOOD], {}, "load_rate", 0, 50),
    ("unload_rate", {"places": {"camp": {"unload_per_hour": 60}}}, [GOOD], {}, "unload_rate",
     0, 40),
    ("deadline moved",
     {"events": [event("m", 0, {"type": "move_deadline", "place": "town", "to": 5})]},
     [Trip("g1", "bus", 2, "town", 4.75, "camp", 7, 100)], {}, "deadline_origin", 0, 0.25),
    ("claimed_rescued", {}, [GOOD], {"rescued": 90}, "claimed_rescued", None, -10),
    ("claimed_bound", {}, [GOOD], {"bound": 90}, "claimed_bound", None, 10),
    ("makespan", {}, [GOOD], {"meta": {"makespan": 3}}, "makespan", None, 1),
    ("header scenario", {}, [GOOD], {"scenario_id": "other"}, "header", None, 1),
    ("header time unit", {}, [GOOD], {"time_unit": "day"}, "header", None, 1),
    *WALK_CASES,
]  # fmt: skip


@pytest.mark.parametrize(
    ("patch", "trips", "header", "rule", "trip", "amount"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_rule_alone(
    patch: dict[str, Any],
    trips: list[Trip],
    header: dict[str, Any],
    rule: str,
    trip: int | None,
    amount: float,
) -> None:
    """A plan that breaks exactly one rule gets exactly one violation naming it."""
    report = check(scenario(patch), plan(*trips, **header))
    assert [(v.rule, v.trip_index) for v in report.violations] == [(rule, trip)], report.summary()
    (v,) = report.violations
    assert v.amount == pytest.approx(amount)
    assert v.group == (None if trip is None else trips[trip].group)
    assert rule in RULES
    assert not report.feasible
    assert report.violation_counts == {rule: 1}
    row = report.to_rows()[0]
    assert row["rule"] == rule and row["trip"] == trip and row["message"] == v.message


def test_every_rule_has_a_case() -> None:
    """The table above covers every rule the checker knows."""
    assert {c[4] for c in CASES} == set(RULES)


def test_boundaries_are_inclusive_where_the_model_says() -> None:
    """Leaving exactly at the deadline is fine; arriving exactly at it is not."""
    sc = scenario({"places": {"camp": {"deadline": 2}}})
    leave = Trip("g", "bus", 2, "town", 49.5, "camp", 60, 100)  # load ends at 50 exactly
    assert [v.rule for v in check(scenario(), plan(leave)).violations] == []
    (v,) = check(sc, plan(GOOD)).violations
    assert (v.rule, v.amount) == ("deadline_destination", 0.0)
    # tiny floating-point noise is forgiven
    noisy = Trip("g1", "bus", 2, "town", 0.0, "camp", 2.0 - 1e-12, 100)
    assert check(scenario(), plan(noisy)).feasible


def test_chained_group_and_dissolved_groups() -> None:
    """A group's vehicles return to the pool when it stops; a new group may take them."""
    trips = [
        GOOD,
        Trip("g1", "bus", 2, "camp", 2, "town", 3, 0),
        Trip("g2", "bus", 1, "town", 3, "depot", 4, 0),
        Trip("g3", "bus", 1, "town", 3.5, "camp", 4.5, 0),
    ]
    report = check(scenario(), plan(*trips))
    assert report.feasible, report.summary()
    report = check(scenario(), plan(*trips, Trip("g4", "bus", 1, "town", 4, "camp", 5, 0)))
    assert [(v.rule, v.trip_index) for v in report.violations] == [("inventory", 4)]


def test_report_caps_and_counts_violations() -> None:
    """Only max_violations_per_rule are kept per rule, but all are counted and summed."""
    trips = [Trip(f"g{i}", "bus", 1, "town", 0, "camp", 1.5, 0) for i in range(5)]
    report = check(scenario(), plan(*trips), max_violations_per_rule=2)
    assert report.violation_counts["inventory"] == 3
    assert len([v for v in report.violations if v.rule == "inventory"]) == 2
    assert report.violation_totals["inventory"] == 3.0
    text = report.summary(max_violations=1)
    assert "INFEASIBLE" in text and "inventory 3" in text
    assert report.to_dict()["violation_counts"] == {"inventory": 3}


def test_violation_str_names_trip_group_and_rule() -> None:
    v = Violation(3, "g", "capacity", "too many", 2.0)
    assert str(v) == "trip 3 (group g): capacity: too many"
    assert str(Violation(None, None, "header", "x", 1.0)) == "plan: header: x"
    assert isinstance(check(scenario(), plan()), CheckReport)


def test_empty_plan_loses_everyone_at_a_deadline() -> None:
    report = check(scenario(), plan())
    assert report.feasible
    assert (report.rescued, report.lost, report.makespan) == (0, 100, None)
    assert report.vehicles_lost == {"bus": 2}


def test_checker_shares_no_code_with_planners() -> None:
    """No module of the check/ package imports the planners or the scenario's derived
    quantities; the package holds several rule modules."""
    folder = Path(evacuate.__file__).with_name("check")
    modules = sorted(folder.glob("*.py"))
    assert len(modules) >= 8
    names: list[str] = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names.append(node.module or "")
            elif isinstance(node, ast.Import):
                names.extend(a.name for a in node.names)
    assert "evacuate.planio" in names
    for name in names:
        assert name == "evacuate.planio" or not name.startswith("evacuate.plan"), name
        assert "derive" not in name, name
        assert not name.startswith(("evacuate.simulation", "evacuate.cli")), name


# ---------------------------------------------------------------------------- property
PLACE_IDS = ["a", "b", "c", "d"]


@st.composite
def scenarios_and_plans(draw: st.DrawFn) -> tuple[evacuate.Scenario, Plan]:
    n_places = draw(st.integers(2, 4))
    end = draw(st.integers(10, 40))
    places = []
    for pid in PLACE_IDS[:n_places]:
        capacity = draw(st.sampled_from([0, 0, 30, 1000]))
        place: dict[str, Any] = {
            "id": pid,
            "position": [draw(st.integers(0, 20)), draw(st.integers(0, 20))],
            "capacity": capacity,
            # havens start empty: people who start at a haven are not "rescued"
            "population": 0 if capacity else draw(st.integers(0, 80)),
        }
        if draw(st.booleans()):
            place["deadline"] = draw(st.integers(1, 40))
        if not capacity and draw(st.booleans()):
            place["arrivals"] = [
                {"at": draw(st.integers(0, end)), "people": draw(st.integers(1, 30))}
            ]
        places.append(place)
    data = {
        "scenario": {"id": "prop", "time_unit": "hour", "end": end},
        "places": places,
        "fleet": {
            "classes": [
                {"id": "v", "capacity": 20, "speed": 5, "load_time": 0.5, "unload_time": 0.5},
                {"id": "w", "capacity": 40, "speed": 2},
            ],
            "stock": [
                {"id": f"s{i}", "class": draw(st.sampled_from(["v", "w"])),
                 "place": draw(st.sampled_from(PLACE_IDS[:n_places])),
                 "count": draw(st.integers(1, 4))}
                for i in range(draw(st.integers(1, 3)))
            ],
        },
    }  # fmt: skip
    try:
        sc = evacuate.loads(yaml.safe_dump(data))
    except evacuate.ScenarioError:
        reject()  # validation may refuse odd corners; the checker is tested on the rest
    names = [*PLACE_IDS[:n_places], "zz"]
    times = st.integers(-4, 100).map(lambda x: x / 2) | st.sampled_from([math.nan, math.inf])
    trips = draw(
        st.lists(
            st.builds(
                Trip,
                group=st.sampled_from(["g1", "g2", "g3"]),
                vehicle_class=st.sampled_from(["v", "w", "x"]),
                count=st.integers(1, 3),
                origin=st.sampled_from(names),
                depart=times,
                destination=st.sampled_from(names),
                arrive=times,
                people=st.integers(0, 60),
            ),
            max_size=12,
        )
    )
    return sc, Plan("prop", trips=tuple(trips))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios_and_plans())
def test_property_check_never_crashes_and_conserves_people(
    case: tuple[evacuate.Scenario, Plan],
) -> None:
    sc, p = case
    report = check(sc, p)
    total = report.rescued + report.lost + report.waiting_at_end + report.on_board_at_end
    assert total == sc.population
    assert sum(report.rescued_by_place.values()) == pytest.approx(report.rescued, abs=1e-6)
    assert report.on_board_at_end >= 0
    if "population" not in report.violation_counts:
        assert 0 <= report.rescued <= sc.population
        assert report.lost >= 0 and report.waiting_at_end >= 0
    report.summary()
    report.to_dict()


@st.composite
def feasible_cases(draw: st.DrawFn) -> tuple[evacuate.Scenario, Plan, int]:
    """A random scenario and a plan built to obey every rule, with its rescued count."""
    n = draw(st.integers(1, 3))
    pos = {f"p{i}": (draw(st.integers(-20, 20)), draw(st.integers(-20, 20))) for i in range(n)}
    pos["h"] = (draw(st.integers(-20, 20)), draw(st.integers(-20, 20)))
    people = {p: draw(st.integers(0, 200)) for p in pos if p != "h"}
    deadline = {p: draw(st.one_of(st.none(), st.integers(5, 80))) for p in people}
    speed = draw(st.sampled_from([1.5, 3.0, 7.0]))
    load, unload = draw(st.sampled_from([0.0, 0.25])), draw(st.sampled_from([0.0, 0.5]))
    stock = [(draw(st.sampled_from(sorted(pos))), draw(st.integers(1, 3))) for _ in range(3)]
    data = {
        "scenario": {"id": "feas", "time_unit": "hour", "end": 1000},
        "places": [
            {"id": p, "position": list(xy), "population": people.get(p, 0),
             **({"capacity": 100_000} if p == "h" else {}),
             **({"deadline": deadline[p]} if deadline.get(p) is not None else {})}
            for p, xy in pos.items()
        ],
        "fleet": {
            "classes": [{"id": "v", "capacity": 40, "speed": speed, "load_time": load,
                         "unload_time": unload}],
            "stock": [{"id": f"s{i}", "class": "v", "place": p, "count": c}
                      for i, (p, c) in enumerate(stock)],
        },
    }  # fmt: skip
    try:
        sc = evacuate.loads(yaml.safe_dump(data))
    except evacuate.ScenarioError:
        reject()

    def hop(a: str, b: str) -> float:
        return math.dist(pos[a], pos[b]) / speed

    def ok_leave(p: str, t: float) -> bool:
        d = deadline.get(p)
        return d is None or t <= d

    def ok_reach(p: str, t: float) -> bool:
        d = deadline.get(p)
        return d is None or t < d

    left = dict(people)
    trips: list[Trip] = []
    rescued = 0
    for gi, (here, count) in enumerate(stock):
        t = 0.0
        for _ in range(draw(st.integers(0, 3))):
            targets = [p for p in left if left[p] > 0]
            if not targets:
                break
            a = draw(st.sampled_from(targets))
            t_at = t + hop(here, a)
            if a != here:
                if not (ok_leave(here, t) and ok_reach(a, t_at)):
                    break
                trips.append(Trip(f"g{gi}", "v", count, here, t, a, t_at, 0))
            k = min(left[a], 40 * count)
            arrive = t_at + load + hop(a, "h") + unload
            if not ok_leave(a, t_at + load):
                break
            trips.append(Trip(f"g{gi}", "v", count, a, t_at, "h", arrive, k))
            left[a] -= k
            rescued += k
            here, t = "h", arrive
    return sc, Plan("feas", trips=tuple(trips), rescued=rescued), rescued


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_cases())
def test_property_plans_built_to_obey_the_rules_pass(
    case: tuple[evacuate.Scenario, Plan, int],
) -> None:
    """No false alarms: a plan constructed to obey the model is feasible, and its rescued
    count and per-place attribution are exact."""
    sc, p, rescued = case
    report = check(sc, p)
    assert report.feasible, report.summary()
    assert report.rescued == rescued
    moved: dict[str, float] = {}
    for t in p.trips:
        if t.people:
            moved[t.origin] = moved.get(t.origin, 0.0) + t.people
    assert {k: v for k, v in report.rescued_by_place.items() if v} == moved


def test_an_instant_chain_in_an_order_that_works_is_accepted() -> None:
    """The skiff's two trips the other way round: it brings 50 to the landing, then takes
    them on; at the end of the instant the balance is the same, and now an order exists."""
    sc = scenario(SKIFF)
    works = [
        Trip("g2", "skiff", 1, "landing", 0, "town", 0, 0),
        Trip("g2", "skiff", 1, "town", 0, "landing", 0, 50),
        Trip("g2", "skiff", 1, "landing", 0, "town", 0, 50),
    ]
    assert check(sc, plan(*works)).feasible
    assert not check(sc, plan(*SELF_FUNDED)).feasible
