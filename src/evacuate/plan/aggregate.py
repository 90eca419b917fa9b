"""A clustered, smaller problem for city scale: its bound is valid, its guide is mapped back.

Places of one kind are clustered (k-means, ``scipy.cluster.vq.kmeans2``, seeded): places with
people and no room on position x deadline, havens (room, safe, no people) on position, places
with neither (depots, hubs) on position; every other place (staging places, havens with
people, places without a position) is a cluster of its own. Supplies of one class at one
cluster merge within each ``SUPPLY_BUCKETS``-th of the horizon (``Aggregate.supply_of``).

The clustered ``Problem`` is a **relaxation**: every quantity is optimistic. Between clusters
``I`` and ``J`` a class travels in the fastest time of any member pair; a cluster's deadline
is its latest member's, its ``open_from`` the earliest; people, arrivals (each at its own
time), room and vehicles are summed, vehicles free at the start of their span; throughput,
berths, turnaround, lane windows, closures, pauses and known losses are dropped (its places
have no limits); withdrawals stay as they are. Map a
feasible plan of the real problem trip by trip to cluster trips: a trip ``i -> j`` becomes
``of[i] -> of[j]`` at the same instants; a move inside one cluster is left out (an empty one is
waiting; a loaded one runs between two members of one kind and only havens take drops, so it
moves people from a haven to a haven of the same cluster, which leaves the cluster's people
and room at the end as they were and rescues nobody). Every mapped trip departs within the
cluster's (wider) windows and takes at least the cluster's travel time; pickups before any
instant are at most the members' arrivals plus deliveries before it (a sum of the members'
own constraints, less the moves inside, whose deliveries never precede their pickups); the
room at the end holds summed; every vehicle is where its supply puts it. So the mapped plan is
a plan of the relaxation the bound's grid keeps with its people and room rows at the end and
at late arrivals (``city=True``: room rows inside the horizon could fail during a move
inside a cluster), with at least the real rescued count (a move inside a haven cluster that
arrives after the end costs the real plan and not the mapped one). Chains of empty moves
collapse as in ``grid.py``: with straight-line travel the real times obey the triangle
inequality, so the fastest member pair of the first and last clusters is no slower than the
chain. Hence every ``L`` of the clustered column generation bounds the **real** problem: a
valid bound, whose slack is what the clusters merge (merged havens above all: a cycle
between two clusters takes their fastest member pairs both ways).

The guide runs the column generation on a *typical* clustered problem (``typical``: mean
travel over member pairs, people-weighted mean deadline, latest opening; no bound) on a
rounded-up grid without moves out of havens, like the direct guide, and maps each path's
loaded legs back (a clustered supply's vehicles to its real supplies, earliest first): in
leg order, a leg ``I -> J`` of ``n`` vehicles picks up at ``I``'s members with people left,
earliest deadline first (as many vehicles as each needs, so a path may split), and drops at
the nearest member of ``J`` with room left.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.grid import MAX_STEPS, shortest_loaded_trip
from evacuate.plan.problem import Problem, Supply
from evacuate.plan.routes import Routes, Times, _positions

if TYPE_CHECKING:
    from evacuate.plan.budget import SafetyStop

__all__ = [
    "AGGREGATE_ITERATIONS",
    "AGGREGATE_STEPS",
    "HAVEN_CLUSTERS",
    "PASS_CLUSTERS",
    "SOURCE_CLUSTERS",
    "Aggregate",
    "AggregateBound",
    "Guide",
    "aggregate",
    "aggregate_bound",
    "aggregate_guide",
    "cluster_places",
    "map_guide",
]

log = logging.getLogger(__name__)

Guide = dict[int, list[tuple[int, list[tuple[int, int]]]]]

SOURCE_CLUSTERS = 100
"""Clusters of the places with people (and no room), on position x deadline."""
HAVEN_CLUSTERS = 100
"""Clusters of the havens (room, safe through the horizon, no people), on position."""
PASS_CLUSTERS = 8
"""Clusters of the places with neither people nor room (depots, hubs), on position."""
DEADLINE_WEIGHT = 1.0
"""Weight of the (standardised) deadline beside the (standardised) position in the sources'
k-means: the bound's slack is mostly the merged deadlines."""
AGGREGATE_ITERATIONS = 60
"""LP solves of the clustered column generation (a work budget)."""
AGGREGATE_STEPS = 500
"""Steps of the clustered grid at most (finer when the shortest loaded trip needs it)."""
SUPPLY_BUCKETS = 20
"""Supplies of one class at one cluster are merged within each of this many equal spans of
the horizon, free at the span's start (fewer columns per round of the master)."""


