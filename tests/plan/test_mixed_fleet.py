"""Min makespan with a fleet of several capacities: more seats never give a longer makespan.

The route search of shuttle problems (improve.py) needs one capacity; a mixed fleet runs it on
each uniform view (shuttle.uniform_views: the vehicles of at least c seats, carrying c) and
keeps the best. Before, a mixed fleet fell to the general bisection planner: Valparaiso with
10 buses of 30 and 45 seats ended at 45,149 against 30,907 with 10 buses of 30 seats.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import pytest
from bench.bep_generate import random_bep
from bench.bep_mixed import mixed_fleet
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.bep import BepInstance, bep_to_scenario
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.improve import ShuttleSearch
from evacuate.plan.makespan_mixed import MixedSearch, mixed_fleet_bound
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.shuttle import is_shuttle, uniform_views
from evacuate.plan.shuttle_bound import shuttle_makespan_bound
from evacuate.plan.ten import ten_mip
from evacuate.scenario.scenario import Scenario
from tests.plan.test_bep_exact import random_set_beps
from tests.plan.test_improve import _exact_makespan, tiny_beps


def _upgraded(data: dict[str, Any], extra: int) -> Scenario:
    """The same instance with half of each yard's buses (rounded down) ``extra`` seats larger,
    as a second class (``bench.bep_mixed.mixed_fleet``)."""
    return evacuate.scenario.from_dict(mixed_fleet(data, extra))


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


SHELTERS = ((9.0,), (5.0,), (9.0,), (8.0,), (8.0,))


def _nobody_finishes_by(problem: Problem, horizon: int) -> bool:
    """The time-expanded MIP (exact on whole-unit BEP data, tests/plan/test_bep_exact.py)
    proves that no plan rescues everyone by ``horizon``."""
    if horizon < 0:
        return True
    found = ten_mip(replace(problem, end=float(horizon)), 1.0)
    assert found.status == "optimal"
    return found.rescued < int(problem.population.sum())


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_set_beps(), st.integers(1, 3))
@example(  # the slowest of the examples drawn before (one bus of one seat, 9 people)
    BepInstance(1, (1, 0), (0, 3, 3, 2, 1), (9,), ((5, 9, 8, 4, 2), (3, 6, 8, 6, 5)), SHELTERS),
    3,
)
def test_more_seats_never_give_a_longer_makespan(inst: BepInstance, extra: int) -> None:
    """Half of each yard's buses made larger: the plan is checked complete and ends no later
    than the uniform fleet's; and lower bound <= exact optimum <= the plan's makespan. The
    second is the checked plan itself; the first, with whole-unit data (whole makespans),
    is that the exact MIP finds no plan by the whole horizon below the bound: one MIP
    instead of a bisection to the optimum (which cost 61 s of CPU on one example, a bus of
    one seat and 9 people, where every MIP near 126 takes 7-15 s)."""
    data = bep_to_scenario(inst, "bep")
    uniform = evacuate.scenario.from_dict(data)
    mixed = _upgraded(data, extra)
    made = _makespan(mixed)
    assert made <= _makespan(uniform)
    problem = compile_problem(mixed)
    lb = shuttle_makespan_bound(problem)
    assert lb <= made + 1e-9
    assert _nobody_finishes_by(problem, math.ceil(lb - 1e-9) - 1)


@st.composite
def tiny_mixed_beps(draw: st.DrawFn) -> tuple[BepInstance, int]:
    """Two buses at one yard, one of them 1 or 2 seats larger (``_upgraded``); one or two
    points of one or two people, two shelters: small enough for the exhaustive oracle."""
    points = draw(st.integers(1, 2))
    demand = tuple(draw(st.integers(1, 2)) for _ in range(points))
    total = sum(demand)
    first = draw(st.integers(0, total))
    dist = st.integers(1, 4)
    inst = BepInstance(
        bus_capacity=draw(st.integers(1, 2)),
        yard_buses=(2,),
        demand=demand,
        shelter_capacity=(max(1, first), max(1, total - first)),
        yard_point=(tuple(float(draw(dist)) for _ in range(points)),),
        point_shelter=tuple((float(draw(dist)), float(draw(dist))) for _ in range(points)),
    )
    return inst, draw(st.integers(1, 2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_mixed_beps())
def test_the_mixed_fleet_bound_holds_the_exhaustive_optimum(case: tuple[BepInstance, int]) -> None:
    """The makespan lower bound of a fleet of two capacities (makespan_mixed.py: whole loads
    per class, the havens' room) is never above the exhaustive optimum."""
    inst, extra = case
    scenario = _upgraded(bep_to_scenario(inst, "m"), extra)
    problem = compile_problem(scenario)
    best = _exact_makespan(scenario, 1, int(scenario.end))
    assert mixed_fleet_bound(problem) <= best + 1e-9
    assert shuttle_makespan_bound(problem) <= best + 1e-9


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_beps())
def test_the_whole_load_bound_holds_the_exhaustive_optimum_of_one_capacity(
    inst: BepInstance,
) -> None:
    """The same bound on a fleet of one capacity, where it joins the shuttle bound."""
    scenario = evacuate.scenario.from_dict(bep_to_scenario(inst, "u"))
    best = _exact_makespan(scenario, 1, int(scenario.end))
    assert mixed_fleet_bound(compile_problem(scenario)) <= best + 1e-9


