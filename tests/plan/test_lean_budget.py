"""Max rescued at the default budget on a grid past ``GUIDE_ONLY_CELLS`` (the xlarge rung):
the guide's and the bound's column generations are capped (budget.py, ``LEAN_*``), the bound
stays valid, and ``FULL_EFFORT`` times the budget (``--time-limit 30``) brings the work back."""

from __future__ import annotations

import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.plan import budget, search
from evacuate.plan.api import WORK_PER_SECOND, plan
from evacuate.plan.budget import FULL_EFFORT, lean_bound_args
from evacuate.plan.lagrange import column_generation_bound, has_instant_trips
from evacuate.plan.problem import compile_problem
from evacuate.scenario.load import from_dict
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(max_vehicles=3))
def test_the_lean_bound_holds_the_exhaustive_optimum(data: dict[str, object]) -> None:
    """The round of the bound as the default budget runs it on big grids (few time windows,
    started from the direct guide's multipliers, few LP solves) is still a bound: never
    below the true optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return  # no grid bound is computed for these (search.py)
    direct = column_generation_bound(problem, conservative=True, transfers=False, iterations=3)
    lean = column_generation_bound(problem, **lean_bound_args((direct.sigma, direct.mu)))
    assert lean.bound >= exhaustive(scenario).rescued - 1e-6


def _medium() -> evacuate.Scenario:
    return from_dict(generate(4, places=4, vehicles=40, steps=48, classes=2, havens=2))


@pytest.mark.slow
def test_a_full_budget_brings_back_the_converged_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every grid past ``GUIDE_ONLY_CELLS`` and the caps made small, the default budget
    spends at most the capped LP solves and gives a valid, no tighter bound; ``FULL_EFFORT``
    times the budget runs the column generations to their usual budget again. Each gives
    the same plan on a second run."""
    monkeypatch.setattr(search, "GUIDE_ONLY_CELLS", 0)
    monkeypatch.setattr(search, "LEAN_GUIDE_ITERATIONS", 4)
    monkeypatch.setattr(budget, "LEAN_BOUND_ITERATIONS", 3)
    scenario = _medium()
    default = round(WORK_PER_SECOND * 10)
    short = plan(scenario, work=default)
    again = plan(scenario, work=default)
    full = plan(scenario, work=round(FULL_EFFORT * default))
    assert again.plan == short.plan
    for result in (short, full):
        assert not result.stats["stopped_by_time"]
        assert result.rescued <= result.bound
    lean_guide = short.stats["direct_guide"]["iterations"]
    lean_bound = short.stats["bounds"][0]["iterations"]
    assert lean_guide <= 4 and lean_bound <= 3
    assert full.stats["direct_guide"]["iterations"] > lean_guide
    assert full.stats["bounds"][0]["iterations"] > lean_bound
    assert full.bound <= short.bound + 1e-6
