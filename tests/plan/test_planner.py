"""The planner: every plan it emits passes the independent checker; rescued <= bound."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan, reveal_surprises
from tests.strategies import scenarios

ROOT = Path(__file__).resolve().parents[2]
ROMULAN = evacuate.load()


def _verified(scenario: evacuate.Scenario, **kw: object) -> object:
    """Plan, then re-check the plan independently; return the PlanResult."""
    result = plan(scenario, **kw)  # type: ignore[arg-type]
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:5]
    assert report.rescued == pytest.approx(result.rescued)
    assert result.rescued <= result.bound + 1e-6
    assert result.bound <= scenario.population + 1e-6
    return result


@pytest.mark.parametrize("variant", ROMULAN.variant_names)
def test_romulan_planning_problem_gap(variant: str) -> None:
    """Each Romulan variant's planning problem is solved within 1% of the bound."""
    result = _verified(ROMULAN.variant(variant), time_limit=20)
    assert result.gap <= 0.01  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ROMULAN.variant_names)
def test_romulan_hindsight_is_feasible(variant: str) -> None:
    """With the surprises revealed, plans still pass the checker and stay under the bound."""
    _verified(reveal_surprises(ROMULAN.variant(variant)), time_limit=10)


def test_hindsight_attack_costs_people() -> None:
    """Knowing the armada is lost, far fewer people can be rescued than without the attack."""
    hist = plan(reveal_surprises(ROMULAN.variant("historical")), time_limit=10)
    free = plan(reveal_surprises(ROMULAN.variant("no_sabotage")), time_limit=10)
    assert hist.bound < 0.1 * free.rescued


@pytest.mark.parametrize("name", ["hurricane_bus.yaml", "airlift.yaml"])
def test_examples_plans_pass_checker(name: str) -> None:
    """The example scenarios and each of their variants get plans the checker accepts."""
    scenario = evacuate.load(ROOT / "examples" / name)
    for v in (None, *scenario.variant_names):
        _verified(scenario.variant(v) if v else scenario, time_limit=5)


def test_same_seed_same_plan() -> None:
    """Planning is deterministic for a seed when the time limit does not bind (this plan
    closes its gap in about a second; the limit, a safety stop, leaves room for a loaded
    machine)."""
    s = evacuate.load(ROOT / "examples" / "hurricane_bus.yaml")
    a = plan(s, time_limit=600, seed=3)
    b = plan(s, time_limit=600, seed=3)
    assert a.gap == 0.0
    assert a.plan.trips == b.plan.trips


def _shuttle(vehicles: int) -> evacuate.Scenario:
    people = vehicles * 50 * 4
    return evacuate.loads(
        f"""
scenario: {{id: shuttle, time_unit: hour, end: 100}}
map: {{unit: km}}
places:
  - {{id: town, position: [0, 0], population: {people}, deadline: 60}}
  - {{id: shelter, position: [40, 0], capacity: {people}}}
  - {{id: depot, position: [-10, 0]}}
fleet:
  classes: [{{id: bus, capacity: 50, speed: 40 km/h, load_time: 15min, unload_time: 10min}}]
  stock: [{{class: bus, place: depot, count: {vehicles}}}]
"""
    )


def test_cost_grows_with_decisions_not_vehicles() -> None:
    """100 or 100,000 identical buses make the same number of trips: they move as a group."""
    small = _verified(_shuttle(100), time_limit=5)
    large = _verified(_shuttle(100_000), time_limit=5)
    assert large.rescued == 1000 * small.rescued  # type: ignore[attr-defined]
    assert len(large.plan.trips) == len(small.plan.trips)  # type: ignore[attr-defined]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_random_scenarios_plans_pass_checker(data: dict[str, object]) -> None:
    """Any valid scenario: the plan passes the checker and rescued <= bound <= population."""
    scenario = evacuate.scenario.from_dict(data)
    _verified(scenario, time_limit=2)
    _verified(reveal_surprises(scenario), time_limit=2)
