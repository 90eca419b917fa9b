"""Simple feasible schedules of a BEP instance (``evacuate.bep``), whose makespans bound the
optimum from above and set the imported scenario's horizon.

``greedy_schedule`` sends each load to the bus group that reaches its point first; its work
grows with the loads a group carries, which a hostile file can make endless (10^8 people, one
bus of one seat). ``greedy_makespan`` therefore gives it a work budget (``GREEDY_WORK``) and
past it takes the **convoy** schedule's makespan instead: all buses of one yard move as one
group, point after point, each point's people to its nearest shelters with room, shuttling;
its makespan is arithmetic over points and shelters, whatever the number of loads.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from evacuate.errors import Issue, ScenarioError
from evacuate.planio import Trip

if TYPE_CHECKING:
    from evacuate.bep import BepInstance

__all__ = [
    "BUS_CLASS",
    "GREEDY_WORK",
    "convoy_makespan",
    "convoy_schedule",
    "greedy_makespan",
    "greedy_schedule",
]

BUS_CLASS = "bus"

GREEDY_WORK = 100_000
"""Work budget of the greedy schedule inside ``greedy_makespan``: loads times the shelters and
groups each load looks at. The published instances take at most a few thousand."""


class _OverBudget(Exception):
    """The greedy schedule took more work than it was given."""


def _feasible(inst: BepInstance) -> None:
    """Raise ``ScenarioError`` unless some schedule moves everyone."""
    if inst.total_demand > inst.total_capacity:
        raise ScenarioError(
            [
                Issue(
                    f"shelters hold {inst.total_capacity} but {inst.total_demand} people wait; "
                    "a BEP instance needs room for everyone",
                    file=inst.source,
                    line=4,
                )
            ]
        )
    if inst.total_demand > 0 and (inst.buses == 0 or inst.bus_capacity == 0):
        raise ScenarioError(
            [Issue("people wait but there are no buses to move them", file=inst.source, line=1)]
        )


def greedy_schedule(inst: BepInstance, max_work: int | None = None) -> list[Trip]:
    """A simple feasible schedule as trips of the scenario ``bep_to_scenario`` writes: loads
    (each to the nearest shelter with room) go one by one to the bus that reaches their point
    first. Buses free at the same time and place move as one group (``bus1``, ``bus2``, ...,
    first one group per yard), so the cost grows with the loads, not with the buses.

    Raises ``ScenarioError`` if there is demand but no bus, or shelters cannot hold everyone.
    With ``max_work``, raises ``_OverBudget`` once the loads have looked at more shelters and
    groups than that.
    """
    _feasible(inst)
    room = list(inst.shelter_capacity)
    cap = inst.bus_capacity
    # identical buses that are free at the same time and place form one group, so the work
    # grows with the loads' distinct decisions, not with the number of buses: each group is
    # [free time, yard index, shelter index or -1 while at its yard, buses, group id]
    fleet: list[list[Any]] = [
        [0.0, y, -1, n, f"bus{y + 1}"] for y, n in enumerate(inst.yard_buses) if n > 0
    ]
    names = len(inst.yard_buses)
    trips: list[Trip] = []
    work = 0

    def reach(g: list[Any], i: int) -> float:
        free, y, at = g[0], g[1], g[2]
        return float(free + (inst.yard_point[y][i] if at < 0 else inst.point_shelter[i][at]))

    for i, left in enumerate(inst.demand):
        while left > 0:
            work += len(room) + len(fleet)
            if max_work is not None and work > max_work:
                raise _OverBudget
            s = min(
                (s for s in range(len(room)) if room[s] > 0), key=lambda s: inst.point_shelter[i][s]
            )
            people = min(left, cap, room[s])
            g = min(fleet, key=lambda g: reach(g, i))
            # as many full loads as the group has buses go at once (one by one, each would
            # take the next bus of the same group: they reach the point at the same time)
            moving = 1 if people < cap else min(g[3], left // cap, room[s] // cap)
            free, y, at = g[0], g[1], g[2]
            there = reach(g, i)
            done = there + inst.point_shelter[i][s]
            if moving == g[3]:
                group = g[4]
                fleet.remove(g)
            else:
                g[3] -= moving
                names += 1
                group = f"bus{names}"
            start = f"yard_{y + 1}" if at < 0 else f"shelter_{at + 1}"
            point = f"point_{i + 1}"
            trips.append(Trip(group, BUS_CLASS, moving, start, free, point, there, 0))
            trips.append(
                Trip(
                    group,
                    BUS_CLASS,
                    moving,
                    point,
                    there,
                    f"shelter_{s + 1}",
                    done,
                    moving * people,
                )
            )
            fleet.append([done, y, s, moving, group])
            left -= moving * people
            room[s] -= moving * people
    return trips


def _convoy_legs(inst: BepInstance, y: int) -> list[tuple[int, int, int]]:
    """The convoy of yard ``y``'s legs: (point, shelter, people), points in file order, each
    point's people to its nearest shelters with room (ties: the first)."""
    room = list(inst.shelter_capacity)
    legs: list[tuple[int, int, int]] = []
    for i, left in enumerate(inst.demand):
        for s in sorted(range(len(room)), key=lambda s: (inst.point_shelter[i][s], s)):
            if left <= 0:
                break
            n = min(left, room[s])
            if n > 0:
                legs.append((i, s, n))
                left -= n
                room[s] -= n
    return legs


