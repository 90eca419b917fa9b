"""Reads a TEN MIP solution back as trips: the integer vehicle flow decomposed into groups,
people split over the groups that share an arc."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.ten_grid import (
    FloatArray,
    TenModel,
)
from evacuate.planio import Trip, Walk

__all__ = [
    "rescued_by",
    "to_trips",
]

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------- trips
@dataclass
class _Leg:
    """One move of a bundle: place and step indices, and the people on board."""

    origin: int
    k: int
    destination: int
    k_arrive: int
    people: int


@dataclass
class _Bundle:
    """Vehicles of one class that have made the same moves so far (a group to be)."""

    c: int
    count: int
    legs: list[_Leg]


def _split_people(total: int, counts: list[int]) -> list[int]:
    """Split ``total`` people over groups of ``counts`` vehicles, proportionally (floors)."""
    out: list[int] = []
    rest, n_rest = total, sum(counts)
    for n in counts[:-1]:
        share = rest * n // n_rest if n_rest else 0
        out.append(share)
        rest -= share
        n_rest -= n
    out.append(rest)
    return out


def _split_bundle(b: _Bundle, n: int) -> _Bundle:
    """Detach ``n`` vehicles of ``b`` into a new bundle with its own copy of the history."""
    legs: list[_Leg] = []
    for leg in b.legs:
        mine, rest = _split_people(leg.people, [n, b.count - n])
        legs.append(_Leg(leg.origin, leg.k, leg.destination, leg.k_arrive, mine))
        leg.people = rest
    b.count -= n
    return _Bundle(b.c, n, legs)


def to_trips(problem: Problem, model: TenModel, x: FloatArray) -> list[Trip]:
    """Decompose the integer vehicle flow into groups and emit their trips."""
    times = model.times
    flow_w = np.rint(x[model.col_wait]).astype(np.int64)
    flow_e = np.rint(x[model.col_empty]).astype(np.int64)
    flow_l = np.rint(x[model.col_loaded_x]).astype(np.int64)
    ppl_l = np.rint(x[model.col_loaded_y]).astype(np.int64)
    # outgoing arcs per node: loaded first, then empty, then wait
    out: dict[tuple[int, int, int], list[tuple[int, int, int, int, int, int]]] = defaultdict(list)
    rest = model.loaded_rest if len(model.loaded_rest) else np.zeros(len(model.loaded), np.int64)
    for arcs, flow, kind in (
        (model.loaded, flow_l, 0),
        (model.empty, flow_e, 1),
        (model.wait, flow_w, 2),
    ):
        for n in np.flatnonzero(flow > 0):
            node = (int(arcs.c[n]), int(arcs.i[n]), int(arcs.k[n]))
            people = int(ppl_l[n]) if kind == 0 else 0
            wait = int(rest[n]) if kind == 0 else 0  # the turnaround after a loaded trip
            out[node].append((kind, int(arcs.j[n]), int(arcs.s[n]), int(flow[n]), people, wait))
    pool: dict[tuple[int, int, int], list[_Bundle]] = defaultdict(list)
    for node, n_vehicles in sorted(model.supply.items()):
        pool[node].append(_Bundle(node[0], n_vehicles, []))
    finished: list[_Bundle] = []
    for k in range(model.K + 1):
        for c in range(problem.n_classes):
            for p in range(problem.n_places):
                node = (c, p, k)
                here = pool.pop(node, [])
                for kind, j, s, f, people, wait in sorted(out.get(node, [])):
                    taken: list[_Bundle] = []
                    need = f
                    while need > 0 and here:
                        bd = here[-1]
                        if bd.count <= need:
                            here.pop()
                            taken.append(bd)
                            need -= bd.count
                        else:
                            taken.append(_split_bundle(bd, need))
                            need = 0
                    if need > 0:
                        log.warning("TEN flow short by %d vehicles at %s", need, node)
                    if kind != 2:
                        shares = _split_people(people, [bd.count for bd in taken]) if taken else []
                        for bd, share in zip(taken, shares, strict=True):
                            bd.legs.append(_Leg(p, k, j, k + s, share))
                    pool[(c, j, k + s + wait)].extend(taken)
                finished.extend(here)
    finished.extend(bd for bundles in pool.values() for bd in bundles)
    trips: list[Trip] = []
    n_group = 0
    for bd in finished:
        if not bd.legs:
            continue
        n_group += 1
        gid = f"g{n_group}"
        for leg in bd.legs:
            trips.append(
                Trip(
                    group=gid,
                    vehicle_class=problem.classes[bd.c],
                    count=bd.count,
                    origin=problem.places[leg.origin],
                    depart=float(times[leg.k]),
                    destination=problem.places[leg.destination],
                    arrive=float(times[leg.k_arrive]),
                    people=leg.people,
                )
            )
    return trips


def rescued_by(problem: Problem, trips: list[Trip], walks: Sequence[Walk] = ()) -> float:
    """Net inflow of havens at ``end`` from the trips and walks (docs/model.md, "Rescued")."""
    total = 0
    moves: list[Trip | Walk] = [*trips, *walks]
    for t in moves:
        if problem.is_haven[problem.pindex[t.destination]] and t.arrive <= problem.end:
            total += t.people
        if problem.is_haven[problem.pindex[t.origin]] and t.depart <= problem.end:
            total -= t.people
    return float(total)
