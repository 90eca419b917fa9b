"""Walkways in the planner: where people board (docs/model.md, "Walkways").

Walks are decided before vehicles are dispatched. Fixed walks change the problem the vehicle
planners see (``apply_walks``): walkers leave their origin's earliest releases, join the
destination's people as arrivals at their arrival time, or, at a haven, are rescued and take
room there from the start. So any plan of the changed problem, with the walks, obeys the
model. The split is chosen in rounds (``plan_with_walks``): the people a plan leaves behind
at a place walk to where they are better off (a haven, else a place the vehicles served),
and the next plan is kept if it rescues more.

The bound sees walking through a relaxation (``relax_for_bound``): every walkway's most
walkers (its rate over its departure window) appear at its destination at the earliest
instant any could arrive, while the origin keeps its people; havens get the room walkers
could free by leaving them; and walkers into havens are bounded apart by the same rates.
Every feasible plan with walks maps onto that relaxation, so the sum is a valid bound.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from evacuate import units
from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import Problem
from evacuate.plan.search import EXACT_NODES, MAX_BOUND_ROUNDS, _exact_is_cheap, max_rescued
from evacuate.planio import Trip, Walk

__all__ = [
    "WALK_ROUNDS",
    "Way",
    "apply_walks",
    "compile_ways",
    "next_walks",
    "plan_with_walks",
    "rank_ways",
    "relax_for_bound",
    "walk_rescued",
    "walks_for",
]

log = logging.getLogger(__name__)

INF = math.inf

WALK_ROUNDS = 3
"""Work budget of the split: rounds of 'the people left behind walk', each one dispatcher
search of the changed problem."""


@dataclass(frozen=True)
class Way:
    """One direction of a walkway, by place index."""

    walkway: str
    i: int
    j: int
    time: float
    allowance: float
    """People who may set out in one throughput period."""
    first: float
    """No departure before (``open_from``; -inf when none)."""
    last: float
    """No departure at or after (``open_until``; inf when none)."""


def compile_ways(problem: Problem) -> list[Way]:
    """Both directions of every walkway (the back one only with ``both_ways``)."""
    s = problem.scenario
    hours = units.TIME_UNITS[s.time_unit] / units.TIME_UNITS["hour"]
    out: list[Way] = []
    for w in s.travel.walkways:
        a, b = problem.pindex[w.start], problem.pindex[w.end]
        allowance = w.per_hour * problem.period * hours
        first = -INF if w.open_from is None else w.open_from
        last = INF if w.open_until is None else w.open_until
        out.append(Way(w.id, a, b, w.time, allowance, first, last))
        if w.both_ways:
            out.append(Way(w.id, b, a, w.time, allowance, first, last))
    return out


def _window(problem: Problem, way: Way) -> tuple[float, float]:
    """The instants a walk on ``way`` may set out and still count: from ``first`` (and zero)
    up to the origin's deadline, before the destination's deadline and by the horizon."""
    lo = max(way.first, 0.0)
    hi = min(
        way.last,
        float(problem.deadline[way.i]),
        float(problem.deadline[way.j]) - way.time,
        problem.end - way.time,
    )
    return lo, hi


def _most_walkers(problem: Problem, way: Way) -> float:
    """An upper bound on the people who can set out on ``way`` in all: its allowance times
    the throughput periods its departure window meets."""
    lo, hi = _window(problem, way)
    if hi < lo:
        return 0.0
    p = problem.period
    periods = math.floor(hi / p) - math.floor(lo / p) + 1
    return way.allowance * periods


_MAX_RELEASES = 2000
"""Releases per walkway in the relaxation at most (longer windows release in blocks of
periods, each at its first instant: earlier, so still a relaxation)."""


def _earliest_walkers(problem: Problem, way: Way) -> list[tuple[float, float]]:
    """(instant, walkers) steps that no plan's walkers on ``way`` can beat: those setting out
    in throughput period k (at most its allowance) arrive no earlier than ``max(lo, k P) +
    time``."""
    lo, hi = _window(problem, way)
    if hi < lo:
        return []
    p = problem.period
    k0, k1 = math.floor(lo / p), math.floor(hi / p)
    block = max(1, math.ceil((k1 - k0 + 1) / _MAX_RELEASES))
    out = []
    for k in range(k0, k1 + 1, block):
        periods = min(block, k1 + 1 - k)
        out.append((max(lo, k * p) + way.time, way.allowance * periods))
    return out


def relax_for_bound(problem: Problem) -> tuple[Problem, float]:
    """A relaxation of ``problem`` with its walkways, and a bound on walkers into havens.

    Returns ``(relaxed, walked)``: any feasible plan with walks rescues at most
    ``bound(relaxed) + walked``, where ``bound(relaxed)`` is any valid bound of the vehicle
    problem ``relaxed``. In ``relaxed``, each non-haven place gets, as releases, the most
    walkers that can have reached it by each instant (``_earliest_walkers``, capped at
    everyone), its origin keeping its people; each haven gets room for the most walkers that
    can leave it."""
    ways = compile_ways(problem)
    everyone = float(problem.population.sum())
    haven = problem.is_haven
    into: dict[int, list[tuple[float, float]]] = {}
    out_of_haven = np.zeros(problem.n_places, dtype=np.int64)
    walked = 0.0
    for way in ways:
        most = _most_walkers(problem, way)
        if most <= 0:
            continue
        if haven[way.i]:
            out_of_haven[way.i] += math.floor(min(most, everyone))
        if haven[way.j]:
            if not haven[way.i]:
                walked += most
            continue
        into.setdefault(way.j, []).extend(_earliest_walkers(problem, way))
    walked = min(walked, everyone, float(problem.sink_capacity[haven].sum()))
    arrivals = list(problem.arrivals)
    population = problem.population.copy()
    for j, steps in sorted(into.items()):
        total = 0.0
        released = 0
        for t, n in sorted(steps):
            total = min(total + n, everyone)
            k = math.floor(total + 1e-9) - released  # whole walkers only
            if k > 0:
                arrivals.append((j, t, k))
                released += k
        population[j] += released
    arrivals.sort(key=lambda x: (x[1], x[0]))
    relaxed = replace(
        problem,
        arrivals=arrivals,
        population=population,
        sink_capacity=problem.sink_capacity + out_of_haven,
    )
    return relaxed, walked


def apply_walks(problem: Problem, walks: list[Walk]) -> Problem:
    """The vehicle problem left once ``walks`` (from non-havens) are fixed: each walk takes its
    people from the origin's earliest releases (released by its departure), adds them to the
    destination as an arrival at ``arrive`` or, at a haven, takes room there from the start."""
    idx = problem.pindex
    left = [list(a) for a in problem.arrivals]
    by_place: dict[int, list[list[Any]]] = {}
    for rel in left:
        by_place.setdefault(int(rel[0]), []).append(rel)
    added: list[tuple[int, float, int]] = []
    room = problem.sink_capacity.copy()
    population = problem.population.copy()
    for w in sorted(walks, key=lambda w: (w.depart, w.walkway)):
        i, j = idx[w.origin], idx[w.destination]
        need = w.people
        for rel in by_place.get(i, []):
            if need <= 0 or rel[1] > w.depart:
                break
            k = min(need, int(rel[2]))
            rel[2] -= k
            need -= k
        if need > 0:
            raise ValueError(f"walk on {w.walkway} at {w.depart:g}: {need} people not there yet")
        population[i] -= w.people
        if problem.is_haven[j]:
            room[j] -= w.people
        else:
            added.append((j, w.arrive, w.people))
            population[j] += w.people
    arrivals = [(int(p), float(t), int(n)) for p, t, n in left if n > 0] + added
    arrivals.sort(key=lambda x: (x[1], x[0]))
    return replace(problem, arrivals=arrivals, population=population, sink_capacity=room)


def walk_rescued(problem: Problem, walks: list[Walk]) -> int:
    """People the walks bring into havens by the horizon, less those walking out of havens."""
    idx, haven = problem.pindex, problem.is_haven
    total = 0
    for w in walks:
        if haven[idx[w.destination]] and w.arrive <= problem.end + 1e-9:
            total += w.people
        if haven[idx[w.origin]]:
            total -= w.people
    return total


def _may_set_out(problem: Problem, way: Way, t: float) -> bool:
    """The model's limits at the instant a walk sets out (``_window`` is the relaxed,
    inclusive version): before ``open_until``, by the origin's deadline, arriving before
    the destination's deadline and by the horizon."""
    arrive = t + way.time
    dl = float(problem.deadline[way.j])
    return bool(
        t < way.last - _margin(way.last)
        and t <= problem.deadline[way.i]
        and arrive < dl - _margin(dl)
        and arrive <= problem.end
    )


