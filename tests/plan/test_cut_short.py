"""Plans the safety stop cut short are still plans: feasible, within the bound, reproduced.

When the time limit binds (a busy machine, a short ``--time-limit``), the planner returns the
best plan found so far, often its first greedy dispatch. The stop is made to bind at its first
question here, so these properties hold for that plan on any machine; a bug that only showed
under load (an idle group leaving during its operator's withdrawal) was found this way.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.check import check
from evacuate.plan import budget
from evacuate.plan.api import plan, reveal_surprises
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from tests.plan.test_help import helped_scenarios
from tests.plan.tiny import tiny_scenarios

SOME = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reached_at_once(self: budget.SafetyStop) -> bool:
    self.bound = True
    return True


def _cut_short(data: dict[str, Any]) -> None:
    scenario = reveal_surprises(evacuate.scenario.from_dict(data))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(budget.SafetyStop, "reached", _reached_at_once)
        result = plan(scenario, time_limit=60)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert round(report.rescued) == round(result.rescued) <= result.bound + 1e-6
    sim = simulate(scenario, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(result.rescued)


@SOME
@given(data=tiny_scenarios())
def test_a_plan_cut_short_is_feasible_and_flown(data: dict[str, Any]) -> None:
    _cut_short(data)


@SOME
@given(data=helped_scenarios())
def test_a_plan_cut_short_with_help_and_pauses_is_feasible_and_flown(data: dict[str, Any]) -> None:
    _cut_short(data)
