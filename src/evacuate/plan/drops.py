"""The dispatcher's candidate drops, the value of a trip, and where an idle group escapes to
(``plan/heuristic.py``).

For each class and place, the nearest few places that can take people and may still have
room, with their travel times and values: a decision looks at those drops only (one compiled
pass over places x candidates, ``dispatch_kernel.py``), so its cost does not grow with the
havens, and no (places, places) array is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from evacuate.plan.problem import Problem

__all__ = ["DropLists", "DropValues", "nearness", "refuge"]

EPS = 1e-9


class DropValues:
    """The value per person of a loaded trip from place i to place j, for the pairs asked
    (``values[i, j]`` with indices or index arrays that broadcast), so that no (places,
    places) array is kept: 1 to a haven, ``stage_value`` to a staging place (capacity,
    deadline before the end), ``transfer_value`` between havens away from the people to
    rescue (to a haven farther from every pickup place, so the room freed is nearer: never
    back and forth), -1 where the trip is no option (j takes nobody, or j is i)."""

    def __init__(self, problem: Problem, stage_value: float, transfer_value: float) -> None:
        self.haven = problem.is_haven
        self.sink = problem.sink_capacity > 0
        self.staging = self.sink & ~problem.is_haven
        self.near = nearness(problem)
        self.stage_value = stage_value
        self.transfer_value = transfer_value

    def __getitem__(self, key: tuple[Any, Any]) -> Any:
        if isinstance(key[0], int) and isinstance(key[1], int):
            return self.one(key[0], key[1])
        i, j = np.asarray(key[0]), np.asarray(key[1])
        hi, hj = self.haven[i], self.haven[j]
        value = hj.astype(float) - hi.astype(float)
        value = value + np.where(self.staging[j] & ~hi, self.stage_value, 0.0)
        both = hi & hj
        value = np.where(both, self.transfer_value, value)
        value = np.where(both & (self.near[j] <= self.near[i]), -1.0, value)
        value = np.where(~self.sink[j] | (i == j), -1.0, value)
        return float(value) if value.ndim == 0 else value

    def one(self, i: int, j: int) -> float:
        """The value of one pair (the same number as for index arrays)."""
        if not self.sink[j] or i == j:
            return -1.0
        hi, hj = bool(self.haven[i]), bool(self.haven[j])
        if hi and hj:
            return -1.0 if self.near[j] <= self.near[i] else self.transfer_value
        value = float(hj) - float(hi)
        return value + (self.stage_value if self.staging[j] and not hi else 0.0)


class DropLists:
    """Per class, (places, n) the open drops nearest to each place (-1 where fewer), their
    travel times (``ctt``, inf where none) and values per person (``cval``, -1 where none).
    Rows are refreshed when one of their drops fills up for good."""

    def __init__(self, problem: Problem, value: DropValues, n_cand: int) -> None:
        self.pb = problem
        self.value = value
        sink = problem.sink_capacity > 0
        self.sinks = np.flatnonzero(sink)
        self.open = sink.copy()
        self.n_cand = min(len(self.sinks), n_cand)
        self.stale: list[int] = []
        n_p = problem.n_places
        self.cand = [self.nearest(c, np.arange(n_p)) for c in range(problem.n_classes)]
        self.ctt = [np.full(cand.shape, np.inf) for cand in self.cand]
        self.cval = [np.full(cand.shape, -1.0) for cand in self.cand]
        for c in range(problem.n_classes):
            self._limits(c, np.arange(n_p))

    def nearest(self, c: int, rows: np.ndarray) -> np.ndarray:
        """(len(rows), n_cand) the open drops nearest to each row's place for class c."""
        open_sinks = self.sinks[self.open[self.sinks]]
        out = np.full((len(rows), self.n_cand), -1, dtype=np.int64)
        if len(open_sinks) == 0 or len(rows) == 0:
            return out
        k = min(self.n_cand, len(open_sinks))
        if self.pb.times.on_demand:  # straight-line travel: a k-d tree, no (rows, sinks) block
            got = self.pb.times.nearest_targets(c, rows, open_sinks, k)
            out[:, :k] = np.where(got >= 0, open_sinks[np.maximum(got, 0)], -1)
            return out
        tt = self.pb.times.block(c, rows, open_sinks)
        if k < len(open_sinks):
            part = np.argpartition(tt, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(k), (len(rows), k))
        order = np.argsort(np.take_along_axis(tt, part, axis=1), axis=1, kind="stable")
        out[:, :k] = open_sinks[np.take_along_axis(part, order, axis=1)]
        return out

    def _limits(self, c: int, rows: np.ndarray) -> None:
        """The travel times and values per person of the rows' candidate drops."""
        cols = self.cand[c][rows]
        has = cols >= 0
        cols = np.where(has, cols, 0)
        ri = rows[:, None]
        tt = np.where(has, self.pb.times.pairs(c, ri, cols), np.inf)
        self.ctt[c][rows] = tt
        val = np.where(has, self.value[ri, cols], -1.0)
        self.cval[c][rows] = val

    def refresh(self) -> None:
        """Candidate rows that list a drop which has filled up: the nearest open ones."""
        if not self.stale:
            return
        full = np.array(self.stale, dtype=np.int64)
        self.stale = []
        for c, cand in enumerate(self.cand):
            rows = np.flatnonzero(np.isin(cand, full).any(axis=1))
            if len(rows):
                cand[rows] = self.nearest(c, rows)
                self._limits(c, rows)

    def close(self, j: int) -> None:
        """Place ``j`` is full for good (nobody leaves it): no longer a candidate."""
        self.open[j] = False
        self.stale.append(j)

    def reopen(self, i: int) -> None:
        """People left the full place ``i``: it has room again, every row is rebuilt."""
        self.open[i] = True
        every = np.arange(self.pb.n_places)
        for c in range(self.pb.n_classes):
            self.cand[c][:] = self.nearest(c, every)
            self._limits(c, every)


