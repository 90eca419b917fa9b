"""The HiGHS adapter: LPs and MIPs in, statuses, solutions and bounds out, nothing printed."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from evacuate.solvers.highs import INF, IncrementalLP, solve

A = sp.csr_array(np.array([[1.0, 2.0], [3.0, 1.0]]))


def test_lp_optimum_and_dual_bound() -> None:
    """An LP returns its optimum, the point, and the optimum as its dual bound."""
    res = solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(2.8)
    assert res.x is not None and res.x == pytest.approx([1.6, 1.2])
    assert res.dual_bound == pytest.approx(2.8)
    assert (res.n_cols, res.n_rows, res.nodes) == (2, 2, 0)
    assert res.ok


def test_mip_integer_optimum_and_minimise() -> None:
    """Integer columns give a MIP whose bound is proven; sense='min' minimises."""
    res = solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, integrality=[1, 1])
    assert res.status == "optimal"
    assert res.objective == pytest.approx(2.0)
    assert res.dual_bound == pytest.approx(2.0)
    low = solve([1.0, 1.0], A, [1.0, -INF], [INF, INF], 0.0, INF, sense="min")
    assert low.objective == pytest.approx(0.5)


def test_infeasible_has_no_solution() -> None:
    """An infeasible model says so and returns no point."""
    res = solve([1.0, 1.0], A, [5.0, -INF], [INF, 6.0], 0.0, 1.0)
    assert res.status == "infeasible"
    assert res.x is None and res.objective is None and not res.ok


def test_start_point_and_limits_are_accepted(capfd: pytest.CaptureFixture[str]) -> None:
    """A MIP start, a time limit and a thread cap are passed through; HiGHS prints nothing."""
    res = solve(
        [1.0, 1.0],
        sp.csc_array(A),
        [-INF, -INF],
        [4.0, 6.0],
        0.0,
        INF,
        integrality=np.array([True, True]),
        time_limit=10.0,
        threads=1,
        mip_rel_gap=0.0,
        start=[0.0, 0.0],
    )
    assert res.objective == pytest.approx(2.0)
    out, _ = capfd.readouterr()
    assert out == ""


def test_shapes_are_checked() -> None:
    """Arrays of the wrong length are refused with the name of the argument."""
    with pytest.raises(ValueError, match="row_upper"):
        solve([1.0, 1.0], A, [-INF, -INF], [4.0], 0.0, INF)
    with pytest.raises(ValueError, match="integrality"):
        solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, integrality=[1])


def test_thread_counts_can_change_between_solves() -> None:
    """Solves with different thread caps in one process all succeed."""
    for threads in (1, None, 2, 1):
        res = solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, threads=threads)
        assert res.status == "optimal", threads


def test_incremental_lp_keeps_its_threads_between_other_solves() -> None:
    """An LP re-solved between solves on other thread counts still solves (one thread by
    default; HiGHS refuses a run whose thread count differs from its pool's)."""
    lp = IncrementalLP([-INF, -INF], [4.0, 6.0])
    lp.add_columns([1.0, 1.0], sp.csc_array(A))
    for threads in (None, 2, 1):
        assert solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, threads=threads).ok
        res = lp.solve()
        assert res.status == "optimal", threads
        assert res.objective == pytest.approx(2.8)


def test_other_options_pass_through_or_are_refused() -> None:
    """Named HiGHS options reach the solver; an unknown option is a ValueError."""
    res = solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, options={"simplex_strategy": 4})
    assert res.objective == pytest.approx(2.8)
    with pytest.raises(ValueError, match="no_such_option"):
        solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, options={"no_such_option": 1})


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_incremental_lp_matches_a_fresh_solve(seed: int) -> None:
    """Columns added in batches and re-solved from the last basis give the optimum (and row
    duals' objective) of the same LP solved from scratch."""
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 6, 12
    A = sp.random_array((n_rows, n_cols), density=0.5, rng=rng, format="csc")
    cost = rng.uniform(0.0, 3.0, n_cols)
    upper = rng.uniform(1.0, 10.0, n_rows)
    lower = np.full(n_rows, -INF)
    lp = IncrementalLP(lower, upper)
    for a, b in ((0, 5), (5, 9), (9, 12)):
        lp.add_columns(cost[a:b], A[:, a:b])
        got = lp.solve()
        ref = solve(cost[:b], A[:, :b], lower, upper, np.zeros(b), np.full(b, INF))
        assert got.status == ref.status
        if ref.status != "optimal":
            continue  # e.g. unbounded: a column no row limits
        assert got.objective == pytest.approx(ref.objective, rel=1e-7, abs=1e-7)
        assert got.row_dual is not None
        assert float(np.abs(got.row_dual) @ upper) == pytest.approx(ref.objective, rel=1e-6)
    assert lp.n_cols == n_cols
    with pytest.raises(ValueError, match="rows"):
        lp.add_columns([1.0], sp.csc_array(np.ones((n_rows + 1, 1))))
