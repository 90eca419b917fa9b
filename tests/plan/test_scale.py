"""The planner at scale: bounds that stay valid with fewer arcs, and the dispatcher's compiled
scoring of every pickup with its candidate drops (issue 14, item 5)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from bench.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.plan import routes
from evacuate.plan.dispatch_kernel import best_options
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.lagrange import column_generation_bound, has_instant_trips
from evacuate.plan.problem import compile_problem
from evacuate.plan.search import rescued_by_trips
from evacuate.planio import Plan
from tests.oracle import exhaustive

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def line_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Places on a line at whole kilometres, speed 1 km/h: straight-line travel with whole
    times, where chains of moves tie with the direct move (rounding's worst case)."""
    xs = draw(st.lists(st.integers(0, 6), min_size=4, max_size=4, unique=True))
    end = draw(st.integers(4, 8))
    town = {"id": "town", "population": draw(st.integers(1, 6)), "position": [xs[0], 0]}
    if draw(st.booleans()):
        town["deadline"] = draw(st.integers(2, end + 1))
    town2 = {"id": "town2", "population": draw(st.integers(0, 3)), "position": [xs[1], 0]}
    places = [
        town,
        town2,
        {"id": "camp", "capacity": draw(st.integers(1, 8)), "position": [xs[2], 0]},
        {"id": "depot", "position": [xs[3], 0]},
    ]
    return {
        "scenario": {"id": "line", "end": end, "time_unit": "hour"},
        "map": {"kind": "plane", "unit": "km"},
        "places": places,
        "fleet": {
            "classes": [
                {
                    "id": "bus",
                    "capacity": draw(st.integers(1, 4)),
                    "speed": 1,
                    "load_time": draw(st.integers(0, 1)),
                }
            ],
            "stock": [{"class": "bus", "place": "depot", "count": draw(st.integers(1, 2))}],
        },
    }


@FEW
@given(line_scenarios())
def test_bounds_with_straight_line_travel_hold_the_optimum(data: dict[str, Any]) -> None:
    """With straight-line travel, empty moves only from where vehicles start or unload: the
    column-generation bound still holds the exact optimum."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    assert problem.routes.straight
    best = exhaustive(scenario).rescued
    if has_instant_trips(problem):
        return
    for dt in (0.5, 1.0):
        try:
            res = column_generation_bound(problem, dt, iterations=300)
        except ValueError:  # dt longer than the shortest loaded trip
            continue
        assert res.bound >= best - 1e-6, (dt, res.bound, best)


def _reference(
    t: float,
    x: np.ndarray,
    ok: np.ndarray,
    pick: np.ndarray,
    room: np.ndarray,
    ncap: float,
    load: float,
    unload: float,
    deadline: np.ndarray,
    end: float,
    cand: np.ndarray,
    ctt: np.ndarray,
    cval: np.ndarray,
    haven: np.ndarray,
    transfer: np.ndarray,
    urgent_until: np.ndarray,
    urgency: float,
    prio: np.ndarray,
    top: int,
) -> list[tuple[float, int, int]]:
    """Every (pickup, candidate drop) pair scored with numpy, the best ``top`` first (ties:
    lower pickup, then nearer drop): what the compiled kernel must return."""
    has = cand >= 0
    cols = np.where(has, cand, 0)
    y = x[:, None] + load + ctt + unload
    good = has & ok[:, None] & (room[cols] > 0) & (y < deadline[cols]) & (y <= end + 1e-9)
    good &= cval > 0
    good &= ~(haven[:, None] & haven[cols] & ~transfer[:, None])
    urgent = np.where(x >= urgent_until, 1.0 + urgency, 1.0) * prio
    amount = np.minimum(np.minimum(ncap, pick)[:, None], room[cols])
    score = cval * amount * urgent[:, None] / np.maximum(y - t, 1e-9)
    good &= score > 0
    found = [(-float(score[i, q]), i, q) for i, q in zip(*np.nonzero(good), strict=True)]
    return [(-s, int(i), int(cand[i, q])) for s, i, q in sorted(found)[:top]]


@FEW
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 5), st.integers(1, 6))
def test_dispatch_kernel_keeps_the_best_options_of_all_pairs(
    seed: int, n_p: int, n_cand: int, top: int
) -> None:
    """The compiled scoring of a decision returns the same best options, in the same order,
    as scoring every (pickup, candidate drop) pair with numpy (whole numbers: many ties),
    with each pickup's priority factor (``slack_power``, targets) applied."""
    rng = np.random.default_rng(seed)
    t = float(rng.integers(0, 5))
    x = t + rng.integers(0, 6, n_p).astype(float)
    ok = rng.random(n_p) < 0.8
    pick = rng.integers(0, 4, n_p).astype(float) * 10
    room = rng.integers(0, 4, n_p).astype(float) * 10
    cand = rng.integers(-1, n_p, (n_p, n_cand)).astype(np.int64)
    cand = np.sort(cand, axis=1)[:, ::-1].copy()  # -1s last, as DropLists keeps them
    ctt = rng.integers(1, 5, (n_p, n_cand)).astype(float)
    cval = rng.choice([-1.0, 0.25, 0.5, 1.0], (n_p, n_cand))
    deadline = np.where(rng.random(n_p) < 0.3, 8.0, np.inf)
    haven = rng.random(n_p) < 0.4
    transfer = rng.random(n_p) < 0.5
    urgent_until = rng.integers(0, 10, n_p).astype(float)
    args = (t, x, ok, pick, room, 20.0, 1.0, 0.5, deadline, 12.0, cand, ctt, cval, haven)
    prio = rng.choice([0.05, 1.0, 2.0], n_p)
    more = (transfer, urgent_until, 2.0, prio)
    score, ii, jj = np.zeros(top), np.zeros(top, dtype=np.int64), np.zeros(top, dtype=np.int64)
    found = best_options(*args, *more, score, ii, jj)
    got = [(float(score[k]), int(ii[k]), int(jj[k])) for k in range(found)]
    assert got == _reference(*args, *more, top)


