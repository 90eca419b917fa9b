"""Bounds from parking stands, sortie limits and crew rest (docs/model.md; docs/planner.md).

**Stands**: people rescued come into a haven on a **useful** trip, a loaded trip from a place
that is not a haven (rescued is the havens' net inflow, and moves between havens add nobody),
and each of them was loaded at its own place, not a haven (people delivered to a place without
room may go on from it at the same instant, so any place that is not a haven may load). A
loading holds a stand at its place for ``load_time``; a useful trip's unloading holds one at
its haven for ``unload_time`` and the turnaround after it (unless a known event may destroy or
damage vehicles there). At most ``N`` vehicles of a pool are present at once when a trip
arrives, and the intervals that start with an arrival overlap at most ``N`` deep, so they form
``N`` chains: per stand at most ``floor((last - first) / load_time)`` loadings, between the
first instant a vehicle can be there and the last a loading may end and still reach a haven by
the horizon (and before the place's deadline), and at most ``floor((end - unload_time - first
unloading) / hold) + 1`` unloadings. Vehicles that enter a place (production, reinforcements,
repaired ones, stock free after the first instant) are not checked, so each may add one loading
there. An LP (``stands_bound``) then takes the most people: rescued from a place at most its
people and the seats of its loadings, into the havens at most the seats of their unloadings
(one may take in more than its room when some move on to another) and in all at most their
room, and per class no more useful unloadings than loadings; several classes in one pool share
its stand- time. A class without stands at a place, or that loads (unloads and turns round)
instantly, is not limited there. (With walkways, the planner bounds a vehicle problem where
nobody walks: plan/walks.py, ``relax_for_bound``.)

**Sorties and rest**: people rescued come into a haven on a loaded trip from a place that is
not one (the net count at havens: moves between havens add nobody), so only those **useful**
trips count. A vehicle free to leave at ``s`` makes an empty approach to its first pickup,
flies useful trips of at least ``loaded = load + fastest travel + unload``, each followed by
its turnaround and a way back of at least the shortest path from a haven to a pickup
(``back``), at most ``max_sorties`` of them. Every trip between two useful ones of one duty
lies inside that duty, so a duty holds at most ``M`` useful trips (``M x loaded + (M - 1) x
(turnaround + back) <= after``, the approach counted in the first duty unless a rest follows
it), and from one duty to the next the vehicle rests ``max(0, for - turnaround)`` more than
its turnaround. Stock written mid-operation brings a ``record``: its sorties count against
``max_sorties``, and a duty it has begun (not rested by the time it is free) either goes on,
ending ``after`` from its start, or waits out its rest first. The fleet's bound is the seats
of the most useful trips each vehicle's shortest schedule fits before the horizon
(``trips_per_vehicle``), each vehicle from its own record. The 2-ship ferry that rests 6 h
after 5 h of duty: 600, the optimum (1,000 when empty legs were left out).
Both are sound: they relax every other rule (people, room, lanes, deadlines elsewhere).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from evacuate.plan.problem import Flown, Problem
from evacuate.plan.roundtrips import _Lp
from evacuate.plan.roundtrips import _shortest_paths as shortest_paths  # one Floyd-Warshall
from evacuate.scenario.fleet_limits import record_of, stands_for
from evacuate.scenario.model import AddVehicles
from evacuate.scenario.summary import produced

__all__ = ["Cycle", "cycles", "stands_bound", "trips_per_vehicle", "wear_bound"]

log = logging.getLogger(__name__)

INF = math.inf
EPS = 1e-9
MAX_PLACES = 1_000
"""More places than this: no stands or wear bound (their shortest paths are a places x places
Floyd-Warshall per class; the other bounds still hold)."""


def _pools(problem: Problem, x: int) -> dict[str, tuple[int, list[int]]]:
    """Stand pools at place ``x``: key -> (stands, class indices in the pool)."""
    stands = problem.scenario.place(problem.places[x]).stands
    pools: dict[str, tuple[int, list[int]]] = {}
    if stands is None:
        return pools
    for name, c in problem.cindex.items():
        got = stands_for(stands, name)
        if got is not None:
            pools.setdefault(got[0], (got[1], []))[1].append(c)
    return pools


def _entering(problem: Problem, x: int, classes: list[int], after: float) -> float:
    """Vehicles of ``classes`` that enter place ``x`` unchecked by its stands: production,
    reinforcements and repaired ones at any time, stock free after ``after`` (stock free by
    then fits the stands, as validation refuses more)."""
    sc, name = problem.scenario, problem.places[x]
    names = {problem.classes[c] for c in classes}
    fleet = sum(s.count for s in problem.supply if s.c in classes)
    out = 0.0
    for st in sc.fleet.stock:
        if st.place == name and st.vehicle_class in names and st.available_from > after + EPS:
            out += st.count
    for y in sc.fleet.shipyards:
        if y.place == name and y.vehicle_class in names:
            out += produced(y, problem.end)
    for ev in sc.enabled_events:
        for fx in ev.effects if ev.mode == "known" else ():
            if isinstance(fx, AddVehicles) and fx.place == name and fx.vehicle_class in names:
                out += fx.count
    for d in problem.damages:
        if d.p == x and d.classes & set(classes):
            out += fleet if d.count is None else d.count
    return out


class _Windows:
    """When stands can be used: (class, place) the first instant a loading may start and the
    last instant it may end so that its people still reach a haven by the horizon
    (and before the place's deadline); (class, haven) the first instant an unloading of a
    useful trip may start."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        n_c, n_p = problem.n_classes, problem.n_places
        dist = shortest_paths(problem.travel)
        tt = problem.travel
        earliest = np.full((n_c, n_p), INF)
        for s in problem.supply:
            np.minimum(earliest[s.c], max(s.t, 0.0) + dist[s.c][s.p], out=earliest[s.c])
        self.earliest = earliest
        self.first = np.maximum(earliest, np.maximum(problem.open_from, 0.0)[None, :])
        # from a place, the shortest way on to a haven in any class (people change vehicles)
        to_haven = shortest_paths(tt.min(axis=0)[None])[0][:, problem.is_haven]
        onward = to_haven.min(axis=1) if to_haven.size else np.full(n_p, INF)
        self.last = np.full((n_c, n_p), -INF)
        for c in range(n_c):
            for p in range(n_p):
                legs = np.delete(tt[c][p] + onward, p)  # a first leg, then on to a haven
                if len(legs):
                    self.last[c, p] = problem.end - float(legs.min() + problem.unload[c])
        self.last = np.minimum(self.last, problem.deadline[None, :])
        # people delivered to a place without room may go on from it at the same instant
        self.pickups = [p for p in range(n_p) if not problem.is_haven[p]]
        self.unload_from = np.full((n_c, n_p), INF)
        for c in range(n_c):
            for q in self.pickups:
                if self.loads(c, q):
                    start = self.first[c, q] + float(problem.load[c]) + tt[c][q]
                    np.minimum(self.unload_from[c], start, out=self.unload_from[c])

    def loads(self, c: int, p: int) -> bool:
        return bool(self.last[c, p] - self.first[c, p] >= float(self.problem.load[c]) - EPS)

    def unloads(self, c: int, h: int) -> bool:
        latest = self.problem.end - float(self.problem.unload[c])
        return bool(self.problem.is_haven[h] and latest - self.unload_from[c, h] >= -EPS)


def _pickup_rows(lp: _Lp, w: _Windows, p: int, cols: dict[int, int]) -> None:
    """Loadings of each stand pool at ``p``: a loading holds a stand for ``load_time``."""
    pr = w.problem
    for limit, classes in _pools(pr, p).values():
        used = [c for c in classes if c in cols]
        if not used:
            continue
        extra = _entering(pr, p, used, float(w.earliest[used, p].min()))
        span = max(w.last[c, p] for c in used) - min(w.first[c, p] for c in used)
        lp.row(
            [(cols[c], float(pr.load[c])) for c in used],
            limit * span + extra * max(float(pr.load[c]) for c in used),
        )
        for c in used:
            if pr.load[c] > 0:
                slots = math.floor((w.last[c, p] - w.first[c, p]) / float(pr.load[c]) + EPS)
                lp.row([(cols[c], 1.0)], limit * slots + extra)


def _drop_rows(lp: _Lp, w: _Windows, h: int, cols: dict[int, int]) -> None:
    """Unloadings of each stand pool at haven ``h``: an unloading holds a stand for its
    ``unload_time`` and the turnaround after it (unless a known event may destroy or damage
    the vehicles there meanwhile, which frees the stand)."""
    pr = w.problem
    hit = {c for d in (*pr.destroys, *pr.damages) if d.p == h for c in d.classes}
    for limit, classes in _pools(pr, h).values():
        used = [c for c in classes if c in cols]
        if not used:
            continue
        turn = {c: 0.0 if c in hit else pr.rest(c) for c in used}
        hold = {c: float(pr.unload[c]) + turn[c] for c in used}
        span = pr.end + max(turn.values()) - min(w.unload_from[c, h] for c in used)
        lp.row([(cols[c], hold[c]) for c in used], limit * span)
        for c in used:
            if hold[c] > 0:
                latest = pr.end - float(pr.unload[c]) - w.unload_from[c, h]
                lp.row([(cols[c], 1.0)], limit * (math.floor(latest / hold[c] + EPS) + 1))


def stands_bound(problem: Problem) -> float:
    """The most people useful trips can carry through the stands of their pickups and
    their havens (module docstring; inf: no place has stands)."""
    if not problem.supply or all(pl.stands is None for pl in problem.scenario.places):
        return INF
    if problem.n_places > MAX_PLACES:
        log.info("stands bound: %d places, more than %d: left out", problem.n_places, MAX_PLACES)
        return INF
    w = _Windows(problem)
    lp = _Lp()
    rescued: list[tuple[int, float]] = []  # the rescued row: pickups minus havens
    loads: dict[int, list[tuple[int, float]]] = defaultdict(list)  # class: its loadings
    for p in w.pickups:
        cols = {c: lp.col() for c in range(problem.n_classes) if w.loads(c, p)}
        if problem.population[p] > 0:
            r = lp.col(1.0, float(problem.population[p]))
            lp.row([(r, 1.0)] + [(k, -float(problem.capacity[c])) for c, k in cols.items()], 0.0)
            rescued.append((r, 1.0))
        for c, k in cols.items():
            loads[c].append((k, -1.0))
        _pickup_rows(lp, w, p, cols)
    for h in np.flatnonzero(problem.is_haven):
        cols = {c: lp.col() for c in range(problem.n_classes) if w.unloads(c, int(h))}
        # people a haven takes in on useful trips (more than its room if some move on)
        s = lp.col()
        lp.row([(s, 1.0)] + [(k, -float(problem.capacity[c])) for c, k in cols.items()], 0.0)
        rescued.append((s, -1.0))
        for c, k in cols.items():
            loads[c].append((k, 1.0))
        _drop_rows(lp, w, int(h), cols)
    lp.row(rescued, 0.0)
    room = float(problem.sink_capacity[problem.is_haven].sum())
    lp.row([(k, 1.0) for k, sign in rescued if sign > 0], room)  # rescued: at most the room
    for terms in loads.values():
        lp.row(terms, 0.0)  # a useful unloading of a class needs a loading of that class
    if not lp.cost or not any(lp.cost):
        return 0.0
    # people are whole: the LP optimum rounded down bounds them too
    return float(math.floor(lp.maximise("stands bound", 1.0)))


@dataclass(frozen=True)
class Cycle:
    """A vehicle's fastest useful work: ``loaded`` (load + travel + unload of a trip from a
    place that is not a haven into a haven), ``back`` (the shortest way from a haven to such a
    place) and ``turnaround`` after each loaded trip."""

    loaded: float
    back: float = 0.0
    turnaround: float = 0.0


def _fit(budget: float, loaded: float, gap: float) -> int:
    """Most useful trips ``M`` with ``M x loaded + (M - 1) x gap <= budget``."""
    if budget < loaded - EPS:
        return 0
    if not math.isfinite(gap):
        return 1
    return math.floor((budget + gap) / (loaded + gap) + EPS)


def trips_per_vehicle(
    span: float,
    cycle: Cycle,
    max_sorties: float = INF,
    rest: tuple[float, float] = (INF, INF),
    approach: float = 0.0,
    duty: tuple[float, float] | None = None,
) -> float:
    """Useful trips one vehicle can complete in ``span`` after an empty ``approach`` to the
    first pickup; ``rest``: (after, for), inf for none; ``duty``: (time left, time until
    rested) of a duty the vehicle's record has begun (stock written mid-operation).

    Useful trips ``k`` and ``k + 1`` are at least ``gap = turnaround + back`` apart; a duty
    holds at most ``M`` of them (``M x loaded + (M - 1) x gap <= after``, the approach counted
    in the first duty unless a rest follows it); from one duty to the next the vehicle also
    rests, ``max(0, for - turnaround)`` more. A vehicle whose duty has begun either flies its
    first trips in that duty, within its time left, or rests first. The most trips ``n`` whose
    shortest schedule fits ``span`` (at most ``max_sorties``)."""
    loaded, gap = cycle.loaded, cycle.turnaround + cycle.back
    if max_sorties <= 0 or not math.isfinite(loaded) or span < approach + loaded - EPS:
        return 0.0
    after, rest_for = rest
    if loaded + gap <= 0:
        return max_sorties
    most = _fit(span - approach, loaded, gap)
    if math.isfinite(after):
        per_duty = _fit(after, loaded, gap)
        if per_duty < 1:
            return 0.0
        extra = max(0.0, rest_for - cycle.turnaround)

        def rested(n: int, first: int, rests: float) -> float:
            """The least time ``n`` useful trips take, approach and rests included, when the
            first duty holds ``first`` of them with the approach, or else the approach is
            followed by a rest of ``rests``."""
            base = approach + n * loaded + (n - 1) * gap if n > 1 else approach + loaded
            out = base + rests + (math.ceil(n / per_duty) - 1) * extra
            if first >= 1:
                out = min(out, base + math.ceil(max(0, n - first) / per_duty) * extra)
            return out

        def shortest(n: int) -> float:
            fresh = rested(n, _fit(after - approach, loaded, gap), rest_for * (approach > 0))
            if duty is None or duty[1] <= EPS:
                return fresh
            left, until = duty  # a begun duty: fly on in it, or rest first
            return min(until + fresh, rested(n, _fit(left - approach, loaded, gap), rest_for))

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
    a pickup that is not a haven (inf: none). Any place that is not a haven may be a pickup:
    people delivered to a place without room may go on from it at the same instant."""
    dist = shortest_paths(problem.travel)
    haven = problem.is_haven
    pickup = ~haven
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


def _records(problem: Problem) -> dict[tuple[int, int, float], list[tuple[Flown, int]]]:
    """Per supply (class, place, free from): each stock entry's ``record`` and vehicles. Where
    a known event destroys vehicles there before they are free, none (which ones it took is
    not known: the others count as fresh, which only loosens the bound)."""
    pindex = {name: i for i, name in enumerate(problem.places)}
    out: dict[tuple[int, int, float], list[tuple[Flown, int]]] = defaultdict(list)
    for st in problem.scenario.fleet.stock:
        r = record_of(st.record)
        c, p = problem.cindex.get(st.vehicle_class), pindex.get(st.place)
        if r is not None and c is not None and p is not None and st.count > 0:
            out[(c, p, max(st.available_from, 0.0))].append((r, st.count))
    for d in problem.destroys:
        for key in [k for k in out if k[1] == d.p and k[0] in d.classes and d.t < k[2]]:
            del out[key]
    return out


def wear_bound(problem: Problem) -> float:
    """Seats of the useful trips (into a haven from a place that is not one) the fleet can fly
    within its sortie limits and duties, each vehicle from its stock entry's record (inf: no
    class has a sortie limit or rest)."""
    limits: dict[int, tuple[float, tuple[float, float]]] = {}
    for vc in problem.scenario.fleet.classes:
        c = problem.cindex.get(vc.id)
        if c is not None and (vc.max_sorties is not None or vc.rest is not None):
            sorties = INF if vc.max_sorties is None else float(vc.max_sorties)
            rest = (INF, INF) if vc.rest is None else (vc.rest.after, vc.rest.rest_for)
            limits[c] = (sorties, rest)
    if not limits:
        return INF
    if problem.n_places > MAX_PLACES:
        log.info("wear bound: %d places, more than %d: left out", problem.n_places, MAX_PLACES)
        return INF
    records = _records(problem)
    fastest, approach = cycles(problem)
    total = 0.0
    for s in sorted(problem.supply, key=lambda s: (s.c, s.p, s.t)):
        sorties, rest = limits.get(s.c, (INF, (INF, INF)))
        start = max(0.0, s.t)
        worn = records.get((s.c, s.p, s.t), [])
        fresh = s.count - sum(n for _, n in worn)
        if fresh < 0:  # more recorded vehicles than there are: count them all fresh
            worn, fresh = [], s.count
        for record, count in [(None, fresh), *worn]:
            flown, duty = 0, None
            if record is not None:
                flown = record[0]
                if record[1] is not None and math.isfinite(rest[0]):
                    duty = (record[1] + rest[0] - start, record[2] + rest[1] - start)
            trips = trips_per_vehicle(
                problem.end - start,
                fastest[s.c],
                sorties - flown,
                rest,
                float(approach[s.c, s.p]),
                duty,
            )
            if not math.isfinite(trips):
                return INF  # instant round trips without limits
            total += count * trips * float(problem.capacity[s.c])
    return total
