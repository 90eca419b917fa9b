"""The fleet bound at city scale (plan/fleet_bound.py): each place's trips to its nearest
havens by name, the others to a far haven per group at an optimistic time, is never below
what a plan rescues, and is computed (below the people) on generated instances."""

from __future__ import annotations

import math
from typing import Any
from unittest.mock import patch

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.fleet_bound import FleetBound, applies, fleet_bound
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.search import rescued_by_trips
from evacuate.planio.records import Plan, Trip
from tests.oracle import exhaustive
from tests.plan.cases import staging
from tests.plan.test_help import helped_scenarios
from tests.plan.tiny import tiny_scenarios

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SHAPES = [(0, 0, 1, 0, 0), (0, 1, 2, 0, 1), (1, 0, 2, 1, 0), (1, 1, 2, 0, 1), (8, 8, 8, 8, 8)]
"""(near havens, near pickups, far groups, near ways back, near groups): every trip and
approach far (pooled, or a group per haven, by name or not), one of each by name, and
everything by name."""


def _bound(problem: Problem, shape: tuple[int, int, int, int, int]) -> FleetBound:
    kh, kp, groups, kb, kg = shape
    return fleet_bound(
        problem, near_havens=kh, near_pickups=kp, far_groups=groups, near_back=kb, near_groups=kg
    )


@FEW
@given(tiny_scenarios())
def test_the_fleet_bound_holds_the_exhaustive_optimum(data: dict[str, Any]) -> None:
    """Lanes, windows, closures, withdrawals, deadlines, arrivals, and whichever trips and
    approaches go far: never below the optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= best - 1e-6, (shape, got.bound, best)


@pytest.mark.slow
@settings(FEW, max_examples=8)
@given(helped_scenarios())
def test_the_fleet_bound_holds_the_optimum_with_help_and_turnarounds(data: dict[str, Any]) -> None:
    """Reinforcements, openings, turnarounds, returns of an operator: still never below."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for shape in SHAPES[:4]:
        got = _bound(problem, shape)
        assert got.bound >= best - 1e-6, (shape, got.bound, best)


def test_staging_places_are_not_bounded_here() -> None:
    """A place that holds people without being safe lets people ride twice: no bound (inf)."""
    assert math.isinf(fleet_bound(compile_problem(evacuate.scenario.from_dict(staging()))).bound)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fleet_bound_holds_dispatched_plans_on_generated_instances(seed: int) -> None:
    """On generated instances (hazard deadlines, late arrivals, openings, a shipyard) the
    bound is at least what the dispatcher rescues, computed (below the people) with two near
    havens, and no looser with every haven by name; its duals are not negative."""
    scenario = evacuate.scenario.from_dict(
        generate(seed, places=150, vehicles=1_500, steps=120, classes=2, havens=6)
    )
    problem = compile_problem(scenario)
    assert applies(problem)  # city scale: the search computes it
    rescued = rescued_by_trips(problem, dispatch(problem, DispatchParams()))
    sparse = _bound(problem, (2, 2, 3, 1, 1))
    full = _bound(problem, (6, 150, 6, 6, 6))
    assert rescued <= full.bound + 1e-6
    assert rescued <= fleet_bound(problem).bound + 1e-6  # the search's (every tau, 64 names)
    assert full.bound <= sparse.bound * (1 + 1e-7) + 1e-6
    assert sparse.bound < float(problem.population.sum())
    assert (sparse.people >= 0).all() and (sparse.room >= 0).all()


