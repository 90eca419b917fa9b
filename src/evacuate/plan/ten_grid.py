"""The time-expanded network's grid: steps of ``dt``, arc sets, the model arrays and the
helpers that place times on the grid in each mode (``plan/ten.py`` explains the model)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.problem import Problem, Route
from evacuate.scenario.model import WithdrawOperator

__all__ = [
    "BIG",
    "INF",
    "TOL",
    "Arcs",
    "BoolArray",
    "Builder",
    "FloatArray",
    "IntArray",
    "Mode",
    "TenModel",
    "arrival_limit",
    "closures",
    "first_step_at_or_after",
    "free_intervals",
    "grid_size",
    "hard_withdraw",
    "relax_step",
    "route_is_plain",
]

Mode = Literal["relax", "feasible"]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

INF = math.inf
BIG = 1 << 40
TOL = 1e-9


@dataclass
class Arcs:
    """Move arcs: vehicles of class ``c`` leave ``i`` at step ``k`` and reach ``j`` at ``k + s``."""

    c: IntArray
    i: IntArray
    j: IntArray
    k: IntArray
    s: IntArray
    must_load: BoolArray
    """Loaded arcs whose timing is not valid for an empty trip: every vehicle carries someone."""

    @staticmethod
    def empty() -> Arcs:
        z = np.zeros(0, dtype=np.int64)
        return Arcs(z, z, z, z, z, np.zeros(0, dtype=np.bool_))

    def __len__(self) -> int:
        return len(self.k)

    def take(self, mask: BoolArray | IntArray) -> Arcs:
        return Arcs(
            self.c[mask],
            self.i[mask],
            self.j[mask],
            self.k[mask],
            self.s[mask],
            self.must_load[mask],
        )


@dataclass
class TenModel:
    """A built TEN model: the LP/MIP arrays plus the index maps to read a solution back."""

    mode: Mode
    dt: float
    K: int
    times: FloatArray
    c: FloatArray
    A: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integrality: BoolArray
    offset: float
    """Constant added to ``c @ x`` to get the objective (people already counted)."""
    wait: Arcs
    empty: Arcs
    loaded: Arcs
    col_wait: IntArray
    col_empty: IntArray
    col_loaded_x: IntArray
    col_loaded_y: IntArray
    supply: dict[tuple[int, int, int], int]
    tiebreak_max: float = 0.0
    people_scale: float = 1.0
    """People are counted in units of this many (relax mode) to keep the LP well scaled."""
    notes: list[str] = field(default_factory=list)
    loaded_rest: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Steps each loaded arc's vehicles rest after arriving (the class's turnaround)."""
    walk: Any = None
    """The walking arcs (``plan/ten_walks.WalkArcs``; None or empty: nobody walks)."""
    col_walk: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_cols(self) -> int:
        return int(self.A.shape[1])

    @property
    def n_rows(self) -> int:
        return int(self.A.shape[0])