@dataclass
class Aggregate:
    """A clustered problem and how it maps to the real one."""

    problem: Problem
    """The clustered problem (its ``scenario`` is the real one with the clusters as places:
    a stand-in that only the bound's grid reads)."""
    of: NDArray[np.int64]
    """(P,) the cluster of each real place."""
    members: list[NDArray[np.int64]]
    """Per cluster, its real places (ascending)."""
    supply_of: list[list[int]]
    """Per clustered supply, the real supplies it merges (in the real order)."""


@dataclass
class AggregateBound:
    """The clustered column generation's bound on the real problem (inf: none)."""

    bound: float
    clusters: int
    lp_solves: int
    seconds: float
    cpu_seconds: float
    dt: float
    n_steps: int


def _kind(problem: Problem) -> NDArray[np.int64]:
    """Per place: 0 people and no room, 1 haven without people, 2 neither, -1 other."""
    pop = problem.population > 0
    room = problem.sink_capacity > 0
    kind = np.full(problem.n_places, -1, dtype=np.int64)
    kind[pop & ~room] = 0
    kind[room & ~pop & problem.is_haven] = 1
    kind[~pop & ~room] = 2
    return kind


def _coordinates(problem: Problem) -> NDArray[np.float64]:
    """(P, 3) plane coordinates, or points on the sphere (km); NaN where no position."""
    pos = _positions(problem.scenario)
    if pos.shape[1] == 3:
        return pos
    lat, lon = pos[:, 0], pos[:, 1]
    r = 6371.0
    return np.stack(
        [r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat)], axis=1
    )


def _kmeans(x: NDArray[np.float64], k: int, seed: int) -> NDArray[np.int64]:
    """Labels 0..k'-1 (k' <= k, empty clusters dropped) of a seeded k-means of the rows."""
    n = x.shape[0]
    if n <= k:
        return np.arange(n, dtype=np.int64)
    from scipy.cluster.vq import kmeans2

    with warnings.catch_warnings():
        # an empty cluster is dropped below; scipy warns about it
        warnings.simplefilter("ignore")
        _, labels = kmeans2(x, k, minit="++", seed=np.random.default_rng(seed))
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def cluster_places(
    problem: Problem,
    *,
    sources: int = SOURCE_CLUSTERS,
    havens: int = HAVEN_CLUSTERS,
    passes: int = PASS_CLUSTERS,
    seed: int = 0,
) -> NDArray[np.int64]:
    """(P,) the cluster of each place (0..K-1; the same problem and seed, the same clusters)."""
    kind = _kind(problem)
    xyz = _coordinates(problem)
    placed = np.isfinite(xyz).all(axis=1)
    of = np.full(problem.n_places, -1, dtype=np.int64)
    n_k = 0
    for which, k in ((0, sources), (1, havens), (2, passes)):
        idx = np.flatnonzero((kind == which) & placed)
        if idx.size == 0:
            continue
        pts = xyz[idx]
        spread = float(np.sqrt(np.mean(np.var(pts, axis=0)) * pts.shape[1])) or 1.0
        feats = [pts / spread]
        if which == 0:
            d = np.minimum(problem.deadline[idx], problem.end)
            sd = float(np.std(d)) or 1.0
            feats.append((DEADLINE_WEIGHT * d / sd)[:, None])
        labels = _kmeans(np.concatenate(feats, axis=1), max(1, k), seed)
        of[idx] = labels + n_k
        n_k += int(labels.max()) + 1
    for p in np.flatnonzero(of < 0).tolist():
        of[p] = n_k
        n_k += 1
    return of


