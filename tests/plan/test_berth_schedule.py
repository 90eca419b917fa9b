"""The naive planner and the TEN MIP follow the berths in force at each instant (a known
``change_throughput`` with ``berths``), not the fewest over the horizon."""

from __future__ import annotations

import copy

import evacuate
from evacuate.check import check
from evacuate.plan.naive import naive_plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import rescued_by_trips
from evacuate.plan.ten import ten_mip
from evacuate.planio import Plan
from tests.test_berth_changes import _harbour

# The harbour: 200 people, 9 ships of 20 at the quay (load 1 h, sail 1 h, back empty 1 h),
# 2 berths, 1 from 2 to 5 (low tide), 3 from 5 (a second quay); loaded trips end by 10.
# Hand-solved: loadings start on whole hours from 0 to 8; following the berths in force,
# 2 + 2 (at 0, 1), 1 + 1 + 1 (at 2, 3, 4) and 3 at 5 are 10 loadings: everyone (the ships
# of 0 and 1 are back by 3 and 4). Keeping to the fewest berths (1) throughout allows 9
# loadings (0 .. 8): 180.
EVERYONE, FEWEST = 200, 180


def _fewest() -> evacuate.Scenario:
    """The same harbour with 1 berth throughout (what the planners used to keep to)."""
    data = copy.deepcopy(_harbour())
    data["places"][0]["berths"] = 1
    data.pop("events")
    return evacuate.scenario.from_dict(data)


def test_the_mip_follows_the_berths_in_force() -> None:
    """The TEN MIP rescues everyone where 1 berth throughout allows 180, and the checker
    accepts its plan; with 1 berth throughout it finds exactly 180."""
    s = evacuate.scenario.from_dict(_harbour())
    res = ten_mip(compile_problem(s), 1.0, max_delay_steps=10)
    assert res.rescued == EVERYONE
    report = check(s, Plan(s.id, trips=tuple(res.trips)))
    assert report.feasible, report.summary()
    assert report.rescued == EVERYONE
    assert ten_mip(compile_problem(_fewest()), 1.0, max_delay_steps=10).rescued == FEWEST


def test_the_naive_planner_follows_the_berths_in_force() -> None:
    """The naive planner loads 3 ships at once after the quay opens (the fewest would allow
    1), rescues more than 1 berth throughout allows, and the checker accepts its plan."""
    s = evacuate.scenario.from_dict(_harbour())
    problem = compile_problem(s)
    trips = naive_plan(problem)
    report = check(s, Plan(s.id, trips=tuple(trips)))
    assert report.feasible, report.summary()
    assert report.rescued == rescued_by_trips(problem, trips) > FEWEST
    loads = [t for t in trips if t.people]
    assert max(sum(t.count for t in loads if t.depart == d) for d in {5.0}) == 3
    assert all(sum(t.count for t in loads if t.depart == d) <= 1 for d in (2.0, 3.0, 4.0))