class Builder:
    """Columns, rows and nonzeros gathered as numpy blocks, assembled once into CSC."""

    def __init__(self) -> None:
        self.cost: list[FloatArray] = []
        self.lb: list[FloatArray] = []
        self.ub: list[FloatArray] = []
        self.integer: list[BoolArray] = []
        self.n_cols = 0
        self.rlo: list[FloatArray] = []
        self.rhi: list[FloatArray] = []
        self.n_rows = 0
        self.ri: list[IntArray] = []
        self.ci: list[IntArray] = []
        self.val: list[FloatArray] = []

    def cols(
        self,
        n: int,
        cost: float | FloatArray = 0.0,
        lb: float | FloatArray = 0.0,
        ub: float | FloatArray = INF,
        integer: bool = False,
    ) -> IntArray:
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,)).copy())
        self.integer.append(np.full(n, integer, dtype=np.bool_))
        self.n_cols += n
        return idx

    def rows(self, n: int, lo: float | FloatArray, hi: float | FloatArray) -> IntArray:
        idx = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.rhi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy())
        self.n_rows += n
        return idx

    def nz(self, r: IntArray, c: IntArray, v: float | FloatArray) -> None:
        r = np.asarray(r, dtype=np.int64)
        c = np.asarray(c, dtype=np.int64)
        self.ri.append(r)
        self.ci.append(c)
        self.val.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape).copy())

    @staticmethod
    def _cat(parts: list[FloatArray] | list[BoolArray] | list[IntArray], dtype: type) -> NDArray:  # type: ignore[type-arg]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    def build(
        self,
    ) -> tuple[FloatArray, sp.csc_array, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
        ri = self._cat(self.ri, np.int64)
        ci = self._cat(self.ci, np.int64)
        val = self._cat(self.val, np.float64)
        keep = val != 0.0
        A = sp.csc_array(
            (val[keep], (ri[keep], ci[keep])), shape=(self.n_rows, self.n_cols), dtype=np.float64
        )
        A.sum_duplicates()
        return (
            self._cat(self.cost, np.float64),
            A,
            self._cat(self.rlo, np.float64),
            self._cat(self.rhi, np.float64),
            self._cat(self.lb, np.float64),
            self._cat(self.ub, np.float64),
            self._cat(self.integer, np.bool_),
        )


def closures(problem: Problem) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[] for _ in range(problem.n_places)]
    for p, a, b in problem.place_closed:
        out[p].append((a, b))
    return out


def arrival_limit(deadline: float, closed: list[tuple[float, float]]) -> float:
    """Arrivals must come before this: the deadline, pulled back by closures that reach it."""
    limit = deadline
    changed = True
    while changed:
        changed = False
        for a, b in closed:
            if a < limit <= b:
                limit = a
                changed = True
    return limit


def free_intervals(
    lo: float, hi: float, closed: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Parts of ``[lo, hi]`` outside the half-open closures (endpoints kept: permissive)."""
    segs = [(lo, hi)]
    for a, b in closed:
        nxt: list[tuple[float, float]] = []
        for x, y in segs:
            if b <= x or a > y:
                nxt.append((x, y))
                continue
            if x < a:
                nxt.append((x, a))
            if b <= y:
                nxt.append((b, y))
        segs = nxt
    return segs


def route_is_plain(route: Route) -> bool:
    lane = route.lane
    windowed = lane is not None and (bool(lane.windows) or lane.periodic is not None)
    return not windowed and not route.closed


def hard_withdraw(problem: Problem) -> FloatArray:
    """(C,) times by which trips must have arrived (withdrawals without finish_current_trip)."""
    out = np.full(problem.n_classes, INF)
    for ev in problem.scenario.enabled_events:
        if ev.mode != "known":
            continue
        for eff in ev.effects:
            if isinstance(eff, WithdrawOperator) and not eff.finish_current_trip:
                for c, op in enumerate(problem.operator):
                    paused = any(k == c and a == ev.at for k, a, _, _ in problem.pauses)
                    if op == eff.operator and not paused:  # a return ends a pause: relaxed
                        out[c] = min(out[c], ev.at)
    return out


def grid_size(end: float, dt: float, mode: Mode) -> int:
    if end < 0:
        return -1
    if mode == "relax":
        return math.floor(end / dt + TOL)
    k = math.floor(end / dt)
    while (k + 1) * dt <= end:
        k += 1
    while k >= 0 and k * dt > end:
        k -= 1
    return k


def first_step_at_or_after(t: FloatArray, dt: float) -> IntArray:
    """Smallest k with ``k * dt >= t`` (exact in floats)."""
    k = np.ceil(t / dt).astype(np.int64)
    k = np.where((k - 1) * dt >= t, k - 1, k)
    k = np.where(k * dt < t, k + 1, k)
    return np.maximum(k, 0)


def relax_step(t: float, dt: float) -> int:
    return max(0, math.floor(t / dt + TOL))
