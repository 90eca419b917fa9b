"""Berths that change over time (issue 10 item 2): ``berths`` on a ``change_throughput``
event, honoured by the checker (at every instant), the planners (the fewest in force), the
bounds (the most in force) and the simulator (the world's berths, surprises included)."""

from __future__ import annotations

from typing import Any

import pytest

import evacuate
from evacuate.check import check
from evacuate.errors import ScenarioError
from evacuate.plan.api import plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.roundtrips import round_trip_bound
from evacuate.planio import Plan, Trip
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from tests.plan.cases import two_places


def _harbour(tide: dict[str, Any] | None = None, quay: bool = True) -> dict[str, Any]:
    """A harbour of 200 with 2 berths; ships of 20 load for 1 h and sail 1 h to a haven.
    Known: from 2 to 5 the tide leaves 1 berth; from 5 a second quay gives 3."""
    events: list[dict[str, Any]] = [
        {
            "id": "low_tide",
            "at": 2,
            "effects": [{"type": "change_throughput", "place": "harbour", "berths": 1, "until": 5}],
        }
    ]
    if quay:
        events.append(
            {
                "id": "second_quay",
                "at": 5,
                "effects": [{"type": "change_throughput", "place": "harbour", "berths": 3}],
            }
        )
    if tide is not None:
        events.append(tide)
    return two_places(
        "harbour",
        10,
        {"id": "harbour", "population": 200, "berths": 2},
        {"id": "haven", "capacity": 1000},
        ("sea", 1),
        {"id": "ship", "capacity": 20, "load_time": 1},
        9,
        events=events,
    )


def _loadings(*departs: tuple[float, int]) -> Plan:
    """Ships loading from each departure time (one group each), 20 people aboard."""
    trips = [
        Trip(f"g{n}", "ship", count, "harbour", d, "haven", d + 2, 20 * count)
        for n, (d, count) in enumerate(departs)
    ]
    return Plan("harbour", trips=tuple(trips))


def test_the_checker_counts_the_berths_in_force_at_each_instant() -> None:
    """2 ships at 0 (2 berths), 1 at 2 (low tide: 1), 3 at 5 (the quay: 3): feasible; 2 at 3
    exceed the tide's 1 berth; a pair loading from 1.5 holds 2 berths when they fall to 1."""
    s = evacuate.scenario.from_dict(_harbour())
    assert check(s, _loadings((0, 2), (5, 3))).feasible
    low = check(s, _loadings((3, 2)))
    assert [v.rule for v in low.violations] == ["berths"]
    assert "than its 1 berth(s)" in low.violations[0].message
    fall = check(s, _loadings((1.5, 2)))
    assert [v.rule for v in fall.violations] == ["berths"]
    assert "when its berths fall to 1 at" in fall.violations[0].message
    assert not check(s, _loadings((4.5, 3))).feasible  # 3 before the quay opens at 5


def test_the_dispatcher_follows_the_berths_in_force_and_bounds_count_the_most() -> None:
    """The planning problem holds the fewest berths (1) for the cautious planners and the most
    (3) for the bounds; the dispatcher books the berths in force at each instant, so its plan
    loads 3 ships at once after the quay opens (the fewest would allow 1) and takes everyone;
    the checker accepts it and an undisturbed simulation flies it."""
    s = evacuate.scenario.from_dict(_harbour())
    problem = compile_problem(s)
    assert int(problem.berths[0]) == 1 and problem.bound_berths(0) == 3
    result = plan(s, time_limit=5)
    report = check(s, result.plan)
    assert report.feasible, report.violations[:3]
    assert result.rescued == 200
    assert max(t.count for t in result.plan.trips if t.people) == 3
    sim = simulate(s, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == result.rescued
    busy = _loadings((0, 2), (2, 1), (5, 3), (7, 3))
    best = check(s, busy)
    assert best.feasible and best.rescued == 180
    assert round_trip_bound(problem) >= best.rescued - 1e-6


def test_a_surprise_tide_holds_the_ships_in_the_simulation() -> None:
    """A surprise change to 0 berths from 5 to 8 (unknown to the plan): the simulated world
    lets no ship start loading then, so fewer are rescued than planned."""
    tide = {
        "id": "storm_surge",
        "at": 5,
        "mode": "surprise",
        "effects": [{"type": "change_throughput", "place": "harbour", "berths": 0, "until": 8}],
    }
    calm = evacuate.scenario.from_dict(_harbour(quay=False))
    s = evacuate.scenario.from_dict(_harbour(tide, quay=False))
    planned = plan(calm, time_limit=5)
    sim = simulate(s, planned.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued < planned.rescued
    loads = [e for e in sim.events if e.kind == "depart" and e.place == "harbour" and e.people]
    assert loads and not any(5 - 1e-9 <= e.time < 8 for e in loads)


def test_negative_berths_are_refused_at_their_line() -> None:
    """A change to -1 berths: exit-2 material, the field path and the line."""
    text = """scenario: {id: h, end: 4}
places:
  - {id: harbour, population: 10, berths: 2}
  - {id: haven, capacity: 10}
travel: {routes: lanes, lanes: [{id: sea, from: harbour, to: haven, time: 1}]}
fleet:
  classes: [{id: ship, capacity: 5}]
  stock: [{class: ship, place: harbour, count: 1}]
events:
  - id: tide
    at: 1
    effects:
      - {type: change_throughput, place: harbour, berths: -1}
"""
    with pytest.raises(ScenarioError) as err:
        evacuate.scenario.loads(text)
    message = str(err.value)
    assert "berths" in message and ":13" in message
