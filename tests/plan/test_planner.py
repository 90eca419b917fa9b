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
    # a safety stop that cannot bind: the work budget alone decides (3 s of CPU idle)
    hist = plan(reveal_surprises(ROMULAN.variant("historical")), time_limit=600)
    free = plan(reveal_surprises(ROMULAN.variant("no_sabotage")), time_limit=600)
    assert not hist.stats["stopped_by_time"] and not free.stats["stopped_by_time"]
    assert hist.bound < 0.1 * free.rescued


@pytest.mark.parametrize("name", ["hurricane_bus.yaml", "airlift.yaml"])
def test_examples_plans_pass_checker(name: str) -> None:
    """The example scenarios and each of their variants get plans the checker accepts."""
    scenario = evacuate.load(ROOT / "examples" / name)
    for v in (None, *scenario.variant_names):
        _verified(scenario.variant(v) if v else scenario, time_limit=5)


def test_same_seed_same_plan(tmp_path: Path) -> None:
    """The same seed gives the same plan file, byte for byte, on a plan that spends its whole
    work budget (its gap stays open, so no early exit hides a clock) with the default time
    limit, which does not bind (it is only a safety stop)."""
    from bench.generate import generate

    from evacuate.plan.api import DISPATCH_RUNS
    from evacuate.planio import write_plan

    s = evacuate.scenario.from_dict(
        generate(4, places=3, vehicles=6, steps=24, classes=1, havens=2)
    )
    a = plan(s, seed=3)
    b = plan(s, seed=3)
    assert a.gap > 0 and not a.stats["stopped_by_time"] and not b.stats["stopped_by_time"]
    assert a.stats["dispatch_runs"] > DISPATCH_RUNS  # every greedy setting, and guided runs
    write_plan(a.plan, tmp_path / "a.csv")
    write_plan(b.plan, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


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


def test_a_scenario_without_an_enabled_class_plans_nothing() -> None:
    """No enabled vehicle class: the plan is empty, nobody rescued (it crashed once, on the
    dispatcher's nearness of places with no class to measure it)."""
    s = evacuate.loads(
        """
scenario: {id: idle, end: 10}
places:
  - {id: a, position: [0, 0], population: 1, deadline: 5}
  - {id: h, position: [1, 0], capacity: 5}
fleet:
  classes: [{id: bus, capacity: 5, speed: 1, enabled: false}]
  stock: [{class: bus, place: h, count: 1}]
"""
    )
    result = plan(s, time_limit=60)
    assert (result.rescued, result.plan.trips) == (0, ())
