"""Min makespan on small random BEP instances against an exact oracle: the time-expanded MIP
on a grid of one time unit, solved to optimality (whole-unit data where every move takes at
least one unit: that MIP is exact), by bisection on the horizon. Larger than the exhaustive
oracle reaches (tests/oracle.py). A move that takes no time (a yard at distance 0 from a
point) costs the grid a step: there the MIP's makespan is only one a plan reaches."""

from __future__ import annotations

import math

import pytest
from bench.bep_exact import mip_makespan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.bep import BepInstance, bep_to_scenario
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.plan.problem import compile_problem
from evacuate.plan.submip import no_instant_moves
from evacuate.scenario.scenario import Scenario
from tests.plan.test_improve import _exact_makespan, tiny_beps


def _scenario(inst: BepInstance) -> Scenario:
    return evacuate.scenario.from_dict(bep_to_scenario(inst, "bep"))


@st.composite
def small_beps(draw: st.DrawFn) -> BepInstance:
    """One or two yards (a yard may sit on a point), two to four points, two or three
    shelters, one to four buses of one to three seats, distances 1 to 4 (no triangle
    inequality), shelters just big enough or with a seat to spare."""
    yards = draw(st.integers(1, 2))
    points = draw(st.integers(2, 4))
    shelters = draw(st.integers(2, 3))
    demand = tuple(draw(st.integers(0, 3)) for _ in range(points))
    if sum(demand) == 0:
        demand = (1, *demand[1:])
    total = sum(demand)
    cuts = sorted(draw(st.integers(0, total)) for _ in range(shelters - 1))
    room = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    room = [max(1, r + draw(st.integers(0, 1))) for r in room]
    buses = draw(st.integers(1, 4))
    at_yard = [buses - buses // 2, buses // 2][:yards] if yards == 2 else [buses]
    return BepInstance(
        bus_capacity=draw(st.integers(1, 3)),
        yard_buses=tuple(at_yard),
        demand=demand,
        shelter_capacity=tuple(room),
        yard_point=tuple(
            tuple(float(draw(st.integers(0 if y else 1, 4))) for _ in range(points))
            for y in range(yards)
        ),
        point_shelter=tuple(
            tuple(float(draw(st.integers(1, 4))) for _ in range(shelters)) for _ in range(points)
        ),
    )


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_beps())
def test_mip_oracle_agrees_with_the_exhaustive_one(inst: BepInstance) -> None:
    """The MIP oracle's makespan is the exhaustive oracle's on tiny instances."""
    scenario = _scenario(inst)
    exact = _exact_makespan(scenario, 1, int(scenario.end))
    assert mip_makespan(compile_problem(scenario), int(scenario.end)) == exact


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_beps())
def test_makespan_and_lower_bound_bracket_the_exact_optimum(inst: BepInstance) -> None:
    """The lower bound never exceeds the exact optimum and the plan never beats it; where
    the lower bound, rounded up, meets the plan (the planner's proof), the plan is optimal."""
    scenario = _scenario(inst)
    result = plan(scenario, objective="min-makespan", time_limit=60, work=20_000)
    assert result.makespan is not None and result.makespan_lower_bound is not None
    problem = compile_problem(scenario)
    best = mip_makespan(problem, int(scenario.end))
    assert result.makespan_lower_bound <= best + 1e-9
    if not no_instant_moves(problem):  # the MIP's makespan is one that a plan reaches
        assert result.makespan <= best
        return
    assert result.makespan >= best
    if math.ceil(result.makespan_lower_bound - 1e-9) >= result.makespan:
        assert result.makespan == best


@st.composite
def random_set_beps(draw: st.DrawFn) -> BepInstance:
    """The published random sets' ranges (distances 1 to 10, demands up to 3 here, room
    1 to 10) at tiny sizes: one to three yards, two to five points, one to three shelters,
    one to four buses of one to three seats; shelters hold everyone."""
    yards = draw(st.integers(1, 3))
    points = draw(st.integers(2, 5))
    shelters = draw(st.integers(1, 3))
    demand = tuple(draw(st.integers(0, 3)) for _ in range(points))
    if sum(demand) == 0:
        demand = (1, *demand[1:])
    room = [draw(st.integers(1, 10)) for _ in range(shelters)]
    room[0] += max(0, sum(demand) - sum(room))
    buses = draw(st.integers(1, 4))
    at_yard = [0] * yards
    for k in range(buses):
        at_yard[draw(st.integers(0, yards - 1)) if k else 0] += 1
    dist = st.integers(1, 10)
    return BepInstance(
        bus_capacity=draw(st.integers(1, 3)),
        yard_buses=tuple(at_yard),
        demand=demand,
        shelter_capacity=tuple(room),
        yard_point=tuple(tuple(float(draw(dist)) for _ in range(points)) for _ in range(yards)),
        point_shelter=tuple(
            tuple(float(draw(dist)) for _ in range(shelters)) for _ in range(points)
        ),
    )


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_set_beps())
def test_min_makespan_is_the_exact_optimum_on_tiny_random_sets(inst: BepInstance) -> None:
    """As a user runs it (``--time-limit 30``, the default work budget), the min-makespan
    plan of a tiny instance in the published sets' ranges is checked complete and its
    makespan is the exact optimum, proven by its lower bound."""
    scenario = _scenario(inst)
    result = plan(scenario, objective="min-makespan", time_limit=30)
    report = check(scenario, result.plan)
    assert report.feasible and report.rescued == scenario.population
    assert result.makespan is not None and result.makespan == report.makespan
    assert result.makespan == mip_makespan(compile_problem(scenario), int(scenario.end))
    assert result.makespan_lower_bound is not None
    assert math.ceil(result.makespan_lower_bound - 1e-9) == result.makespan