def convoy_makespan(inst: BepInstance) -> float:
    """Makespan of the best yard's convoy (``convoy_schedule``), from arithmetic over its legs:
    work grows with points times shelters, not with loads. 0 when nobody waits."""
    _feasible(inst)
    if inst.total_demand == 0:
        return 0.0
    best = math.inf
    for y, buses in enumerate(inst.yard_buses):
        if buses <= 0:
            continue
        per_load = buses * inst.bus_capacity
        t, at = 0.0, -1
        for i, s, n in _convoy_legs(inst, y):
            t += inst.yard_point[y][i] if at < 0 else inst.point_shelter[i][at]
            loads = -(-n // per_load)
            t += (2 * loads - 1) * inst.point_shelter[i][s]
            at = s
        best = min(best, t)
    return best


def convoy_schedule(inst: BepInstance, yard: int) -> list[Trip]:
    """The convoy of yard ``yard`` (index from 0) as trips: all its buses move as one group
    ``convoy``, shuttling each leg's people between the point and the shelter. One trip per
    load: for small instances (tests), where ``convoy_makespan`` is checked against it."""
    buses, cap = inst.yard_buses[yard], inst.bus_capacity
    trips: list[Trip] = []
    t, at = 0.0, -1
    for i, s, n in _convoy_legs(inst, yard):
        point, shelter = f"point_{i + 1}", f"shelter_{s + 1}"
        origin = f"yard_{yard + 1}" if at < 0 else f"shelter_{at + 1}"
        there = t + (inst.yard_point[yard][i] if at < 0 else inst.point_shelter[i][at])
        trips.append(Trip("convoy", BUS_CLASS, buses, origin, t, point, there, 0))
        d = inst.point_shelter[i][s]
        while True:
            people = min(n, buses * cap)
            trips.append(Trip("convoy", BUS_CLASS, buses, point, there, shelter, there + d, people))
            n -= people
            t = there + d
            if n <= 0:
                break
            there = t + d
            trips.append(Trip("convoy", BUS_CLASS, buses, shelter, t, point, there, 0))
        at = s
    return trips


def greedy_makespan(inst: BepInstance) -> float:
    """Makespan of a feasible schedule, so no optimal schedule is longer (0 when nobody
    waits): the greedy schedule's, or past its work budget (``GREEDY_WORK``) the best
    convoy's, whose work does not grow with the loads."""
    try:
        trips = greedy_schedule(inst, GREEDY_WORK)
    except _OverBudget:
        return convoy_makespan(inst)
    return max((t.arrive for t in trips if t.people), default=0.0)
