"""The one adapter to HiGHS (``highspy``): solve an LP or MIP given as sparse arrays.

``solve`` takes ``max/min c @ x`` subject to ``row_lower <= A @ x <= row_upper`` and
``col_lower <= x <= col_upper`` (``±inf`` for no bound), optionally with integer columns,
and passes the whole model at once through ``HighsLp`` in column-wise (CSC) form. HiGHS's own
output is switched off: this module logs through ``logging`` and never prints. Nothing else
in ``evacuate`` imports ``highspy``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["INF", "HighsResult", "IncrementalLP", "solve"]

log = logging.getLogger(__name__)

INF = float("inf")

_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnboundedOrInfeasible": "unbounded_or_infeasible",
    "kUnbounded": "unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "solution_limit",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kMemoryLimit": "memory_limit",
    "kObjectiveBound": "objective_bound",
    "kObjectiveTarget": "objective_target",
    "kModelEmpty": "empty",
}

_banner_done = False
_threads_last = 0
"""The thread count HiGHS's global scheduler was last set up for (0: HiGHS's default)."""


@dataclass(frozen=True)
class HighsResult:
    """What HiGHS returned.

    ``status`` is one of ``optimal``, ``infeasible``, ``unbounded``, ``time_limit``, ... (or
    ``error``). ``objective`` and ``x`` belong to the best solution found (None if none).
    ``dual_bound`` is, for a MIP, HiGHS's proven bound on the optimum; for an LP solved to
    optimality, the optimum itself (else None).
    """

    status: str
    objective: float | None
    x: NDArray[np.float64] | None
    dual_bound: float | None
    seconds: float
    iterations: int
    """Simplex (plus IPM) iterations of an LP; for a MIP, the LP iterations in total."""
    nodes: int
    """Branch-and-bound nodes (0 for an LP)."""
    n_cols: int
    n_rows: int
    row_dual: NDArray[np.float64] | None = None
    """Row duals of an LP solved to optimality (HiGHS's sign convention), else None."""

    @property
    def ok(self) -> bool:
        """A solution is available (optimal, or the best found before a limit)."""
        return self.x is not None


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 for a moment: HiGHS prints a banner from C++ on the first
    ``Highs()`` of a process, before any option can be set."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _new_highs() -> Any:
    global _banner_done
    import highspy

    if _banner_done:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        with _quiet_stdout():
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        _banner_done = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def _use_threads(h: Any, threads: int | None) -> None:
    """Run ``h`` on ``threads`` HiGHS threads (None: HiGHS's default, by the machine's cores)."""
    global _threads_last
    import highspy

    want = 0 if threads is None else max(0, int(threads))
    if want != _threads_last:
        # HiGHS keeps one thread pool per process, sized at its first run: resize it
        highspy.Highs.resetGlobalScheduler(True)
        _threads_last = want
    if want:
        h.setOptionValue("threads", want)


def _as_float_array(v: ArrayLike, n: int, name: str) -> NDArray[np.float64]:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(n, float(a))
    if a.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got shape {a.shape}")
    return np.ascontiguousarray(a)


def solve(
    c: ArrayLike,
    A: sp.spmatrix | sp.sparray,
    row_lower: ArrayLike,
    row_upper: ArrayLike,
    col_lower: ArrayLike,
    col_upper: ArrayLike,
    integrality: ArrayLike | None = None,
    sense: Literal["max", "min"] = "max",
    time_limit: float | None = None,
    threads: int | None = 1,
    mip_rel_gap: float | None = None,
    solver: Literal["choose", "simplex", "ipm", "pdlp"] | None = None,
    presolve: bool = True,
    start: ArrayLike | None = None,
    log_file: str | None = None,
    options: Mapping[str, bool | int | float | str] | None = None,
) -> HighsResult:
    """Solve ``sense c @ x`` s.t. ``row_lower <= A x <= row_upper``, bounds on ``x``.

    ``integrality``: a boolean (or 0/1) array marking integer columns; None for an LP.
    ``time_limit`` in seconds; ``threads``: HiGHS's threads, one by default so that a MIP's
    search (and the processor time the safety stop counts) does not depend on the machine's
    core count (None: HiGHS's own choice, by the cores); ``mip_rel_gap`` is HiGHS's
    relative MIP gap tolerance (default 1e-4). ``solver`` picks the LP algorithm. ``start``:
    a feasible point to start a MIP from (HiGHS keeps it as its first incumbent; HiGHS 1.16 can
    report the optimum's value beside the start's point as its solution, and such a run is
    solved again without the start: a one-person MIP of tests/plan/test_ten.py). ``log_file``:
    write HiGHS's own log there (to follow a long solve); nothing goes to the console.
    ``options``: any other HiGHS options by name (e.g. ``{"simplex_strategy": 4}``).
    """
    t0 = time.perf_counter()
    import highspy

    csc = sp.csc_array(A)
    csc.sum_duplicates()
    csc.sort_indices()
    n_rows, n_cols = csc.shape
    cost = _as_float_array(c, n_cols, "c")

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = _as_float_array(col_lower, n_cols, "col_lower")
    lp.col_upper_ = _as_float_array(col_upper, n_cols, "col_upper")
    lp.row_lower_ = _as_float_array(row_lower, n_rows, "row_lower")
    lp.row_upper_ = _as_float_array(row_upper, n_rows, "row_upper")
    lp.sense_ = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = np.ascontiguousarray(csc.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.ascontiguousarray(csc.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ascontiguousarray(csc.data, dtype=np.float64)
    is_mip = False
    if integrality is not None:
        integ = np.asarray(integrality).astype(bool)
        if integ.shape != (n_cols,):
            raise ValueError(f"integrality: expected {n_cols} values, got shape {integ.shape}")
        if integ.any():
            is_mip = True
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
                for b in integ
            ]

    h = _new_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.0)))
    _use_threads(h, threads)
    if mip_rel_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if solver is not None:
        h.setOptionValue("solver", solver)
    if not presolve:
        h.setOptionValue("presolve", "off")
    for key, value in (options or {}).items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refused option {key}={value!r}")
    if log_file is not None:
        h.setOptionValue("log_file", str(log_file))
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)

    t_pass = time.perf_counter()
    h.passModel(lp)
    if start is not None:
        x0 = _as_float_array(start, n_cols, "start")
        sol = highspy.HighsSolution()
        sol.col_value = x0
        sol.value_valid = True
        h.setSolution(sol)
    run_status = h.run()
    if start is not None and int(h.getInfo().primal_solution_status) == int(
        highspy.kSolutionStatusFeasible
    ):
        value = float(cost @ np.asarray(h.getSolution().col_value, dtype=np.float64))
        claimed = float(h.getInfo().objective_function_value)
        if abs(value - claimed) > 1e-6 * max(1.0, abs(claimed)):
            log.info("HiGHS returned a point worth %g for an objective of %g; solving again "
                     "without the start", value, claimed)  # fmt: skip
            h.clearSolver()
            run_status = h.run()
    seconds = time.perf_counter() - t0
    model_status = h.getModelStatus()
    name = str(getattr(model_status, "name", model_status)).split(".")[-1]
    status = _STATUS.get(name, "error" if run_status == highspy.HighsStatus.kError else name)
    info = h.getInfo()

    x: NDArray[np.float64] | None = None
    objective: float | None = None
    has_primal = int(info.primal_solution_status) == int(highspy.kSolutionStatusFeasible)
    if has_primal or status == "optimal":
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        objective = float(info.objective_function_value)
    dual_bound: float | None = None
    if is_mip:
        db = float(info.mip_dual_bound)
        if np.isfinite(db):
            dual_bound = db
    elif status == "optimal":
        dual_bound = objective
    row_dual: NDArray[np.float64] | None = None
    if not is_mip and status == "optimal":
        row_dual = np.asarray(h.getSolution().row_dual, dtype=np.float64)
    iterations = int(info.simplex_iteration_count) + max(int(info.ipm_iteration_count), 0)
    nodes = max(int(info.mip_node_count), 0) if is_mip else 0
    log.info(
        "HiGHS %s: %d cols, %d rows, %d nonzeros, status %s, objective %s, %.2f s "
        "(build %.2f s), %d iterations, %d nodes",
        "MIP" if is_mip else "LP",
        n_cols,
        n_rows,
        csc.nnz,
        status,
        objective,
        seconds,
        t_pass - t0,
        iterations,
        nodes,
    )
    return HighsResult(
        status=status,
        objective=objective,
        x=x,
        dual_bound=dual_bound,
        seconds=seconds,
        iterations=iterations,
        nodes=nodes,
        n_cols=n_cols,
        n_rows=n_rows,
        row_dual=row_dual,
    )


