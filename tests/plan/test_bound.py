"""The Lagrangian bound on its own: valid against exact answers, and what its rows see."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan, rescued_by_trips
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.lagrange import build_grid, column_generation_bound, has_instant_trips
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios())
def test_column_generation_bound_is_never_below_the_optimum(data: dict[str, object]) -> None:
    """Every grid's bound (with room per window at havens and hubs) holds the true optimum,
    on the grid of the data's step (1) and a finer one."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    best = exhaustive(scenario).rescued
    for dt in (0.5, 1.0):
        try:
            res = column_generation_bound(problem, dt, iterations=300)
        except ValueError:  # dt longer than the shortest loaded trip
            continue
        assert res.bound >= best - 1e-6, (dt, res.bound, best)


def _hub() -> dict[str, object]:
    """A town, a small haven next to it and a big one far away: the near one is a hub."""
    return {
        "scenario": {"id": "hub", "end": 40, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 400, "deadline": 30},
            {"id": "near", "capacity": 20},
            {"id": "far", "capacity": 1000},
            {"id": "depot"},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                {"id": "a", "from": "town", "to": "near", "time": 1},
                {"id": "b", "from": "near", "to": "far", "time": 1},
                {"id": "c", "from": "town", "to": "far", "time": 6},
                {"id": "d", "from": "depot", "to": "town", "time": 1},
            ],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 10}],
            "stock": [{"class": "bus", "place": "depot", "count": 4}],
        },
    }


def test_room_at_a_hub_is_kept_over_time() -> None:
    """Moving people on through a small haven is limited by its room at every instant, and
    the bound sees it: without that, the hub would carry all 400 people."""
    problem = compile_problem(evacuate.scenario.from_dict(_hub()))
    res = column_generation_bound(problem, 0.5, iterations=300)
    assert res.bound < 400 - 1.0
    result = plan(evacuate.scenario.from_dict(_hub()), time_limit=10)
    assert result.rescued == pytest.approx(result.bound)  # 330: the bound is tight here


def test_a_grid_without_transfers_has_no_loaded_move_out_of_a_haven() -> None:
    problem = compile_problem(evacuate.scenario.from_dict(_hub()))
    grid = build_grid(problem, 0.5, conservative=True, transfers=False)
    big = int(np.max(grid.loaded_steps))
    havens = np.flatnonzero(problem.is_haven)
    assert np.all(grid.loaded_steps[:, havens, :] == big)
    assert np.any(build_grid(problem, 0.5, conservative=True).loaded_steps[:, havens, :] < big)


@pytest.mark.parametrize(("redirect", "reserve"), [(True, True), (False, False), (True, False)])
def test_guided_dispatch_with_a_direct_guide_passes_the_checker(
    redirect: bool, reserve: bool
) -> None:
    scenario = evacuate.scenario.from_dict(_hub())
    problem = compile_problem(scenario)
    res = column_generation_bound(
        problem, 0.5, iterations=300, conservative=True, transfers=False, integer_guide=5.0
    )
    assert res.guide
    trips = dispatch(problem, DispatchParams(redirect=redirect, reserve=reserve), res.guide)
    got = rescued_by_trips(problem, trips)
    assert got > 0
    report = check(scenario, Plan(scenario_id=scenario.id, trips=tuple(trips)))
    assert report.feasible, report.violations[:3]


def test_the_whole_vehicle_guide_gets_the_time_left_at_its_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guide's MIP is bounded by the safety stop's time left when it starts (it used to
    get the time left when the column generation began, and overran the stop by that much),
    and is not solved at all once the stop has struck (the LP solution is rounded)."""
    from evacuate.plan import lagrange
    from evacuate.plan.budget import SafetyStop

    limits: list[float] = []
    solve = lagrange._solve_master

    def spy(*args: Any, **options: Any) -> Any:
        limits.append(options["time_limit"])
        return solve(*args, **options)

    monkeypatch.setattr(lagrange, "_solve_master", spy)
    problem = compile_problem(evacuate.scenario.from_dict(_hub()))
    stop = SafetyStop(30.0)
    res = column_generation_bound(
        problem,
        0.5,
        iterations=300,
        conservative=True,
        transfers=False,
        integer_guide=1e6,
        stop=stop,
    )
    assert res.guide and len(limits) == 1 and limits[0] <= 30.0
    struck = SafetyStop(0.0)
    res = column_generation_bound(
        problem,
        0.5,
        iterations=300,
        conservative=True,
        transfers=False,
        integer_guide=1e6,
        stop=struck,
    )
    assert res.guide and len(limits) == 1 and struck.bound