def _pair_times(
    problem: Problem, members: list[NDArray[np.int64]], of: NDArray[np.int64], typical: bool
) -> NDArray[np.float64]:
    """(C, K, K) per class the fastest travel time of any member pair (``typical``: the mean
    over the member pairs with a time); inf inside a cluster."""
    n_k = len(members)
    order = np.argsort(of, kind="stable")
    starts = np.searchsorted(of[order], np.arange(n_k))
    every = np.arange(problem.n_places, dtype=np.int64)
    out = np.full((problem.n_classes, n_k, n_k), math.inf)
    for c in range(problem.n_classes):
        for a, mem in enumerate(members):
            block = problem.times.block(c, mem, every)
            if typical:
                ok = np.isfinite(block)
                total = np.add.reduceat(np.where(ok, block, 0.0).sum(axis=0)[order], starts)
                count = np.add.reduceat(ok.sum(axis=0)[order], starts)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[c, a] = np.where(count > 0, total / np.maximum(count, 1), math.inf)
            else:
                out[c, a] = np.minimum.reduceat(block.min(axis=0)[order], starts)
        np.fill_diagonal(out[c], math.inf)
    return out


def aggregate(problem: Problem, of: NDArray[np.int64], *, typical: bool = False) -> Aggregate:
    """The clustered relaxation of ``problem`` for the clusters ``of`` (see the module's
    docstring for why its bound holds the real problem).

    ``typical``: a guide's clustered problem instead, no relaxation (no bound): the mean
    travel time over member pairs, the people-weighted mean deadline, the latest opening,
    and supplies merged only at one time."""
    n_k = int(of.max()) + 1 if len(of) else 0
    members = [np.flatnonzero(of == k) for k in range(n_k)]
    deadline = np.array([float(np.max(problem.deadline[m])) for m in members])
    open_from = np.array([float(np.min(problem.open_from[m])) for m in members])
    if typical:
        for k, m in enumerate(members):
            w = problem.population[m].astype(np.float64)
            d = problem.deadline[m]
            if w.sum() > 0 and np.all(np.isfinite(d)):
                deadline[k] = float(np.dot(w, d) / w.sum())
            open_from[k] = float(np.max(problem.open_from[m]))
    population = np.array([int(problem.population[m].sum()) for m in members], dtype=np.int64)
    room = np.array([int(problem.sink_capacity[m].sum()) for m in members], dtype=np.int64)
    is_haven = np.array([bool(np.all(problem.is_haven[m])) for m in members])
    arrivals = sorted(((int(of[p]), t, n) for p, t, n in problem.arrivals), key=lambda a: a[1])
    # supplies of one class at one cluster whose times fall in one bucket are one, free
    # at the bucket's start (earlier: optimistic; ``typical``: at one time only)
    bucket = problem.end / SUPPLY_BUCKETS if problem.end > 0 else 1.0
    keys: dict[tuple[int, int, float], int] = {}
    supply: list[Supply] = []
    supply_of: list[list[int]] = []
    for n, s in enumerate(problem.supply):
        start = s.t if typical else math.floor(s.t / bucket + 1e-9) * bucket
        key = (s.c, int(of[s.p]), start)
        if key not in keys:
            keys[key] = len(supply)
            supply.append(Supply(key[0], key[1], min(start, s.t), 0, s.made))
            supply_of.append([])
        k = keys[key]
        supply[k] = Supply(s.c, key[1], supply[k].t, supply[k].count + s.count, supply[k].made)
        supply_of[k].append(n)
    from evacuate.scenario.model import Place

    ids = tuple(f"cluster{k}" for k in range(n_k))
    sc = problem.scenario.model_copy(
        update={"places": tuple(Place(id=i) for i in ids), "events": ()}
    )
    vcs = [sc.vehicle_class(c) for c in problem.classes]
    travel = Times(sc, vcs, _pair_times(problem, members, of, typical))
    # the same object twice: straight-line (see the docstring on chains), else lanes
    direct = travel if problem.routes.straight else Times(sc, vcs, travel.dense())
    big = np.full(n_k, 1 << 40, dtype=np.int64)
    clustered = Problem(
        scenario=sc,
        places=ids,
        classes=problem.classes,
        capacity=problem.capacity,
        load=problem.load,
        unload=problem.unload,
        operator=problem.operator,
        withdraw=problem.withdraw,
        hard_by=problem.hard_by,
        times=travel,
        routes=Routes(travel, direct, {}),
        deadline=deadline,
        open_from=open_from,
        population=population,
        arrivals=arrivals,
        sink_capacity=room,
        is_haven=is_haven,
        load_budget=np.full(n_k, math.inf),
        unload_budget=np.full(n_k, math.inf),
        berths=big,
        berths_most=big.copy(),
        period=problem.period,
        supply=supply,
        destroys=[],
        place_closed=[],
        end=problem.end,
        pindex={p: k for k, p in enumerate(ids)},
        cindex=dict(problem.cindex),
        load_periods=[None] * n_k,
        unload_periods=[None] * n_k,
        turnaround=np.zeros(problem.n_classes),
    )
    return Aggregate(clustered, of, members, supply_of)


