"""Parts of the fleet bound (``fleet_bound.py``): a sparse LP built in numpy blocks, nearest
columns per row, minima per group, and the havens' groups."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.problem import Problem

__all__ = ["Model", "empty_times", "group_min", "haven_groups", "keep_nearest", "nearest"]


class Model:
    """A sparse LP built in numpy blocks: columns, and rows ``a x <= hi``."""

    def __init__(self) -> None:
        self.n = 0
        self.obj: list[NDArray[np.float64]] = []
        self.r: list[NDArray[np.int64]] = []
        self.c: list[NDArray[np.int64]] = []
        self.v: list[NDArray[np.float64]] = []
        self.hi: list[float] = []

    def cols(self, obj: NDArray[np.float64]) -> NDArray[np.int64]:
        idx = np.arange(self.n, self.n + len(obj), dtype=np.int64)
        self.n += len(obj)
        self.obj.append(np.asarray(obj, dtype=np.float64))
        return idx

    def rows(self, n: int, hi: NDArray[np.float64] | float) -> NDArray[np.int64]:
        """``n`` new rows with limits ``hi``; their terms come through ``terms``."""
        first = len(self.hi)
        self.hi.extend(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).tolist())
        return np.arange(first, first + n, dtype=np.int64)

    def terms(self, rows: NDArray[np.int64], cols: NDArray[np.int64], vals: object) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        v = np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape)
        self.r.append(rows.ravel().astype(np.int64))
        self.c.append(cols.ravel().astype(np.int64))
        self.v.append(v.ravel().astype(np.float64))


def empty_times(
    problem: Problem, c: int, sources: NDArray[np.int64], to: NDArray[np.int64]
) -> NDArray[np.float64]:
    """(len(sources), len(to)) shortest empty-move times of class ``c`` (0 to itself)."""
    if problem.routes.straight:
        out = problem.times.block(c, sources, to)
    else:
        from evacuate.plan.pooled_trips import _empty_from

        out = _empty_from(problem, c, sources)[:, to]
    return np.where(sources[:, None] == to[None, :], 0.0, out)


def nearest(times: NDArray[np.float64], k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per row, the columns of its ``k`` smallest times (ties by column) and the smallest time
    of the other columns (inf: none)."""
    n, m = times.shape
    k = min(k, m)
    if k == m:
        return np.tile(np.arange(m, dtype=np.int64), (n, 1)), np.full(n, math.inf)
    # k smallest by (time, column): a stable sort on a partitioned slice
    part = np.argpartition(times, k, axis=1)[:, : k + 1]
    vals = np.take_along_axis(times, part, axis=1)
    order = np.lexsort((part, vals), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    kth = np.take_along_axis(vals, order, axis=1)[:, k]
    # columns tied with the k-th smallest time may sit outside the slice: the far time is
    # the (k+1)-th smallest value, which no other column undercuts
    return part[:, :k], kth


def group_min(times: NDArray[np.float64], groups: NDArray[np.int64]) -> NDArray[np.float64]:
    """(rows, groups) the smallest time of each row to the columns of each group."""
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    return np.asarray(np.minimum.reduceat(times[:, order], starts, axis=1), dtype=np.float64)


def keep_nearest(times: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """(rows, G + 1): each row's ``n`` smallest columns as they are, the others inf and
    their smallest in the last column."""
    near, rest = nearest(times, n)
    out = np.full((times.shape[0], times.shape[1] + 1), math.inf)
    rows = np.arange(times.shape[0])[:, None]
    out[rows, near] = times[rows, near]
    out[:, -1] = rest
    return out


def haven_groups(problem: Problem, hv: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Each haven's group, 0 .. n-1 (all used): the nearest of ``n`` centres picked farthest
    first (by the first class's times both ways; a haven no centre reaches joins the first
    group). Any partition keeps the bound valid; a compact one keeps it tight."""
    n = max(1, min(n, hv.size))
    t = problem.times.block(0, hv, hv)
    t = np.minimum(t, t.T)
    np.fill_diagonal(t, 0.0)
    t = np.where(np.isfinite(t), t, 1e300)
    centres = [0]
    gap = t[0].copy()
    while len(centres) < n:
        k = int(np.argmax(gap))
        if gap[k] <= 0:
            break
        centres.append(k)
        np.minimum(gap, t[k], out=gap)
    label = np.argmin(t[centres], axis=0).astype(np.int64)
    # number the groups in use 0 .. n-1
    _, out = np.unique(label, return_inverse=True)
    return np.asarray(out, dtype=np.int64)
