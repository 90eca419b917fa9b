"""Issue 10 item 3: a loading draws on every throughput period it spans (docs/model.md,
Throughput). A train bigger than one period's allowance fills; the checker rejects plans no
split fits (and accepts those some split fits, whatever the order of departures); planners,
bound and simulator follow the same rule."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evacuate.check import check
from evacuate.check.rates import overdrawn
from evacuate.plan.api import plan
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.naive import naive_plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.ten import ten_bound, ten_mip
from evacuate.planio import Plan, Trip
from evacuate.scenario import from_dict
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from evacuate.simulation.world import _serve


def _station(
    end: float = 6, trains: int = 1, population: int = 1_100, buses: int = 0, load: float = 2
) -> dict[str, Any]:
    """A station boarding 700 people an hour; trains of 1,100 seats load for two hours; a
    haven one hour away."""
    classes: list[dict[str, Any]] = [
        {"id": "train", "capacity": 1_100, "speed": 1, "load_time": load}
    ]
    stock = [{"class": "train", "place": "station", "count": trains}]
    if buses:
        classes.append({"id": "bus", "capacity": 300, "speed": 1, "load_time": 0.25})
        stock.append({"class": "bus", "place": "station", "count": buses})
    return {
        "scenario": {"id": "station", "end": end},
        "places": [
            {"id": "station", "population": population, "deadline": end + 1, "load_per_hour": 700},
            {"id": "haven", "capacity": 100_000},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "rail", "from": "station", "to": "haven", "time": 1}],
        },
        "fleet": {"classes": classes, "stock": stock},
    }


def _plan(*trips: Trip) -> Plan:
    return Plan("station", trips=trips)


def test_a_train_larger_than_one_periods_allowance_fills() -> None:
    """1,100 seats, 700 people an hour, two hours of loading: 700 + 400, the train fills;
    the planner fills it, the checker accepts it, the bound allows it, and an undisturbed
    simulation reproduces it."""
    s = from_dict(_station(end=3))
    full = _plan(Trip("g", "train", 1, "station", 0, "haven", 3, 1_100))
    assert check(s, full).feasible
    result = plan(s, time_limit=5)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == 1_100
    assert result.bound is not None and result.bound >= 1_100 - 1e-6
    sim = simulate(s, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == 1_100
    assert sim.trips == len(result.plan.trips)


def test_a_one_hour_loading_from_half_past_draws_on_two_periods() -> None:
    """Loading from 0.5 h to 1.5 h meets hours 0 and 1: 1,100 fit in 700 + 700, and the
    simulator, following the plan undisturbed, moves them all (it does not cap the train at
    what a loading from a period's start could take)."""
    s = from_dict(_station(load=1))
    p = _plan(Trip("g", "train", 1, "station", 0.5, "haven", 2.5, 1_100))
    assert check(s, p).feasible
    sim = simulate(s, p, policy="follow", perturbations=Perturbations())
    assert sim.rescued == 1_100
    late = _plan(Trip("g", "train", 1, "station", 1, "haven", 3, 1_100))
    assert check(s, late).violation_counts == {"load_rate": 1}


def test_the_naive_planner_fills_the_train_too() -> None:
    s = from_dict(_station(end=3))
    trips = naive_plan(compile_problem(s))
    report = check(s, Plan("station", trips=tuple(trips)))
    assert report.feasible, report.summary()
    assert report.rescued == 1_100


def test_the_checker_rejects_a_plan_that_overdraws_the_periods() -> None:
    """Two trains loading over the same two hours need 2,200 of 1,400; a bus loading in the
    second hour beside one train needs 1,100 + 300 of 1,400 (fits) or with two buses 1,700
    (300 over)."""
    s = from_dict(_station(trains=2, buses=2, population=5_000))
    two = _plan(
        Trip("a", "train", 1, "station", 0, "haven", 3, 1_100),
        Trip("b", "train", 1, "station", 0, "haven", 3, 1_100),
    )
    report = check(s, two)
    assert report.violation_counts == {"load_rate": 1}
    assert report.violations[0].amount == 800
    bus = Trip("c", "bus", 1, "station", 1, "haven", 2.25, 300)
    assert check(s, _plan(two.trips[0], bus)).feasible
    bus2 = Trip("d", "bus", 1, "station", 1.5, "haven", 2.75, 300)
    report = check(s, _plan(two.trips[0], bus, bus2))
    assert report.violation_counts == {"load_rate": 1}
    assert report.violations[0].amount == 300


def test_a_later_short_loading_is_served_before_a_longer_one() -> None:
    """A train loading over hours 0-1 and a bus loading in hour 0 after it: taking the train's
    people from hour 0 first would leave the bus nothing; the split 400 + 700 / 300 fits, the
    checker accepts it and the simulator, following it, moves everyone."""
    s = from_dict(_station(buses=1, population=1_400))
    p = _plan(
        Trip("a", "train", 1, "station", 0, "haven", 3, 1_100),
        Trip("c", "bus", 1, "station", 0.5, "haven", 1.75, 300),
    )
    report = check(s, p)
    assert report.feasible, report.summary()
    sim = simulate(s, p, policy="follow", perturbations=Perturbations())
    assert sim.rescued == 1_400


def _split_exists(first: list[int], last: list[int], need: list[float], cap: list[float]) -> bool:
    """Some split of each loading over its periods fits every period (a linear program)."""
    cells = [(i, k) for i in range(len(need)) for k in range(first[i], last[i] + 1)]
    n_k = len(cap)
    a_eq = np.zeros((len(need), len(cells)))
    a_ub = np.zeros((n_k, len(cells)))
    for c, (i, k) in enumerate(cells):
        a_eq[i, c] = 1.0
        a_ub[k, c] = 1.0
    res = linprog(np.zeros(len(cells)), A_ub=a_ub, b_ub=cap, A_eq=a_eq, b_eq=need, method="highs")
    return bool(res.status == 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 2), st.integers(1, 9)), min_size=1, max_size=6
    ),
    st.lists(st.integers(0, 8), min_size=7, max_size=7),
)
def test_earliest_deadline_first_finds_a_split_whenever_one_exists(
    loads: list[tuple[int, int, int]], cap: list[int]
) -> None:
    """The checker's and the simulator's own tests agree with a linear program."""
    first = [a for a, _, _ in loads]
    last = [a + b for a, b, _ in loads]
    need = [float(n) for _, _, n in loads]
    allowed = np.array(cap, dtype=np.float64)
    exists = _split_exists(first, last, need, [float(c) for c in cap])
    assert (not overdrawn(first, last, need, allowed)) == exists
    items = [[float(a), float(b), n] for a, b, n in zip(first, last, need, strict=True)]
    assert _serve(items, lambda k: float(cap[min(k, 6)]), 0, float("inf")) == exists