def _dt(agg: Problem, steps: int) -> float | None:
    """A step for the clustered grid: ``steps`` at most, no longer than its shortest loaded
    trip (None: a loaded trip of the clusters is too short for any grid, no bound)."""
    end = max(agg.end, 1e-9)
    shortest = shortest_loaded_trip(agg)
    if not math.isfinite(shortest) or shortest < end / MAX_STEPS:
        return None
    return max(min(end / steps, shortest), end / MAX_STEPS)


def _usable(problem: Problem) -> bool:
    """Whether the aggregation applies: supplies, and no walkways (people's own ways)."""
    return bool(problem.supply) and not problem.scenario.travel.walkways


def aggregate_bound(
    problem: Problem,
    *,
    of: NDArray[np.int64] | None = None,
    iterations: int = AGGREGATE_ITERATIONS,
    steps: int = AGGREGATE_STEPS,
    stop: SafetyStop | None = None,
) -> AggregateBound:
    """The clustered column generation's bound, valid for ``problem`` (inf: none applies).

    ``iterations``: LP solves (the work budget); ``stop``: a safety stop only (every ``L``
    is a bound, so the one reached when it strikes still holds)."""
    from evacuate.plan.lagrange import column_generation_bound

    t0, c0 = time.perf_counter(), time.process_time()
    if not _usable(problem):
        return AggregateBound(math.inf, 0, 0, 0.0, 0.0, 0.0, 0)
    agg = aggregate(problem, cluster_places(problem) if of is None else of)
    dt = _dt(agg.problem, steps)
    if dt is None:
        return AggregateBound(math.inf, len(agg.members), 0, 0.0, 0.0, 0.0, 0)
    res = column_generation_bound(agg.problem, dt, iterations=iterations, stop=stop, city=True)
    out = AggregateBound(
        res.bound,
        len(agg.members),
        res.iterations,
        time.perf_counter() - t0,
        time.process_time() - c0,
        dt,
        res.n_steps,
    )
    log.info(
        "clustered bound %.6g: %d clusters, %d LP solves, %.2f CPU s",
        out.bound,
        out.clusters,
        out.lp_solves,
        out.cpu_seconds,
    )
    return out


def aggregate_guide(
    problem: Problem,
    *,
    of: NDArray[np.int64] | None = None,
    iterations: int = AGGREGATE_ITERATIONS,
    steps: int = AGGREGATE_STEPS,
    stop: SafetyStop | None = None,
    typical: bool = True,
) -> tuple[Guide, int]:
    """A guide for the dispatcher from the clustered column generation (rounded-up grid, no
    moves out of havens), mapped to the real places; and the LP solves it took."""
    from evacuate.plan.lagrange import column_generation_bound

    if not _usable(problem):
        return {}, 0
    agg = aggregate(problem, cluster_places(problem) if of is None else of, typical=typical)
    dt = _dt(agg.problem, steps)
    if dt is None:
        return {}, 0
    res = column_generation_bound(
        agg.problem,
        dt,
        iterations=iterations,
        stop=stop,
        city=True,
        conservative=True,
        transfers=False,
    )
    return map_guide(problem, agg, res.guide), res.iterations


