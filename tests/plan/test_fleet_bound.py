"""The fleet bound at city scale (plan/fleet_bound.py): each place's trips to its nearest
havens by name, the others to a far haven per group at an optimistic time, is never below
what a plan rescues, and is computed (below the people) on generated instances."""

from __future__ import annotations

import math
from typing import Any

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.plan.fleet_bound import FleetBound, applies, fleet_bound
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.search import rescued_by_trips
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
    assert full.bound <= sparse.bound * (1 + 1e-7) + 1e-6
    assert sparse.bound < float(problem.population.sum())
    assert (sparse.people >= 0).all() and (sparse.room >= 0).all()
