"""Quantities derived from a scenario's data: distances, hazard deadlines, travel times, lanes open.

These follow ``docs/model.md``. The checker (``evacuate.check``) re-implements them on purpose,
so that a mistake here cannot hide itself in both the planner and its verifier.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evacuate.scenario.model import Lane, LatLon, Place, VehicleClass
from evacuate.units import DISTANCE_UNITS, great_circle_km

if TYPE_CHECKING:
    from evacuate.scenario.model import Position
    from evacuate.scenario.scenario import Scenario

__all__ = [
    "deadline",
    "direct_route_allowed",
    "distance",
    "fastest_time",
    "hazard_arrival",
    "lane_open",
    "lanes_between",
    "route_time",
]


def _xyz(p: Position) -> tuple[float, float, float]:
    if isinstance(p, LatLon):
        raise TypeError("lat/lon position in a plane map")
    return (p[0], p[1], p[2] if len(p) > 2 else 0.0)


def distance(scenario: Scenario, a: Position, b: Position) -> float:
    """Distance between two positions in the map unit (great circle on a sphere map)."""
    if scenario.map.kind == "sphere":
        if not isinstance(a, LatLon) or not isinstance(b, LatLon):
            raise TypeError("sphere maps need {lat, lon} positions")
        km = great_circle_km(a.lat, a.lon, b.lat, b.lon)
        return km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[scenario.map.unit]
    (x1, y1, z1), (x2, y2, z2) = _xyz(a), _xyz(b)
    return math.hypot(x1 - x2, y1 - y2, z1 - z2)  # no OverflowError for huge coordinates


def hazard_arrival(scenario: Scenario, place: Place) -> float | None:
    """When the hazard front reaches the place, or None if it never does."""
    hz = scenario.hazard
    if hz is None or place.position is None:
        return None
    r = distance(scenario, hz.origin, place.position)
    if hz.max_radius is not None and r > hz.max_radius:
        return None
    return hz.start + r / hz.speed


def deadline(scenario: Scenario, place: Place) -> float | None:
    """Explicit deadline if given, else the hazard's arrival, else None (never threatened)."""
    if place.deadline is not None:
        return place.deadline
    return hazard_arrival(scenario, place)


def lanes_between(scenario: Scenario, a: str, b: str) -> list[Lane]:
    """Declared lanes usable from ``a`` to ``b``."""
    return [
        ln
        for ln in scenario.travel.lanes
        if (ln.start == a and ln.end == b) or (ln.bidirectional and ln.start == b and ln.end == a)
    ]


def direct_route_allowed(scenario: Scenario, a: str, b: str) -> bool:
    """The undeclared direct route exists when routes are 'all', both places have positions, and
    no lane was declared between them (a declared lane replaces it)."""
    if scenario.travel.routes != "all" or a == b:
        return False
    pa, pb = scenario.place(a), scenario.place(b)
    if pa.position is None or pb.position is None:
        return False
    return not any({ln.start, ln.end} == {a, b} for ln in scenario.travel.lanes)


def route_time(
    scenario: Scenario, vc: VehicleClass, a: str, b: str, lane: Lane | None
) -> float | None:
    """Travel time of one class on a lane (or the direct route with ``lane=None``); None if the
    class cannot use it (no speed and no fixed time)."""
    if lane is not None:
        if vc.id in lane.class_times:
            return lane.class_times[vc.id]
        if lane.time is not None:
            return lane.time
        if lane.distance is not None:
            dist = lane.distance
        else:
            pa, pb = scenario.place(lane.start), scenario.place(lane.end)
            if pa.position is None or pb.position is None:
                return None
            dist = distance(scenario, pa.position, pb.position)
        # divide twice: the product of two tiny positive floats can underflow to zero
        return None if vc.speed is None else dist / vc.speed / lane.speed_factor
    pa, pb = scenario.place(a), scenario.place(b)
    if vc.speed is None or pa.position is None or pb.position is None:
        return None
    return distance(scenario, pa.position, pb.position) / vc.speed


def lane_open(lane: Lane, t: float) -> bool:
    """Whether travel may start on the lane at time ``t`` (windows and periodic windows).

    A lane with neither is always open. With both, travel may start when either allows it.
    """
    if not lane.windows and lane.periodic is None:
        return True
    for w in lane.windows:
        if w.start <= t and (w.end is None or t < w.end):
            return True
    pw = lane.periodic
    if pw is not None and (pw.start is None or t >= pw.start) and (pw.end is None or t < pw.end):
        phase = (t - pw.offset) % pw.every
        if phase < pw.open_for:
            return True
    return False


def fastest_time(scenario: Scenario, vc: VehicleClass, a: str, b: str) -> float | None:
    """The shortest travel time from ``a`` to ``b`` for the class over every route, ignoring
    windows and events; None if there is no route."""
    best: float | None = None
    if direct_route_allowed(scenario, a, b):
        best = route_time(scenario, vc, a, b, None)
    for ln in lanes_between(scenario, a, b):
        t = route_time(scenario, vc, a, b, ln)
        if t is not None and (best is None or t < best):
            best = t
    return best
