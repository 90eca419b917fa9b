"""Plans past the allocation's size by sectors: the places are cut into angular sectors around
the people's centre, and each sector is planned on its own by one dispatcher run.

A dispatcher decision scores every place (``dispatch_kernel.py``), and the decisions grow with
the places, so one run costs about places squared: at 10,000 places one greedy run did not end
in a 60 s stop (5% of the people rescued by then). Cut into sectors of ``REGION_PLACES``
places with people, each with the havens and depots at its angles, the runs cost about
places squared over the sectors. The sectors share no place with people or room, so their
plans together are a plan: a depot with production (a shipyard) is shared, its batches split
between the sectors by their people (largest remainder), every other supply stays with its
place's sector. The price: no trip crosses a sector's edge, so a place whose nearest haven
lies in the next sector goes further. It suits places around a hazard's centre (a wildfire, a
storm, the generator's city); it applies only to straight-line travel on a plane with no
lanes, events, walkways, stands, staging places or worn stock (``decomposable``).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.budget import SafetyStop
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.problem import Problem, compile_problem
from evacuate.planio import Trip
from evacuate.scenario.model import Fleet, Stock

__all__ = [
    "REGION_DECISIONS",
    "REGION_PARAMS",
    "REGION_PLACES",
    "REGION_SHARE",
    "decomposable",
    "region_plan",
    "sectors",
]

log = logging.getLogger(__name__)

REGION_PLACES = 250
"""Places with people per sector (about the ``scale-200`` rung, whose runs take a second)."""

REGION_PARAMS = DispatchParams(slack_power=1.0, skip_empty=True, transfer_value=0.0)
"""The dispatcher's setting in each sector: earliest deadline first (``slack_power``), a place
found empty is skipped until its next arrival (``skip_empty``), and no moves between havens
(``transfer_value``). On ``scale-10000``, one run of the first two on the whole problem
rescued 16.9% of the people in a 60 s stop where the first greedy setting rescued 5%. Without
the third, a sector whose havens filled up spent 25 s of CPU instead of 4 for the same plan:
a haven people were moved out of counts as having room (at least 1) in the dispatcher's
estimates, so every group woke at every delivery to check options that all failed."""

REGION_DECISIONS = 60_000
"""Work budget of one sector's dispatcher run (decisions, ``dispatch(decisions=)``): twice the
most measured on ``scale-10000`` (29,308; 350,899 in its 40 sectors, 37.9 s of CPU in all,
loaded), so it only guards against a runaway sector and the plan is the same whatever the
load."""

REGION_SHARE = 3.0
"""Each sector's run may use this many equal shares of the safety stop's processor time left
(at most all of it): with one share, the largest sectors (2.7 s of CPU, loaded) were cut by
theirs (1.3 s) while most took well under it, so the plan depended on the load."""


def _people_places(problem: Problem) -> NDArray[np.int64]:
    people = problem.population > 0
    for p, _, n in problem.arrivals:
        people[p] |= n > 0
    return np.flatnonzero(people & ~problem.is_haven)


def decomposable(problem: Problem) -> bool:
    """Whether the sectors' plans together make a plan of the problem: straight-line travel
    on a plane between places that all have a position, and none of the rules that tie
    places or vehicles across sectors (lanes, walkways, events, stands, staging places,
    worn stock, operators' pauses)."""
    sc = problem.scenario
    if sc.map.kind != "plane" or sc.travel.routes != "all" or sc.travel.lanes:
        return False
    if sc.travel.walkways or sc.enabled_events or not problem.routes.straight:
        return False
    if any(q.position is None or q.stands is not None for q in sc.places):
        return False
    if any(s.record is not None for s in problem.supply) or problem.pauses:
        return False
    sink = problem.sink_capacity > 0
    return bool(np.any(sink)) and not bool(np.any(sink & ~problem.is_haven))


def sectors(problem: Problem, n: int) -> NDArray[np.int64] | None:
    """(P,) the sector (0 .. n - 1) of every place: angles around the people-weighted centre
    of the places with people, cut so that each sector holds as many of those places; or
    None when some sector has no haven."""
    xy = np.array([q.position for q in problem.scenario.places], dtype=float)[:, :2]
    src = _people_places(problem)
    weight = problem.population[src].astype(float) + 1.0
    centre = (xy[src] * weight[:, None]).sum(axis=0) / weight.sum()
    angle = np.arctan2(xy[:, 1] - centre[1], xy[:, 0] - centre[0])
    ordered = np.sort(angle[src], kind="stable")
    cuts = ordered[[k * src.size // n for k in range(1, n)]]
    part: NDArray[np.int64] = np.searchsorted(cuts, angle, side="right").astype(np.int64)
    havens = np.flatnonzero(problem.is_haven & (problem.sink_capacity > 0))
    if np.unique(part[havens]).size < n:
        return None
    return part


def _shares(count: int, weights: NDArray[np.float64]) -> list[int]:
    """``count`` split by ``weights`` (largest remainder, ties to the lower index)."""
    exact = count * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: count - int(base.sum())]] += 1
    return [int(x) for x in base]


def region_plan(
    problem: Problem, stop: SafetyStop, places: int | None = None
) -> tuple[list[Trip], dict[str, Any]] | None:
    """The sectors' plans together (group ids prefixed with the sector's), or None when the
    problem is not ``decomposable`` or a sector would have no haven. ``places``: places with
    people per sector (default ``REGION_PLACES``). One dispatcher run per sector (a work
    budget); ``stop`` is the safety stop: each sector's run may use an equal share of its
    processor time left (``stop.bound`` says when one was cut)."""
    if not decomposable(problem):
        return None
    places = REGION_PLACES if places is None else places
    src = _people_places(problem)
    n = max(1, math.ceil(src.size / places))
    part = sectors(problem, n)
    if part is None:
        return None
    sc = problem.scenario
    people = np.zeros(n)
    np.add.at(people, part[src], problem.population[src].astype(float))
    for p, _, count in problem.arrivals:
        people[part[p]] += count
    yards = {problem.pindex[y.place] for y in sc.fleet.shipyards}
    stocks: list[list[Stock]] = [[] for _ in range(n)]
    for s in problem.supply:
        split = _shares(s.count, people) if s.p in yards else None
        for r in range(n):
            count = split[r] if split is not None else s.count * (r == part[s.p])
            if count > 0:
                stocks[r].append(
                    Stock(
                        vehicle_class=problem.classes[s.c],
                        place=problem.places[s.p],
                        count=count,
                        available_from=s.t,
                    )
                )
    trips: list[Trip] = []
    runs = 0
    cut = False  # whether a sector's share of the stop cut its run
    for r in range(n):
        if runs > 0 and stop.reached():
            break
        own_stop = stop
        if stop.seconds is not None:
            # up to REGION_SHARE equal shares of the safety stop's processor time left: cut
            # by it, a sector keeps its most urgent work (earliest deadline first), where
            # one shared stop would leave the last sectors unplanned
            cpu = max(stop.seconds - (time.process_time() - stop.cpu_start), 0.0)
            own_stop = SafetyStop(min(cpu, REGION_SHARE * cpu / (n - r)))
        keep = part == r
        keep[sorted(yards)] = True  # a shipyard feeds every sector
        sub = sc.model_copy(
            update={
                "places": tuple(q for q, k in zip(sc.places, keep, strict=True) if k),
                "fleet": Fleet(classes=sc.fleet.classes, stock=tuple(stocks[r])),
                "variants": {},
            }
        )
        own = dispatch(
            compile_problem(sub), REGION_PARAMS, stop=own_stop, decisions=REGION_DECISIONS
        )
        cut |= own_stop.bound
        runs += 1
        trips += [replace(tr, group=f"r{r}.{tr.group}") for tr in own]
    stop.bound |= cut  # not before: the next sectors still get their share
    log.info("sectors: %d of %d planned, %d trips", runs, n, len(trips))
    return trips, {"sectors": n, "planned": runs, "places_per_sector": places}
