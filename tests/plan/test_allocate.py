"""The allocation LP (plan/allocate.py) and the dispatcher run towards its targets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from bench.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan import search
from evacuate.plan.allocate import allocation, targets
from evacuate.plan.budget import SafetyStop
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import CITY_TARGETED, max_rescued, rescued_by_trips
from evacuate.planio import Plan
from evacuate.solvers import highs


def _far_and_near() -> dict[str, Any]:
    """One bus of 10 seats at the haven (10 km/h, no loading time); ``near`` (10 people, 2 h
    away, no deadline) and ``far`` (10 people, 3 h away, deadline 4 h); 10 h in all."""
    return {
        "scenario": {"id": "far_and_near", "end": 10, "time_unit": "hour"},
        "map": {"kind": "plane", "unit": "km"},
        "places": [
            {"id": "haven", "position": [0, 0], "capacity": 100},
            {"id": "near", "position": [20, 0], "population": 10},
            {"id": "far", "position": [-30, 0], "population": 10, "deadline": 4},
        ],
        "fleet": {
            "classes": [{"id": "bus", "capacity": 10, "speed": 10}],
            "stock": [{"class": "bus", "place": "haven", "count": 1}],
        },
    }


def test_targets_serve_the_early_deadline_first() -> None:
    """The greedy rate (people per hour) takes ``near`` first and reaches ``far`` after its
    deadline (10 rescued); towards the allocation's targets, earliest deadline first, the
    bus takes ``far`` first and then ``near``: everyone (20), which the checker accepts."""
    scenario = evacuate.scenario.from_dict(_far_and_near())
    problem = compile_problem(scenario)
    goal = targets(problem)
    assert goal is not None
    near, far = problem.pindex["near"], problem.pindex["far"]
    assert goal[near] == 10 and 0 < goal[far] <= 10
    greedy = dispatch(problem, DispatchParams())
    assert rescued_by_trips(problem, greedy) == 10
    trips = dispatch(problem, CITY_TARGETED[0], targets=goal)
    assert rescued_by_trips(problem, trips) == 20
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == 20


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 12), st.integers(2, 4))
def test_targets_stay_within_people_and_room(seed: int, places: int, havens: int) -> None:
    """Targets are zero at havens and depots, at most each place's people, at most the
    havens' room in all, and the same numbers when computed twice."""
    data = generate(seed % 1000, places=places, vehicles=30, steps=60, classes=2, havens=havens)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    goal = targets(problem)
    assert goal is not None
    tol = 1e-6 * max(1.0, float(problem.population.sum()))
    assert np.all(goal >= -tol)
    assert np.all(goal <= problem.population + tol)
    assert np.all(goal[problem.is_haven] <= tol)
    assert goal.sum() <= problem.sink_capacity[problem.is_haven].sum() + tol
    again = targets(problem)
    assert again is not None and again.tobytes() == goal.tobytes()


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 12), st.integers(2, 4))
def test_duals_price_people_and_room_where_they_bind(seed: int, places: int, havens: int) -> None:
    """The allocation's duals (the guide's first multipliers at city scale) are per person
    and per seat of room, between 0 and 1; a place worth more people (sigma > 0) has all of
    its people taken, and a haven whose room is worth more (mu > 0) is full (complementary
    slackness), so each dual belongs to its own place's row."""
    data = generate(seed % 1000, places=places, vehicles=30, steps=60, classes=2, havens=havens)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    found = allocation(problem)
    assert found is not None
    people, room = problem.population.astype(float), problem.sink_capacity.astype(float)
    tol = 1e-6 * max(1.0, float(people.sum()))
    assert np.all((found.sigma >= 0) & (found.sigma <= 1 + 1e-9))
    assert np.all((found.mu >= 0) & (found.mu <= 1 + 1e-9))
    worth = found.sigma > 1e-6
    assert np.all(found.targets[worth] >= people[worth] - tol)
    assert np.all(found.sigma[problem.is_haven] == 0)
    full = found.mu > 1e-6
    assert not np.any(full & ~problem.is_haven)
    assert np.all(found.delivered[full] >= room[full] - tol)
    assert np.all(found.delivered <= room + tol)
    assert abs(found.delivered.sum() - found.targets.sum()) <= tol


def test_city_scale_search_runs_towards_targets_and_keeps_the_best() -> None:
    """At city scale (160 places) the search computes the allocation and runs the dispatcher
    towards it first; its plan is at least that run's and the checker accepts it."""
    scenario = evacuate.scenario.from_dict(
        generate(3, places=160, vehicles=400, steps=60, classes=2, havens=20)
    )
    problem = compile_problem(scenario)
    goal = targets(problem)
    assert goal is not None
    first = rescued_by_trips(problem, dispatch(problem, CITY_TARGETED[0], targets=goal))
    trips, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=1e-4, rounds=0, runs=2
    )
    assert stats["allocation"] == float(goal.sum())
    assert rescued >= first and bound >= rescued
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(CITY_TARGETED))
def test_targeted_settings_give_checked_plans(seed: int, prm: DispatchParams) -> None:
    """Towards the targets, with places left out once nobody is there until their next
    arrival (``skip_empty``), on instances where a third of the places get people late:
    the checker accepts the plan and counts the dispatcher's rescued."""
    data = generate(
        seed % 1000, places=12, vehicles=40, steps=60, classes=2, havens=3, late_arrivals=0.35
    )
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    trips = dispatch(problem, prm, targets=targets(problem))
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible
    assert report.rescued == rescued_by_trips(problem, trips)


def test_city_scale_guides_far_from_converged_are_not_flown(monkeypatch: Any) -> None:
    """At city scale, a column generation cut after one LP solve (its bound still above the
    population: started cold here, not from the allocation's duals, whose first L is already
    below it) guides no dispatcher run; the plan is the targeted runs' best."""
    monkeypatch.setattr(search, "_allocation_start", lambda alloc: {})
    monkeypatch.setattr(search, "CITY_GUIDE_ITERATIONS", 1)
    monkeypatch.setattr(search, "BOUND_ITERATIONS", 1)
    scenario = evacuate.scenario.from_dict(
        generate(3, places=160, vehicles=400, steps=60, classes=2, havens=20)
    )
    problem = compile_problem(scenario)
    *_, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=1e-4, rounds=1, runs=2
    )
    assert stats["direct_guide"]["value"] > problem.population.sum()
    assert all(b["bound"] > problem.population.sum() for b in stats["bounds"])
    assert stats["guided_runs"] == 0 and stats["dispatch_targeted"]


def test_an_allocation_cut_by_the_safety_stop_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS gets the stop's time left; when it ends on that limit (forced here: a tiny LP is
    solved in presolve whatever the limit), there are no targets and the stop records that it
    bound, so the result says the plan depends on the machine's speed."""
    problem = compile_problem(evacuate.scenario.from_dict(_far_and_near()))
    unhurried = SafetyStop(None)
    assert targets(problem, unhurried) is not None
    assert not unhurried.bound
    real = highs.solve
    limits: list[float | None] = []

    def cut(*args: Any, **kwargs: Any) -> highs.HighsResult:
        limits.append(kwargs.get("time_limit"))
        return replace(real(*args, **kwargs), status="time_limit", x=None)

    monkeypatch.setattr(highs, "solve", cut)
    stop = SafetyStop(60.0)
    assert targets(problem, stop) is None
    assert stop.bound
    assert limits and limits[0] is not None and 0 < limits[0] <= 60.0 * 10
