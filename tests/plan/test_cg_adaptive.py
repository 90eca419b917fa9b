"""The bound's automatic smoothing (plan/lagrange.py ``adaptive``): the weight of the centre
follows L's subgradient; only the multipliers' path changes, so the column generation ends at
the same bound, and every L it prices holds the optimum."""

from __future__ import annotations

from typing import Any

from bench.generate import generate
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.plan.grid import choose_dt, has_instant_trips
from evacuate.plan.lagrange import CITY_SMOOTHING, column_generation_bound
from evacuate.plan.problem import Problem, compile_problem
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios


def _small(late: float) -> Problem:
    data = generate(2, places=8, vehicles=300, steps=60, classes=2, havens=4, late_arrivals=late)
    return compile_problem(evacuate.scenario.from_dict(data))


def test_the_adapted_smoothing_converges_to_the_same_bound() -> None:
    """With rows per window and at city scale (0 and 8 haven windows), the column generation
    with the adapted weight ends at the LP optimum of the fixed one (both converge)."""
    for late in (0.15, 0.0):
        problem = _small(late)
        dt = choose_dt(problem)
        for city, windows in ((False, 0), (True, 0), (True, 8)):
            got = [
                column_generation_bound(
                    problem,
                    dt,
                    iterations=400,
                    city=city,
                    haven_windows=windows,
                    smoothing=CITY_SMOOTHING,
                    cap_people=True,
                    adaptive=adaptive,
                )
                for adaptive in (False, True)
            ]
            assert got[0].iterations < 400 and got[1].iterations < 400
            assert abs(got[0].bound - got[1].bound) <= 1e-6 * got[0].bound, (late, city, got)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios())
def test_the_adapted_bound_holds_the_optimum(data: dict[str, Any]) -> None:
    """Whatever the instance, the bound with the adapted weight (rows at city scale with two
    haven windows, and per window) is at least the exhaustive optimum, at every budget."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    best = exhaustive(scenario).rescued
    for iterations, city in ((3, True), (30, True), (30, False)):
        res = column_generation_bound(
            problem,
            1.0,
            iterations=iterations,
            city=city,
            haven_windows=2,
            adaptive=True,
            cap_people=True,
            smoothing=CITY_SMOOTHING,
        )
        assert res.bound >= best - 1e-6, (iterations, city, res.bound, best)
