"""The finer guide at city scale (plan/search.py, ``FINE_GUIDE``)."""

from __future__ import annotations

import pytest
from bench.generate import generate

import evacuate
from evacuate.check import check
from evacuate.plan import search
from evacuate.plan.budget import SafetyStop
from evacuate.plan.lagrange import choose_dt, column_generation_bound
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.search import max_rescued, rescued_by_trips
from evacuate.planio import Plan


@pytest.mark.slow
def test_city_scale_flies_a_finer_guide_from_the_direct_ones_multipliers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At city scale (160 places) the direct guide is followed by a guide on a grid
    ``FINE_GUIDE`` times finer, started from its multipliers (so its first L is theirs on
    that grid), whose runs are flown; the checker accepts the search's plan."""
    for name, solves in (
        ("CITY_GUIDE_ITERATIONS", 30),
        ("FINE_GUIDE_ITERATIONS", 30),
        ("BOUND_ITERATIONS", 3),
    ):
        monkeypatch.setattr(search, name, solves)
    scenario = evacuate.scenario.from_dict(
        generate(3, places=160, vehicles=400, steps=60, classes=2, havens=20)
    )
    problem = compile_problem(scenario)
    trips, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=0.0, rounds=1, runs=2
    )
    dt = choose_dt(problem)
    fine = stats["fine_guide"]
    assert fine["dt"] == pytest.approx(dt / search.FINE_GUIDE)
    assert 1 <= fine["iterations"] <= 30
    # the direct guide's multipliers are the finer one's start: its best L is no higher
    direct = column_generation_bound(problem, dt, iterations=8, conservative=True, transfers=False)
    start = column_generation_bound(
        problem,
        dt / search.FINE_GUIDE,
        iterations=0,
        conservative=True,
        transfers=False,
        multipliers=(direct.sigma, direct.mu),
    )
    assert fine["value"] <= start.bound + 1e-6
    assert stats["guided_runs"] == 2  # each guide once, with the city's setting (CITY_GUIDED)
    assert rescued == rescued_by_trips(problem, trips) <= bound
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued


def _city(places: int = 160) -> tuple[evacuate.Scenario, Problem]:
    scenario = evacuate.scenario.from_dict(
        generate(3, places=places, vehicles=400, steps=60, classes=2, havens=20)
    )
    return scenario, compile_problem(scenario)


@pytest.mark.slow
def test_a_big_city_flies_one_direct_guide_on_a_finer_grid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From ``BIG_CITY_PLACES`` places on (lowered here to a 160-place instance) the direct
    guide runs on a grid ``BIG_CITY_GUIDE_STEP`` times finer than the city grid, from the
    allocation's duals, and is the only guide flown (no finer guide, no clustered one); the
    checker accepts the plan."""
    scenario, problem = _city()
    monkeypatch.setattr(search, "BIG_CITY_PLACES", problem.n_places)
    monkeypatch.setattr(search, "BIG_CITY_GUIDE_ITERATIONS", 12)
    trips, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=0.0, rounds=1, runs=2
    )
    direct = stats["direct_guide"]
    assert "clustered" not in direct and 1 <= direct["iterations"] <= 12
    assert direct["dt"] == pytest.approx(choose_dt(problem) / search.BIG_CITY_GUIDE_STEP)
    assert direct["dt"] < choose_dt(problem)
    assert "fine_guide" not in stats and "guide_bound" not in stats
    assert stats["guided_runs"] == 1 and stats["bounds"] == []
    assert rescued == rescued_by_trips(problem, trips) <= bound
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued


@pytest.mark.slow
def test_a_big_city_without_an_allocation_flies_the_clustered_guide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real grid's guide converges at 500 places only from the allocation's duals: where
    there is no allocation, a big city's guide is the clustered one (aggregate.py)."""
    scenario, problem = _city()
    monkeypatch.setattr(search, "BIG_CITY_PLACES", problem.n_places)
    monkeypatch.setattr(search, "allocation", lambda *_: None)
    trips, rescued, bound, stats = max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=0.0, rounds=1, runs=2
    )
    assert stats["direct_guide"]["clustered"] and "fine_guide" not in stats
    assert rescued == rescued_by_trips(problem, trips) <= bound
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued
