"""The simulator reads instants as the checker does: two instants closer than the checker's
tolerance (``max(1e-6, 1e-9 |t|)``, check/common.py) are one where a plan meets a limit. A
plan the checker accepts with a time a hair (5e-7 h) from a throughput period's start, a freed
berth, the horizon or its origin's deadline flies, undisturbed, as planned and to its count;
before, the simulator used a 1e-9 margin there, and held the trip to the next instant or lost
its people."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan, reveal_surprises
from evacuate.planio import Plan, Trip, Walk
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from tests.strategies import scenarios

HAIR = 5e-7
"""Below the checker's tolerance (1e-6), above the simulator's old margin (1e-9)."""


def _scenario(
    end: float = 10,
    town: str = "",
    camp: str = "",
    bus: str = "",
    people: str = "population: 20",
    fleet: str = "stock: [{class: bus, place: town, count: 2}]",
) -> evacuate.Scenario:
    return evacuate.loads(
        f"""
scenario: {{id: edge, time_unit: hour, end: {end!r}}}
places:
  - {{id: town, position: [0, 0], {people}{town}}}
  - {{id: camp, position: [1, 0], capacity: 100{camp}}}
fleet:
  classes: [{{id: bus, capacity: 10, speed: 1{bus}}}]
  {fleet}