def test_the_bound_is_never_below_the_best_plan_the_checker_accepts() -> None:
    """Every plan of up to two trains, one trip each, leaving on the half hour with 0, 400,
    700 or 1,100 people: the best one the checker accepts is at most the bounds (the loading
    rows reach past a window by the longest load time)."""
    for end, trains in ((3, 1), (4, 2)):
        s = from_dict(_station(end=end, trains=trains, population=5_000))
        departs = [0.5 * k for k in range(int(2 * (end - 3)) + 1)]
        choices = [(d, n) for d in departs for n in (0, 400, 700, 1_100)]
        best = 0
        for combo in itertools.combinations_with_replacement(choices, trains):
            trips = tuple(
                Trip(f"g{i}", "train", 1, "station", d, "haven", d + 3, n)
                for i, (d, n) in enumerate(combo)
                if n > 0
            )
            report = check(s, _plan(*trips))
            if report.feasible:
                best = max(best, round(report.rescued))
        assert best == {3: 1_100, 4: 1_800}[end]  # 3 periods of 700 hold 1,800 of these
        problem = compile_problem(s)
        assert column_generation_bound(problem, 0.5, iterations=200).bound >= best - 1e-6
        assert ten_bound(problem, 0.5).bound >= best - 1e-6


def test_the_ten_mip_fills_a_train_over_two_periods() -> None:
    """The exact MIP books the train's 1,100 people on its two loading hours (700 + 400); it
    counted only the start period before and left with 700. Its trips pass the checker."""
    s = from_dict(_station(end=3))
    res = ten_mip(compile_problem(s), 1.0, max_delay_steps=3)
    assert res.rescued == 1_100
    report = check(s, Plan("station", trips=tuple(res.trips)))
    assert report.feasible, report.summary()
    assert report.rescued == 1_100


def test_the_ten_mip_shares_the_periods_between_trains() -> None:
    """Two trains loading two hours each, 5,000 people, 4 hours: loadings that end by 3 h
    (to arrive by 4 h) meet hours 0, 1 and 2, so 3 x 700 = 2,100 is the most; the MIP finds
    a split that takes it all (trains of 1,100 and 1,000), the checker agrees, and the
    bounds are not below it."""
    s = from_dict(_station(end=4, trains=2, population=5_000))
    problem = compile_problem(s)
    res = ten_mip(problem, 0.5, max_delay_steps=2)
    report = check(s, Plan("station", trips=tuple(res.trips)))
    assert report.feasible, report.summary()
    assert report.rescued == res.rescued == 2_100
    assert ten_bound(problem, 0.5).bound >= 2_100 - 1e-6
    assert column_generation_bound(problem, 0.5, iterations=200).bound >= 2_100 - 1e-6


def test_people_arriving_at_an_odd_instant_are_still_picked_up() -> None:
    """20 people arrive at 0.49999 h where two 10-seat buses wait (loading takes 0.5 h): the
    dispatcher's loading start (route start - load time) rounded a hair below the arrival,
    so the people looked absent and the buses gave up for good: 0 rescued, bound 20. Now a
    loading never starts before the group is ready, and both buses carry everyone."""
    data: dict[str, Any] = {
        "scenario": {"id": "odd", "end": 12, "time_unit": "hour"},
        "places": [
            {"id": "stop", "load_per_hour": 10, "arrivals": [{"at": 0.49999, "people": 20}]},
            {"id": "haven", "capacity": 100},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "road", "from": "stop", "to": "haven", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 10, "load_time": 0.5}],
            "stock": [{"class": "bus", "place": "stop", "count": 2}],
        },
    }
    s = from_dict(data)
    result = plan(s, time_limit=60)
    assert result.rescued == 20 == result.bound
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == 20
