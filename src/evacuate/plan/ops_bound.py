"""Bounds from parking stands, sortie limits and crew rest (docs/model.md; docs/planner.md).

**Stands**: a loaded trip from a place holds a stand there for its whole loading, so a place
with ``N`` stands loads at most ``N`` groups' vehicles at a time. Between the first instant a
vehicle can be there and the last instant a loading there can end and still reach a haven by
the horizon (and before the place's deadline), each stand holds at most ``floor(window /
load_time)`` loadings; the people rescued from a place are at most those it holds and at most
the seats of those loadings. Where a class without stands can load, or loads instantly, the
place sets no limit. (With walkways, the planner bounds a vehicle problem where nobody walks:
plan/walks.py, ``relax_for_bound``.)

**Sorties and rest**: people rescued come into a haven on a loaded trip from a place that is
not one (the net count at havens: moves between havens add nobody), so only those **useful**
trips count. A vehicle free to leave at ``s`` makes an empty approach to its first pickup,
flies useful trips of at least ``loaded = load + fastest travel + unload``, each followed by
its turnaround and a way back of at least the shortest path from a haven to a pickup
(``back``), at most ``max_sorties`` of them. Every trip between two useful ones of one duty
lies inside that duty, so a duty holds at most ``M`` useful trips (``M x loaded + (M - 1) x
(turnaround + back) <= after``, the approach counted in the first duty unless a rest follows
it), and from one duty to the next the vehicle rests ``max(0, for - turnaround)`` more than
its turnaround. The fleet's bound is the seats of the most useful trips each vehicle's
shortest schedule fits before the horizon (``trips_per_vehicle``). The 2-ship ferry that
rests 6 h after 5 h of duty: 600, the optimum (1,000 when empty legs were left out).
Both are sound: they relax every other rule (people, room, lanes, deadlines elsewhere).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import _shortest_paths as shortest_paths  # one Floyd-Warshall
from evacuate.scenario.fleet_limits import stands_for

__all__ = ["Cycle", "cycles", "stands_bound", "trips_per_vehicle", "wear_bound"]

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


@dataclass(frozen=True)
class Cycle:
    """A vehicle's fastest useful work: ``loaded`` (load + travel + unload of a trip from a
    place that is not a haven into a haven), ``back`` (the shortest way from a haven to such a
    place) and ``turnaround`` after each loaded trip."""

    loaded: float
    back: float = 0.0
    turnaround: float = 0.0


def trips_per_vehicle(
    span: float,
    cycle: Cycle,
    max_sorties: float = INF,
    rest: tuple[float, float] = (INF, INF),
    approach: float = 0.0,
) -> float:
    """Useful trips one vehicle can complete in ``span`` after an empty ``approach`` to the
    first pickup; ``rest``: (after, for), inf for none.

    Useful trips ``k`` and ``k + 1`` are at least ``gap = turnaround + back`` apart; a duty
    holds at most ``M`` of them (``M x loaded + (M - 1) x gap <= after``, the approach counted
    in the first duty unless a rest follows it); from one duty to the next the vehicle also
    rests, ``max(0, for - turnaround)`` more. The most trips ``n`` whose shortest schedule fits
    ``span`` (at most ``max_sorties``)."""
    loaded, gap = cycle.loaded, cycle.turnaround + cycle.back
    if not math.isfinite(loaded) or span < approach + loaded - EPS:
        return 0.0
    after, rest_for = rest
    step = loaded + gap
    if step <= 0:
        return max_sorties
    if not math.isfinite(gap):  # no way back to a pickup: one useful trip at most
        one = approach + loaded <= rest[0] + EPS or approach + rest[1] + loaded <= span + EPS
        return float(min(1, max_sorties)) if loaded <= rest[0] + EPS and one else 0.0
    most = math.floor((span - approach + gap) / step + EPS)
    if math.isfinite(after):
        per_duty = math.floor((after + gap) / step + EPS)
        if per_duty < 1:
            return 0.0
        first = math.floor((after - approach + gap) / step + EPS)
        extra = max(0.0, rest_for - cycle.turnaround)

        def shortest(n: int) -> float:
            """The least time ``n`` useful trips take, approach and rests included."""
            base = approach + n * loaded + (n - 1) * (gap if n > 1 else 0.0)
            rested = base + rest_for * (approach > 0) + (math.ceil(n / per_duty) - 1) * extra
            if first < 1:
                return rested
            duties = 1 + math.ceil(max(0, n - first) / per_duty)
            return min(rested, base + (duties - 1) * extra)

        lo, hi = 0, int(min(most, max_sorties))
        while lo < hi:  # the most n with shortest(n) <= span
            mid = (lo + hi + 1) // 2
            if shortest(mid) <= span + EPS:
                lo = mid
            else:
                hi = mid - 1
        most = lo
    return float(min(most, max_sorties))


def cycles(problem: Problem) -> tuple[list[Cycle], np.ndarray]:
    """Each class's :class:`Cycle`, and (class, place) the shortest empty way from a place to
    a pickup that is not a haven (inf: none)."""
    dist = shortest_paths(problem.travel)
    haven = problem.is_haven
    pickup = np.array([problem.is_source(p) for p in range(problem.n_places)]) & ~haven
    out: list[Cycle] = []
    approach = np.full((problem.n_classes, problem.n_places), INF)
    for c in range(problem.n_classes):
        loaded = problem.travel[c][np.ix_(pickup, haven)]
        back = dist[c][np.ix_(haven, pickup)]
        if pickup.any():
            approach[c] = dist[c][:, pickup].min(axis=1)
        out.append(
            Cycle(
                float(problem.load[c] + problem.unload[c] + loaded.min()) if loaded.size else INF,
                float(back.min()) if back.size else INF,
                problem.rest(c),
            )
        )
    return out, approach


def wear_bound(problem: Problem) -> float:
    """Seats of the useful trips (into a haven from a place that is not one) the fleet can fly
    within its sortie limits and duties (inf: no class has a sortie limit or rest)."""
    limits: dict[int, tuple[float, tuple[float, float]]] = {}
    for vc in problem.scenario.fleet.classes:
        c = problem.cindex.get(vc.id)
        if c is not None and (vc.max_sorties is not None or vc.rest is not None):
            sorties = INF if vc.max_sorties is None else float(vc.max_sorties)
            rest = (INF, INF) if vc.rest is None else (vc.rest.after, vc.rest.rest_for)
            limits[c] = (sorties, rest)
    if not limits:
        return INF
    vehicles: dict[tuple[int, int, float], int] = defaultdict(int)
    for s in problem.supply:
        vehicles[(s.c, s.p, s.t)] += s.count
    fastest, approach = cycles(problem)
    total = 0.0
    for (c, p, start), count in sorted(vehicles.items()):
        sorties, rest = limits.get(c, (INF, (INF, INF)))
        span = problem.end - max(0.0, start)
        trips = trips_per_vehicle(span, fastest[c], sorties, rest, float(approach[c, p]))
        if not math.isfinite(trips):
            return INF  # instant round trips without limits
        total += count * trips * float(problem.capacity[c])
    return total
