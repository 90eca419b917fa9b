"""Walking arcs in the time-expanded network (issue 10): the exact MIP plans walks, its plan
(trips and walks) passes the checker, its optimum equals the exact optimum over every split
of the tiny walkway cases, and the TEN's LP bound with walking arcs is never below it."""

from __future__ import annotations

import pytest

from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.ten import ten_bound, ten_mip
from evacuate.planio import Plan
from evacuate.scenario import from_dict
from tests.plan.test_walkways import _split_optimum, _tiny


@pytest.mark.parametrize("case", ["walk_to_pickup", "walk_to_haven", "both_ways"])
def test_the_mip_plans_walks_to_the_optimum(case: str) -> None:
    """MIP optimum == the optimum over every split (vehicles by the oracle); its trips and
    walks pass the checker with that count; the relaxed TEN with walking arcs bounds it, and
    the MIP without walks does no better than with them."""
    data = _tiny(case)
    best = _split_optimum(data)
    sc = from_dict(data)
    problem = compile_problem(sc)
    end = round(sc.end)
    mip = ten_mip(problem, 1.0, max_delay_steps=end, walks=True)
    assert mip.status == "optimal"
    assert mip.walks, "the optimum walks"
    assert mip.rescued == best
    report = check(sc, Plan(sc.scenario.id, trips=tuple(mip.trips), walks=mip.walks))
    assert report.feasible, report.summary()
    assert report.rescued == mip.rescued
    assert ten_bound(problem, 1.0).bound >= best - 1e-6
    assert ten_mip(problem, 1.0, max_delay_steps=end).rescued <= best


def test_walkers_respect_the_rate_and_the_window() -> None:
    """A walkway of 1 person an hour, open from 1 h to 3 h, is the only way out: the MIP walks
    exactly two people (departing at 1 h and 2 h), each walk within the rate."""
    data = {
        "scenario": {"id": "walk", "end": 5},
        "places": [{"id": "a", "population": 5}, {"id": "h", "capacity": 10}],
        "travel": {
            "routes": "lanes",
            "lanes": [],
            "walkways": [
                {"id": "w", "from": "a", "to": "h", "time": 1, "per_hour": 1,
                 "open_from": 1, "open_until": 3}
            ],
        },
        "fleet": {"classes": [{"id": "bus", "capacity": 1}],
                  "stock": [{"class": "bus", "place": "h", "count": 1}]},
    }  # fmt: skip
    sc = from_dict(data)
    problem = compile_problem(sc)
    mip = ten_mip(problem, 1.0, walks=True)
    assert mip.rescued == 2
    assert sorted((w.depart, w.people) for w in mip.walks) == [(1.0, 1), (2.0, 1)]
    assert check(sc, Plan(sc.scenario.id, walks=mip.walks)).rescued == 2
    assert 2 <= ten_bound(problem, 1.0).bound < 2 + 1e-5  # HiGHS tolerance padding
    assert ten_bound(problem, 1.0, walks=False).bound == 0


def test_the_planner_tries_the_walking_mip_on_tiny_whole_hour_problems() -> None:
    """A one-seat bus and a walkway between two towns (whole hours): the walkway planner's
    bound stays above its plan, so it tries the walking MIP as well (plan/walks.py) and keeps
    the better plan; the MIP's optimum on the grid of step 1 (exact on whole hours) is the
    plan's rescued, and the checker accepts the plan with that count."""
    data = {
        "scenario": {"id": "tiny", "end": 7, "time_unit": "hour"},
        "places": [{"id": "town", "population": 6, "deadline": 6},
                   {"id": "camp", "capacity": 7}, {"id": "third", "population": 2}],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "town-camp", "from": "town", "to": "camp", "time": 1,
                       "windows": [{"start": 1}]},
                      {"id": "town-third", "from": "town", "to": "third", "time": 2}],
            "walkways": [{"id": "w0", "from": "town", "to": "third", "time": 2, "per_hour": 3}],
        },
        "fleet": {"classes": [{"id": "c0", "capacity": 1}],
                  "stock": [{"class": "c0", "place": "camp", "count": 1}]},
    }  # fmt: skip
    sc = from_dict(data)
    result = plan(sc, time_limit=300)
    tried = result.stats["walk_mip"]
    assert tried["status"] == "optimal"
    exact = ten_mip(compile_problem(sc), 1.0, walks=True).rescued
    assert result.rescued == tried["rescued"] == exact < result.bound
    report = check(sc, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == result.rescued