def _margin(x: float) -> float:
    """Strict limits are kept by the checker's tolerance (check/common.py), so that a walk
    within rounding of one is not planned."""
    return max(1e-6, 1e-9 * abs(x)) if math.isfinite(x) else 0.0


def _closed(problem: Problem, p: int, t: float) -> bool:
    return not problem.place_open(p, t)


def _walk_period(t: float, per: float) -> int:
    """The throughput period in which walkers setting out at ``t`` are counted, as the
    checker counts them (check/walks.py: ``floor(t / P + 1e-12)``)."""
    return math.floor(t / per + 1e-12)


def walks_for(
    problem: Problem,
    way: Way,
    want: int,
    used: dict[tuple[str, int, int, int], float],
    gone: dict[int, int],
    room: dict[int, int],
) -> list[Walk]:
    """Up to ``want`` of the people at ``way.i`` set out on ``way`` as early as its rate, its
    window, closures and deadlines allow, earliest released first. ``used`` (allowance used
    per way and period), ``gone`` (people already walking away per place) and ``room`` (room
    left per haven) are updated."""
    lo, hi = _window(problem, way)
    if hi < lo or want <= 0:
        return []
    i, j = way.i, way.j
    if problem.is_haven[j]:
        want = min(want, room.get(j, 0))
    p = problem.period
    skip = gone.get(i, 0)
    released = 0
    out: list[Walk] = []
    for pl, t, n in problem.arrivals:
        if pl != i or want <= 0:
            continue
        released += n
        ready = max(t, lo)
        # the people released at ``t`` (less those already walking) set out period by period
        avail = released - skip
        k = _walk_period(ready, p)
        while avail > 0 and want > 0:
            depart = max(ready, k * p)
            if not _may_set_out(problem, way, depart):
                break
            key = (way.walkway, i, j, k)
            free = math.floor(way.allowance - used.get(key, 0.0) + 1e-9)
            if (
                free > 0
                and not _closed(problem, i, depart)
                and not _closed(problem, j, depart + way.time)
            ):
                n_go = min(free, avail, want)
                out.append(
                    Walk(
                        way.walkway,
                        problem.places[i],
                        depart,
                        problem.places[j],
                        depart + way.time,
                        n_go,
                    )
                )
                used[key] = used.get(key, 0.0) + n_go
                avail -= n_go
                want -= n_go
                skip += n_go
                continue
            k += 1
            if k * p > hi:
                break
            if k - _walk_period(ready, p) > 10_000:
                break  # a safety net: no loop over periods runs away
    gone[i] = skip
    if problem.is_haven[j]:
        room[j] = room.get(j, 0) - sum(w.people for w in out)
    return out


