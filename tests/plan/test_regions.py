"""Plans by sectors past the allocation's size (plan/regions.py)."""

from __future__ import annotations

import numpy as np
import pytest
from bench.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan import regions, search
from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import compile_problem
from evacuate.plan.regions import decomposable, region_plan, sectors
from evacuate.plan.search import max_rescued, rescued_by_trips
from evacuate.planio import Plan


def _city(places: int, seed: int = 3) -> evacuate.Scenario:
    data = generate(seed, places=places, vehicles=600, steps=80, classes=2, havens=places // 5)
    return evacuate.scenario.from_dict(data)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 4))
def test_sectors_share_the_places_with_people_evenly(seed: int, n: int) -> None:
    """Every place is in one of ``n`` sectors, and the sectors hold as many places with
    people each (to one), each with a haven; or there is no cut (a sector without one)."""
    problem = compile_problem(_city(40, seed))
    part = sectors(problem, n)
    if part is None:
        return
    assert part.shape == (problem.n_places,) and set(part.tolist()) <= set(range(n))
    people = np.flatnonzero((problem.population > 0) & ~problem.is_haven)
    counts = np.bincount(part[people], minlength=n)
    assert counts.max() - counts.min() <= 1
    for r in range(n):
        assert np.any(problem.is_haven & (part == r))


def test_the_sectors_plans_together_are_a_plan() -> None:
    """Three sectors planned on their own (a shipyard's batches split between them): the
    checker accepts their trips together, with the planner's count."""
    scenario = _city(300)
    problem = compile_problem(scenario)
    assert scenario.fleet.shipyards and decomposable(problem)
    found = region_plan(problem, SafetyStop(None), places=100)
    assert found is not None
    trips, stats = found
    assert stats["sectors"] == stats["planned"] == 3
    assert {tr.group.split(".")[0] for tr in trips} == {"r0", "r1", "r2"}
    rescued = rescued_by_trips(problem, trips)
    assert rescued > 0
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible, report.violations[:3]
    assert report.rescued == rescued


def test_no_sectors_where_rules_tie_places_together() -> None:
    """Lanes and known events tie places across sectors: no plan by sectors there."""
    data = generate(5, places=30, vehicles=200, steps=60, classes=2, havens=8, extras=True)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    assert not decomposable(problem)
    assert region_plan(problem, SafetyStop(None)) is None


def test_search_plans_by_sectors_past_the_allocations_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``CITY_TARGETED_PLACES`` (lowered here to 100 places), the search plans by
    sectors, runs no greedy run on the whole problem, says so, and the checker accepts its
    plan with the search's count."""
    monkeypatch.setattr(search, "CITY_TARGETED_PLACES", 100)
    monkeypatch.setattr(regions, "REGION_PLACES", 70)
    scenario = _city(200)
    problem = compile_problem(scenario)
    trips, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=0.0, rounds=0
    )
    assert stats["sectors"]["sectors"] == 3 and stats["dispatch_runs"] == 3
    assert "allocation" not in stats and "improve" not in stats
    assert rescued == rescued_by_trips(problem, trips) <= bound
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued


def test_a_sector_cut_by_its_share_of_the_stop_leaves_the_next_ones_their_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each sector's run is cut by its share of the safety stop (none here: a share of 0 s),
    yet every sector is planned, the stop says it bound, and the plan passes the checker."""
    monkeypatch.setattr(regions, "SafetyStop", lambda seconds: SafetyStop(0.0))
    scenario = _city(300)
    problem = compile_problem(scenario)
    stop = SafetyStop(3600.0)
    found = region_plan(problem, stop, places=100)
    assert found is not None
    trips, stats = found
    assert stats["planned"] == stats["sectors"] == 3 and stop.bound
    assert {tr.group.split(".")[0] for tr in trips} == {"r0", "r1", "r2"}
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued_by_trips(problem, trips)
