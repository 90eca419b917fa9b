"""Parking stands for the dispatcher: who is present at each stand-limited place, and when.

A group is present at a place from the start of its unloading (or its arrival) until the end
of its next loading there (or its departure); until that next trip is decided its stay is
open-ended (docs/model.md, Stands). Entries are kept per place and stand pool; decisions come
in time order, so stays that ended before the current decision are dropped as it advances.
Only places with ``stands`` are tracked: elsewhere every question answers "no limit".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evacuate.plan.problem import Problem
from evacuate.scenario.fleet_limits import stands_for

__all__ = ["Stands", "Stay"]

INF = math.inf
EPS = 1e-9


@dataclass
class Stay:
    start: float
    end: float
    count: int


class Stands:
    """Stays at stand-limited places; groups are known by their id."""

    def __init__(self, problem: Problem) -> None:
        self.pool: dict[tuple[int, int], int] = {}  # (place, class) -> pool index
        self.limit: list[int] = []
        self.stays: list[list[Stay]] = []
        keys: dict[tuple[int, str], int] = {}
        for place in problem.scenario.places:
            p = problem.pindex.get(place.id)
            if p is None or place.stands is None:
                continue
            for name, c in problem.cindex.items():
                got = stands_for(place.stands, name)
                if got is None:
                    continue
                k = keys.setdefault((p, got[0]), len(self.limit))
                if k == len(self.limit):
                    self.limit.append(got[1])
                    self.stays.append([])
                self.pool[(p, c)] = k
        self.open: dict[str, tuple[int, Stay]] = {}
        self.now = -INF

    @property
    def active(self) -> bool:
        return bool(self.limit)

    def cap(self, c: int, p: int) -> int | None:
        """The stands of class ``c``'s pool at ``p`` (None: no limit)."""
        k = self.pool.get((p, c))
        return None if k is None else self.limit[k]

    def advance(self, t: float) -> None:
        """Decisions from now on start at or after ``t``: forget stays that ended before."""
        if t > self.now + EPS:
            self.now = t
            for k, stays in enumerate(self.stays):
                if any(s.end <= t for s in stays):
                    self.stays[k] = [s for s in stays if s.end > t]

    def room(self, c: int, p: int, a: float, b: float = INF) -> float:
        """Stands free throughout ``[a, b)`` in class ``c``'s pool at ``p`` (inf: no limit)."""
        k = self.pool.get((p, c))
        if k is None:
            return INF
        events: list[tuple[float, int]] = []
        for s in self.stays[k]:
            if s.start < b - EPS and s.end > a + EPS:
                events.append((max(s.start, a), s.count))
                if s.end < b:
                    events.append((s.end, -s.count))
        events.sort(key=lambda e: (e[0], e[1]))
        level = peak = 0
        for _, d in events:
            level += d
            peak = max(peak, level)
        return float(self.limit[k] - peak)

    def earliest(self, c: int, p: int, a: float, n: int) -> float | None:
        """The first time at or after ``a`` from which ``n`` stands stay free for good."""
        k = self.pool.get((p, c))
        if k is None:
            return a
        for t in sorted({a, *(s.end for s in self.stays[k] if a < s.end < INF)}):
            if self.room(c, p, t) >= n:
                return t
        return None

    def earliest_stay(self, c: int, p: int, a: float, length: float, n: int) -> float | None:
        """The first time at or after ``a`` from which ``n`` stands are free for ``length``."""
        k = self.pool.get((p, c))
        if k is None:
            return a
        for t in sorted({a, *(s.end for s in self.stays[k] if a < s.end < INF)}):
            if self.room(c, p, t, t + length) >= n:
                return t
        return None

    def release_after(self, t: float) -> float | None:
        """The first end of a stay after ``t`` (when waiting for a stand may help)."""
        ends = [s.end for stays in self.stays for s in stays if t + EPS < s.end < INF]
        return min(ends, default=None)

    def enter(self, gid: str, c: int, p: int, start: float, n: int, end: float = INF) -> None:
        """Group ``gid`` (``n`` of class ``c``) is at ``p`` from ``start`` (to ``end``)."""
        k = self.pool.get((p, c))
        if k is None:
            return
        stay = Stay(start, end, n)
        self.stays[k].append(stay)
        if end == INF:
            self.open[gid] = (k, stay)

    def leave(self, gid: str, at: float, n: int, rest_gid: str | None = None) -> None:
        """``n`` vehicles of group ``gid`` leave its place at ``at``; the others (if any) stay
        on as group ``rest_gid``."""
        got = self.open.pop(gid, None)
        if got is None:
            return
        k, stay = got
        if n >= stay.count:
            stay.end = at
            return
        stay.count -= n
        self.stays[k].append(Stay(stay.start, at, n))
        if rest_gid is not None:
            self.open[rest_gid] = (k, stay)
