"""At city scale a round of the bound ends with one sweep on a finer grid at its multipliers
(plan/search.py ``_finer_bound``): a valid bound, and no looser than the round's own."""

from __future__ import annotations

from typing import Any

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, event, given, settings

import evacuate
from evacuate.plan import grid
from evacuate.plan.budget import SafetyStop
from evacuate.plan.grid import has_instant_trips
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import max_rescued
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios


@pytest.fixture
def all_city(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every problem is of city scale (its rows at the end, the finer sweep after a round)."""
    monkeypatch.setattr(grid, "CITY_PLACES", 1)


def test_the_finer_sweep_tightens_the_rounds_bound(all_city: None) -> None:
    """On a generated instance without late arrivals (the master's multipliers are all per
    place at the end), the finer grid's sweep is at most the round's bound, and the bound the
    search returns is the smaller of the two and holds its plan."""
    data = generate(2, places=8, vehicles=300, steps=60, classes=2, havens=4, late_arrivals=0.0)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    _, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=0.0, runs=2
    )
    assert stats["bounds"], stats
    finer = stats["finer_bound"]["bound"]
    assert finer <= stats["bounds"][-1]["bound"] * (1 + 1e-9)
    assert bound <= finer * (1 + 1e-9) + 1e-6 or bound == rescued
    assert rescued <= bound + 1e-6


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(tiny_scenarios())
def test_the_finer_sweep_holds_the_optimum(all_city: None, data: dict[str, Any]) -> None:
    """Whatever the instance, the bound after the finer sweep is at least the exhaustive
    optimum (weak duality at any non-negative multipliers)."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    _, _, bound, stats = max_rescued(problem, seed=0, stop=SafetyStop(None), gap_target=0.0)
    event("finer sweep" if "finer_bound" in stats else "no round of the bound")
    if "finer_bound" in stats:
        best = exhaustive(scenario).rescued
        assert stats["finer_bound"]["bound"] >= best - 1e-6, (stats, best)
        assert bound >= best - 1e-6
