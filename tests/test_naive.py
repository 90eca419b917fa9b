"""Tests of the naive greedy dispatcher: its plans pass the independent checker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import evacuate
from evacuate.check import check
from evacuate.plan.naive import naive_plan
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan, Trip
from evacuate.scenario.load import from_dict
from evacuate.scenario.scenario import Scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed

from bench.generate import generate


def _check(sc: Scenario, trips: list[Trip]) -> tuple[bool, int, str]:
    plan = Plan(sc.id, variant=sc.applied_variant, trips=tuple(trips), time_unit=sc.time_unit)
    rep = check(sc, plan)
    return rep.feasible, rep.rescued, rep.summary(5)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("extras", [False, True])
def test_generated_plans_pass_checker(seed: int, extras: bool) -> None:
    """On small generated instances (with and without the rarer rules) plans are feasible."""
    sc = from_dict(
        generate(
            seed,
            places=3 + seed % 4,
            vehicles=8 + 5 * seed,
            steps=36,
            classes=1 + seed % 3,
            extras=extras,
        )
    )
    trips = naive_plan(compile_problem(sc))
    feasible, rescued, summary = _check(sc, trips)
    assert feasible, summary
    assert rescued > 0
    assert rescued == sum(t.people for t in trips)


def test_deterministic() -> None:
    """The same problem gives the same trips."""
    sc = from_dict(generate(4, places=5, vehicles=30, steps=40, classes=2, extras=True))
    assert naive_plan(compile_problem(sc)) == naive_plan(compile_problem(sc))


def test_groups_split_only_as_needed() -> None:
    """A group larger than a load sends just enough vehicles; the rest stay for other work."""
    text = """
scenario: {id: split, time_unit: hour, end: 20}
places:
  - {id: town, position: [0, 0], population: 120, deadline: 10}
  - {id: camp, position: [10, 0], capacity: 1000}
  - {id: depot, position: [-10, 0]}
fleet:
  classes: [{id: bus, capacity: 50, speed: 10}]
  stock: [{class: bus, place: depot, count: 7}]
"""
    sc = evacuate.loads(text)
    trips = naive_plan(compile_problem(sc))
    first = trips[0]
    assert (first.origin, first.destination, first.count, first.people) == ("depot", "town", 3, 0)
    loaded = [t for t in trips if t.people]
    assert [(t.count, t.people) for t in loaded] == [(3, 120)]
    assert loaded[0].depart == 1.0 and loaded[0].arrive == 2.0
    feasible, rescued, summary = _check(sc, trips)
    assert feasible, summary
    assert rescued == 120


def test_respects_deadline_and_haven_room() -> None:
    """Nobody is picked up after the deadline, and a full haven sends loads to the next one."""
    text = """
scenario: {id: rules, time_unit: hour, end: 30}
places:
  - {id: town, position: [0, 0], population: 500, deadline: 7}
  - {id: near, position: [2, 0], capacity: 60}
  - {id: far, position: [4, 0], capacity: 1000}
  - {id: depot, position: [-2, 0]}
fleet:
  classes: [{id: van, capacity: 40, speed: 2}]
  stock: [{class: van, place: depot, count: 1}]
"""
    sc = evacuate.loads(text)
    trips = naive_plan(compile_problem(sc))
    loaded = [t for t in trips if t.people]
    assert loaded[0].destination == "near"
    assert {t.destination for t in loaded} == {"near", "far"}
    assert all(t.depart <= 7 for t in loaded)
    assert sum(t.people for t in loaded if t.destination == "near") <= 60
    feasible, _, summary = _check(sc, trips)
    assert feasible, summary


def test_romulan_revealed() -> None:
    """On the Romulan scenario with the attack and withdrawal known, the plan is feasible."""
    from evacuate.plan.api import reveal_surprises

    sc = reveal_surprises(evacuate.load().variant("historical"))
    trips = naive_plan(compile_problem(sc))
    feasible, rescued, summary = _check(sc, trips)
    assert feasible, summary
    assert 0 < rescued < sc.population