def map_guide(problem: Problem, agg: Aggregate, guide: Guide) -> Guide:
    """The clustered guide's paths on the real places (see the module's docstring)."""
    people = problem.population.astype(np.float64)
    room = problem.sink_capacity.astype(np.float64)
    # members by deadline, earliest first (ties by index)
    edf = [m[np.lexsort((m, problem.deadline[m]))] for m in agg.members]
    # a partial path: supply, vehicles, real legs so far, clustered legs
    paths: list[tuple[int, int, list[tuple[int, int]], list[tuple[int, int]]]] = []
    for big_k in sorted(guide):
        # a clustered supply's vehicles: from its real supplies, earliest first
        owners = sorted(agg.supply_of[big_k], key=lambda r: (problem.supply[r].t, r))
        left = {r: problem.supply[r].count for r in owners}
        for n, legs in guide[big_k]:
            for r in owners:
                m = min(n, left[r])
                if m > 0:
                    paths.append((r, m, [], legs))
                    left[r] -= m
                    n -= m
    depth = 0
    while any(len(legs) > depth for *_, legs in paths):
        order = sorted(
            range(len(paths)), key=lambda q: (problem.supply[paths[q][0]].t, paths[q][0], q)
        )
        nxt: list[tuple[int, int, list[tuple[int, int]], list[tuple[int, int]]]] = []
        for q in order:
            k, n, real, legs = paths[q]
            if len(legs) <= depth:
                nxt.append(paths[q])
                continue
            cap = float(problem.capacity[problem.supply[k].c])
            big, small = legs[depth]
            for i, m in _pickups(edf[big], people, n, cap):
                j = _drop(problem, agg.members[small], room, problem.supply[k].c, i, m * cap)
                nxt.append((k, m, [*real, (i, j)], legs))
        paths = nxt
        depth += 1
    merged: dict[tuple[int, tuple[tuple[int, int], ...]], int] = {}
    for k, n, real, _ in paths:
        key = (k, tuple(real))
        merged[key] = merged.get(key, 0) + n
    out: Guide = {}
    for (k, flown), n in merged.items():
        out.setdefault(k, []).append((n, list(flown)))
    return out


def _pickups(
    members: NDArray[np.int64], people: NDArray[np.float64], n: int, cap: float
) -> list[tuple[int, int]]:
    """(place, vehicles) for ``n`` vehicles of ``cap`` seats loading at a cluster: members
    with people left, earliest deadline first; the rest at its most populous member."""
    out: list[tuple[int, int]] = []
    for i in members.tolist():
        if n <= 0:
            break
        if people[i] <= 0:
            continue
        m = min(n, math.ceil(people[i] / cap - 1e-9))
        people[i] = max(0.0, people[i] - m * cap)
        out.append((i, m))
        n -= m
    if n > 0:
        out.append((int(members[np.argmax(people[members])]) if out else int(members[0]), n))
    return out


def _drop(
    problem: Problem,
    members: NDArray[np.int64],
    room: NDArray[np.float64],
    c: int,
    i: int,
    load: float,
) -> int:
    """The member of a drop cluster for ``load`` people from ``i``: the nearest with room for
    them, else the one with the most room left."""
    if len(members) == 1:
        j = int(members[0])
    else:
        times = problem.times.pairs(c, np.full(len(members), i), members)
        fits = room[members] >= load
        if np.any(fits):
            j = int(members[fits][np.argmin(times[fits])])
        else:
            j = int(members[np.argmax(room[members])])
    room[j] = max(0.0, room[j] - load)
    return j
