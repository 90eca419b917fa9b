"""Bounds at city scale: the pooled round-trip LP (plan/pooled_trips.py) and the coarse first
grid with its rows at the end (plan/grid.py, plan/lagrange.py) are never below what a plan
rescues; the pooled LP is computed (below the people) where the per-pair LP is not built."""

from __future__ import annotations

import math
from typing import Any

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.plan.grid import (
    CITY_PLACES,
    CITY_STEPS,
    choose_dt,
    city_scale,
    has_instant_trips,
    shortest_loaded_trip,
)
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.pooled_trips import pooled_trip_bound
from evacuate.plan.problem import compile_problem
from evacuate.plan.roundtrips import MAX_COLUMNS, round_trip_bound
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


@FEW
@given(tiny_scenarios())
def test_pooled_bound_holds_the_exhaustive_optimum(data: dict[str, Any]) -> None:
    """Lanes, windows, closures, withdrawals, deadlines, arrivals: never below the optimum."""
    scenario = evacuate.scenario.from_dict(data)
    assert pooled_trip_bound(compile_problem(scenario)) >= exhaustive(scenario).rescued - 1e-6


@pytest.mark.slow
@settings(FEW, max_examples=8)
@given(helped_scenarios())
def test_pooled_bound_holds_the_optimum_with_help_and_turnarounds(data: dict[str, Any]) -> None:
    """Reinforcements, openings, turnarounds, returns of an operator: still never below."""
    scenario = evacuate.scenario.from_dict(data)
    assert pooled_trip_bound(compile_problem(scenario)) >= exhaustive(scenario).rescued - 1e-6


def test_staging_places_are_not_bounded_here() -> None:
    """A place that holds people without being safe lets people ride twice: no bound (inf)."""
    assert math.isinf(pooled_trip_bound(compile_problem(evacuate.scenario.from_dict(staging()))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pooled_bound_holds_dispatched_plans_on_generated_instances(seed: int) -> None:
    """On generated instances (hazard deadlines, late arrivals, openings, a shipyard) the
    bound is at least what the dispatcher rescues, and computed: below the people."""
    scenario = evacuate.scenario.from_dict(
        generate(seed, places=8, vehicles=60, steps=60, classes=2, havens=3)
    )
    problem = compile_problem(scenario)
    bound = pooled_trip_bound(problem)
    trips = dispatch(problem, DispatchParams())
    assert rescued_by_trips(problem, trips) <= bound + 1e-6
    assert bound < float(problem.population.sum())


def test_the_round_trip_bound_pools_trips_when_its_lp_is_too_large() -> None:
    """Past ``MAX_COLUMNS`` the round-trip bound is the pooled one, not 'no bound'."""
    data = generate(3, places=60, vehicles=2_000, steps=200, classes=2, havens=12)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    assert 4 * problem.n_classes * problem.n_places**2 > MAX_COLUMNS
    bound = round_trip_bound(problem)
    assert bound == pooled_trip_bound(problem)
    assert bound < float(problem.population.sum())


@FEW
@given(tiny_scenarios())
def test_a_master_with_rows_at_the_end_only_holds_the_optimum(data: dict[str, Any]) -> None:
    """The city-scale master (people and room rows at the end and at late arrivals only,
    for havens too) is a valid bound: never below the exhaustive optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    best = exhaustive(scenario).rescued
    for dt in (0.5, 1.0):
        try:
            res = column_generation_bound(problem, dt, iterations=300, city=True)
        except ValueError:  # dt longer than the shortest loaded trip
            continue
        assert res.bound >= best - 1e-6, (dt, res.bound, best)


@pytest.mark.slow
def test_the_city_scale_grid_is_coarse_and_bounds_the_dispatched_plan() -> None:
    """From ``CITY_PLACES`` places on, the first grid has at most ``CITY_STEPS`` steps (as
    coarse as the shortest loaded trip allows) and its bound holds what the dispatcher
    rescues."""
    data = generate(5, places=CITY_PLACES, vehicles=300, steps=40, classes=1, havens=10)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    assert city_scale(problem)
    dt = choose_dt(problem)
    assert dt == pytest.approx(min(problem.end / CITY_STEPS, shortest_loaded_trip(problem)))
    res = column_generation_bound(problem, dt, iterations=20)
    assert res.n_steps <= CITY_STEPS + 1
    rescued = rescued_by_trips(problem, dispatch(problem, DispatchParams()))
    assert rescued <= res.bound + 1e-6