@pytest.mark.parametrize(
    ("inst", "extra", "bound", "best"),
    [
        # buses of 1 and 2 seats, 5 people at two points: the fleet all of 2 seats gave a
        # bound of 3; whole loads per class give 6
        (BepInstance(1, (2,), (2, 3), (1, 5), ((2.0, 2.0),), ((1.0, 3.0), (1.0, 1.0))), 1, 6, 7),
        # buses of 1 and 3 seats, 2 people, two shelters of room 1 at 4 and 1: one load goes
        # to the far one and back; whole loads alone gave 5, the routes as flows give 8
        (BepInstance(1, (2,), (2,), (1, 1), ((4.0,),), ((4.0, 1.0),)), 2, 8, 8),
    ],
)
def test_each_class_counts_its_own_seats_and_routes_in_the_bound(
    inst: BepInstance, extra: int, bound: float, best: int
) -> None:
    """The mixed-fleet bound on two tiny cases, against the exhaustive optimum."""
    scenario = _upgraded(bep_to_scenario(inst, "m"), extra)
    problem = compile_problem(scenario)
    assert _exact_makespan(scenario, 1, int(scenario.end)) == best
    assert shuttle_makespan_bound(problem) == pytest.approx(bound, abs=1e-6)


def _random_mixed(seed: int, points: int) -> Scenario:
    """bench.bep_mixed's instances: a random BEP of the published sets' shape, two yards,
    buses of 3 seats, half of each yard's made 5."""
    inst = random_bep(seed, points, yards=2, capacity=3)
    return evacuate.scenario.from_dict(mixed_fleet(bep_to_scenario(inst, "m"), 2))


@pytest.mark.parametrize(("seed", "before", "now"), [(3, 13, 9), (1, 11, 10)])
def test_loads_sized_per_bus_shorten_a_mixed_plan(seed: int, before: int, now: int) -> None:
    """Six points, buses of 3 and 5 seats: searched only as uniform views (the 5-seat buses
    carrying 3, or alone) the plans ended at 13 and 11; with loads sized per bus, at 9 and
    10 (the second is its lower bound: optimal)."""
    scenario = _random_mixed(seed, 6)
    assert _makespan(scenario) == now < before


def test_the_mixed_search_is_the_first_views_search_until_loads_are_sized() -> None:
    """Until ``sized`` is set, MixedSearch makes ShuttleSearch's moves on the first uniform
    view, move for move (so the mixed fleet's plan is never worse than that view's)."""
    problem = compile_problem(_random_mixed(1, 8))
    view = uniform_views(problem)[0]
    mixed, plain = MixedSearch(problem, random.Random(4)), ShuttleSearch(view, random.Random(4))
    order = list(range(len(plain.pt)))
    assert mixed.build(order) and plain.build(order)
    for r in range(1, 31):  # each round's local search on a budget of its own, as in the search
        mixed.local_search(r * 5_000)
        plain.local_search(r * 5_000)
        assert mixed.snapshot() == plain.snapshot() and mixed.work == plain.work
        assert mixed.perturb() == plain.perturb()
    mixed.sized = True
    mixed.local_search(mixed.work + 50_000)
    assert mixed.key(mixed.fin) <= plain.key(plain.fin)
