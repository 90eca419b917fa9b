"""The clustered problem (plan/aggregate.py): its bound holds every plan, its guide maps back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from bench.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan.aggregate import (
    aggregate,
    aggregate_bound,
    aggregate_guide,
    cluster_places,
    map_guide,
)
from evacuate.plan.api import plan
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios

ONE = {"sources": 1, "havens": 1, "passes": 1}
"""Every place of a kind in one cluster: the coarsest clusters, the loosest relaxation."""


@st.composite
def line_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Two or three towns and two havens on a line (straight-line travel, whole hours), a
    depot maybe: clusters merge places with different deadlines, people and room."""
    end = draw(st.integers(4, 8))
    xs = draw(st.lists(st.integers(0, 9), min_size=6, max_size=6, unique=True))
    places: list[dict[str, Any]] = []
    for k in range(draw(st.integers(2, 3))):
        town: dict[str, Any] = {
            "id": f"town{k}",
            "position": [xs[k], 0],
            "population": draw(st.integers(1, 3)),
        }
        if draw(st.booleans()):
            town["deadline"] = draw(st.integers(2, end + 1))
        if draw(st.integers(0, 3)) == 0:
            town["arrivals"] = [{"at": draw(st.integers(1, 3)), "people": 1}]
        places.append(town)
    for k in range(2):
        places.append(
            {"id": f"haven{k}", "position": [xs[3 + k], 0], "capacity": draw(st.integers(1, 4))}
        )
    if draw(st.booleans()):
        places.append({"id": "depot", "position": [xs[5], 0]})
    ids = [p["id"] for p in places]
    stock = [
        {
            "class": "bus",
            "place": draw(st.sampled_from(ids)),
            "count": draw(st.integers(1, 2)),
            "available_from": draw(st.sampled_from([0, 0, 1])),
        }
        for _ in range(draw(st.integers(1, 2)))
    ]
    bus = {
        "id": "bus",
        "capacity": draw(st.integers(1, 3)),
        "speed": 1,
        "load_time": draw(st.integers(0, 1)),
        "unload_time": draw(st.integers(0, 1)),
    }
    return {
        "scenario": {"id": "line", "end": end, "time_unit": "hour"},
        "map": {"kind": "plane", "unit": "km"},
        "places": places,
        "fleet": {"classes": [bus], "stock": stock},
    }


def _holds(data: dict[str, Any]) -> None:
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for clusters in ({}, ONE):
        of = cluster_places(problem, **clusters)
        res = aggregate_bound(problem, of=of, iterations=300, steps=8)
        assert res.bound >= best - 1e-6, (clusters, res.bound, best, of.tolist())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(line_scenarios())
def test_clustered_bound_holds_the_exact_optimum_on_a_line(data: dict[str, Any]) -> None:
    """Towns with their own deadlines, people and arrivals merged, havens' room summed,
    the fastest member pair's travel: the bound is never below the exhaustive optimum."""
    _holds(data)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios())
def test_clustered_bound_holds_the_exact_optimum_with_lanes(data: dict[str, Any]) -> None:
    """With lanes, windows, closures, staging places and withdrawals (places without a
    position stay clusters of their own): the bound holds the exhaustive optimum."""
    _holds(data)


def _generated(seed: int, extras: bool = False) -> evacuate.Scenario:
    data = generate(seed, places=14, vehicles=60, steps=60, classes=2, havens=6, extras=extras)
    return evacuate.scenario.from_dict(data)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "extras"), [(1, False), (2, False), (3, True)])
def test_clustered_bound_holds_the_planners_plans(seed: int, extras: bool) -> None:
    """On generated instances (with berths, rates, lane windows and known events too), the
    clustered bound is at least what the planner rescues, with the default clusters (none
    merged at this size but the supplies) and with coarse ones."""
    scenario = _generated(seed, extras)
    problem = compile_problem(scenario)
    rescued = plan(scenario, time_limit=60).rescued
    for clusters in ({}, {"sources": 4, "havens": 2, "passes": 1}, ONE):
        of = cluster_places(problem, **clusters)
        assert not clusters or int(of.max()) + 1 < problem.n_places
        res = aggregate_bound(problem, of=of, iterations=200)
        assert res.bound >= rescued - 1e-6, (clusters, res.bound, rescued)


