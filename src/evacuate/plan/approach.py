"""Empty approaches over several lanes: how a group reaches a pickup it has no route to.

With declared lanes (``routes: lanes``, or places without positions) a pickup may lie
several lanes away from where a group stands (depot - port - town). A trip follows one
route, so the approach is a chain of empty trips along the shortest path over the routes
(per class, times ignoring windows, as the bounds assume: ``roundtrips._shortest_paths``);
each hop then waits for its lane's windows and closures. The dispatcher looks at such
pickups only for a group that has nothing to do over its own routes, and pairs with a route
of their own keep it: plans that needed no chain are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import csgraph_from_dense, dijkstra

from evacuate.plan.problem import Problem

__all__ = ["Approaches", "Hop"]

EPS = 1e-9

Hop = tuple[int, int, float, float]
"""(from, to, travel start, arrival) of one empty trip of a chain."""


class Approaches:
    """Shortest empty paths from one place, per class, computed on first use and kept."""

    def __init__(self, problem: Problem) -> None:
        self.pb = problem
        # straight-line travel only: every place with a time is reached directly
        self.active = not problem.routes.straight
        self._rows: dict[tuple[int, int], tuple[NDArray[np.float64], NDArray[np.int32]]] = {}
        self._graphs: dict[int, object] = {}

    def _paths(self, c: int, p: int) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        key = (c, p)
        found = self._rows.get(key)
        if found is None:
            graph = self._graphs.get(c)
            if graph is None:
                graph = csgraph_from_dense(self.pb.travel[c], null_value=math.inf)
                self._graphs[c] = graph
            dist, pred = dijkstra(graph, directed=True, indices=p, return_predecessors=True)
            found = (np.asarray(dist, dtype=np.float64), np.asarray(pred, dtype=np.int32))
            self._rows[key] = found
        return found

    def row(self, c: int, p: int) -> NDArray[np.float64] | None:
        """(P,) times of class ``c`` from ``p``: the direct route's where there is one, else
        the shortest path's; None when the paths reach no place the direct routes miss."""
        if not self.active:
            return None
        direct = self.pb.times.row(c, p)
        if int(np.count_nonzero(np.isinf(direct))) <= 1:
            return None
        dist = self._paths(c, p)[0]
        added = np.isinf(direct) & np.isfinite(dist)
        added[p] = False
        if not np.any(added):
            return None
        return np.where(added, dist, direct)

    def path(self, c: int, p: int, i: int) -> list[int]:
        """Places from ``p`` to ``i`` on the shortest path (empty: unreachable)."""
        pred = self._paths(c, p)[1]
        out = [i]
        while out[-1] != p:
            q = int(pred[out[-1]])
            if q < 0 or len(out) > len(pred):
                return []
            out.append(q)
        return out[::-1]

    def chain(
        self,
        c: int,
        p: int,
        i: int,
        t: float,
        deadline: NDArray[np.float64],
        lost: Callable[[int, float, float], bool],
    ) -> list[Hop] | None:
        """The empty trips of class ``c`` from ``p`` (free at ``t``) to ``i`` along the
        shortest path, each as early as its route opens, or None when a hop cannot be flown:
        no route open in time, a place past its deadline or closed, the operator withdrawn
        or paused, a known loss where the group waits (``lost(place, a, b)``)."""
        pb = self.pb
        places = self.path(c, p, i)
        if len(places) < 3:
            return None  # unreachable, or one hop (the caller's own route)
        w = float(pb.withdraw[c])
        hops: list[Hop] = []
        at, ready = p, t
        for q in places[1:]:
            route = pb.best_route(c, at, q, ready, latest_start=min(deadline[at], w))
            if route is None:
                return None
            st0, ti = route
            if st0 > deadline[at] + EPS or st0 >= w - EPS or ti >= deadline[q] - EPS:
                return None
            if ti > pb.end + EPS or ti > pb.arrive_by(c) + EPS:
                return None
            if pb.pauses and (
                pb.pause_end(c, st0) is not None or pb.crosses_hard_pause(c, st0, ti)
            ):
                return None
            if not (pb.place_open(at, st0) and pb.place_open(q, ti)):
                return None
            if lost(at, ready, st0):
                return None
            hops.append((at, q, st0, ti))
            at, ready = q, ti
        return hops
