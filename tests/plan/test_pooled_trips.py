"""The pooled round-trip bound (plan/pooled_trips.py): never below what a plan rescues, and
computed (below the people) where the per-pair LP is too large to build."""

from __future__ import annotations

import math
from typing import Any

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.pooled_trips import pooled_trip_bound
from evacuate.plan.problem import compile_problem
from evacuate.plan.roundtrips import MAX_COLUMNS, round_trip_bound
from evacuate.plan.search import rescued_by_trips
from tests.oracle import exhaustive
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
    data = {
        "scenario": {"id": "staging", "end": 10, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 10},
            {"id": "camp", "capacity": 10, "deadline": 5},
            {"id": "haven", "capacity": 10},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                {"id": "a", "from": "town", "to": "camp", "time": 1},
                {"id": "b", "from": "camp", "to": "haven", "time": 1},
            ],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 5}],
            "stock": [{"class": "bus", "place": "town", "count": 1}],
        },
    }
    assert math.isinf(pooled_trip_bound(compile_problem(evacuate.scenario.from_dict(data))))


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