def _left_behind(problem: Problem, trips: list[Trip]) -> dict[int, int]:
    """People each non-haven place keeps at the end of ``trips`` (picked up less delivered)."""
    idx = problem.pindex
    left = {p: int(problem.population[p]) for p in range(problem.n_places)}
    for tr in trips:
        if tr.people:
            left[idx[tr.origin]] -= tr.people
            left[idx[tr.destination]] += tr.people
    return {p: n for p, n in left.items() if n > 0 and not problem.is_haven[p]}


def rank_ways(problem: Problem, ways: list[Way], trips: list[Trip]) -> dict[int, list[Way]]:
    """Per origin, its ways best first: straight to a haven (shortest first), then to places
    the vehicles picked people up at (most first), then the rest (shortest first)."""
    picked = np.zeros(problem.n_places, dtype=np.int64)
    for tr in trips:
        if tr.people:
            picked[problem.pindex[tr.origin]] += tr.people
    out: dict[int, list[Way]] = {}
    for way in ways:
        if problem.is_haven[way.i]:
            continue  # people at a haven are rescued: nobody walks away from one
        out.setdefault(way.i, []).append(way)
    for lst in out.values():
        lst.sort(
            key=lambda w: (
                not problem.is_haven[w.j],
                -int(picked[w.j]),
                w.time,
                w.walkway,
            )
        )
    return out


