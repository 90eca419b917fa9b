"""The column generation at city scale (plan/lagrange.py): the master's people rows capped at
1 change the path, not the bound; multipliers given from elsewhere are a bound at once."""

from __future__ import annotations

from typing import Any

import numpy as np
from bench.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.grid import choose_dt, has_instant_trips
from evacuate.plan.lagrange import CITY_SMOOTHING, column_generation_bound
from evacuate.plan.problem import Problem, compile_problem
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios

FEW = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _small(late: float = 0.15) -> Problem:
    data = generate(2, places=8, vehicles=300, steps=60, classes=2, havens=4, late_arrivals=late)
    return compile_problem(evacuate.scenario.from_dict(data))


def test_the_capped_master_converges_to_the_same_bound() -> None:
    """Capping the people rows' duals at 1 (dropped once the capped master is solved and
    binds) ends at the LP optimum of the uncapped master, on rows at the end and per window."""
    problem = _small()
    dt = choose_dt(problem)
    for city in (True, False):
        capped = column_generation_bound(
            problem, dt, iterations=400, city=city, cap_people=True, smoothing=CITY_SMOOTHING
        )
        plain = column_generation_bound(problem, dt, iterations=400, city=city, cap_people=False)
        assert capped.iterations < 400 and plain.iterations < 400  # both converged
        assert abs(capped.bound - plain.bound) <= 1e-6 * plain.bound, (city, capped, plain)


def test_converged_multipliers_give_the_bound_in_one_sweep() -> None:
    """The multipliers of a converged column generation (rows at the end only, so they are
    per place) carried into a new one give its bound with its first pricing."""
    problem = _small(late=0.0)
    dt = choose_dt(problem)
    done = column_generation_bound(
        problem, dt, iterations=400, city=True, cap_people=True, haven_windows=0
    )
    again = column_generation_bound(
        problem, dt, iterations=1, city=True, multipliers=(done.sigma, done.mu), haven_windows=0
    )
    assert again.iterations == 1
    assert again.bound <= done.bound * (1 + 1e-6) + 1e-6
    assert again.bound >= done.bound * (1 - 1e-6) - 1e-6  # and no lower: it is the optimum


@FEW
@given(tiny_scenarios(), st.integers(0, 2**32 - 1))
def test_any_multipliers_bound_the_optimum(data: dict[str, Any], seed: int) -> None:
    """Whatever non-negative multipliers the column generation starts from, its bound holds
    the exhaustive optimum (weak duality), capped master or not."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    best = exhaustive(scenario).rescued
    rng = np.random.default_rng(seed)
    start = (rng.uniform(0, 2, problem.n_places), rng.uniform(0, 2, problem.n_places))
    for iterations, city in ((1, True), (30, True), (30, False)):
        res = column_generation_bound(
            problem,
            1.0,
            iterations=iterations,
            city=city,
            multipliers=start,
            cap_people=True,
            smoothing=CITY_SMOOTHING,
        )
        assert res.bound >= best - 1e-6, (iterations, city, res.bound, best)
