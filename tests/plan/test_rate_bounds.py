"""Bounds against the exhaustive optimum with loading and unloading rates (issue 10 items 2,
3 and 10): the oracle books loadings over every period they span, also when the rates change
(tables, tides, ``change_throughput``), the checker accepts its plans, and no bound falls
below it."""

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
def rated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny scenario whose pickups load at 1-3 people an hour (and whose first haven may
    unload at 1-4 an hour), with loadings of up to two hours that span periods."""
    data = copy.deepcopy(draw(tiny_scenarios(max_vehicles=2, max_end=6)))
    for place in data["places"]:
        if place["id"] == "town" or (place.get("population") and draw(st.booleans())):
            place["load_per_hour"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        data["places"][1]["unload_per_hour"] = draw(st.integers(1, 4))
    for vc in data["fleet"]["classes"]:
        vc["load_time"] = draw(st.sampled_from([0, 1, 2]))
    return data


@st.composite
def changing_rate_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A rated tiny scenario whose town's loading rate changes over whole hours: a table, a
    tide (a table that repeats) or a known ``change_throughput``; or whose first haven unloads
    by a table."""
    data = draw(rated_scenarios())
    end = data["scenario"]["end"]
    town = next(p for p in data["places"] if p["id"] == "town")
    kind = draw(st.sampled_from(["table", "tide", "event", "unload"]))
    if kind in ("table", "tide"):
        first = draw(st.integers(0, 2))
        gap = draw(st.integers(1, 2))
        table: dict[str, Any] = {
            "rates": [
                {"from": first, "per_hour": draw(st.integers(0, 3))},
                {"from": first + gap, "per_hour": draw(st.integers(0, 3))},
            ]
        }
        if kind == "tide":
            table["every"] = gap + draw(st.integers(1, 2))
        town["load_rates"] = table
    elif kind == "event":
        at = draw(st.integers(0, end - 1))
        fx = {
            "type": "change_throughput",
            "place": "town",
            "load_per_hour": draw(st.integers(0, 3)),
            "until": at + draw(st.integers(1, 3)),
        }
        data["events"].append({"id": "surf", "at": at, "effects": [fx]})
    else:
        rates = [{"from": draw(st.integers(0, 3)), "per_hour": draw(st.integers(0, 4))}]
        data["places"][1]["unload_rates"] = {"rates": rates}
    return data


def test_a_van_fills_over_two_loading_hours() -> None:
    """8 people loading at 2 an hour, vans of 4 loading for 2 h, 1 h to a camp unloading 3
    an hour, 6 h: each arrival brings at most 3 (two trips: 6); the oracle's trips pass the
    checker, and every bound is at least 6."""
    data = {
        "scenario": {"id": "s", "end": 6, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 8, "load_per_hour": 2},
            {"id": "camp", "capacity": 10, "unload_per_hour": 3},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "tc", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "van", "capacity": 4, "load_time": 2}],
            "stock": [{"class": "van", "place": "town", "count": 2}],
        },
    }
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s)
    assert best.rescued == 6
    assert check(s, Plan("s", trips=tuple(best.trips))).rescued == 6
    data["places"][1].pop("unload_per_hour")
    fast = evacuate.scenario.from_dict(data)
    assert exhaustive(fast).rescued == 8  # loadings over [0, 2) and [2, 4): 4 + 4


@pytest.mark.slow
@FEW
@given(rated_scenarios())
def test_the_oracle_books_rates_as_the_checker_does(data: dict[str, Any]) -> None:
    """The oracle's best plan under rates passes the independent checker with its count."""
    assert_oracle_plan_checks(evacuate.scenario.from_dict(data))


@pytest.mark.slow
@FEW
@given(rated_scenarios())
def test_no_bound_falls_below_the_optimum_under_rates(data: dict[str, Any]) -> None:
    """The planner's bound, the round-trip LP, the TEN LP and the grid bound all hold the
    exhaustive optimum over whole-hour plans when loadings draw on the periods they span."""
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s).rescued
    problem = compile_problem(s)
    assert plan(s, time_limit=2).bound >= best - 1e-6
    assert_bounds_hold(problem, best, ten=True)


def test_the_oracle_reads_a_tide() -> None:
    """12 people at a pier that loads 4 an hour at high water (hours 0-1 of every 3) and
    nothing at low water; 2 vans of 4 loading for 1 h, 1 h to the camp, 6 h: loadings fit in
    hours 0, 1, 3 and 4 only (16 seats), so all 12; at 1 an hour at high water, 4. The
    oracle's plans pass the checker."""
    data = {
        "scenario": {"id": "s", "end": 6, "time_unit": "hour"},
        "places": [
            {
                "id": "town",
                "population": 12,
                "load_per_hour": 4,
                "load_rates": {
                    "every": 3,
                    "rates": [{"from": 0, "per_hour": 4}, {"from": 2, "per_hour": 0}],
                },
            },
            {"id": "camp", "capacity": 20},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "tc", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "van", "capacity": 4, "load_time": 1}],
            "stock": [{"class": "van", "place": "town", "count": 2}],
        },
    }
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s)
    assert best.rescued == 12
    assert check(s, Plan("s", trips=tuple(best.trips))).rescued == 12
    data["places"][0]["load_rates"]["rates"][0]["per_hour"] = 1  # high water: 1 an hour
    slow = evacuate.scenario.from_dict(data)
    assert exhaustive(slow).rescued == 4  # periods 0, 1, 3, 4: one each
    assert check(slow, Plan("s", trips=tuple(exhaustive(slow).trips))).feasible


@pytest.mark.slow
@FEW
@given(changing_rate_scenarios())
def test_the_oracle_books_changing_rates_as_the_checker_does(data: dict[str, Any]) -> None:
    """Under rates that change, the oracle's best plan passes the checker with its count."""
    assert_oracle_plan_checks(evacuate.scenario.from_dict(data))


@pytest.mark.slow
@FEW
@given(changing_rate_scenarios())
def test_no_bound_falls_below_the_optimum_under_changing_rates(data: dict[str, Any]) -> None:
    """Tables, tides and changes of throughput: the planner's bound, the round-trip LP, the TEN
    LP and the grid bound all hold the exhaustive optimum over whole-hour plans."""
    s = evacuate.scenario.from_dict(data)
    best = exhaustive(s).rescued
    problem = compile_problem(s)
    result = plan(s, time_limit=2)
    assert result.bound >= best - 1e-6
    assert check(s, result.plan).feasible
    assert_bounds_hold(problem, best, ten=True)
