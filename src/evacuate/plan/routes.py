"""Routes of a compiled problem: the ways from place to place per vehicle class.

Most pairs have only the undeclared direct route (straight-line distance over the class's
speed, open at all times); those are one (C, P, P) array of times. Pairs with lanes, closures
or known sinkings keep ``Route`` objects with their windows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evacuate.scenario import derive
from evacuate.scenario.model import Lane, LatLon, VehicleClass
from evacuate.scenario.scenario import Scenario
from evacuate.units import DISTANCE_UNITS

__all__ = ["Route", "Routes", "direct_times"]

INF = math.inf


@dataclass(frozen=True)
class Route:
    """One way from i to j for a class: a duration and when travel may start on it."""

    time: float
    lane: Lane | None
    closed: tuple[tuple[float, float], ...] = ()

    def open_at(self, t: float) -> bool:
        if any(a <= t < b for a, b in self.closed):
            return False
        return self.lane is None or derive.lane_open(self.lane, t)

    def next_open(self, t: float, horizon: float) -> float | None:
        """The earliest instant >= t at which travel may start, or None before ``horizon``.

        Travel can only become possible at ``t``, at the end of a closure, at a window's
        start or at the start of a period (the first at or after each of those), so these few
        candidates are tried in order: no walk over periods, however short they are.
        """
        candidates = [t, *(b for _a, b in self.closed if math.isfinite(b))]
        pw = None
        if self.lane is not None:
            candidates += [w.start for w in self.lane.windows]
            pw = self.lane.periodic
            if pw is not None and pw.start is not None:
                candidates.append(pw.start)
        if pw is not None:
            every, offset = pw.every, pw.offset
            for c in list(candidates):
                k = math.ceil((max(c, t) - offset) / every)
                candidates += [offset + (k - 1) * every, offset + k * every]
        for c in sorted({x for x in candidates if x >= t}):
            if c > horizon:
                break
            if self.open_at(c):
                return c
        return None


class Routes(Mapping[tuple[int, int, int], list[Route]]):
    """Routes for (class, i, j) pairs that have any travel time, built on demand.

    Most pairs have only the undeclared direct route, open at all times: those live in one
    (C, P, P) array of times, and only pairs with lanes or closures keep route objects, so
    the cost of a scenario grows with what it declares, not with places squared."""

    def __init__(
        self,
        travel: NDArray[np.float64],
        direct: NDArray[np.float64],
        special: dict[tuple[int, int, int], list[Route]],
    ) -> None:
        self._travel = travel
        self._direct = direct
        self._special = special
        self._keys: list[tuple[int, int, int]] | None = None

    def __getitem__(self, key: tuple[int, int, int]) -> list[Route]:
        found = self._special.get(key)
        if found is not None:
            return found
        c, i, j = key
        t = float(self._direct[c, i, j])
        if i == j or not math.isfinite(t):
            raise KeyError(key)
        return [Route(t, None)]

    def _all(self) -> list[tuple[int, int, int]]:
        if self._keys is None:
            idx = np.argwhere(np.isfinite(self._travel))
            self._keys = [(int(c), int(i), int(j)) for c, i, j in idx if i != j]
        return self._keys

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    @property
    def straight(self) -> bool:
        """Every travel time is the direct straight-line one (no lanes): times then obey the
        triangle inequality, so no chain of moves is quicker than the direct move."""
        return self._travel is self._direct

    def __contains__(self, key: object) -> bool:
        if key in self._special:
            return True
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        c, i, j = key
        return i != j and bool(np.isfinite(self._direct[c, i, j]))


def _positions(scenario: Scenario) -> NDArray[np.float64]:
    """(P, 3) plane coordinates, or (P, 2) latitude/longitude in radians; NaN where none."""
    sphere = scenario.map.kind == "sphere"
    out = np.full((len(scenario.places), 2 if sphere else 3), np.nan)
    for k, place in enumerate(scenario.places):
        pos = place.position
        if pos is None:
            continue
        if isinstance(pos, LatLon):
            if sphere:
                out[k] = (math.radians(pos.lat), math.radians(pos.lon))
        elif not sphere:
            out[k] = (pos[0], pos[1], pos[2] if len(pos) > 2 else 0.0)
    return out


def _distances(scenario: Scenario, pos: NDArray[np.float64], rows: slice) -> NDArray[np.float64]:
    """(rows, P) straight-line distances in map units from the places ``rows`` (inf: none)."""
    with np.errstate(invalid="ignore", over="ignore"):
        if scenario.map.kind == "sphere":
            lat, lon = pos[:, 0], pos[:, 1]
            dp = lat[None, :] - lat[rows, None]
            dl = lon[None, :] - lon[rows, None]
            a = (
                np.sin(dp / 2) ** 2
                + np.cos(lat[rows])[:, None] * np.cos(lat)[None, :] * np.sin(dl / 2) ** 2
            )
            km = 2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            dist = km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[scenario.map.unit]
        else:
            sq = np.zeros((len(pos[rows]), len(pos)))
            for k in range(3):
                d = pos[None, :, k] - pos[rows, None, k]
                sq += d * d
            dist = np.sqrt(sq)
        known = np.asarray(np.isfinite(pos).all(axis=1), dtype=np.bool_)
        # huge coordinates overflow the squares: those pairs the slow, careful way
        first = rows.start or 0
        for i, j in np.argwhere(np.isinf(dist) & known[rows, None] & known[None, :]):
            dist[i, j] = math.hypot(*(pos[first + i] - pos[j]))
    dist[~np.isfinite(dist)] = INF
    return np.asarray(dist, dtype=np.float64)


ROWS_AT_ONCE = 1024
"""Direct times are computed this many places at a time, so that the temporaries stay small
beside the (classes, places, places) result (10,000 places: 3.6 GB, not twice that)."""


def direct_times(scenario: Scenario, vcs: list[VehicleClass]) -> NDArray[np.float64]:
    """(C, P, P) times of the undeclared direct routes (inf: none), all pairs at once; the
    same numbers as ``derive.route_time`` (up to rounding in the last bits)."""
    n_p = len(scenario.places)
    out = np.full((len(vcs), n_p, n_p), INF)
    if scenario.travel.routes != "all" or n_p == 0:
        return out
    pos = _positions(scenario)
    for first in range(0, n_p, ROWS_AT_ONCE):
        rows = slice(first, min(n_p, first + ROWS_AT_ONCE))
        dist = _distances(scenario, pos, rows)
        for ci, vc in enumerate(vcs):
            if vc.speed is not None:
                out[ci, rows] = dist / vc.speed
    for ci in range(len(vcs)):
        np.fill_diagonal(out[ci], INF)
    return out
    pos = _positions(scenario)
    with np.errstate(invalid="ignore", over="ignore"):
        if scenario.map.kind == "sphere":
            lat, lon = pos[:, 0], pos[:, 1]
            dp = lat[None, :] - lat[:, None]
            dl = lon[None, :] - lon[:, None]
            a = (
                np.sin(dp / 2) ** 2
                + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dl / 2) ** 2
            )
            km = 2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            dist = km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[scenario.map.unit]
        else:
            sq = np.zeros((n_p, n_p))
            for k in range(3):
                d = pos[None, :, k] - pos[:, None, k]
                sq += d * d
            del d
            dist = np.sqrt(sq)
            del sq
        known = np.asarray(np.isfinite(pos).all(axis=1), dtype=np.bool_)
        # huge coordinates overflow the squares: those pairs the slow, careful way
        for i, j in np.argwhere(np.isinf(dist) & known[:, None] & known[None, :]):
            dist[i, j] = math.hypot(*(pos[i] - pos[j]))
    dist[~np.isfinite(dist)] = INF
    np.fill_diagonal(dist, INF)
    for ci, vc in enumerate(vcs):
        if vc.speed is not None:
            out[ci] = dist / vc.speed
    return out
