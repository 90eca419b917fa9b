"""The HiGHS adapter: LPs and MIPs in, statuses, solutions and bounds out, nothing printed."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from evacuate.solvers.highs import INF, solve

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


def test_other_options_pass_through_or_are_refused() -> None:
    """Named HiGHS options reach the solver; an unknown option is a ValueError."""
    res = solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, options={"simplex_strategy": 4})
    assert res.objective == pytest.approx(2.8)
    with pytest.raises(ValueError, match="no_such_option"):
        solve([1.0, 1.0], A, [-INF, -INF], [4.0, 6.0], 0.0, INF, options={"no_such_option": 1})