def next_walks(
    problem: Problem, base: Problem, trips: list[Trip], walks: list[Walk], ways: list[Way]
) -> list[Walk]:
    """One round of the split: the people ``trips`` leave behind at each place walk on its
    best way (``rank_ways``; the next one if the best has no room left), added to ``walks``.
    ``base`` is the problem with ``walks`` applied (what the trips were planned on)."""
    left = _left_behind(base, trips)
    if not left:
        return walks
    idx = problem.pindex
    # walkers who only crowded a place the vehicles could not clear go elsewhere: walks
    # into it are taken back, latest first, as many as it kept at the end
    crowded: dict[int, int] = {}
    for w in walks:
        j = idx[w.destination]
        if j in left and not problem.is_haven[j]:
            crowded[j] = crowded.get(j, 0) + w.people
    avoid: dict[int, set[int]] = {}
    if crowded:
        kept: list[Walk] = []
        back = {j: min(n, left[j]) for j, n in crowded.items()}
        for w in sorted(walks, key=lambda w: (-w.depart, w.walkway, w.origin)):
            i, j = idx[w.origin], idx[w.destination]
            take = min(back.get(j, 0), w.people)
            if take > 0:
                back[j] -= take
                left[i] = left.get(i, 0) + take
                left[j] -= take
                avoid.setdefault(i, set()).add(j)
                if w.people > take:
                    kept.append(replace(w, people=w.people - take))
            else:
                kept.append(w)
        walks = sorted(kept, key=lambda w: (w.depart, w.walkway, w.origin))
        left = {p: n for p, n in left.items() if n > 0}
    used: dict[tuple[str, int, int, int], float] = {}
    gone: dict[int, int] = {}
    for w in walks:
        key_k = _walk_period(w.depart, problem.period)
        i, j = idx[w.origin], idx[w.destination]
        used[(w.walkway, i, j, key_k)] = used.get((w.walkway, i, j, key_k), 0.0) + w.people
        gone[i] = gone.get(i, 0) + w.people
    room = {int(h): int(base.sink_capacity[h]) for h in np.flatnonzero(problem.is_haven)}
    ranked = rank_ways(problem, ways, trips)
    out = list(walks)
    for i in sorted(left):
        want = left[i]
        for way in ranked.get(i, []):
            if way.j in avoid.get(i, ()):
                continue
            got = walks_for(problem, way, want, used, gone, room)
            out += got
            want -= sum(w.people for w in got)
            if want <= 0:
                break
    return out


def walk_mip_is_cheap(problem: Problem) -> bool:
    """Tiny, on whole time units (walkways too): the TEN MIP with walking arcs
    (``ten_walks.py``) on the grid of step 1 is exact there."""
    if not _exact_is_cheap(problem):
        return False
    times = [t for way in compile_ways(problem) for t in (way.time, way.first, way.last)]
    return all(abs(t - round(t)) < 1e-9 for t in times if math.isfinite(t))


