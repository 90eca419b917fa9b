"""The planner against exact answers: an exhaustive oracle on tiny scenarios, BEP makespans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings

import evacuate
from evacuate.bep import bep_to_scenario, greedy_makespan, read_bep
from evacuate.check import check
from evacuate.plan.api import plan
from tests.oracle import OracleTooBig, exhaustive
from tests.plan.tiny import tiny_scenarios

BEP = Path(__file__).resolve().parents[1] / "data" / "bep"
ORACLE_STATES = 300_000
"""The oracle's work budget in memoised states (about 3 s of CPU)."""


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios(max_vehicles=4))
def test_tiny_plans_reach_the_exhaustive_optimum(data: dict[str, object]) -> None:
    """On tiny integer scenarios the planner rescues exactly as many as the true optimum.

    The oracle's search has a budget (``ORACLE_STATES``): a few of these scenarios (four
    vehicles, seven hours) took it millions of states, a minute and most of a gigabyte each,
    so 300 examples did not finish in an hour. Past the budget the plan is still checked."""
    scenario = evacuate.scenario.from_dict(data)
    result = plan(scenario, time_limit=3)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert report.rescued == result.rescued <= result.bound + 1e-6
    try:
        best = exhaustive(scenario, max_states=ORACLE_STATES).rescued
    except OracleTooBig:
        event("the oracle passed its budget")
        return
    assert result.bound >= best - 1e-6
    assert result.rescued == best


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(max_vehicles=3))
def test_more_vehicles_never_rescue_fewer(data: dict[str, Any]) -> None:
    """Adding a vehicle to the first stock never lowers what the planner rescues."""
    scenario = evacuate.scenario.from_dict(data)
    fleet = data["fleet"]
    stock = [dict(s) for s in fleet["stock"]]
    stock[0]["count"] += 1
    bigger = evacuate.scenario.from_dict({**data, "fleet": {**fleet, "stock": stock}})
    assert plan(bigger, time_limit=3).rescued >= plan(scenario, time_limit=3).rescued


@pytest.mark.parametrize("name", ["tiny.txt", "two_yards.txt", "wrapped.txt", "four_points.txt"])
def test_bep_makespan_beats_the_greedy_schedule(name: str) -> None:
    """Min makespan on BEP instances: everyone out, no later than the greedy schedule,
    no earlier than the lower bound, and the checker agrees."""
    instance = read_bep(BEP / name)
    scenario = evacuate.scenario.from_dict(bep_to_scenario(instance, name.removesuffix(".txt")))
    result = plan(scenario, objective="min-makespan", time_limit=10)
    assert result.rescued == result.population
    assert result.makespan is not None and result.makespan_lower_bound is not None
    assert result.makespan_lower_bound <= result.makespan <= greedy_makespan(instance) + 1e-9
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:5]
    assert report.makespan == pytest.approx(result.makespan)
