"""Min makespan with a fleet of several capacities: more seats never give a longer makespan.

The route search of shuttle problems (improve.py) needs one capacity; a mixed fleet runs it on
each uniform view (shuttle.uniform_views: the vehicles of at least c seats, carrying c) and
keeps the best. Before, a mixed fleet fell to the general bisection planner: Valparaiso with
10 buses of 30 and 45 seats ended at 45,149 against 30,907 with 10 buses of 30 seats.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from bench.bep_exact import mip_makespan
from bench.bep_generate import random_bep
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.bep import BepInstance, bep_to_scenario
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.shuttle import is_shuttle, uniform_views
from evacuate.plan.shuttle_bound import shuttle_makespan_bound
from evacuate.scenario.scenario import Scenario
from tests.plan.test_bep_exact import random_set_beps


def _upgraded(data: dict[str, Any], extra: int) -> Scenario:
    """The same instance with half of each yard's buses (rounded down) ``extra`` seats larger,
    as a second class."""
    d = copy.deepcopy(data)
    base = d["fleet"]["classes"][0]
    d["fleet"]["classes"].append({"id": "big", "capacity": base["capacity"] + extra})
    stock = []
    for s in d["fleet"]["stock"]:
        big = s["count"] // 2
        if s["count"] - big:
            stock.append({**s, "count": s["count"] - big})
        if big:
            stock.append({**s, "id": s["id"] + "_big", "class": "big", "count": big})
    d["fleet"]["stock"] = stock
    return evacuate.scenario.from_dict(d)


def _makespan(scenario: Scenario) -> float:
    result = plan(scenario, objective="min-makespan", time_limit=60, work=20_000)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert report.rescued == scenario.population
    assert result.makespan is not None and report.makespan == pytest.approx(result.makespan)
    return result.makespan


def test_a_mixed_fleet_is_searched_as_its_uniform_views() -> None:
    """Buses of 1 and 3 seats: two views, all four buses carrying 1, and the two big ones
    carrying 3; each view is a shuttle problem, the mixed problem is not."""
    inst = BepInstance(1, (4,), (3, 3), (6,), ((1.0, 2.0),), ((1.0,), (2.0,)))
    mixed = compile_problem(_upgraded(bep_to_scenario(inst, "m"), 2))
    assert not is_shuttle(mixed)
    views = uniform_views(mixed)
    assert [
        (v.total_vehicles, sorted({int(v.capacity[s.c]) for s in v.supply})) for v in views
    ] == [
        (4, [1]),
        (2, [3]),
    ]
    assert all(is_shuttle(v) for v in views)


def test_eight_points_with_two_buses_upgraded_end_as_soon_as_the_uniform_fleet() -> None:
    """Four buses of 2 seats at two yards end at 13; with one bus per yard of 3 seats the
    plan ended at 25 before (the general planner's bisection), now no later than 13."""
    data = bep_to_scenario(random_bep(0, 8, buses=4, capacity=2, yards=2), "bep")
    assert _makespan(evacuate.scenario.from_dict(data)) == 13
    assert _makespan(_upgraded(data, 1)) <= 13


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_set_beps(), st.integers(1, 3))
def test_more_seats_never_give_a_longer_makespan(inst: BepInstance, extra: int) -> None:
    """Half of each yard's buses made larger: the plan is checked complete and ends no later
    than the uniform fleet's, and no earlier than the exact optimum (the time-expanded MIP),
    which the lower bound (the fleet all as large as its largest bus) does not pass."""
    data = bep_to_scenario(inst, "bep")
    uniform = evacuate.scenario.from_dict(data)
    mixed = _upgraded(data, extra)
    made = _makespan(mixed)
    assert made <= _makespan(uniform)
    problem = compile_problem(mixed)
    best = mip_makespan(problem, int(mixed.end))
    assert shuttle_makespan_bound(problem) <= best <= made
