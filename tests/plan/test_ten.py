"""The time-expanded network: MIP optima on hand-made scenarios, LP bounds, exact oracle."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan.problem import compile_problem
from evacuate.plan.ten import build_ten, ten_bound, ten_mip
from evacuate.planio import Plan, Trip
from evacuate.scenario import from_dict
from evacuate.scenario.scenario import Scenario
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios

BASE = """
scenario: {{id: hand, end: {end}}}
places:
  - {{id: town, population: {pop}, deadline: 6{town}}}
  - {{id: camp, capacity: 10{camp}}}
  - {{id: depot}}
travel:
  routes: lanes
  lanes:
    - {{id: a, from: depot, to: town, time: 1}}
    - {{id: b, from: town, to: camp, time: 2{lane_b}}}
    - {{id: c, from: depot, to: camp, time: 2}}
fleet:
  classes: [{{id: van, capacity: 2}}]
  stock:
    - {{class: van, place: depot, count: 1}}{stock}
{extra}
"""


def _base(
    end: int = 8,
    pop: int = 5,
    town: str = "",
    camp: str = "",
    lane_b: str = "",
    stock: str = "",
    extra: str = "",
) -> str:
    return BASE.format(
        end=end, pop=pop, town=town, camp=camp, lane_b=lane_b, stock=stock, extra=extra
    )


SHUTTLE = """
scenario: {{id: shuttle, end: {end}}}
places:
  - {{id: town, population: 10{town}}}
  - {{id: camp, capacity: {cap}{camp}}}
travel:
  routes: lanes
  lanes: [{{id: tc, from: town, to: camp, time: 1}}]
fleet:
  classes: [{{id: van, capacity: 5{cls}}}]
  stock: [{{class: van, place: town, count: {vans}}}]
"""


def _shuttle(
    end: int, cap: int = 100, vans: int = 2, town: str = "", camp: str = "", cls: str = ""
) -> str:
    return SHUTTLE.format(end=end, cap=cap, vans=vans, town=town, camp=camp, cls=cls)


TRANSFER = """
scenario: {id: transfer, end: 3}
places:
  - {id: town, population: 2}
  - {id: hub, capacity: 2, deadline: 3}
  - {id: camp, capacity: 5}
travel:
  routes: lanes
  lanes:
    - {id: th, from: town, to: hub, class_times: {boat: 1}}
    - {id: hc, from: hub, to: camp, class_times: {bus: 1}}
fleet:
  classes: [{id: boat, capacity: 2}, {id: bus, capacity: 2}]
  stock:
    - {class: boat, place: town, count: 1}
    - {class: bus, place: hub, count: 1}
"""

DELAY = """
scenario: {id: delay, end: 6}
places:
  - {id: town, population: 2, deadline: 2}
  - {id: camp, capacity: 10}
travel:
  routes: lanes
  lanes: [{id: tc, from: town, to: camp, time: 2}]
fleet:
  classes: [{id: van, capacity: 2}]
  stock: [{class: van, place: town, count: 1}]
events:
  - {id: storm, at: 2, effects: [{type: close_place, place: camp, until: 5}]}