@settings(FEW, max_examples=12)
@given(tiny_scenarios())
def test_the_levels_single_row_holds_the_exhaustive_optimum(data: dict[str, Any]) -> None:
    """Past ``REACH_COLUMNS`` each level keeps one row (``tau = L``): never below either."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    with patch("evacuate.plan.fleet_bound.REACH_COLUMNS", 0):
        for shape in SHAPES[::2]:
            got = _bound(problem, shape)
            assert got.bound >= best - 1e-6, (shape, got.bound, best)


def _relay() -> dict[str, Any]:
    """30 people in a town that falls at 4.5 h; a haven of 10 an hour away and a large one an
    hour beyond it, on a line; a bus of 10 at the town (1 km/h) and two barges of 10 at the
    small haven (0.2 km/h: 5 h to the town, too late)."""
    return {
        "scenario": {"id": "relay", "end": 30, "time_unit": "hour"},
        "map": {"kind": "plane", "unit": "km"},
        "places": [
            {"id": "town", "position": [0, 0], "population": 30, "deadline": 4.5},
            {"id": "near", "position": [1, 0], "capacity": 10},
            {"id": "far", "position": [2, 0], "capacity": 100},
        ],
        "fleet": {
            "classes": [
                {"id": "bus", "capacity": 10, "speed": 1},
                {"id": "barge", "capacity": 10, "speed": 0.2},
            ],
            "stock": [
                {"class": "bus", "place": "town", "count": 1},
                {"class": "barge", "place": "near", "count": 2},
            ],
        },
    }


def _assert_the_shuttle_rescues_30(scenario: evacuate.Scenario) -> None:
    """The bus shuttles 10 at a time to the small haven, the barges carry each load on: the
    checker accepts the plan and counts 30 rescued."""
    trips = [
        Trip("bus", "bus", 1, "town", 0.0, "near", 1.0, 10),
        Trip("bus", "bus", 1, "near", 1.0, "town", 2.0, 0),
        Trip("bus", "bus", 1, "town", 2.0, "near", 3.0, 10),
        Trip("bus", "bus", 1, "near", 3.0, "town", 4.0, 0),
        Trip("bus", "bus", 1, "town", 4.0, "near", 5.0, 10),
        Trip("b1", "barge", 1, "near", 1.0, "far", 6.0, 10),
        Trip("b2", "barge", 1, "near", 3.0, "far", 8.0, 10),
    ]
    plan = Plan(scenario_id="relay", trips=tuple(trips), scenario_digest=scenario.digest)
    report = evacuate.check(scenario, plan)
    assert not report.violations and report.rescued == 30


def test_a_haven_that_passes_people_on_is_bounded() -> None:
    """The bus shuttles to the small haven (every 2 h) while the barges carry each load on:
    30 rescued, which the checker accepts; trips alone rescue 20. (The per-haven room rows
    counted every trip into a haven: 28.33 before the relay columns.)"""
    scenario = evacuate.scenario.from_dict(_relay())
    _assert_the_shuttle_rescues_30(scenario)
    got = _bound(compile_problem(scenario), (8, 8, 8, 8, 8))
    assert got.bound >= 30 - 1e-6, got.bound


def test_relays_by_a_class_that_reaches_no_town_in_time_are_bounded() -> None:
    """The same shuttle with the bus's operator withdrawn at 5 h (no time left to relay): the
    barges, which make no trip from a town, must pass the people on; 30 rescued, which the
    checker accepts (their relay columns were once left out with their class: 23.33)."""
    data = _relay()
    data["fleet"]["classes"][0]["operator"] = "roads"
    data["fleet"]["classes"][1]["operator"] = "river"
    withdraw = {"type": "withdraw_operator", "operator": "roads", "finish_current_trip": False}
    data["events"] = [{"id": "w", "at": 5, "effects": [withdraw]}]
    scenario = evacuate.scenario.from_dict(data)
    _assert_the_shuttle_rescues_30(scenario)
    problem = compile_problem(scenario)
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= 30 - 1e-6, (shape, got.bound)


@st.composite
def relay_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Tiny scenarios where a haven passes people on: a town falling early, a small haven
    next to it, a large one beyond it (far from the town or not linked), vehicles at the
    town and at the small haven; for the exhaustive oracle."""
    end = draw(st.integers(4, 6))
    town = {
        "id": "town",
        "population": draw(st.integers(2, 6)),
        "deadline": draw(st.integers(1, 4)),
    }
    camp = {"id": "camp", "capacity": draw(st.integers(1, 3))}
    third = {"id": "third", "capacity": draw(st.integers(4, 8))}
    lanes = [
        {"id": "town-camp", "from": "town", "to": "camp", "time": 1},
        {"id": "camp-third", "from": "camp", "to": "third", "time": draw(st.integers(1, 3))},
    ]
    if draw(st.booleans()):
        lanes.append({"id": "town-third", "from": "town", "to": "third", "time": 3})
    n_classes = draw(st.integers(1, 2))
    classes = [
        {
            "id": f"c{n}",
            "capacity": draw(st.integers(1, 3)),
            "load_time": draw(st.integers(0, 1)),
            "unload_time": 0,
        }
        for n in range(n_classes)
    ]
    stock = [
        {"class": "c0", "place": "town", "count": 1},
        {"class": f"c{n_classes - 1}", "place": "camp", "count": 1},
    ]
    return {
        "scenario": {"id": "relays", "end": end, "time_unit": "hour"},
        "places": [town, camp, third],
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {"classes": classes, "stock": stock},
    }


