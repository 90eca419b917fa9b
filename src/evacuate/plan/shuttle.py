"""Shuttle problems: rules with no clock but travel (the bus evacuation problem, Bish 2011).

No deadlines before the horizon, lane windows, closures, throughput limits, berths, openings
(but havens closed to loaded departures through the horizon), events or withdrawals; everyone
waits at a pickup place from time zero and havens hold people for good.
A plan is then each vehicle's sequence of loads, and every time follows from the sequence
(the route search is improve.py; the makespan lower bound shuttle_bound.py).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from evacuate.plan.problem import Problem

__all__ = ["MAX_PAIRS", "empty_paths", "is_shuttle", "uniform_views"]

MAX_PAIRS = 400_000
"""Vehicles x loads beyond which the search is not tried (its passes would be too long)."""


def is_shuttle(problem: Problem) -> bool:
    """Whether the problem's rules have no clock but travel (see the module docstring)."""
    pb = problem
    if not pb.supply or len({int(pb.capacity[s.c]) for s in pb.supply}) != 1:
        return False
    sources = pb.population > 0
    havens = pb.is_haven
    if np.any(sources & havens) or np.any((pb.sink_capacity > 0) & ~havens):
        return False
    if np.any(np.isfinite(pb.deadline)) or np.any(np.isfinite(pb.withdraw)):
        return False
    if pb.destroys or pb.place_closed or any(t > 0 for _, t, _ in pb.arrivals):
        return False
    if pb.tires or pb.pauses or pb.damages:
        return False  # turnaround and withdrawal are clocks
    if np.any(np.isfinite(pb.load_budget)) or np.any(np.isfinite(pb.unload_budget)):
        return False
    if np.any(pb.berths < pb.total_vehicles):
        return False
    # an opening after the horizon at a haven only says that its people stay (the BEP's rule,
    # which routes of loads keep anyway); any other opening is a clock
    sealed = havens & (pb.open_from >= pb.end)
    if np.any((pb.open_from > 0) & ~sealed):
        return False
    for routes in pb.routes.values():
        for r in routes:
            if r.closed or (r.lane is not None and (r.lane.windows or r.lane.periodic)):
                return False
    n_loads = sum(
        -(-int(pb.population[i]) // int(pb.capacity[pb.supply[0].c]))
        for i in np.flatnonzero(sources)
    )
    if pb.total_vehicles * max(1, n_loads) > MAX_PAIRS:
        return False
    # every move a route may need must exist: starts -> sources, sources <-> havens
    src, hav = np.flatnonzero(sources), np.flatnonzero(havens)
    for s in pb.supply:
        tt = empty_paths(pb.travel[s.c])[0]
        if not (
            np.all(np.isfinite(tt[np.ix_(src, hav)]))
            and np.all(np.isfinite(tt[np.ix_(hav, src)]))
            and (s.p in set(src.tolist()) or np.all(np.isfinite(tt[s.p, src])))
        ):
            return False
    return True


def uniform_views(problem: Problem) -> list[Problem]:
    """A problem that is a shuttle problem but for its vehicles' capacities, seen as shuttle
    problems of one capacity: per distinct capacity ``c``, the vehicles of at least ``c``
    seats, each carrying at most ``c`` (a plan of a view is one of the problem, and the
    smallest ``c`` keeps every vehicle). Empty for one capacity or for other problems."""
    caps = sorted({int(problem.capacity[s.c]) for s in problem.supply})
    if len(caps) < 2:
        return []
    views = []
    for c in caps:
        view = replace(
            problem,
            capacity=np.minimum(problem.capacity, c),
            supply=[s for s in problem.supply if problem.capacity[s.c] >= c],
        )
        if not is_shuttle(view):
            break  # the rules (checked once, on every vehicle) or too many loads
        views.append(view)
    return views


def empty_paths(travel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shortest times of empty moves, which may chain trips through other places (travel
    times need not obey the triangle inequality), and the next place on each way."""
    n = travel.shape[0]
    dist = travel.copy()
    np.fill_diagonal(dist, 0.0)
    nxt = np.where(np.isfinite(dist), np.arange(n)[None, :], -1)
    for k in range(n):
        via = dist[:, k, None] + dist[None, k, :]
        better = via < dist - 1e-9
        if np.any(better):
            dist = np.where(better, via, dist)
            nxt = np.where(better, nxt[:, k, None], nxt)
    return dist, nxt