"""

WITHDRAW = "events:\n  - {{id: w, at: {at}, effects: [{{type: withdraw_operator, operator: default, finish_current_trip: {finish}}}]}}"  # noqa: E501
LATE_VAN = "\n    - {class: van, place: depot, count: 1, available_from: 1}"
RAID = "events:\n  - {id: raid, at: 1, effects: [{type: destroy_vehicles, place: depot}]}"

# (name, scenario YAML, optimum derived by hand, the oracle can solve it)
HAND: list[tuple[str, str, int, bool]] = [
    # depot->town 0-1, town->camp 1-3 (2), back 3-5, town->camp 6-8 (2): a third load is late
    ("shuttle_deadline", _base(), 4, True),
    ("capacity", _shuttle(end=10, cap=3, vans=1), 3, True),
    # the van is back at the camp at 3, when its operator withdraws
    ("withdraw", _base(extra=WITHDRAW.format(at=3, finish="true")), 2, True),
    # the only loaded trip (1-3) is under way at 2 and may not finish
    ("withdraw_hard", _base(extra=WITHDRAW.format(at=2, finish="false")), 0, True),
    # no pickup before 4: one load (4-6), no time to return before the deadline
    ("open_from", _base(town=", open_from: 4"), 2, True),
    # lane b open in [0, 2) and from 5: back at the camp at 3, the way back opens too late
    ("lane_window", _base(lane_b=", windows: [{start: 0, end: 2}, {start: 5}]"), 2, True),
    # the boat meets the bus at the staging hub at 1 (capacity, deadline at the end)
    ("transfer", TRANSFER, 2, True),
    # the camp is closed in [2, 5): the van must wait en route to arrive at 5
    ("closure_wait", DELAY, 2, True),
    # 3 people may start loading per hour: departures at 0, 1, 2
    ("load_rate", _shuttle(end=3, town=", load_per_hour: 3"), 9, False),
    # one berth, loading takes 1 h: only one van can be loaded and arrive by 2
    ("berths", _shuttle(end=2, town=", berths: 1", cls=", load_time: 1"), 5, False),
    # 4 people may arrive per hour: arrivals at 1 and 2
    ("unload_rate", _shuttle(end=2, camp=", unload_per_hour: 4"), 8, False),
]


def _hand(name: str) -> tuple[Scenario, int, bool]:
    for n, text, opt, oracle_ok in HAND:
        if n == name:
            return evacuate.loads(text), opt, oracle_ok
    raise KeyError(name)


def _check_trips(scenario: Scenario, trips: list[Trip], rescued: float) -> None:
    plan = Plan(
        scenario.id,
        scenario.applied_variant,
        rescued=rescued,
        trips=tuple(trips),
        time_unit=scenario.time_unit,
    )
    report = check(scenario, plan)
    assert report.feasible, report.summary()
    assert report.rescued == rescued


@pytest.mark.parametrize("name", [h[0] for h in HAND])
def test_ten_mip_finds_the_hand_optimum(name: str) -> None:
    """The grid MIP (dt = 1, with delays) rescues the hand-derived optimum; the checker agrees."""
    scenario, optimum, _ = _hand(name)
    problem = compile_problem(scenario)
    res = ten_mip(problem, 1.0, max_delay_steps=int(scenario.end))
    assert res.status == "optimal"
    assert res.rescued == optimum
    assert res.mip_dual_bound >= optimum
    _check_trips(scenario, res.trips, res.rescued)


@pytest.mark.parametrize("name", [h[0] for h in HAND])
@pytest.mark.parametrize("dt", [0.5, 1.0, 2.0])
def test_ten_bound_is_at_least_the_hand_optimum(name: str, dt: float) -> None:
    """The relaxed LP bounds the hand-derived optimum on several grids."""
    scenario, optimum, _ = _hand(name)
    res = ten_bound(compile_problem(scenario), dt)
    assert res.status == "optimal"
    assert res.bound >= optimum - 1e-9
    assert res.n_cols > 0 and res.n_rows > 0


TIGHT = [h[0] for h in HAND if h[0] != "lane_window"]


@pytest.mark.parametrize("name", TIGHT)
def test_ten_bound_is_tight_on_the_hand_cases_at_dt_1(name: str) -> None:
    """At dt = 1 the relaxation loses nothing on these cases (throughput and berths included)."""
    scenario, optimum, _ = _hand(name)
    assert ten_bound(compile_problem(scenario), 1.0).bound == pytest.approx(optimum, abs=1e-5)


@pytest.mark.parametrize("name", [h[0] for h in HAND if h[3]])
def test_oracle_agrees_with_the_hand_optimum(name: str) -> None:
    """The exhaustive oracle finds the hand-derived optimum and its plan passes the checker."""
    scenario, optimum, _ = _hand(name)
    res = exhaustive(scenario)
    assert res.rescued == optimum
    _check_trips(scenario, res.trips, res.rescued)


def test_known_destroy_keeps_vehicles_away() -> None:
    """The MIP uses no vehicle that is at a place when a known event destroys vehicles there."""
    scenario = evacuate.loads(_base(stock=LATE_VAN, extra=RAID))
    problem = compile_problem(scenario)
    res = ten_mip(problem, 1.0, max_delay_steps=8)
    # the late van is free exactly at the raid: the MIP leaves it out; the first van does 4
    assert res.rescued == 4
    _check_trips(scenario, res.trips, res.rescued)
    assert all(t.depart != 1.0 or t.origin != "depot" for t in res.trips)
    assert ten_bound(problem, 1.0).bound >= 5 - 1e-9  # the bound keeps the late van


def test_waiting_en_route_needs_delay_arcs() -> None:
    """Without delay arcs the MIP cannot wait out a closure at the destination."""
    scenario = evacuate.loads(DELAY)
    problem = compile_problem(scenario)
    assert ten_mip(problem, 1.0).rescued == 0
    assert ten_mip(problem, 1.0, max_delay_steps=3).rescued == 2


def test_groups_of_several_vehicles_split_people_within_capacity() -> None:
    """Vehicles that travel together become groups whose people fit their capacity."""
    scenario = evacuate.loads(_shuttle(end=1, vans=3))
    res = ten_mip(compile_problem(scenario), 1.0)
    assert res.rescued == 10
    _check_trips(scenario, res.trips, res.rescued)
    assert all(t.people <= 5 * t.count for t in res.trips)


FINE = """
scenario: {id: fine, end: 2.05}
places:
  - {id: town, population: 30, deadline: 1.45, load_per_hour: 12, berths: 2}
  - {id: camp, capacity: 25, unload_per_hour: 40}
  - {id: depot}
