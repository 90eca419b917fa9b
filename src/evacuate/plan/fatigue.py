"""A bound from the fleet's working time: loaded trips each vehicle can make, times seats.

A loaded trip lasts at least ``load + fastest travel + unload`` of its class, and after it the
vehicles rest for the class's ``turnaround`` before their next trip (docs/model.md), so a
vehicle free to leave at ``s`` completes at most ``floor((end - s + turnaround) /
(load + travel + unload + turnaround))`` loaded trips by the horizon. Everyone rescued rode one
of them, so the seats of those trips bound the rescued; a class's ``max_sorties`` caps them,
less the sorties a stock entry's ``record`` says its vehicles flew before (a replan of a worn
fleet). Deadlines, closures, withdrawals and losses are relaxed (left out); vehicles enter at
the earliest instant they could: stock at its ``available_from``, reinforcements at their
event, a shipyard's output at its first period.
"""

from __future__ import annotations

import math

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.scenario.fleet_limits import record_of
from evacuate.scenario.model import AddVehicles
from evacuate.scenario.summary import produced

__all__ = ["MAX_TRIPS", "fleet_work_bound"]

MAX_TRIPS = 1e12
"""More loaded trips per vehicle than this: the fleet's time sets no useful limit."""


def _entries(problem: Problem) -> list[tuple[int, float, int, int]]:
    """(class index, earliest departure, vehicles, sorties flown before) of every vehicle that
    can enter."""
    sc, cindex, end = problem.scenario, problem.cindex, problem.end
    out: list[tuple[int, float, int, int]] = []
    for st in sc.fleet.stock:
        if st.vehicle_class in cindex and st.count > 0:
            flown = record_of(st.record)
            out.append(
                (
                    cindex[st.vehicle_class],
                    max(0.0, st.available_from),
                    st.count,
                    0 if flown is None else flown[0],
                )
            )
    for ev in sc.enabled_events:
        if ev.mode != "known":
            continue
        for fx in ev.effects:
            if isinstance(fx, AddVehicles) and fx.vehicle_class in cindex and fx.count > 0:
                out.append((cindex[fx.vehicle_class], max(0.0, ev.at), fx.count, 0))
    for y in sc.fleet.shipyards:
        if y.vehicle_class not in cindex or not y.schedule:
            continue
        first = max(0.0, min(p.start for p in y.schedule))
        if y.available_from is not None:
            first = max(first, y.available_from)
        made = produced(y, end)
        if made > 0:
            out.append((cindex[y.vehicle_class], first, made, 0))
    return out


def fleet_work_bound(problem: Problem) -> float:
    """Seats of every loaded trip the fleet can complete by the horizon (inf: no limit)."""
    n_c = problem.n_classes
    cycle = np.full(n_c, math.inf)
    for c in range(n_c):
        fastest = problem.times.fastest(c)  # no (places, places) array when computed on demand
        if math.isfinite(fastest):
            cycle[c] = float(problem.load[c] + fastest + problem.unload[c])
    sorties = [math.inf] * n_c
    for vc in problem.scenario.fleet.classes:
        if vc.id in problem.cindex and vc.max_sorties is not None:
            sorties[problem.cindex[vc.id]] = float(vc.max_sorties)
    total = 0.0
    for c, start, count, flown in _entries(problem):
        rest = problem.rest(c)
        length = float(cycle[c])
        if not math.isfinite(length) or problem.end < start + length:
            continue  # no loaded trip at all
        span, step = problem.end - start + rest, length + rest
        if step <= 0 or span / MAX_TRIPS > step:
            if math.isfinite(sorties[c]):
                total += float(count) * max(0.0, sorties[c] - flown) * float(problem.capacity[c])
                continue
            return math.inf  # (nearly) instant round trips: no limit from time
        trips = min(math.floor(span / step + 1e-9), max(0.0, sorties[c] - flown))
        total += float(count) * trips * float(problem.capacity[c])
    return total
