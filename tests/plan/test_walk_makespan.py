"""Min makespan with walkways: the plan walks people, passes the checker, and its lower bound is
never above the exact optimum over every split on tiny whole-hour cases."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan, reveal_surprises
from evacuate.scenario import from_dict
from tests.plan.cases import camp
from tests.plan.test_walkways import _split_optimum, _tiny, _with_walkways

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAFETY = 300.0
"""A safety stop far beyond these tiny plans' work budgets (a loaded machine cannot bind it)."""


def _exact_makespan(data: dict[str, Any]) -> int | None:
    """The smallest whole horizon at which the exact optimum over every split rescues
    everyone (None: not even by the scenario's end)."""
    everyone = sum(p.get("population", 0) for p in data["places"])
    for end in range(1, data["scenario"]["end"] + 1):
        d = copy.deepcopy(data)
        d["scenario"]["end"] = end
        if _split_optimum(d) >= everyone:
            return end
    return None


def _roomy_haven() -> dict[str, Any]:
    """walk_to_haven with room for everyone: the bus and the walkers both bring people in."""
    data = _tiny("walk_to_haven")
    data["places"][2]["capacity"] = 6
    return data


@pytest.mark.slow
@pytest.mark.parametrize("case", ["walk_to_pickup", "both_ways", "roomy_haven"])
def test_lower_bound_holds_and_the_plan_is_checked(case: str) -> None:
    """lower bound <= exact min makespan <= the plan's makespan; the plan (walks included)
    passes the checker, which finds the makespan the plan claims."""
    data = _roomy_haven() if case == "roomy_haven" else _tiny(case)
    best = _exact_makespan(data)
    assert best is not None
    s = from_dict(data)
    result = plan(s, objective="min-makespan", time_limit=SAFETY)
    assert result.makespan is not None and result.makespan_lower_bound is not None
    assert result.makespan_lower_bound <= best <= result.makespan + 1e-9
    assert result.rescued == s.population
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.makespan == pytest.approx(result.makespan)


def test_boarding_example_walks_and_is_bounded() -> None:
    """examples/boarding.yaml: nobody in the dunes is rescued without walking; the plan walks
    them all, finishes within the horizon, and its lower bound is positive and below it."""
    s = evacuate.load(EXAMPLES / "boarding.yaml")
    result = plan(s, objective="min-makespan", time_limit=SAFETY)
    assert result.rescued == s.population
    assert sum(w.people for w in result.plan.walks) >= 6000  # the dunes' people
    assert result.makespan is not None and result.makespan_lower_bound is not None
    assert 0 < result.makespan_lower_bound <= result.makespan <= s.scenario.end
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.makespan == pytest.approx(result.makespan)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_with_walkways())
def test_min_makespan_plans_with_walks_are_feasible(data: dict[str, Any]) -> None:
    """On random scenarios with walkways: the min-makespan plan passes the checker, which
    counts its rescued to the person; a makespan comes only with everyone rescued, at or
    after its lower bound, and is the one the checker finds."""
    s = reveal_surprises(from_dict(data))
    result = plan(s, objective="min-makespan", time_limit=5)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == result.rescued <= result.bound + 1e-6
    lb = result.makespan_lower_bound
    assert lb is not None and lb >= 0
    if result.makespan is not None:
        assert result.rescued == s.population
        assert lb <= result.makespan + 1e-9
        if s.population:
            assert report.makespan == pytest.approx(result.makespan)


def test_a_place_safe_only_for_a_while_is_no_haven_for_the_bound() -> None:
    """64 people at a camp that can hold people but falls at 15 walk to the haven (8 h, 40
    an hour): the last set out at 1 and arrive at 9 (hand-solved). The lower bound must not
    treat the camp as a haven at horizons before 15 (it found 15.2 once): it is exactly 9."""
    data = camp(bus_seats=10, road_hours=20)
    data["travel"]["walkways"] = [
        {"id": "path", "from": "camp", "to": "haven", "time": 8, "per_hour": 40}
    ]
    s = from_dict(data)
    result = plan(s, objective="min-makespan", time_limit=SAFETY)
    assert result.rescued == 64
    assert result.makespan == 9 and result.makespan_lower_bound == 9
    assert check(s, result.plan).feasible


def _walkers_just_before_the_hour(walk_time: float) -> dict[str, Any]:
    """20 people walk ``walk_time`` hours to a stop that loads 10 an hour, where two 10-seat
    buses take them 1 h to a haven."""
    return {
        "scenario": {"id": "hour", "end": 12, "time_unit": "hour"},
        "places": [
            {"id": "home", "population": 20},
            {"id": "stop", "load_per_hour": 10},
            {"id": "haven", "capacity": 100},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "road", "from": "stop", "to": "haven", "time": 1}],
            "walkways": [
                {"id": "w", "from": "home", "to": "stop", "time": walk_time, "per_hour": 1000}
            ],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 10}],
            "stock": [{"class": "bus", "place": "stop", "count": 2}],
        },
    }


@pytest.mark.parametrize("objective", ["min-makespan", "max-rescued"])
@pytest.mark.parametrize("walk_time", [0.9999995, 0.9999999])
def test_a_loading_a_hair_before_the_hour_is_booked_where_the_checker_counts_it(
    objective: str, walk_time: float
) -> None:
    """Walkers arrive within the checker's time tolerance (1e-6) before the hour: the planner
    booked the first bus's 10 people on hour 0 and sent the second at 1 on hour 1, while the
    checker (like every reader of the plan) counts a departure at 0.9999995 in hour 1:
    load_rate broke by 10. Now the planner reads periods as the checker does."""
    s = from_dict(_walkers_just_before_the_hour(walk_time))
    result = plan(s, objective=objective, time_limit=SAFETY)
    assert result.rescued == 20
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == 20


@pytest.mark.parametrize("objective", ["min-makespan", "max-rescued"])
def test_walkers_released_a_hair_before_the_hour_keep_the_walkway_rate(objective: str) -> None:
    """20 people arrive at 1 - 5e-13 h and walk a way that takes 10 an hour: the planner
    counted the first 10 in hour 0 (floor(t)) and sent 10 more at 1, while the checker counts
    a departure within 1e-12 of the hour in that hour: walk_rate broke. Now it counts as the
    checker does, so the two groups set out in hours 1 and 2."""
    data: dict[str, Any] = {
        "scenario": {"id": "hair", "end": 12, "time_unit": "hour"},
        "places": [
            {"id": "home", "arrivals": [{"at": 1 - 5e-13, "people": 20}]},
            {"id": "haven", "capacity": 100},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "road", "from": "home", "to": "haven", "time": 50}],
            "walkways": [{"id": "w", "from": "home", "to": "haven", "time": 2, "per_hour": 10}],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 10}],
            "stock": [{"class": "bus", "place": "home", "count": 1}],
        },
    }
    s = from_dict(data)
    result = plan(s, objective=objective, time_limit=SAFETY)
    assert result.rescued == 20
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert sorted(w.people for w in result.plan.walks) == [10, 10]