@settings(FEW, max_examples=12)
@given(relay_scenarios())
def test_the_fleet_bound_holds_the_optimum_of_havens_passing_people_on(
    data: dict[str, Any],
) -> None:
    """Small havens emptied by vehicles that start there: never below the optimum either."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= best - 1e-6, (shape, got.bound, best)


@st.composite
def relay_chain_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Tiny scenarios where people may be passed on twice and relays' vehicles come from
    elsewhere: a town falling early, two small havens in a row next to it, a large one
    beyond (linked to the town or the first small one, or not), a depot by the large one;
    one vehicle at the town, one at a haven or the depot; for the exhaustive oracle."""
    end = draw(st.integers(4, 7))
    town = {
        "id": "town",
        "population": draw(st.integers(2, 6)),
        "deadline": draw(st.integers(1, 4)),
    }
    camp = {"id": "camp", "capacity": draw(st.integers(1, 3))}
    mid = {"id": "mid", "capacity": draw(st.integers(1, 3))}
    third = {"id": "third", "capacity": draw(st.integers(4, 8))}
    depot = {"id": "depot"}
    lanes = [
        {"id": "town-camp", "from": "town", "to": "camp", "time": 1},
        {"id": "camp-mid", "from": "camp", "to": "mid", "time": draw(st.integers(1, 2))},
        {"id": "mid-third", "from": "mid", "to": "third", "time": draw(st.integers(1, 3))},
        {"id": "third-depot", "from": "third", "to": "depot", "time": draw(st.integers(1, 2))},
    ]
    if draw(st.booleans()):
        lanes.append({"id": "town-third", "from": "town", "to": "third", "time": 3})
    if draw(st.booleans()):
        lanes.append({"id": "camp-third", "from": "camp", "to": "third", "time": 2})
    n_classes = draw(st.integers(1, 2))
    classes = [
        {
            "id": f"c{n}",
            "capacity": draw(st.integers(1, 3)),
            "load_time": draw(st.integers(0, 1)),
            "unload_time": 0,
        }
        for n in range(n_classes)
    ]
    stock = [
        {"class": "c0", "place": "town", "count": 1},
        {
            "class": f"c{n_classes - 1}",
            "place": draw(st.sampled_from(["camp", "mid", "third", "depot"])),
            "count": 1,
        },
    ]
    return {
        "scenario": {"id": "chains", "end": end, "time_unit": "hour"},
        "places": [town, camp, mid, third, depot],
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {"classes": classes, "stock": stock},
    }


@pytest.mark.slow
@settings(FEW, max_examples=15)
@given(relay_chain_scenarios())
def test_the_fleet_bound_holds_the_optimum_of_relay_chains(data: dict[str, Any]) -> None:
    """People passed on through two small havens by vehicles that start elsewhere: the rows
    of fleet_relays.py (where a relay's vehicle comes from, the groups' rooms at the end,
    people passed on) never push the bound below the optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= best - 1e-6, (shape, got.bound, best)
