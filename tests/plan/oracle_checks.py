"""Checks shared by the oracle property tests (rates, berths, damage): the oracle's best plan
passes the independent checker with its count, and the bounds hold its optimum."""

from __future__ import annotations

import evacuate
from evacuate.check import check
from evacuate.plan.lagrange import column_generation_bound, has_instant_trips
from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import round_trip_bound
from evacuate.plan.ten import ten_bound
from evacuate.planio import Plan
from tests.oracle import exhaustive


def assert_oracle_plan_checks(s: evacuate.Scenario) -> None:
    """The oracle's best plan passes the checker, which counts what the oracle claims."""
    best = exhaustive(s)
    report = check(s, Plan("tiny", trips=tuple(best.trips)))
    assert report.feasible, report.violations[:3]
    assert round(report.rescued) == best.rescued


def assert_bounds_hold(problem: Problem, best: int, *, ten: bool = False) -> None:
    """The round-trip LP, the TEN LP (``ten``) and the grid bound are at least ``best``."""
    assert round_trip_bound(problem) >= best - 1e-6
    if ten:
        assert ten_bound(problem, 1.0).bound >= best - 1e-6
    if problem.supply and not has_instant_trips(problem):
        assert column_generation_bound(problem, 1.0, iterations=300).bound >= best - 1e-6
