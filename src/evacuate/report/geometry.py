"""Where to draw places on the report's map, and the hazard front's reach at a few times."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evacuate.scenario import summary
from evacuate.scenario.model import LatLon
from evacuate.scenario.scenario import Scenario
from evacuate.units import DISTANCE_UNITS

__all__ = ["HazardRing", "Layout", "hazard_rings", "layout"]

_EARTH_KM = 6371.0


@dataclass(frozen=True)
class Layout:
    """2-D drawing coordinates of every place, and what they mean."""

    points: dict[str, tuple[float, float]]
    kind: str
    """``plane`` (x, y in the map unit), ``sphere`` (longitude, latitude) or ``circle`` (no
    positions: places drawn on a circle, for lanes-only scenarios)."""
    x_title: str
    y_title: str
    aspect: float
    """Drawn length of one y unit over one x unit (1 on a plane; 1 / cos(latitude) on a sphere)."""
    note: str
    """A sentence for the reader when the drawing is not a faithful map, else empty."""


def layout(scenario: Scenario) -> Layout:
    """Map coordinates when every place has a position, else places evenly on a circle."""
    places = scenario.places
    unit = scenario.map.unit
    if all(p.position is not None for p in places):
        if scenario.map.kind == "sphere":
            pts = {}
            for p in places:
                assert isinstance(p.position, LatLon)
                pts[p.id] = (p.position.lon, p.position.lat)
            mean_lat = sum(y for _, y in pts.values()) / len(pts)
            aspect = 1 / max(math.cos(math.radians(mean_lat)), 0.05)
            return Layout(pts, "sphere", "Longitude (°)", "Latitude (°)", aspect, "")
        pts = {}
        has_z = False
        for p in places:
            pos = p.position
            assert pos is not None and not isinstance(pos, LatLon)
            pts[p.id] = (float(pos[0]), float(pos[1]))
            has_z = has_z or (len(pos) > 2 and pos[2] != 0)
        note = "Places with a height (z) are drawn at their x, y position." if has_z else ""
        return Layout(pts, "plane", f"x ({unit})", f"y ({unit})", 1.0, note)
    n = len(places)
    pts = {
        p.id: (
            math.cos(math.pi / 2 - 2 * math.pi * i / n),
            math.sin(math.pi / 2 - 2 * math.pi * i / n),
        )
        for i, p in enumerate(places)
    }
    missing = sum(1 for p in places if p.position is None)
    note = (
        f"{missing:,} of {n:,} places have no position (the routes are declared lanes), so "
        "places are drawn evenly on a circle, in file order: distances on this drawing mean "
        "nothing."
    )
    return Layout(pts, "circle", "", "", 1.0, note)


@dataclass(frozen=True)
class HazardRing:
    """The hazard front at ``time``: a closed line in layout coordinates."""

    time: float
    radius: float
    """In the map unit."""
    points: tuple[tuple[float, float], ...]


def _ring_times(scenario: Scenario, limit: int) -> list[float]:
    hz = scenario.hazard
    assert hz is not None
    deadlines = sorted(
        {
            d
            for p in scenario.places
            if (d := summary.effective_deadline(scenario, p.id)) is not None
            and d > hz.start
            and d <= scenario.end
            and p.deadline is None
        }
    )
    if hz.max_radius is not None:
        full = hz.start + hz.max_radius / hz.speed
        if full <= scenario.end:
            deadlines.append(full)
    if not deadlines:
        deadlines = [scenario.end]
    times = sorted(set(deadlines))
    if len(times) > limit:  # evenly chosen, always keeping the last
        step = (len(times) - 1) / (limit - 1)
        times = [times[round(k * step)] for k in range(limit)]
    return times


def hazard_rings(scenario: Scenario, lay: Layout, limit: int = 4) -> list[HazardRing]:
    """The front at up to ``limit`` times (hazard arrivals at places, and full reach), largest
    last, each at least a tenth of the largest radius apart; empty without a hazard or on a
    drawing that is not a map."""
    hz = scenario.hazard
    if hz is None or lay.kind == "circle":
        return []
    rings = []
    for t in _ring_times(scenario, limit):
        r = max(0.0, (t - hz.start) * hz.speed)
        if hz.max_radius is not None:
            r = min(r, hz.max_radius)
        if r <= 0:
            continue
        rings.append(HazardRing(t, r, _circle(scenario, r)))
    kept: list[HazardRing] = []
    for ring in reversed(rings):  # from the largest: drop rings too close to draw apart
        if not kept or kept[-1].radius - ring.radius >= 0.1 * rings[-1].radius:
            kept.append(ring)
    return kept[::-1]


def _circle(scenario: Scenario, r: float, n: int = 120) -> tuple[tuple[float, float], ...]:
    hz = scenario.hazard
    assert hz is not None
    if isinstance(hz.origin, LatLon):
        lat0, lon0 = math.radians(hz.origin.lat), math.radians(hz.origin.lon)
        ang = min(r * DISTANCE_UNITS[scenario.map.unit] / DISTANCE_UNITS["km"] / _EARTH_KM, math.pi)
        pts = []
        for k in range(n + 1):
            b = 2 * math.pi * k / n
            lat = math.asin(
                math.sin(lat0) * math.cos(ang) + math.cos(lat0) * math.sin(ang) * math.cos(b)
            )
            lon = lon0 + math.atan2(
                math.sin(b) * math.sin(ang) * math.cos(lat0),
                math.cos(ang) - math.sin(lat0) * math.sin(lat),
            )
            pts.append((math.degrees(lon), math.degrees(lat)))
        return tuple(pts)
    x0, y0 = float(hz.origin[0]), float(hz.origin[1])
    return tuple(
        (x0 + r * math.cos(2 * math.pi * k / n), y0 + r * math.sin(2 * math.pi * k / n))
        for k in range(n + 1)
    )