def refuge(
    pb: Problem,
    deadline: np.ndarray,
    c: int,
    p: int,
    t: float,
    usable: Callable[[int, float, float], bool],
) -> tuple[float, float, int] | None:
    """(start, arrival, place) of the empty move out of ``p`` (its deadline within the
    horizon) for class ``c`` at ``t`` to the place reached first among those safe longest,
    or None. ``usable(q, start, arrival)``: the rules the caller checks besides routes,
    deadlines, withdrawals, an operator's pauses and closures.

    Places are tried in order of how long they stay safe, then of the earliest arrival any
    route could give (the fastest travel time): the scan stops at the first place that
    cannot beat the best found, so an escape costs what it looks at, not every place.
    """
    dp = float(deadline[p])
    w = float(pb.withdraw[c])
    tt = pb.times.row(c, p)
    near = np.flatnonzero(np.isfinite(tt) & (deadline > dp))
    near = near[near != p]
    safe = -np.minimum(deadline[near], pb.end + 1.0)
    soon = t + tt[near]
    order = np.lexsort((near, soon, safe))
    best: tuple[float, float, float, int] | None = None
    for k in order.tolist():
        q = int(near[k])
        if best is not None and (float(safe[k]), float(soon[k])) > best[:2]:
            break  # no later place is safer, nor reached sooner at equal safety
        dq = float(deadline[q])
        route = pb.best_route(c, p, q, t, latest_start=min(dp, w))
        back = pb.pause_end(c, route[0]) if route is not None and pb.pauses else None
        if back is not None:  # the operator is withdrawn then: leave once it is back
            route = pb.best_route(c, p, q, back, latest_start=min(dp, w))
        if route is None:
            continue
        st0, ti = route
        if pb.pauses and (pb.pause_end(c, st0) is not None or pb.crosses_hard_pause(c, st0, ti)):
            continue
        if st0 >= dp - EPS or st0 >= w - EPS or ti >= dq - EPS:
            continue
        if ti > pb.arrive_by(c) + EPS:
            continue
        if not (pb.place_open(p, st0) and pb.place_open(q, ti)) or not usable(q, st0, ti):
            continue
        key = (float(safe[k]), ti, st0, q)
        if best is None or key < best:
            best = key
    return None if best is None else (best[2], best[1], best[3])


def nearness(problem: Problem) -> np.ndarray:
    """(P,) the quickest loaded trip any class makes to each place from a place that has or
    will have people to rescue (inf: none reaches it directly)."""
    sources = np.zeros(problem.n_places, dtype=bool)
    sources[[p for p, _, n in problem.arrivals if n > 0 and not problem.is_haven[p]]] = True
    if not np.any(sources) or problem.n_classes == 0:  # nobody, or no class
        return np.full(problem.n_places, np.inf)
    return problem.times.nearest_from(sources)