def test_clusters_keep_the_kinds_apart_and_are_reproducible() -> None:
    """Towns, havens and depots never share a cluster; the same problem gives the same
    clusters; the clustered problem sums people, room and vehicles (free no later), takes the
    latest deadline and the fastest member pair."""
    problem = compile_problem(_generated(4))
    of = cluster_places(problem, sources=5, havens=2, passes=1)
    assert np.array_equal(of, cluster_places(problem, sources=5, havens=2, passes=1))
    agg = aggregate(problem, of)
    for m in agg.members:
        kinds = {(problem.population[p] > 0, problem.sink_capacity[p] > 0) for p in m}
        assert len(kinds) == 1
    assert agg.problem.population.sum() == problem.population.sum()
    assert agg.problem.sink_capacity.sum() == problem.sink_capacity.sum()
    assert sorted(r for rs in agg.supply_of for r in rs) == list(range(len(problem.supply)))
    for s, rs in zip(agg.problem.supply, agg.supply_of, strict=True):
        real = [problem.supply[r] for r in rs]
        assert s.count == sum(x.count for x in real)
        assert all(x.c == s.c and of[x.p] == s.p and x.t >= s.t for x in real)
    for k, m in enumerate(agg.members):
        assert agg.problem.deadline[k] == problem.deadline[m].max()
        for c in range(problem.n_classes):
            for j, n in enumerate(agg.members):
                if j != k:
                    fastest = problem.travel[c][np.ix_(m, n)].min()
                    assert agg.problem.travel[c, k, j] == fastest


def test_mapped_guide_keeps_each_path_in_its_clusters_and_flies() -> None:
    """Every mapped leg picks up in the clustered leg's pickup cluster and drops in its drop
    cluster, each supply keeps its vehicles, and the guided plan passes the checker."""
    scenario = _generated(5)
    problem = compile_problem(scenario)
    of = cluster_places(problem, sources=5, havens=3, passes=1)
    agg = aggregate(problem, of)
    res = column_generation_bound(
        agg.problem, 2.0, iterations=30, city=True, conservative=True, transfers=False
    )
    assert res.guide
    real = map_guide(problem, agg, res.guide)
    for k, paths in res.guide.items():
        mine = [x for r in agg.supply_of[k] for x in real.get(r, [])]
        assert sum(n for n, _ in mine) == sum(n for n, _ in paths)
        shapes = {tuple((int(of[i]), int(of[j])) for i, j in legs) for _, legs in mine}
        assert shapes <= {tuple(legs) for _, legs in paths}
    assert all(sum(n for n, _ in v) <= problem.supply[r].count for r, v in real.items())
    guide, solves = aggregate_guide(problem, of=of, iterations=30)
    assert solves > 0 and guide
    trips = dispatch(problem, DispatchParams(), guide)
    report = check(scenario, Plan(scenario.id, trips=tuple(trips)))
    assert report.feasible, report.violations[:3]


@pytest.mark.slow
def test_search_flies_the_clustered_guide_from_its_size_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """From ``AGGREGATE_GUIDE_PLACES`` places on (lowered here to a 178-place instance), the
    first guide is the clustered one: the search says so, counts its LP solves, and the
    checker accepts its plan with the search's count."""
    from evacuate.plan import search
    from evacuate.plan.budget import SafetyStop

    scenario = evacuate.scenario.from_dict(
        generate(3, places=150, vehicles=200, steps=40, classes=1, havens=10)
    )
    problem = compile_problem(scenario)
    monkeypatch.setattr(search, "AGGREGATE_GUIDE_PLACES", problem.n_places)
    monkeypatch.setattr(search, "BOUND_ITERATIONS", 10)  # the real grid's rounds: kept short
    trips, rescued, bound, stats = search.max_rescued(
        problem, seed=0, stop=SafetyStop(None), gap_target=1e-4, rounds=1, runs=2
    )
    assert stats["direct_guide"]["clustered"] and stats["lp_solves"] > 0
    assert bound >= rescued
    report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="hour"))
    assert report.feasible and report.rescued == rescued
