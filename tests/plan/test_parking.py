"""Parking stands, sortie limits and rest (issue 10 items 8 and 4) in the planner and its
bound: the issue's cases (23 helicopters and a two-stand roof; a sortie-limited airlift; crews
that must rest), and on random tiny scenarios, plans that pass the checker, a bound never
below them, and undisturbed simulations that fly the plan to the instant."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.naive import naive_plan
from evacuate.plan.ops_bound import Cycle, trips_per_vehicle
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan
from tests.oracle import exhaustive
from tests.plan.cases import ferry
from tests.plan.tiny import tiny_scenarios
from tests.simulation.flown import assert_flown_as_planned

INF = float("inf")


def embassy(stands: Any = None, end: float = 2.0) -> evacuate.Scenario:
    """400 people on an embassy roof, 23 helicopters of 12 on a ship 30 min away; loading and
    unloading take 10 min each."""
    roof: dict[str, Any] = {"id": "roof", "population": 400}
    if stands is not None:
        roof["stands"] = stands
    return evacuate.scenario.from_dict(
        {
            "scenario": {"id": "embassy", "end": end, "time_unit": "hour"},
            "places": [roof, {"id": "ship", "capacity": "unlimited"}],
            "travel": {
                "routes": "lanes",
                "lanes": [{"id": "air", "from": "roof", "to": "ship", "time": "30min"}],
            },
            "fleet": {
                "classes": [
                    {"id": "helicopter", "capacity": 12, "load_time": "10min",
                     "unload_time": "10min"}
                ],
                "stock": [{"class": "helicopter", "place": "ship", "count": 23}],
            },
        }
    )  # fmt: skip


def test_23_helicopters_and_a_roof_with_two_stands() -> None:
    """Without stands all 23 land at once: 276 in the first wave, all a 2 h horizon allows.
    With two stands, two at a time land, load and leave every 10 min from 0.5 h to the last
    loading that still reaches the ship by 2 h (1 h 20): 5 pairs, 120 people; the bound (two
    stands x 5 loadings x 12) proves no plan does better."""
    free = plan(embassy(), time_limit=30)
    assert free.rescued == free.bound == 276
    for stands in (2, {"helicopter": 2}):
        sc = embassy(stands)
        result = plan(sc, time_limit=30)
        assert check(sc, result.plan).feasible
        assert result.rescued == result.bound == 120
        assert max(t.count for t in result.plan.trips if t.destination == "roof") <= 2


def test_a_sortie_limited_airlift() -> None:
    """Round trips of 2 h: fresh ships move all 1,000 in 24 h; with 3 sorties each, 300, and
    the bound (2 ships x 3 sorties x 50 seats) says no plan moves more."""
    assert plan(ferry(), time_limit=30).rescued == 1000
    sc = ferry(max_sorties=3)
    result = plan(sc, time_limit=30)
    assert check(sc, result.plan).feasible
    assert result.rescued == result.bound == 300


def test_crews_that_must_rest() -> None:
    """rest after 5 h for 6 h: each ship flies two round trips a duty (4 h: a third would end
    at 6 h), then rests 6 h: loaded arrivals at 2, 4, 12, 14, 22 and 24, 600 in all. The bound
    sees the empty legs back and the rests: 3 useful trips a duty at most (1 + 1 + 1 + 1 + 1
    h), each duty 7 h (a leg back and the rest) after the last, an hour's approach first: 6
    trips a ship, 600, so the plan is proven optimal (the bound was 1,000 before)."""
    sc = ferry(rest={"after": 5, "for": 6})
    result = plan(sc, time_limit=30)
    assert check(sc, result.plan).feasible
    assert result.rescued == 600
    assert result.stats["wear_bound"] == result.bound == 600


def test_trips_per_vehicle() -> None:
    """Useful trips of one vehicle by the horizon: time, the way back, the approach,
    turnaround, sorties and duties."""
    assert trips_per_vehicle(24, Cycle(1)) == 24
    assert trips_per_vehicle(24, Cycle(1, turnaround=1)) == 12  # 1 h trip + 1 h turnaround
    assert trips_per_vehicle(24, Cycle(1, back=1)) == 12  # 1 h back
    assert trips_per_vehicle(24, Cycle(1, back=1), approach=2) == 11  # 2 + 11 + 10 <= 24
    assert trips_per_vehicle(24, Cycle(1), max_sorties=5) == 5
    # duties of at most 5 trips (5 h), 6 h apart: 5 + 5 in 16 h, then 2 more by 24 h
    assert trips_per_vehicle(24, Cycle(1), rest=(5, 6)) == 12
    assert trips_per_vehicle(24, Cycle(2), rest=(1.5, 6)) == 0  # a trip longer than a duty
    # the ferry: 3 a duty, then the way back and 6 h of rest before the next
    assert trips_per_vehicle(24, Cycle(1, back=1), rest=(5, 6), approach=1) == 6
    # turnaround that is longer than the rest: every turnaround rests the crew
    assert trips_per_vehicle(24, Cycle(1, back=1, turnaround=7), rest=(1, 6)) == 3
    # no way back to a pickup: one trip at most
    assert trips_per_vehicle(24, Cycle(1, back=INF)) == 1
    assert trips_per_vehicle(24, Cycle(1, back=INF), approach=INF) == 0


FEW = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def limited_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny scenario with stands at one place, and sortie limits or rest on its classes."""
    data = copy.deepcopy(draw(tiny_scenarios(max_vehicles=3)))
    place = draw(st.sampled_from(data["places"]))
    here = sum(s["count"] for s in data["fleet"]["stock"] if s["place"] == place["id"])
    place["stands"] = draw(st.integers(max(1, here), max(1, here) + 1))
    for vc in data["fleet"]["classes"]:
        if draw(st.booleans()):
            vc["max_sorties"] = draw(st.integers(0, 2))
        if draw(st.booleans()):
            vc["rest"] = {"after": draw(st.integers(1, 4)), "for": draw(st.integers(1, 3))}
    return data


