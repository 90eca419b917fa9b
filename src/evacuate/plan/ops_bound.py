"""Bounds from parking stands, sortie limits and crew rest (docs/model.md; docs/planner.md).

**Stands**: a loaded trip from a place holds a stand there for its whole loading, so a place
with ``N`` stands loads at most ``N`` groups' vehicles at a time. Between the first instant a
vehicle can be there and the last instant a loading there can end and still reach a haven by
the horizon (and before the place's deadline), each stand holds at most ``floor(window /
load_time)`` loadings; the people rescued from a place are at most those it holds and at most
the seats of those loadings. Where a class without stands can load, or loads instantly, the
place sets no limit. (With walkways, the planner bounds a vehicle problem where nobody walks:
plan/walks.py, ``relax_for_bound``.)

**Sorties and rest**: a vehicle free to leave at ``s`` flies loaded trips of at least
``cycle = load + fastest travel + unload``, at most ``max_sorties`` of them, at most ``m =
floor((after + turnaround) / (cycle + turnaround))`` in one duty, and duties are apart by at
least ``max(for, turnaround)``; full duties first fit the most trips before the horizon.
Both are sound: they relax every other rule (people, room, lanes, deadlines elsewhere).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.scenario.fleet_limits import stands_for

__all__ = ["stands_bound", "trips_per_vehicle", "wear_bound"]

INF = math.inf
EPS = 1e-9


def _window(problem: Problem, c: int, p: int) -> tuple[float, float]:
    """(first instant a class-c vehicle can be at p, last instant a loading there may end)."""
    tt = problem.travel[c]
    first = INF
    for s in problem.supply:
        if s.c == c:
            first = min(first, s.t if s.p == p else s.t + float(tt[s.p, p]))
    first = max(first, float(problem.open_from[p]), 0.0)
    sinks = (problem.sink_capacity > 0) & (np.arange(problem.n_places) != p)
    onward = tt[p][sinks] + float(problem.unload[c])
    last = problem.end - float(onward.min()) if len(onward) else -INF
    return first, min(last, float(problem.deadline[p]))


def _place_limit(problem: Problem, p: int) -> float:
    """People the trips loading at ``p`` can carry (inf: no limit from stands)."""
    stands = {pl.id: pl for pl in problem.scenario.places}[problem.places[p]].stands
    if stands is None:
        return INF
    pools: dict[str, tuple[int, list[int]]] = {}
    for name, c in problem.cindex.items():
        got = stands_for(stands, name)
        if got is None:
            if np.isfinite(problem.travel[c][p]).any() or any(
                s.c == c and s.p == p for s in problem.supply
            ):
                return INF  # a class without stands here may load here
            continue
        pools.setdefault(got[0], (got[1], []))[1].append(c)
    total = 0.0
    for limit, classes in pools.values():
        windows = {c: _window(problem, c, p) for c in classes}
        used = [c for c in classes if windows[c][1] - windows[c][0] >= problem.load[c] - EPS]
        if not used:
            continue
        if any(problem.load[c] <= 0 for c in used):
            return INF
        if len(used) == 1:
            c = used[0]
            first, last = windows[c]
            slots = math.floor((last - first) / float(problem.load[c]) + EPS)
            total += limit * slots * float(problem.capacity[c])
        else:
            span = max(windows[c][1] for c in used) - min(windows[c][0] for c in used)
            rate = max(float(problem.capacity[c]) / float(problem.load[c]) for c in used)
            total += limit * span * rate
    return total


def stands_bound(problem: Problem) -> float:
    """Everyone at places without stands, plus what stand-limited places can load (inf: no
    place has stands)."""
    if not problem.supply or all(pl.stands is None for pl in problem.scenario.places):
        return INF
    out = 0.0
    for p in range(problem.n_places):
        people = float(problem.population[p])
        if people > 0:
            out += min(people, _place_limit(problem, p))
    return out


def trips_per_vehicle(
    span: float, cycle: float, turnaround: float, max_sorties: float, rest: tuple[float, float]
) -> float:
    """Loaded trips one vehicle can complete in ``span``; ``rest``: (after, for), inf for none."""
    if not math.isfinite(cycle) or span < cycle - EPS:
        return 0.0
    after, rest_for = rest
    if cycle > after + EPS:
        return 0.0
    step = cycle + turnaround
    if step <= 0:
        return max_sorties
    trips = math.floor((span + turnaround) / step + EPS)
    if math.isfinite(after) and rest_for > turnaround:
        m = max(1, math.floor((after + turnaround) / step + EPS))
        block = m * cycle + (m - 1) * turnaround
        k = math.floor((span + rest_for) / (block + rest_for) + EPS)
        left = span - k * (block + rest_for)
        extra = 0 if left < cycle - EPS else min(m, math.floor((left + turnaround) / step + EPS))
        trips = min(trips, k * m + extra)
    return float(min(trips, max_sorties))


def wear_bound(problem: Problem) -> float:
    """Seats of the loaded trips the fleet can fly within its sortie limits and duties (inf:
    no class has a sortie limit or rest)."""
    limits: dict[int, tuple[float, tuple[float, float]]] = {}
    for vc in problem.scenario.fleet.classes:
        c = problem.cindex.get(vc.id)
        if c is not None and (vc.max_sorties is not None or vc.rest is not None):
            sorties = INF if vc.max_sorties is None else float(vc.max_sorties)
            rest = (INF, INF) if vc.rest is None else (vc.rest.after, vc.rest.rest_for)
            limits[c] = (sorties, rest)
    if not limits:
        return INF
    vehicles: dict[tuple[int, float], int] = defaultdict(int)
    for s in problem.supply:
        vehicles[(s.c, s.t)] += s.count
    total = 0.0
    for (c, start), count in sorted(vehicles.items()):
        finite = problem.travel[c][np.isfinite(problem.travel[c])]
        if not len(finite):
            continue
        cycle = float(problem.load[c] + finite.min() + problem.unload[c])
        if c not in limits:
            if problem.end - start >= cycle and cycle + problem.rest(c) <= 0:
                return INF  # instant round trips without limits
            sorties, rest = INF, (INF, INF)
        else:
            sorties, rest = limits[c]
        span = problem.end - max(0.0, start)
        trips = trips_per_vehicle(span, cycle, problem.rest(c), sorties, rest)
        if not math.isfinite(trips):
            return INF
        total += count * trips * float(problem.capacity[c])
    return total