"""
    )


def _trip(group: str, depart: float, arrive: float) -> Trip:
    return Trip(group, "bus", 1, "town", depart, "camp", arrive, 10)


CASES = {
    # 10 people an hour: the second loading is in hour 1 for the checker, was in hour 0
    "a loading a hair before a period's start": (
        _scenario(end=2 - HAIR / 2, town=", load_per_hour: 10"),
        [_trip("g1", 0, 1), _trip("g2", 1 - HAIR, 2 - HAIR)],
    ),
    "an unloading a hair before a period's start": (
        _scenario(camp=", unload_per_hour: 10"),
        [_trip("g1", 0, 1), _trip("g2", 1 - HAIR, 2 - HAIR)],
    ),
    # one berth, loadings of 1 h: the second starts a hair before the first ends
    "a berth taken a hair before it is freed": (
        _scenario(town=", berths: 1", bus=", load_time: 1"),
        [_trip("g1", 0, 2), _trip("g2", 1 - HAIR, 3 - HAIR)],
    ),
    "an arrival a hair after the horizon": (
        _scenario(end=2),
        [_trip("g1", 1 + HAIR, 2 + HAIR)],
    ),
    "a loading ending a hair after its origin's deadline": (
        _scenario(town=", deadline: 1", bus=", load_time: 1"),
        [_trip("g1", HAIR, 2 + HAIR)],
    ),
    # the departure is at the deadline's instant for the checker: before the strike
    "a trip with no loading leaving a hair after its origin's deadline": (
        _scenario(town=", deadline: 1"),
        [_trip("g1", 1 + HAIR, 2 + HAIR)],
    ),
    "an empty trip leaving a hair after its origin's deadline": (
        _scenario(town=", deadline: 1", people="population: 0"),
        [Trip("g1", "bus", 2, "town", 1 + HAIR, "camp", 2 + HAIR, 0)],
    ),
    # what appears at 1 h is there for a departure a hair before (one instant for the checker)
    "people arriving a hair after the pickup": (
        _scenario(people="population: 0, arrivals: [{at: 1, people: 10}]"),
        [_trip("g1", 1 - HAIR, 2 - HAIR)],
    ),
    "stock entering a hair after its departure": (
        _scenario(fleet="stock: [{class: bus, place: town, count: 1, available_from: 1}]"),
        [_trip("g1", 1 - HAIR, 2 - HAIR)],
    ),
    "a bus built a hair after its departure": (
        _scenario(
            fleet="shipyards: [{id: y, place: town, class: bus, schedule: [{start: 0, rate: 1}],"
            " max_total: 1}]"
        ),
        [_trip("g1", 1 - HAIR, 2 - HAIR)],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_plan_at_the_checkers_tolerance_flies_as_planned(case: str) -> None:
    """The checker accepts the plan; the undisturbed simulation departs and arrives when
    planned and rescues (and loses) what the checker counts."""
    scenario, trips = CASES[case]
    plan = Plan(scenario_id="edge", trips=tuple(trips), scenario_digest=scenario.digest)
    report = check(scenario, plan)
    assert report.feasible, report.violations
    sim = simulate(scenario, plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(report.rescued) == sum(t.people for t in trips)
    assert sim.vehicles_lost == sum(report.vehicles_lost.values())
    flown = sorted((e.group, e.kind, e.time) for e in sim.events if e.kind in ("depart", "arrive"))
    planned = sorted(
        [(t.group, "depart", t.depart) for t in trips]
        + [(t.group, "arrive", t.arrive) for t in trips]
    )
    assert flown == planned


SHIFTS = [0.0, -9e-7, -5e-7, -2e-7, 2e-7, 5e-7, 9e-7]
"""Moves below the checker's tolerance: a plan moved so stays the checker's to judge."""


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios(), st.data())
def test_a_plan_moved_by_hairs_flies_as_the_checker_counts(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """A planner's plan with each group's trips moved, earlier or later, by less than the
    checker's tolerance: if the checker accepts it, the undisturbed simulation (surprises
    revealed) cancels no trip and rescues the checker's count. Found a shipyard's bus built
    9e-7 h after the departure the checker let it make (now a case above)."""
    note(f"scenario data: {data!r}")  # Hypothesis may not replay a failure: its data
    s = reveal_surprises(evacuate.scenario.from_dict(data))
    result = plan(s, time_limit=1)
    groups = sorted({t.group for t in result.plan.trips})
    shift = {g: draw.draw(st.sampled_from(SHIFTS), label=g) for g in groups}
    trips = tuple(
        replace(t, depart=t.depart + shift[t.group], arrive=t.arrive + shift[t.group])
        for t in result.plan.trips
    )
    moved = replace(result.plan, trips=trips)
    report = check(s, moved)
    assume(report.feasible)
    sim = simulate(s, moved, policy="follow", perturbations=Perturbations())
    assert not [e for e in sim.events if e.kind in ("cancelled", "turned_away")]
    assert sim.rescued == round(report.rescued)


def test_a_walk_setting_out_a_hair_after_its_origins_deadline_gets_away() -> None:
    """Walkers set out at the deadline's instant, as the checker has it (a walk departs at or
    before its origin's deadline, within the tolerance): the strike waits for them."""
    scenario = evacuate.loads(
        """
scenario: {id: edge, time_unit: hour, end: 10}
places:
  - {id: camp, population: 30, deadline: 1}
  - {id: shelter, capacity: 100}
travel:
  routes: lanes
  walkways: [{id: path, from: camp, to: shelter, time: 2, per_hour: 60}]
fleet: {classes: [{id: bus, capacity: 10}]}
"""
    )
    walk = Walk("path", "camp", 1 + HAIR, "shelter", 3 + HAIR, 10)
    plan = Plan(scenario_id="edge", walks=(walk,), scenario_digest=scenario.digest)
    report = check(scenario, plan)
    assert report.feasible, report.violations
    sim = simulate(scenario, plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(report.rescued) == 10
    assert sim.lost_people == 20


def test_people_delivered_a_hair_after_a_pickup_there_are_taken_by_it() -> None:
    """A delivery ending within the tolerance after a pickup at the same place is, for the
    checker, of the same instant, before the pickup: the simulator brings it forward. Found
    by the property below at 300 examples (seed 4102): the person stayed behind and was lost."""
    scenario = evacuate.loads(
        """
scenario: {id: edge, time_unit: hour, end: 10}
places:
  - {id: town, position: [0, 0], population: 10}
  - {id: hub, position: [1, 0], capacity: 100, deadline: 5}
  - {id: camp, position: [2, 0], capacity: 100}
fleet:
  classes: [{id: bus, capacity: 10, speed: 1}]
  stock: [{class: bus, place: town, count: 1}, {class: bus, place: hub, count: 1}]
"""
    )
    trips = (
        Trip("g1", "bus", 1, "town", 0, "hub", 1 + HAIR, 10),
        Trip("g2", "bus", 1, "hub", 1, "camp", 2, 10),
    )
    plan = Plan(scenario_id="edge", trips=trips, scenario_digest=scenario.digest)
    report = check(scenario, plan)
    assert report.feasible, report.violations
    sim = simulate(scenario, plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(report.rescued) == 10
    assert sim.lost_people == 0
