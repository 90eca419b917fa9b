"""The planner at scale: bounds that stay valid with fewer arcs, and dispatch that ranks its
pickups (issue 14, item 5)."""

from __future__ import annotations

from typing import Any

import numpy as np
from bench.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan import heuristic
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.lagrange import column_generation_bound, has_instant_trips
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import rescued_by_trips
from evacuate.planio import Plan
from tests.oracle import exhaustive

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def line_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Places on a line at whole kilometres, speed 1 km/h: straight-line travel with whole
    times, where chains of moves tie with the direct move (rounding's worst case)."""
    xs = draw(st.lists(st.integers(0, 6), min_size=4, max_size=4, unique=True))
    end = draw(st.integers(4, 8))
    town = {"id": "town", "population": draw(st.integers(1, 6)), "position": [xs[0], 0]}
    if draw(st.booleans()):
        town["deadline"] = draw(st.integers(2, end + 1))
    town2 = {"id": "town2", "population": draw(st.integers(0, 3)), "position": [xs[1], 0]}
    places = [
        town,
        town2,
        {"id": "camp", "capacity": draw(st.integers(1, 8)), "position": [xs[2], 0]},
        {"id": "depot", "position": [xs[3], 0]},
    ]
    return {
        "scenario": {"id": "line", "end": end, "time_unit": "hour"},
        "map": {"kind": "plane", "unit": "km"},
        "places": places,
        "fleet": {
            "classes": [
                {
                    "id": "bus",
                    "capacity": draw(st.integers(1, 4)),
                    "speed": 1,
                    "load_time": draw(st.integers(0, 1)),
                }
            ],
            "stock": [{"class": "bus", "place": "depot", "count": draw(st.integers(1, 2))}],
        },
    }


@FEW
@given(line_scenarios())
def test_bounds_with_straight_line_travel_hold_the_optimum(data: dict[str, Any]) -> None:
    """With straight-line travel, empty moves only from where vehicles start or unload: the
    column-generation bound still holds the exact optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    assert problem.routes.straight
    best = exhaustive(scenario).rescued
    if has_instant_trips(problem):
        return
    for dt in (0.5, 1.0):
        try:
            res = column_generation_bound(problem, dt, iterations=300)
        except ValueError:  # dt longer than the shortest loaded trip
            continue
        assert res.bound >= best - 1e-6, (dt, res.bound, best)


def test_ranked_pickups_give_a_checked_plan_as_good_as_scoring_them_all(
    monkeypatch: Any,
) -> None:
    """With many pickups the dispatcher scores them in blocks, most promising first: on a
    generated instance of 160 places, the same rescued count as scoring every pickup, and a
    plan the checker accepts."""
    scenario = evacuate.scenario.from_dict(
        generate(3, places=160, vehicles=400, steps=60, classes=2, havens=20)
    )
    problem = compile_problem(scenario)
    assert int(np.count_nonzero(problem.population > 0)) > heuristic.RANK_ROWS
    ranked = dispatch(problem, DispatchParams())
    monkeypatch.setattr(heuristic, "RANK_ROWS", 10**9)
    full = dispatch(problem, DispatchParams())
    assert rescued_by_trips(problem, ranked) == rescued_by_trips(problem, full)
    plan = Plan(scenario.id, trips=tuple(ranked), time_unit=scenario.time_unit)
    report = check(scenario, plan)
    assert report.feasible
    assert report.rescued == rescued_by_trips(problem, ranked)