def _walk_mip(
    problem: Problem, stop: SafetyStop, stats: dict[str, Any]
) -> tuple[list[Trip], list[Walk], int] | None:
    """The TEN MIP that plans walks and trips together (``EXACT_NODES`` nodes; the safety
    stop's time left); None when it has no plan."""
    from evacuate.plan.ten import ten_mip

    mip = ten_mip(problem, 1.0, time_limit=stop.left(), node_limit=EXACT_NODES, walks=True)
    stop.note_solver(mip.status)
    stats["walk_mip"] = {"rescued": mip.rescued, "status": mip.status}
    log.debug("walking MIP: %s, rescued %g", mip.status, mip.rescued)
    if not mip.trips and not mip.walks:
        return None
    return list(mip.trips), list(mip.walks), round(mip.rescued)


def plan_with_walks(
    problem: Problem,
    *,
    seed: int,
    stop: SafetyStop,
    gap_target: float,
    rounds: int = MAX_BOUND_ROUNDS,
    runs: int | None = None,
    with_bound: bool = True,
) -> tuple[list[Trip], list[Walk], int, float, dict[str, Any]]:
    """Max rescued with walkways: the split in ``WALK_ROUNDS`` rounds (each a greedy search
    of the changed problem, a budget in work units), then the search on the best split
    (``rounds`` rounds of the bound and ``runs`` dispatcher settings; default: the full
    search). Returns trips, walks, rescued, a valid bound (``relax_for_bound``; without
    ``with_bound``, the plan's rescued: min makespan's probes need no bound) and statistics."""
    ways = compile_ways(problem)
    everyone = float(problem.population.sum())
    relaxed_bound = walked_most = bound = math.nan
    if with_bound:
        relaxed, walked_most = relax_for_bound(problem)
        _, _, relaxed_bound, _ = max_rescued(
            relaxed, seed=seed, stop=stop, gap_target=gap_target, runs=1
        )
        room = float(problem.sink_capacity[problem.is_haven].sum())
        bound = min(relaxed_bound + walked_most, everyone, room)

    walks: list[Walk] = []
    base = problem
    trips, got, _, _ = max_rescued(base, seed=seed, stop=stop, gap_target=gap_target, rounds=0)
    best = (got, walks, base)
    split_rounds = 0
    for _ in range(WALK_ROUNDS):
        if stop.reached():
            break
        more = next_walks(problem, base, trips, walks, ways)
        if more == walks:
            break  # nobody left behind can walk anywhere else
        split_rounds += 1
        walks, base = more, apply_walks(problem, more)
        trips, got, _, _ = max_rescued(base, seed=seed, stop=stop, gap_target=gap_target, rounds=0)
        total = got + walk_rescued(problem, walks)
        log.debug("walk round %d: %d walks, rescued %d", split_rounds, len(walks), total)
        if total > best[0]:
            best = (total, walks, base)
    _, walks, base = best
    trips, got, _, stats = max_rescued(
        base, seed=seed, stop=stop, gap_target=gap_target, rounds=rounds, runs=runs
    )
    rescued = got + walk_rescued(problem, walks)
    want = bound if with_bound else everyone
    if rescued < want - 1e-6 and walk_mip_is_cheap(problem) and not stop.reached():
        exact = _walk_mip(problem, stop, stats)
        if exact is not None and exact[2] > rescued:
            trips, walks, rescued = exact
    if not with_bound:
        bound = float(rescued)
    elif rescued > bound + 1e-6:  # never: the relaxation holds every plan with walks
        log.error("walkway bound %.6g below a plan's %d: reported as the plan's", bound, rescued)
        bound = float(rescued)
    stats["walks"] = {
        "rounds": split_rounds,
        "walks": len(walks),
        "walkers": sum(w.people for w in walks),
        "walked_rescued": walk_rescued(problem, walks),
        "relaxed_bound": float(relaxed_bound) if with_bound else None,
        "walk_bound": float(walked_most) if with_bound else None,
    }
    return trips, walks, rescued, bound, stats
