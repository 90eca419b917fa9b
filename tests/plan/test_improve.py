"""The route search for min makespan (plan/improve.py) and the makespan lower bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.bep import BepInstance, bep_to_scenario, read_bep
from evacuate.check import check
from evacuate.plan import makespan
from evacuate.plan.api import plan
from evacuate.plan.budget import SafetyStop
from evacuate.plan.improve import improve_makespan, is_shuttle
from evacuate.plan.problem import compile_problem
from evacuate.plan.shuttle_bound import reach_makespan_bound, shuttle_makespan_bound
from evacuate.planio import Plan
from evacuate.scenario.scenario import Scenario
from tests.oracle import exhaustive

BEP = Path(__file__).resolve().parents[1] / "data" / "bep"


def _scenario(inst: BepInstance, name: str = "bep") -> Scenario:
    return evacuate.scenario.from_dict(bep_to_scenario(inst, name))


@st.composite
def tiny_beps(draw: st.DrawFn) -> BepInstance:
    """One yard, two points, two shelters, one or two buses of capacity 1 or 2: small enough
    for the exhaustive oracle; distances need not obey the triangle inequality."""
    buses = draw(st.integers(1, 2))
    demand = (draw(st.integers(1, 3)), draw(st.integers(0, 2)))
    total = sum(demand)
    first = draw(st.integers(0, total))
    dist = st.integers(1, 4)
    return BepInstance(
        bus_capacity=draw(st.integers(1, 2)),
        yard_buses=(buses,),
        demand=demand,
        shelter_capacity=(max(1, first), max(1, total - first)),
        yard_point=((draw(dist), draw(dist)),),
        point_shelter=((draw(dist), draw(dist)), (draw(dist), draw(dist))),
    )


def _exact_makespan(scenario: Scenario, low: int, high: int) -> int:
    """The least whole horizon by which the exhaustive oracle rescues everyone."""
    population = scenario.population
    while low < high:
        mid = (low + high) // 2
        end = scenario.scenario.model_copy(update={"end": mid})
        if exhaustive(scenario.model_copy(update={"scenario": end})).rescued >= population:
            high = mid
        else:
            low = mid + 1
    return low


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_beps())
def test_tiny_bep_makespan_is_bracketed_by_the_exact_optimum(inst: BepInstance) -> None:
    """On tiny BEP instances the min-makespan plan is checked feasible and rescues everyone;
    its lower bound is never above the exhaustive optimum, nor its makespan below it."""
    scenario = _scenario(inst)
    result = plan(scenario, objective="min-makespan", time_limit=20, work=30_000)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert report.rescued == scenario.population
    assert result.makespan is not None and result.makespan_lower_bound is not None
    best = _exact_makespan(scenario, 1, int(scenario.end))
    assert result.makespan_lower_bound <= best + 1e-9 <= result.makespan + 2e-9


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_beps())
@example(  # a load of 2 and two shelters of room 1: the route search splits the load
    BepInstance(
        bus_capacity=2,
        yard_buses=(2,),
        demand=(2, 0),
        shelter_capacity=(1, 1),
        yard_point=((1, 1),),
        point_shelter=((1, 3), (1, 1)),
    )
)
def test_tiny_bep_makespan_is_the_exact_optimum(inst: BepInstance) -> None:
    """On tiny BEP instances the min-makespan plan's makespan is the exhaustive optimum
    (loads are split when no haven has room for a whole one)."""
    scenario = _scenario(inst)
    result = plan(scenario, objective="min-makespan", time_limit=20, work=30_000)
    assert result.makespan == _exact_makespan(scenario, 1, int(scenario.end))


@st.composite
def random_beps(draw: st.DrawFn) -> BepInstance:
    """Up to 3 yards, 6 points, 4 shelters and 6 buses of capacity 1 to 30; shelters just
    big enough or roomy; any distances (a yard may sit on a point)."""
    yards = draw(st.integers(1, 3))
    points = draw(st.integers(1, 6))
    shelters = draw(st.integers(1, 4))
    cap = draw(st.integers(1, 30))
    demand = tuple(draw(st.integers(0, 3 * cap)) for _ in range(points))
    if sum(demand) == 0:
        demand = (1, *demand[1:])
    total = sum(demand)
    share = [draw(st.integers(1, 10)) for _ in range(shelters)]
    slack = draw(st.sampled_from([1.0, 1.0, 1.3, 3.0]))
    room = [max(1, round(slack * total * w / sum(share))) for w in share]
    room[0] += max(0, total - sum(room))
    dist = st.integers(0, 50)
    return BepInstance(
        bus_capacity=cap,
        yard_buses=tuple(draw(st.integers(0 if y else 1, 3)) for y in range(yards)),
        demand=demand,
        shelter_capacity=tuple(room),
        yard_point=tuple(tuple(float(draw(dist)) for _ in range(points)) for _ in range(yards)),
        point_shelter=tuple(
            tuple(float(draw(st.integers(1, 50))) for _ in range(shelters)) for _ in range(points)
        ),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_beps(), st.integers(0, 3))
def test_route_search_plans_pass_the_checker(inst: BepInstance, seed: int) -> None:
    """Whatever the instance, the searched plan rescues everyone, the checker accepts it with
    the same makespan, and the shuttle bound is not above it."""
    problem = compile_problem(_scenario(inst))
    found = improve_makespan(problem, seed=seed, work=5_000)
    if found is None:  # loads that no haven's leftover room can take whole
        return
    scenario = _scenario(inst)
    if found.makespan > scenario.end:
        # beyond the importer's horizon (its simple schedule's makespan): plan() then falls
        # back to the general planner; the trips must still be valid and carry everyone
        meta = scenario.scenario.model_copy(update={"end": found.makespan})
        scenario = scenario.model_copy(update={"scenario": meta})
    claim = Plan("bep", trips=tuple(found.trips), time_unit=scenario.time_unit)
    report = check(scenario, claim)
    assert report.feasible, report.violations[:3]
    assert report.rescued == scenario.population
    assert report.makespan == pytest.approx(found.makespan)
    assert shuttle_makespan_bound(problem) <= found.makespan + 1e-9


def test_empty_moves_may_chain_through_other_places() -> None:
    """The way to a far point through a shelter is quicker than the direct one (as in the
    published BEP-1-2-2-2-i2): the optimum, 13, is found, and no bound exceeds it."""
    inst = BepInstance(
        bus_capacity=1,
        yard_buses=(2,),
        demand=(3, 1),
        shelter_capacity=(8, 3),
        yard_point=((1.0, 10.0),),
        point_shelter=((6.0, 2.0), (9.0, 5.0)),
    )
    scenario = _scenario(inst)
    problem = compile_problem(scenario)
    assert is_shuttle(problem)
    assert shuttle_makespan_bound(problem) <= 13.0
    result = plan(scenario, objective="min-makespan", time_limit=20)
    assert result.makespan == 13.0
    assert result.makespan_lower_bound is not None and result.makespan_lower_bound <= 13.0
    assert check(scenario, result.plan).feasible


def test_zero_distance_from_a_yard_still_gives_a_lower_bound() -> None:
    """An empty move that takes no time (a yard at a pickup point) does not switch the
    makespan lower bound off: only loaded trips matter."""
    inst = BepInstance(
        bus_capacity=2,
        yard_buses=(1,),
        demand=(4, 2),
        shelter_capacity=(10,),
        yard_point=((0.0, 3.0),),
        point_shelter=((5.0,), (4.0,)),
    )
    scenario = _scenario(inst)
    result = plan(scenario, objective="min-makespan", time_limit=20)
    assert result.makespan_lower_bound is not None and result.makespan_lower_bound > 0
    assert result.makespan_lower_bound <= result.makespan  # type: ignore[operator]
    # two loads from point 1 (5 there, 5 back), then point 2 (4 there and back, 4 loaded)
    assert result.makespan == 5 + 5 + 5 + 4 + 4


def test_same_seed_same_routes() -> None:
    """The route search is budgeted in work units: the same seed gives the same trips."""
    problem = compile_problem(_scenario(read_bep(BEP / "two_yards.txt")))
    a = improve_makespan(problem, seed=3, work=20_000)
    b = improve_makespan(problem, seed=3, work=20_000)
    assert a is not None and b is not None
    assert a.trips == b.trips and a.work == b.work


def test_not_a_shuttle_problem() -> None:
    """A scenario with deadlines is left to the general planner."""
    problem = compile_problem(evacuate.load("examples/hurricane_bus.yaml"))
    assert not is_shuttle(problem)
    assert improve_makespan(problem) is None
    assert shuttle_makespan_bound(problem) == 0.0


class _Clock(SafetyStop):
    """A safety stop whose clocks are set by the test: ``wall`` and ``cpu`` seconds left."""

    def __init__(self, wall: float, cpu: float) -> None:
        super().__init__(10.0)
        self.wall, self.cpu = wall, cpu

    def _left(self) -> tuple[float, float]:
        return self.wall, self.cpu


def test_a_loaded_machine_does_not_cut_the_route_search() -> None:
    """The route search and its sub-MIPs stop on the safety stop, which binds once both the
    processor time and the wall clock have passed it: a wall clock that ran out while the
    process still had its processor time (a busy machine) leaves the search to its work
    budget and the same plan; once both ran out, the search stops and says so."""
    problem = compile_problem(_scenario(read_bep(BEP / "four_points.txt")))
    free = improve_makespan(problem, seed=1, work=30_000, mip_solves=2)
    busy = improve_makespan(problem, seed=1, work=30_000, mip_solves=2, stop=_Clock(-5.0, 5.0))
    assert free is not None and busy is not None
    assert free.rounds > 0 and free.mip_solves > 0  # both the search and its sub-MIPs ran
    assert not busy.stopped_by_time
    assert (busy.trips, busy.work, busy.mip_solves) == (free.trips, free.work, free.mip_solves)
    late = improve_makespan(problem, seed=1, work=30_000, mip_solves=2, stop=_Clock(-5.0, -1.0))
    assert late is not None and late.stopped_by_time
    assert late.rounds == 0 and late.mip_solves == 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_beps())
def test_reach_bound_holds_the_exact_optimum(inst: BepInstance) -> None:
    """The reach bound (first vehicle there, one loading, the quickest way to a haven) is
    never above the exhaustive optimum, and never above the shuttle bound, which holds it."""
    scenario = _scenario(inst)
    problem = compile_problem(scenario)
    reach = reach_makespan_bound(problem)
    assert 0 < reach <= shuttle_makespan_bound(problem) + 1e-9
    assert reach <= _exact_makespan(scenario, 1, int(scenario.end)) + 1e-9


def test_a_mixed_fleet_still_gets_a_lower_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buses of two sizes are no shuttle problem (one capacity), and on a grid too large for
    the relaxation's bisection (Valparaiso's 69 places over its horizon in metres; here the
    cap is lowered to 0) the makespan's lower bound is still computed (it was 0 there), and
    the checked plan does not end before it."""
    monkeypatch.setattr(makespan, "_LB_GRID_CAP", 0)
    data = bep_to_scenario(read_bep(BEP / "two_yards.txt"), "mixed")
    data["fleet"]["classes"].append({"id": "big", "name": "Big bus", "capacity": 20})
    data["fleet"]["stock"][0]["count"] -= 1
    data["fleet"]["stock"].append({"id": "big1", "class": "big", "place": "yard_1", "count": 1})
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    assert not is_shuttle(problem)
    reach = reach_makespan_bound(problem)
    assert reach > 0
    result = plan(scenario, objective="min-makespan", time_limit=20)
    report = check(scenario, result.plan)
    assert report.feasible and report.rescued == scenario.population
    assert result.makespan_lower_bound is not None and result.makespan_lower_bound >= reach
    assert report.makespan is not None and report.makespan >= result.makespan_lower_bound
