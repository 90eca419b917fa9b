"""The fleet counts, after people: the plan moves idle vehicles out of a place before its
deadline strikes when they can leave, and says how many it still loses."""

from __future__ import annotations

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.simulation import simulate


def _town(buses: int, lanes: str = "") -> evacuate.Scenario:
    """100 people in a town (deadline 20 h), a shelter 1 h away, ``buses`` buses of 50 seats
    in the town: two buses carry everyone, the others have nothing to do."""
    routes = f"lanes, lanes: {lanes}" if lanes else "all"
    return evacuate.loads(
        f"""
scenario: {{id: fleet, time_unit: hour, end: 40}}
map: {{unit: km}}
places:
  - {{id: town, position: [0, 0], population: 100, deadline: 20}}
  - {{id: shelter, position: [40, 0], capacity: 1000}}
travel: {{routes: {routes}}}
fleet:
  classes: [{{id: bus, capacity: 50, speed: 40 km/h, load_time: 0.5h, unload_time: 0.5h}}]
  stock: [{{class: bus, place: town, count: {buses}}}]
"""
    )


def _sim_lost(scenario: evacuate.Scenario, result: object) -> int:
    sim = simulate(scenario, result.plan, policy="follow")  # type: ignore[attr-defined]
    return int(sim.vehicles_lost)


def test_idle_vehicles_leave_a_threatened_place() -> None:
    """Six buses, two needed: everyone is rescued, and the four idle buses leave the town
    before its deadline; the checker and the simulation count no vehicle lost either."""
    scenario = _town(6)
    result = plan(scenario)
    assert result.rescued == 100
    assert result.vehicles_lost == 0
    assert result.to_dict()["vehicles_lost"] == 0
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:5]
    assert sum(report.vehicles_lost.values()) == 0
    assert _sim_lost(scenario, result) == 0
    # every bus ends up out of the town: the trips out of it move all six
    out = sum(t.count for t in result.plan.trips if t.origin == "town")
    assert out == 6


def test_vehicles_that_cannot_leave_are_counted() -> None:
    """The only lane runs one way, from the shelter into the town: the buses in the town can
    never leave, so all three are lost, and the planner, the checker and the simulation agree
    on how many."""
    scenario = _town(3, lanes="[{id: in, from: shelter, to: town, time: 1, bidirectional: false}]")
    result = plan(scenario)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:5]
    assert result.rescued == 0
    assert result.vehicles_lost == 3 == sum(report.vehicles_lost.values())
    assert _sim_lost(scenario, result) == 3
    assert [r.vehicles_lost for r in result.places if r.place == "town"] == [3]