travel:
  routes: lanes
  lanes:
    - {id: tc, from: town, to: camp, time: 0.35}
    - {id: dt, from: depot, to: town, time: 0.3, windows: [{start: 0.1, end: 0.7}]}
fleet:
  classes: [{id: van, capacity: 4, load_time: 0.2, unload_time: 0.1}]
  stock: [{class: van, place: depot, count: 3}]
"""


def test_a_fine_grid_plan_passes_the_checker() -> None:
    """Non-integer times on a grid of 0.1 h give trips the checker accepts, under the bound."""
    scenario = evacuate.loads(FINE)
    problem = compile_problem(scenario)
    res = ten_mip(problem, 0.1, time_limit=30, max_delay_steps=2)
    assert res.rescued > 0
    _check_trips(scenario, res.trips, res.rescued)
    assert ten_bound(problem, 0.1).bound >= res.rescued


def test_models_are_sparse_and_sized_as_reported() -> None:
    """build_ten's arrays agree with each other and ten_bound reports their size."""
    problem = compile_problem(evacuate.loads(_base()))
    model = build_ten(problem, 1.0, "relax")
    assert model.A.shape == (len(model.row_lower), len(model.c))
    assert len(model.col_lower) == len(model.col_upper) == model.n_cols
    res = ten_bound(problem, 1.0)
    assert (res.n_cols, res.n_rows) == (model.n_cols, model.n_rows)
    mip = build_ten(problem, 1.0, "feasible")
    assert mip.integrality.all() or mip.integrality.any()


def test_zero_grid_problems_and_bad_steps() -> None:
    """A non-positive step is refused; a horizon shorter than one step gives nothing."""
    problem = compile_problem(evacuate.loads(_base()))
    with pytest.raises(ValueError, match="dt"):
        ten_bound(problem, 0.0)
    with pytest.raises(ValueError, match="dt"):
        ten_mip(problem, math.nan)
    flat = compile_problem(evacuate.loads(_base().replace("end: 8", "end: 0.5")))
    assert ten_bound(flat, 1.0).bound == 0.0
    assert ten_mip(flat, 1.0).rescued == 0.0


