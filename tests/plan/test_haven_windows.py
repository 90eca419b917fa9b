"""At city scale, havens that are also pickups get people and room rows on a few time windows
(plan/lagrange.py ``HAVEN_WINDOWS``), and a round's multipliers, every row's, are priced on
a finer grid (``finer_sweep``): both stay bounds, and neither loosens the bound."""

from __future__ import annotations

from typing import Any

from bench.generate import generate
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.grid import choose_dt, has_instant_trips
from evacuate.plan.lagrange import build_grid, column_generation_bound
from evacuate.plan.lagrows import finer_sweep, window_rows
from evacuate.plan.problem import Problem, compile_problem
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios

FEW = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _small(late: float = 0.15) -> Problem:
    data = generate(3, places=8, vehicles=300, steps=60, classes=2, havens=4, late_arrivals=late)
    return compile_problem(evacuate.scenario.from_dict(data))


def test_havens_get_rows_at_the_windows_boundaries() -> None:
    """With K windows, every haven that is also a pickup has a people row and a room row at
    each of the K - 1 inner boundaries; places without room keep theirs where they were."""
    problem = _small(late=0.0)
    grid = build_grid(problem, choose_dt(problem))
    plain = window_rows(problem, grid, 1, city=True)
    rows = window_rows(problem, grid, 1, city=True, haven_windows=4)
    assert len(rows.windows) - 1 == 4
    havens = [p for p in range(problem.n_places) if grid.capacity[p] > 0 and grid.pickup[p]]
    assert havens
    assert sorted(rows.room) == sorted((p, k) for p in havens for k in (1, 2, 3))
    for p in havens:
        assert {k for q, k in rows.avail if q == p} == {1, 2, 3, 4}
    others = [p for p in range(problem.n_places) if grid.pickup[p] and p not in havens]
    assert others
    for p in others:
        assert [k for q, k in rows.avail if q == p] == [4]
        assert [k for q, k in plain.avail if q == p] == [1]
    assert not plain.room


def test_windowed_havens_tighten_the_converged_bound() -> None:
    """More rows, so the converged master (the LP optimum) is no higher, on every K."""
    problem = _small()
    dt = choose_dt(problem)
    plain = column_generation_bound(problem, dt, iterations=400, city=True, haven_windows=0)
    assert plain.iterations < 400
    for k in (2, 4):
        windowed = column_generation_bound(problem, dt, iterations=400, city=True, haven_windows=k)
        assert windowed.iterations < 400  # converged
        assert windowed.bound <= plain.bound * (1 + 1e-6) + 1e-6, (k, windowed, plain)


def test_the_finer_sweep_of_converged_windowed_multipliers_is_no_looser() -> None:
    """Every row's multipliers (haven windows and late arrivals too) priced on a grid 2 and
    4 times finer: no looser than the grid they converged on."""
    problem = _small()
    res = column_generation_bound(
        problem, choose_dt(problem), iterations=400, city=True, haven_windows=4
    )
    assert res.rows is not None and len(res.rows.room) > 0
    for factor in (1, 2, 4):
        value = finer_sweep(problem, res, factor)
        assert value <= res.bound * (1 + 1e-9) + 1e-6, (factor, value, res.bound)


@FEW
@given(tiny_scenarios(), st.integers(1, 5), st.sampled_from([1, 3, 30]), st.integers(1, 4))
def test_windowed_havens_and_the_finer_sweep_hold_the_optimum(
    data: dict[str, Any], windows: int, iterations: int, factor: int
) -> None:
    """Whatever the instance, windows, LP solves and refinement, the city-scale bound with
    windowed havens, and its multipliers priced on a finer grid, hold the exhaustive optimum
    (the rows hold for every plan; weak duality at any non-negative multipliers)."""
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    if not problem.supply or has_instant_trips(problem):
        return
    best = exhaustive(scenario).rescued
    res = column_generation_bound(
        problem, 1.0, iterations=iterations, city=True, haven_windows=windows, cap_people=True
    )
    event("haven rows" if res.rows is not None and res.rows.room else "no haven rows")
    assert res.bound >= best - 1e-6, (windows, iterations, res.bound, best)
    assert finer_sweep(problem, res, factor) >= best - 1e-6, (windows, factor, best)
