"""Berths against the exhaustive optimum (issue 10 items 2 and 10): the oracle counts the
vehicles loading or unloading at each instant against the berths in force (a place's own, or a
known ``change_throughput``'s), its plans pass the independent checker with their count, and
no bound falls below its optimum."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan
from tests.oracle import exhaustive
from tests.plan.oracle_checks import assert_bounds_hold, assert_oracle_plan_checks
from tests.plan.tiny import tiny_scenarios

FEW = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def berthed_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny scenario whose loadings and unloadings take whole hours, with one berth (or two)
    at a place (mostly the town), and maybe a known change of its berths over whole hours (a
    tide)."""
    data = copy.deepcopy(draw(tiny_scenarios(max_vehicles=3, max_end=6)))
    for vc in data["fleet"]["classes"]:
        vc["load_time"] = draw(st.sampled_from([1, 2, 0]))
        vc["unload_time"] = draw(st.sampled_from([0, 1]))
    # mostly the town, where the loadings are, so that one berth may bind
    town = next(p for p in data["places"] if p["id"] == "town")
    place = draw(st.sampled_from([town, town, *data["places"]]))
    place["berths"] = draw(st.sampled_from([1, 1, 2]))
    if draw(st.booleans()):
        at = draw(st.integers(0, data["scenario"]["end"] - 1))
        fx = {
            "type": "change_throughput",
            "place": place["id"],
            "berths": draw(st.integers(0, 3)),
            "until": at + draw(st.integers(1, 3)),
        }
        data["events"].append({"id": "tide", "at": at, "effects": [fx]})
    return data


def _vans(**town: Any) -> dict[str, Any]:
    """12 people in a town, 2 vans of 4 loading for 2 h, 1 h to a camp; 4 h."""
    return {
        "scenario": {"id": "vans", "end": 4, "time_unit": "hour"},
        "places": [{"id": "town", "population": 12, **town}, {"id": "camp", "capacity": 20}],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "tc", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "van", "capacity": 4, "load_time": 2}],
            "stock": [{"class": "van", "place": "town", "count": 2}],
        },
    }


@pytest.mark.parametrize(
    ("berths", "tide_until", "rescued"),
    [(None, None, 8), (2, None, 8), (1, None, 4), (2, 1, 8), (2, 2, 4)],
)
def test_the_oracle_counts_the_berths_in_force(
    berths: int | None, tide_until: int | None, rescued: int
) -> None:
    """Both vans must load by 1 h to arrive by 4 h (2 h loading, 1 h on the road). One berth:
    the second van starts at 2 h, too late (4). Two berths: 8. Two, but one at low tide from 0:
    until 1 h the second van starts at 1 h (8); until 2 h it cannot (4). The oracle's plans
    pass the checker with their count."""
    data = _vans() if berths is None else _vans(berths=berths)
    if tide_until is not None:
        fx = {"type": "change_throughput", "place": "town", "berths": 1, "until": tide_until}
        data["events"] = [{"id": "tide", "at": 0, "effects": [fx]}]
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s)
    assert best.rescued == rescued
    report = check(s, Plan("vans", trips=tuple(best.trips)))
    assert report.feasible and report.rescued == rescued, report.violations[:3]


@pytest.mark.slow
@FEW
@given(berthed_scenarios())
def test_the_oracle_books_berths_as_the_checker_does(data: dict[str, Any]) -> None:
    """Under berths (constant or changed), the oracle's best plan passes the checker with its
    count."""
    assert_oracle_plan_checks(evacuate.scenario.from_dict(data))


@pytest.mark.slow
@FEW
@given(berthed_scenarios())
def test_no_bound_falls_below_the_optimum_under_berths(data: dict[str, Any]) -> None:
    """The planner's bound, the round-trip LP and the grid bound hold the exhaustive optimum
    with berths; the planner's plan passes the checker and rescues at most it."""
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s).rescued
    result = plan(s, time_limit=2)
    report = check(s, result.plan)
    assert report.feasible, report.violations[:3]
    assert round(report.rescued) <= best
    assert result.bound >= best - 1e-6
    problem = compile_problem(s)
    assert_bounds_hold(problem, best)
