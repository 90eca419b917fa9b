"""Improvement for max rescued: destroy and repair over the dispatcher (large neighbourhood search).

The best plan's vehicles are traced back to the supply they came from, and each vehicle's
loaded legs, in order, become a path of a guide (the form the bound's LP paths take, see
``heuristic.dispatch``). A round *destroys* part of that guide and *repairs* it: the
dispatcher flies the kept paths first (it reserves the people and room they count on) and
dispatches the freed vehicles greedily around them. The repaired plan replaces the best one
only if it rescues more, so the phase never loses people. Destroy operators, in turn:

- *left behind*: a place where people are still waiting at the end (drawn by how many), and
  the vehicles whose paths touch the places nearest to it;
- *tail*: every path cut after a time drawn over the horizon (the plan before it is kept, the
  rest is dispatched afresh);
- *random*: a seeded share of the paths.

Each round is one dispatcher run with one of the dispatcher's settings; the budget is
``IMPROVE_RUNS`` runs (work units, never seconds), and the clock only enters through the
safety stop (budget.py). The same plan, seed and budget give the same result.

The planner (search.py) calls it after a construction by greedy runs alone (no guide of the
bound was flown: the grid does not fit, the problem has instant trips or no supply). After
guided construction it was measured and left out: 12 rounds gained nobody on the small,
medium and proto rungs, the Romulan scenario with hindsight and the embassy example, for 15-30%
more CPU (a freed vehicle dispatched greedily does worse than the LP's path it had). From one
greedy run on random tiny scenarios it reached the exhaustive optimum on 1 of the 3 where
that run fell short (tests/oracle.py). Min-makespan probes do not call it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np

from evacuate.plan.budget import SafetyStop
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import Problem
from evacuate.plan.search import rescued_by_trips
from evacuate.planio import Trip

__all__ = [
    "IMPROVE_MAX_PLACES",
    "IMPROVE_RUNS",
    "ImproveResult",
    "improve_applies",
    "improve_rescued",
    "paths_guide",
    "vehicle_paths",
]

log = logging.getLogger(__name__)

IMPROVE_RUNS = 12
"""Work budget of the phase: dispatcher runs (one per destroy-and-repair round)."""

IMPROVE_MAX_PLACES = 50
"""Places beyond which the phase is skipped: a dispatcher run at city scale costs seconds,
which the construction needs (issue 14's 60 s at 500 places)."""

NEAR_PLACES = 3
"""Places nearest to a place with people left behind whose vehicles the *left behind*
operator frees (with that place itself)."""

_SETTINGS = [(0.0, 0.1), (1.0, 0.3), (4.0, 0.1), (0.5, 0.3)]
"""Dispatcher settings (urgency, urgency window) the rounds cycle through."""

EPS = 1e-9


@dataclass(frozen=True)
class Leg:
    """One loaded leg of a vehicle's path: pickup and drop place indices, departure."""

    i: int
    j: int
    depart: float


@dataclass(frozen=True)
class ImproveResult:
    """The best plan after the phase, its rescued count, and what the phase did."""

    trips: list[Trip]
    rescued: int
    runs: int
    """Dispatcher runs spent."""
    gains: int
    """Rounds whose plan replaced the best one."""
    stopped_by_time: bool

    def stats(self, before: int) -> dict[str, object]:
        return {
            "runs": self.runs,
            "gains": self.gains,
            "rescued_before": before,
            "rescued_after": self.rescued,
        }


def vehicle_paths(problem: Problem, trips: list[Trip]) -> list[tuple[int, list[Leg]]]:
    """Each vehicle of the plan as (supply index, its loaded legs in order).

    Vehicles are followed through the trips in order of departure: a trip takes vehicles of
    its class that are at its origin and free by its departure (those of its own group
    first), and frees them at its arrival plus the turnaround after a loaded trip. Vehicles
    at one place and free at one time are interchangeable, so any such choice gives paths
    that can be flown in this order."""
    pb = problem
    free_at: list[float] = []
    place: list[int] = []
    gid: list[str | None] = []
    legs: list[list[Leg]] = []
    origin: list[int] = []
    pool: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, s in enumerate(pb.supply):
        for _ in range(s.count):
            v = len(free_at)
            free_at.append(s.t)
            place.append(s.p)
            gid.append(None)
            legs.append([])
            origin.append(k)
            pool[(s.c, s.p)].append(v)
    for tr in sorted(trips, key=lambda t: (t.depart, t.arrive, t.group)):
        c, i, j = pb.cindex[tr.vehicle_class], pb.pindex[tr.origin], pb.pindex[tr.destination]
        here = pool[(c, i)]
        ready = [v for v in here if free_at[v] <= tr.depart + EPS]
        ready.sort(key=lambda v: (gid[v] != tr.group, gid[v] is not None, v))
        took = ready[: tr.count]
        if len(took) < tr.count:
            log.debug("trip %s: %d of %d vehicles traced", tr.group, len(took), tr.count)
        for v in took:
            here.remove(v)
            pool[(c, j)].append(v)
            place[v], gid[v] = j, tr.group
            free_at[v] = tr.arrive + (pb.rest(c) if tr.people else 0.0)
            if tr.people:
                legs[v].append(Leg(i, j, tr.depart))
    return [(origin[v], legs[v]) for v in range(len(free_at))]


Guide = dict[int, list[tuple[int, list[tuple[int, int]]]]]


def paths_guide(paths: list[tuple[int, list[Leg]]], keep: list[list[Leg]]) -> Guide:
    """The kept legs as a guide: per supply index, vehicles per identical path."""
    count: dict[int, Counter[tuple[tuple[int, int], ...]]] = defaultdict(Counter)
    for (k, _), legs in zip(paths, keep, strict=True):
        if legs:
            count[k][tuple((leg.i, leg.j) for leg in legs)] += 1
    return {
        k: [(n, list(path)) for path, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
        for k, c in sorted(count.items())
    }


def _left_behind(problem: Problem, trips: list[Trip]) -> np.ndarray:
    """People still at each threatened place once the plan is flown (never negative)."""
    pb = problem
    left = np.zeros(pb.n_places)
    for p, _, n in pb.arrivals:
        left[p] += n
    for tr in trips:
        if tr.people:
            left[pb.pindex[tr.origin]] -= tr.people
            left[pb.pindex[tr.destination]] += tr.people
    left[pb.is_haven] = 0.0
    return np.maximum(left, 0.0)


def _destroy(
    problem: Problem,
    paths: list[tuple[int, list[Leg]]],
    trips: list[Trip],
    rng: np.random.Generator,
    op: str,
) -> list[list[Leg]]:
    """The legs each vehicle keeps after the operator ``op`` freed some."""
    pb = problem
    legs = [p for _, p in paths]
    if op == "tail":
        cut = float(rng.uniform(0.0, pb.end))
        return [[leg for leg in p if leg.depart < cut] for p in legs]
    if op == "left":
        left = _left_behind(pb, trips)
        if left.sum() > 0:
            place = int(rng.choice(pb.n_places, p=left / left.sum()))
            c = pb.supply[paths[0][0]].c if paths else 0
            row = pb.times.row(c, place)
            near = {place, *(int(q) for q in np.argsort(row, kind="stable")[: NEAR_PLACES + 1])}
            return [[] if any(leg.i in near or leg.j in near for leg in p) else p for p in legs]
    share = float(rng.uniform(0.1, 0.4))
    return [[] if rng.random() < share else p for p in legs]


def improve_applies(problem: Problem) -> bool:
    """Whether the phase runs: vehicles to move and few enough places for cheap runs."""
    return bool(problem.supply) and problem.n_places <= IMPROVE_MAX_PLACES


def improve_rescued(
    problem: Problem,
    trips: list[Trip],
    rescued: int,
    target: float,
    *,
    seed: int,
    stop: SafetyStop,
    runs: int = IMPROVE_RUNS,
) -> ImproveResult:
    """Destroy and repair the plan ``trips`` (rescuing ``rescued``) for up to ``runs``
    dispatcher runs, or until it rescues ``target`` (the bound); none where the phase does not
    apply (``improve_applies``)."""
    best_trips, best = trips, rescued
    if not improve_applies(problem):
        runs = 0
    rng = np.random.default_rng([seed, 14])
    ops = ("left", "tail", "random")
    done = gains = 0
    paths = vehicle_paths(problem, best_trips)
    while done < runs and best < target - 1e-6 and not (done > 0 and stop.reached()):
        op = ops[done % len(ops)]
        keep = _destroy(problem, paths, best_trips, rng, op)
        urgency, window = _SETTINGS[(done // len(ops)) % len(_SETTINGS)]
        prm = replace(DispatchParams(), urgency=urgency, urgency_window=window)
        got_trips = dispatch(problem, prm, paths_guide(paths, keep), stop=stop)
        got = rescued_by_trips(problem, got_trips)
        done += 1
        log.debug("improve round %d (%s): rescued %d (best %d)", done, op, got, best)
        if got > best:
            best_trips, best, gains = got_trips, got, gains + 1
            paths = vehicle_paths(problem, best_trips)
    if gains:
        log.info("improvement: %d -> %d rescued in %d dispatcher runs", rescued, best, done)
    return ImproveResult(best_trips, best, done, gains, stop.bound)
