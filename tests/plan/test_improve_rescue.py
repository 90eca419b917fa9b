"""Destroy and repair for max rescued (plan/improve_rescue.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.check import check
from evacuate.plan.budget import SafetyStop
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.improve_rescue import improve_rescued, paths_guide, vehicle_paths
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import rescued_by_trips
from evacuate.planio import Plan
from tests.plan.tiny import tiny_scenarios


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios(max_vehicles=4))
def test_improved_plan_is_feasible_and_never_rescues_fewer(data: dict[str, Any]) -> None:
    """From one greedy dispatcher run, the phase's plan passes the checker, rescues what it
    claims and never fewer than the plan it started from; the same seed gives the same plan."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    trips = dispatch(problem, DispatchParams(urgency=8.0, urgency_window=0.3))
    before = rescued_by_trips(problem, trips)
    target = float(problem.population.sum())
    out = improve_rescued(problem, trips, before, target, seed=1, stop=SafetyStop(None), runs=6)
    assert out.rescued >= before
    assert out.runs <= 6 and (out.rescued >= target or out.runs == 6 or not problem.supply)
    report = check(scenario, Plan("tiny", trips=tuple(out.trips), time_unit=scenario.time_unit))
    assert report.feasible, report.violations[:3]
    assert round(report.rescued) == out.rescued
    again = improve_rescued(problem, trips, before, target, seed=1, stop=SafetyStop(None), runs=6)
    assert again.trips == out.trips


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(max_vehicles=4))
def test_vehicle_paths_refly_the_plan(data: dict[str, Any]) -> None:
    """Every vehicle of the plan is traced once, and flying every traced path as a guide
    gives a plan that passes the checker (the phase's starting point for repairs)."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    trips = dispatch(problem, DispatchParams())
    paths = vehicle_paths(problem, trips)
    assert len(paths) == sum(s.count for s in problem.supply)
    loaded = sum(tr.count for tr in trips if tr.people)
    assert sum(len(legs) for _, legs in paths) <= loaded
    again = dispatch(problem, DispatchParams(), paths_guide(paths, [legs for _, legs in paths]))
    report = check(scenario, Plan("tiny", trips=tuple(again), time_unit=scenario.time_unit))
    assert report.feasible, report.violations[:3]
    before = rescued_by_trips(problem, trips)
    out = improve_rescued(problem, trips, before, before, seed=0, stop=SafetyStop(None))
    assert out.runs == 0 and out.trips == trips  # nothing to gain: no run spent