TINY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@TINY
@given(tiny_scenarios())
def test_relaxed_bound_covers_the_exact_optimum(data: dict[str, Any]) -> None:
    """On random tiny scenarios the LP bound (any dt) is >= the oracle's and the MIP's rescued."""
    scenario = from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    mip = ten_mip(problem, 1.0)
    for dt in (0.5, 1.0, 1.5, 2.0):
        bound = ten_bound(problem, dt).bound
        assert bound >= best - 1e-9, dt
        assert bound >= mip.rescued - 1e-9, dt


@TINY
@given(tiny_scenarios())
def test_oracle_equals_the_grid_mip_on_integer_scenarios(data: dict[str, Any]) -> None:
    """With integer data, the dt = 1 MIP with delays is exact: it equals the exhaustive oracle."""
    scenario = from_dict(data)
    best = exhaustive(scenario)
    mip = ten_mip(compile_problem(scenario), 1.0, max_delay_steps=int(scenario.end))
    assert mip.status == "optimal"
    assert mip.rescued == best.rescued
    _check_trips(scenario, mip.trips, mip.rescued)
    _check_trips(scenario, best.trips, best.rescued)


def _stretch(data: dict[str, Any], factor: float) -> dict[str, Any]:
    """The scenario with every lane time and load/unload time multiplied by ``factor``."""
    out = copy.deepcopy(data)
    for lane in out["travel"]["lanes"]:
        lane["time"] = round(lane["time"] * factor, 6)
    for vc in out["fleet"]["classes"]:
        vc["load_time"] = round(vc["load_time"] * factor, 6)
        vc["unload_time"] = round(vc["unload_time"] * factor, 6)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.sampled_from([0.55, 0.8, 1.3]), st.sampled_from([0.7, 1.0, 1.6]))
def test_bound_covers_fine_grid_plans_with_fractional_times(
    data: dict[str, Any], factor: float, dt: float
) -> None:
    """With fractional durations, grid-MIP plans pass the checker and stay under the LP bound."""
    scenario = from_dict(_stretch(data, factor))
    problem = compile_problem(scenario)
    mip = ten_mip(problem, 0.25, time_limit=20, max_delay_steps=2)
    _check_trips(scenario, mip.trips, mip.rescued)
    assert ten_bound(problem, dt).bound >= mip.rescued - 1e-9


def test_people_are_scaled_for_the_lp_without_changing_the_bound() -> None:
    """Large populations are counted in thousands-and-up units; the bound scales exactly."""
    small = compile_problem(evacuate.loads(_shuttle(end=3, cap=7, town=", load_per_hour: 3")))
    text = _shuttle(end=3, cap=7_000_000, town=", load_per_hour: 3000000")
    text = text.replace("population: 10", "population: 10000000")
    text = text.replace("capacity: 5", "capacity: 5000000")
    big = compile_problem(evacuate.loads(text))
    assert build_ten(big, 1.0).people_scale == 10_000.0
    assert build_ten(small, 1.0).people_scale == 1.0
    b_small, b_big = ten_bound(small, 1.0).bound, ten_bound(big, 1.0).bound
    assert b_small == pytest.approx(7.0, abs=1e-5)
    assert b_big == pytest.approx(7_000_000.0, rel=1e-6)


def test_a_place_without_capacity_takes_no_drops() -> None:
    """A hub without capacity holds nobody, not even for an instant (docs/model.md): the boat
    cannot hand its people to the bus there, so the model has no loaded move into the hub and
    no plan rescues anyone (with the staging hub, 2)."""
    staging = compile_problem(evacuate.loads(TRANSFER))
    problem = compile_problem(evacuate.loads(TRANSFER.replace(", capacity: 2, deadline: 3", "")))
    hub = problem.pindex["hub"]
    assert hub in set(build_ten(staging, 1.0).loaded.j.tolist())
    assert hub not in set(build_ten(problem, 1.0).loaded.j.tolist())
    assert ten_bound(staging, 1.0).bound >= 2 - 1e-9
    assert ten_bound(problem, 1.0).bound < 1e-5