def test_dispatch_at_scale_gives_a_checked_plan() -> None:
    """On a generated instance of 160 places (more pickups than candidate drops), the
    dispatcher's plan is accepted by the checker, which counts the same people rescued."""
    scenario = evacuate.scenario.from_dict(
        generate(3, places=160, vehicles=400, steps=60, classes=2, havens=20)
    )
    problem = compile_problem(scenario)
    trips = dispatch(problem, DispatchParams())
    assert rescued_by_trips(problem, trips) > 0
    plan = Plan(scenario.id, trips=tuple(trips), time_unit=scenario.time_unit)
    report = check(scenario, plan)
    assert report.feasible
    assert report.rescued == rescued_by_trips(problem, trips)


def test_travel_times_on_demand_are_the_whole_arrays_numbers(monkeypatch: Any) -> None:
    """With straight-line travel, rows, blocks, pairs, single times, the fastest trip and
    the quickest trip from a set of places are computed from the positions without the
    (classes, places, places) array, and equal its numbers exactly (plane and sphere)."""
    monkeypatch.setattr(routes, "DENSE_CELLS", 0)  # on demand however few the places
    data = generate(5, places=30, vehicles=60, steps=40, classes=3)
    plane = evacuate.scenario.from_dict(data)
    data["map"] = {"kind": "sphere", "unit": "km"}
    for place in data["places"]:
        x, y = place["position"][:2]
        place["position"] = {"lat": y / 50.0, "lon": x / 50.0}
    x, y = data["hazard"]["origin"][:2]
    data["hazard"]["origin"] = {"lat": y / 50.0, "lon": x / 50.0}
    sphere = evacuate.scenario.from_dict(data)
    for scenario in (plane, sphere):
        problem = compile_problem(scenario)
        times = problem.times
        assert times.on_demand and not times.built
        n_c, n_p = problem.n_classes, problem.n_places
        rows, cols = np.arange(0, n_p, 2), np.arange(n_p)[::-1]
        lazy = [
            (times.row(c, p), times.block(c, rows, cols), times.fastest(c))
            for c in range(n_c)
            for p in range(n_p)
        ]
        some = [times.at(c, i, j) for c in range(n_c) for i in range(n_p) for j in range(n_p)]
        pairs = times.pairs(0, rows[:, None], np.stack([rows, cols[: len(rows)]], axis=1))
        sources = problem.population > 0
        near = times.nearest_from(sources)
        dense = problem.travel  # built now
        assert times.built
        k = 0
        for c in range(n_c):
            finite = dense[c][np.isfinite(dense[c])]
            for p in range(n_p):
                row, block, fastest = lazy[k]
                k += 1
                assert np.array_equal(row, dense[c, p])
                assert np.array_equal(block, dense[c][np.ix_(rows, cols)])
                assert fastest == (float(finite.min()) if len(finite) else math.inf)
        assert np.array_equal(np.array(some), dense.ravel())
        expect = dense[0][rows[:, None], np.stack([rows, cols[: len(rows)]], axis=1)]
        assert np.array_equal(pairs, expect)
        assert np.array_equal(near, dense[:, sources, :].min(axis=(0, 1)))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.integers(0, 10_000),
    st.sampled_from([0.0, 1.0, 8.0]),
    st.sampled_from([0.1, 0.3]),
    st.booleans(),
)
def test_checking_only_options_that_can_win_gives_the_same_plan(
    seed: int, urgency: float, window: float, extras: bool
) -> None:
    """A decision checks its options exactly only while a kernel score (times the most
    urgency can add) could still beat the best option checked: the plan is the one checking
    every option gives, trip for trip (with lanes, events and limits too, where every option
    is checked)."""
    from evacuate.plan.heuristic import _Dispatcher

    data = generate(seed, places=24, vehicles=80, steps=60, classes=2, havens=6, extras=extras)
    problem = compile_problem(evacuate.scenario.from_dict(data))
    params = DispatchParams(urgency=urgency, urgency_window=window)
    every = _Dispatcher(problem, params, None, None)
    every.bound_factor = math.inf
    assert dispatch(problem, params) == every.run()