@FEW
@given(limited_scenarios())
def test_limited_plans_pass_the_checker_under_their_bound(data: dict[str, Any]) -> None:
    """The checker confirms the plan's rescued; the bound is at least that."""
    sc = evacuate.scenario.from_dict(data)
    result = plan(sc, time_limit=30)  # a safety stop that never binds here
    report = check(sc, result.plan)
    assert report.feasible, report.violations[:3]
    assert round(report.rescued) == round(result.rescued) <= result.bound + 1e-6


@FEW
@given(limited_scenarios())
def test_undisturbed_simulation_flies_the_limited_plan(data: dict[str, Any]) -> None:
    """The simulation departs every trip as planned and rescues the plan's count."""
    sc = evacuate.scenario.from_dict(data)
    result = plan(sc, time_limit=30)
    assert_flown_as_planned(sc, result)


def test_the_naive_planner_keeps_to_stands_sorties_and_rest() -> None:
    """The baseline honours the limits too: two helicopters at a time on the roof (two pairs
    by 2 h: it sends the next pair only once a stand is free), 3 sorties a ship, crews that
    rest; the checker finds nothing wrong."""
    cases = [
        (embassy(2), 48),
        (ferry(max_sorties=3), 300),
        (ferry(rest={"after": 5, "for": 6}), 600),
    ]
    for sc, rescued in cases:
        trips = naive_plan(compile_problem(sc))
        report = check(sc, Plan(sc.scenario.id, trips=tuple(trips)))
        assert report.feasible, report.violations[:3]
        assert report.rescued == rescued


@FEW
@given(limited_scenarios())
def test_limited_naive_plans_pass_the_checker(data: dict[str, Any]) -> None:
    """The naive planner's plans pass the checker with stands, sortie limits and rest."""
    sc = evacuate.scenario.from_dict(data)
    trips = naive_plan(compile_problem(sc))
    report = check(sc, Plan(sc.scenario.id, trips=tuple(trips)))
    assert report.feasible, report.violations[:3]


@st.composite
def worn_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny scenario whose classes have sortie limits or rest (the oracle knows both; two
    vehicles at most, as each vehicle's record multiplies the oracle's states)."""
    data = copy.deepcopy(draw(tiny_scenarios(max_vehicles=2)))
    for vc in data["fleet"]["classes"]:
        if draw(st.booleans()):
            vc["max_sorties"] = draw(st.integers(0, 2))
        else:
            vc["rest"] = {"after": draw(st.integers(1, 4)), "for": draw(st.integers(1, 3))}
    return data


@FEW
@given(worn_scenarios())
def test_the_wear_bound_holds_the_exhaustive_optimum(data: dict[str, Any]) -> None:
    """bound >= the exhaustive optimum (vehicle by vehicle, each with its own record) >= the
    planner's rescued; the optimum's own plan passes the checker with that many rescued."""
    sc = evacuate.scenario.from_dict(data)
    best = exhaustive(sc)
    result = plan(sc, time_limit=30)
    assert round(result.rescued) <= best.rescued <= result.bound + 1e-6
    report = check(sc, Plan(sc.scenario.id, trips=tuple(best.trips)))
    assert report.feasible, report.violations[:3]
    assert report.rescued == best.rescued
