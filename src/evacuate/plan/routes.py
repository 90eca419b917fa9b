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
from scipy.spatial import cKDTree

from evacuate.scenario import derive
from evacuate.scenario.model import Lane, LatLon, VehicleClass
from evacuate.scenario.scenario import Scenario
from evacuate.units import DISTANCE_UNITS

__all__ = ["DirectTimes", "Route", "Routes", "Times", "direct_times"]

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

    Most pairs have only the undeclared direct route, open at all times: those are read from
    ``Times`` (computed on demand with straight-line travel), and only pairs with lanes or
    closures keep route objects, so the cost of a scenario grows with what it declares, not
    with places squared."""

    def __init__(
        self,
        travel: Times,
        direct: Times | DirectTimes,
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
        t = self._direct.at(c, i, j) if i != j else INF
        if i == j or not math.isfinite(t):
            raise KeyError(key)
        return [Route(t, None)]

    def _all(self) -> list[tuple[int, int, int]]:
        if self._keys is None:
            idx = np.argwhere(np.isfinite(self._travel.dense()))
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
        return i != j and math.isfinite(self._direct.at(c, i, j))


class DirectTimes:
    """The undeclared direct routes' times where lanes are declared: a lane replaces the
    direct route between its places, in both directions (inf there), and elsewhere the
    fastest time is the direct one. Read from the fastest times' array, so that a scenario
    with lanes keeps one (classes, places, places) array, not two (3.6 GB each at 12,250
    places)."""

    def __init__(self, travel: Times, laned: set[tuple[int, int]]) -> None:
        self._travel = travel
        self._laned = laned

    def at(self, c: int, i: int, j: int) -> float:
        """The direct time of class ``c`` from ``i`` to ``j`` (inf: none, or a lane there)."""
        return INF if (i, j) in self._laned else self._travel.at(c, i, j)


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


def _distances(
    scenario: Scenario, pos: NDArray[np.float64], rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Straight-line distances in map units from the places ``rows`` to the places ``cols``
    (index arrays that broadcast: ``rows[:, None]`` and ``cols[None, :]`` for a block; inf:
    none). Each pair's number is the same whatever the shape asked."""
    a_pos, b_pos = pos[rows], pos[cols]
    with np.errstate(invalid="ignore", over="ignore"):
        if scenario.map.kind == "sphere":
            lat_a, lat_b = a_pos[..., 0], b_pos[..., 0]
            dp = lat_b - lat_a
            dl = b_pos[..., 1] - a_pos[..., 1]
            a = np.sin(dp / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin(dl / 2) ** 2
            km = 2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            dist = np.array(km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[scenario.map.unit])
        else:
            sq = np.zeros(np.broadcast_shapes(rows.shape, cols.shape))
            for k in range(3):
                d = b_pos[..., k] - a_pos[..., k]
                sq += d * d
            dist = np.array(np.sqrt(sq))
        a_known = np.isfinite(a_pos).all(axis=-1)
        b_known = np.isfinite(b_pos).all(axis=-1)
        # huge coordinates overflow the squares: those pairs the slow, careful way
        bad = np.isinf(dist) & a_known & b_known
        if np.any(bad):
            ra, cb = np.broadcast_arrays(rows, cols)
            for idx in zip(*np.nonzero(bad), strict=True):
                dist[idx] = math.hypot(*(pos[ra[idx]] - pos[cb[idx]]))
    return np.where(np.isfinite(dist), dist, INF)


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
    every = np.arange(n_p)
    for first in range(0, n_p, ROWS_AT_ONCE):
        rows = every[first : first + ROWS_AT_ONCE]
        dist = _distances(scenario, pos, rows[:, None], every[None, :])
        for ci, vc in enumerate(vcs):
            if vc.speed is not None:
                out[ci, rows] = dist / vc.speed
    for ci in range(len(vcs)):
        np.fill_diagonal(out[ci], INF)
    return out


BLOCK_CELLS = 2_000_000
"""Pairs computed at once by ``Times.block`` on demand (16 MB a temporary): the pooled bound
asks for (havens and entry places) x places at once, 2,250 x 12,250 at 10,000 places, whose
temporaries of 220 MB each made most of that bound's 1.5 GB peak (858 MB in parts)."""

DENSE_CELLS = 25_000_000
"""Classes x places x places up to which the whole array of times is built at once (200 MB;
about 2,900 places with 3 classes): reading it is quicker than computing times again."""


class Times:
    """(C, P, P) travel times (inf: none), read by rows, blocks and pairs.

    Built from an array (scenarios with lanes, or up to ``DENSE_CELLS``), or, for
    straight-line travel only on more places, computed on demand from their positions: a
    row, a block of candidate pairs, the fastest trip, so that a planner that only needs
    those keeps no (places, places) array (10,000 places and 3 classes: 3.6 GB). ``dense()``
    builds the whole array once for the planners that need it (the same numbers)."""

    def __init__(
        self,
        scenario: Scenario,
        vcs: list[VehicleClass],
        array: NDArray[np.float64] | None = None,
    ) -> None:
        self._scenario = scenario
        self._vcs = vcs
        self._array = array
        n_p = len(scenario.places)
        self.shape = (len(vcs), n_p, n_p)
        self._pos: NDArray[np.float64] | None = None
        self._none = scenario.travel.routes != "all" or n_p == 0
        self._speed = [vc.speed for vc in vcs]
        self._on_demand = array is None and len(vcs) * n_p * n_p > DENSE_CELLS
        if array is None and not self._on_demand:
            self._array = direct_times(scenario, vcs)  # small: the whole array at once

    @property
    def on_demand(self) -> bool:
        """Whether the times are computed from the positions (straight-line travel only,
        more than ``DENSE_CELLS``)."""
        return self._on_demand

    @property
    def built(self) -> bool:
        """Whether the whole array exists."""
        return self._array is not None

    def dense(self) -> NDArray[np.float64]:
        """The whole (C, P, P) array (built on first use)."""
        if self._array is None:
            self._array = direct_times(self._scenario, self._vcs)
        return self._array

    def _positions(self) -> NDArray[np.float64]:
        if self._pos is None:
            self._pos = _positions(self._scenario)
        return self._pos

    def pairs(
        self, c: int, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Times of class ``c`` from ``rows`` to ``cols`` (index arrays that broadcast)."""
        if self._array is not None:
            return np.asarray(self._array[c][rows, cols], dtype=np.float64)
        speed = self._speed[c]
        shape = np.broadcast_shapes(np.shape(rows), np.shape(cols))
        if self._none or speed is None:
            return np.full(shape, INF)
        out = _distances(self._scenario, self._positions(), rows, cols) / speed
        return np.where(rows == cols, INF, out)

    def block(
        self, c: int, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """(len(rows), len(cols)) times of class ``c`` from the places ``rows`` to ``cols``
        (computed on demand ``BLOCK_CELLS`` at a time, so that the temporaries stay small
        beside the result; each pair's number is the same whatever the shape asked)."""
        if self._array is not None:
            return np.asarray(self._array[c][np.ix_(rows, cols)], dtype=np.float64)
        if len(rows) * len(cols) <= BLOCK_CELLS:
            return self.pairs(c, rows[:, None], cols[None, :])
        out = np.empty((len(rows), len(cols)))
        step = max(1, BLOCK_CELLS // max(len(cols), 1))
        for first in range(0, len(rows), step):
            part = rows[first : first + step]
            out[first : first + len(part)] = self.pairs(c, part[:, None], cols[None, :])
        return out

    def row(self, c: int, i: int) -> NDArray[np.float64]:
        """(P,) times of class ``c`` from place ``i`` (a fresh array)."""
        if self._array is not None:
            return np.array(self._array[c, i], dtype=np.float64)
        return self.pairs(c, np.array(i), np.arange(self.shape[1]))

    def at(self, c: int, i: int, j: int) -> float:
        """The time of class ``c`` from ``i`` to ``j``."""
        if self._array is not None:
            return float(self._array[c, i, j])
        return float(self.pairs(c, np.array(i), np.array(j)))

    def fastest(self, c: int) -> float:
        """The shortest time of class ``c`` between two places (inf: none)."""
        if self._array is not None:
            finite = self._array[c][np.isfinite(self._array[c])]
            return float(finite.min()) if len(finite) else INF
        speed = self._speed[c]
        if self._none or speed is None:
            return INF
        return self._closest() / speed

    def _closest(self) -> float:
        """The shortest distance between two places."""
        every = np.arange(self.shape[1])
        near = self._near(every, every)
        return float(near.min(initial=INF))

    def _near(self, sources: NDArray[np.int64], places: NDArray[np.int64]) -> NDArray[np.float64]:
        """(len(places),) the distance from each place to the nearest of ``sources`` other
        than itself (inf: none), by a k-d tree over the sources (no (P, P) array, about
        P log P work); the few nearest the tree finds are measured again exactly as
        ``_distances`` measures them, so the numbers are those of the whole array."""
        pos = self._positions()
        out = np.full(len(places), INF)
        xyz = self._xyz()
        known = np.asarray(np.isfinite(xyz).all(axis=1), dtype=np.bool_)
        src = sources[known[sources]]
        if len(src) == 0:
            return out
        tree = cKDTree(xyz[src])
        k = min(NEAREST_CHECKED, len(src))
        mine = places[known[places]]
        _, idx = tree.query(xyz[mine], k=k)
        cand = src[np.asarray(idx, dtype=np.int64).reshape(len(mine), k)]
        dist = _distances(self._scenario, pos, mine[:, None], cand)
        dist = np.where(cand == mine[:, None], INF, dist)
        out[known[places]] = dist.min(axis=1)
        return out

    def _xyz(self) -> NDArray[np.float64]:
        """Points whose straight-line distances order as the places' distances do (on a
        sphere, chords order as arcs)."""
        pos = self._positions()
        if self._scenario.map.kind != "sphere":
            return pos
        lat, lon = pos[:, 0], pos[:, 1]
        return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], 1)

    def nearest_targets(
        self, c: int, rows: NDArray[np.int64], targets: NDArray[np.int64], k: int
    ) -> NDArray[np.int64]:
        """(len(rows), k) for each row's place, the ``k`` of ``targets`` reached first by
        class ``c`` (times computed on demand: a k-d tree over the targets finds a few more
        than ``k``, whose times are then measured exactly and sorted, ties by target), as
        indices into ``targets``; -1 where fewer are reached."""
        out = np.full((len(rows), k), -1, dtype=np.int64)
        xyz = self._xyz()
        known = np.asarray(np.isfinite(xyz).all(axis=1), dtype=np.bool_)
        tgt = np.flatnonzero(known[targets])
        mine = np.flatnonzero(known[rows])
        if self._none or self._speed[c] is None or len(tgt) == 0 or len(mine) == 0 or k == 0:
            return out
        m = min(k + NEAREST_CHECKED, len(tgt))
        _, idx = cKDTree(xyz[targets[tgt]]).query(xyz[rows[mine]], k=m)
        cand = tgt[np.asarray(idx, dtype=np.int64).reshape(len(mine), m)]
        tt = self.pairs(c, rows[mine][:, None], targets[cand])
        order = np.lexsort((cand, tt), axis=1)[:, :k]
        got = np.take_along_axis(cand, order, axis=1)
        got = np.where(np.isfinite(np.take_along_axis(tt, order, axis=1)), got, -1)
        out[mine, : got.shape[1]] = got
        return out

    def nearest_from(self, sources: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(P,) the quickest time any class takes to each place from one of ``sources``
        (another place; inf: none)."""
        n_c, n_p = self.shape[0], self.shape[1]
        out = np.full(n_p, INF)
        rows = np.flatnonzero(sources)
        if self._array is not None:
            for first in range(0, len(rows), ROWS_AT_ONCE):  # no (C, sources, P) temporary
                block = rows[first : first + ROWS_AT_ONCE]
                for c in range(n_c):
                    np.minimum(out, self._array[c][block].min(axis=0), out=out)
            return out
        speeds = [v for v in self._speed if v is not None]
        if self._none or not speeds or len(rows) == 0:
            return out
        # every class's time is distance over its speed: the fastest class is quickest
        return self._near(rows, np.arange(n_p)) / max(speeds)


NEAREST_CHECKED = 4
"""Nearest neighbours the k-d tree finds per place, measured again exactly."""