class IncrementalLP:
    """An LP that grows by columns and is re-solved from its last basis (column generation):
    each ``solve`` after ``add_columns`` starts where the previous one ended.

    Rows are ``row_lower <= A x <= row_upper``; columns are ``x >= 0`` with a cost each.
    ``threads``: as for ``solve`` (one by default).
    """

    def __init__(
        self,
        row_lower: ArrayLike,
        row_upper: ArrayLike,
        sense: Literal["max", "min"] = "max",
        options: Mapping[str, bool | int | float | str] | None = None,
        threads: int | None = 1,
    ) -> None:
        import highspy

        self.threads = threads
        lower = np.ascontiguousarray(row_lower, dtype=np.float64)
        upper = _as_float_array(row_upper, len(lower), "row_upper")
        self.n_rows = len(lower)
        self.n_cols = 0
        self.nnz = 0
        self._h = _new_highs()
        for key, value in (options or {}).items():
            if self._h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
                raise ValueError(f"HiGHS refused option {key}={value!r}")
        none = np.zeros(0, dtype=np.int32)
        starts = np.zeros(self.n_rows, dtype=np.int32)
        self._h.addRows(self.n_rows, lower, upper, 0, starts, none, np.zeros(0))
        self._h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
        )

    def add_columns(self, cost: ArrayLike, A: sp.spmatrix | sp.sparray) -> None:
        """Columns ``A`` (n_rows x k, sparse) with costs ``cost`` (k,)."""
        csc = sp.csc_array(A)
        csc.sum_duplicates()
        csc.sort_indices()
        k = csc.shape[1]
        if csc.shape[0] != self.n_rows:
            raise ValueError(f"columns have {csc.shape[0]} rows, the LP {self.n_rows}")
        if k == 0:
            return
        self._h.addCols(
            k,
            _as_float_array(cost, k, "cost"),
            np.zeros(k),
            np.full(k, INF),
            csc.nnz,
            np.ascontiguousarray(csc.indptr[:-1], dtype=np.int32),
            np.ascontiguousarray(csc.indices, dtype=np.int32),
            np.ascontiguousarray(csc.data, dtype=np.float64),
        )
        self.n_cols += k
        self.nnz += csc.nnz

    def fix_to_zero(self, columns: ArrayLike) -> None:
        """Bound the given columns to 0 (they stay, with their place in ``x``)."""
        idx = np.ascontiguousarray(columns, dtype=np.int32)
        zero = np.zeros(len(idx))
        self._h.changeColsBounds(len(idx), idx, zero, zero)

    def solve(self) -> HighsResult:
        import highspy

        t0 = time.perf_counter()
        h = self._h
        _use_threads(h, self.threads)
        run_status = h.run()
        model_status = h.getModelStatus()
        name = str(getattr(model_status, "name", model_status)).split(".")[-1]
        if name == "kUnknown":
            # the simplex from the last basis can stall on a large degenerate master (seen
            # in column generation): solve again from scratch
            log.debug("HiGHS LP (incremental): status unknown, solved again from scratch")
            h.clearSolver()
            run_status = h.run()
            model_status = h.getModelStatus()
            name = str(getattr(model_status, "name", model_status)).split(".")[-1]
        seconds = time.perf_counter() - t0
        status = _STATUS.get(name, "error" if run_status == highspy.HighsStatus.kError else name)
        info = h.getInfo()
        x: NDArray[np.float64] | None = None
        objective: float | None = None
        row_dual: NDArray[np.float64] | None = None
        if status == "optimal":
            sol = h.getSolution()
            x = np.asarray(sol.col_value, dtype=np.float64)
            objective = float(info.objective_function_value)
            row_dual = np.asarray(sol.row_dual, dtype=np.float64)
        iterations = int(info.simplex_iteration_count)
        log.debug(
            "HiGHS LP (incremental): %d cols, %d rows, %d nonzeros, status %s, objective %s, "
            "%.2f s, %d iterations",
            self.n_cols,
            self.n_rows,
            self.nnz,
            status,
            objective,
            seconds,
            iterations,
        )
        return HighsResult(
            status=status,
            objective=objective,
            x=x,
            dual_bound=objective,
            seconds=seconds,
            iterations=iterations,
            nodes=0,
            n_cols=self.n_cols,
            n_rows=self.n_rows,
            row_dual=row_dual,
        )
