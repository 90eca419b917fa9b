"""The dispatcher's books at one place: people over time (``Ledger``) and vehicles loading or
unloading (``Berths``)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

__all__ = ["Berths", "Ledger"]

EPS = 1e-9

UNLIMITED = 1 << 39
"""Berths at or above this: no limit."""


class Ledger:
    """People at one place over time: arrivals, pickups, deliveries (step functions)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.times: list[float] = []
        self.stock: list[int] = []  # change of people present
        self.netin: list[int] = []  # change of delivered - picked
        self.simple = True  # all changes at t <= 0 except pickups / deliveries only, see below
        self.total_stock = 0
        self.total_netin = 0
        self.has_pickups = False
        self.has_deliveries = False
        self.late_arrivals = False

    def add(self, t: float, d_stock: int, d_netin: int) -> None:
        k = bisect.bisect_right(self.times, t)
        self.times.insert(k, t)
        self.stock.insert(k, d_stock)
        self.netin.insert(k, d_netin)
        self.total_stock += d_stock
        self.total_netin += d_netin

    def max_pick(self, x: float) -> int:
        """People that can be picked up at ``x`` without leaving any later moment short."""
        if not self.has_deliveries and not self.late_arrivals:
            return self.total_stock
        k = bisect.bisect_right(self.times, x)
        level = sum(self.stock[:k])
        low = level
        for d in self.stock[k:]:
            level += d
            low = min(low, level)
        return max(0, low)

    def room(self, y: float) -> int:
        """People that can be delivered at ``y`` without exceeding capacity later."""
        if not self.has_pickups:
            return max(0, self.capacity - self.total_netin)
        k = bisect.bisect_right(self.times, y)
        level = sum(self.netin[:k])
        high = level
        for d in self.netin[k:]:
            level += d
            high = max(high, level)
        return max(0, self.capacity - high)


class Berths:
    """Vehicles loading or unloading at one place: intervals with counts, within the berths in
    force (``limit``, or a ``changes`` entry ``(from, until, berths)`` covering the instant:
    the last one wins; docs/model.md, Throughput)."""

    def __init__(self, limit: int, changes: Sequence[tuple[float, float, int]] = ()) -> None:
        self.base = limit
        self.changes = list(changes)
        # the most in force at any time: how many may ever load at once
        self.limit = max([limit, *(n for _, _, n in self.changes)]) if limit < UNLIMITED else limit
        self.free = limit >= UNLIMITED and not self.changes
        """No limit at any time: nothing to book."""
        self.items: list[tuple[float, float, int]] = []

    def _at(self, t: float) -> int:
        value = self.base
        for a, b, n in self.changes:
            if a <= t < b:
                value = n
        return value

    def cap(self, a: float, b: float) -> int:
        """The fewest berths in force over ``[a, b)``."""
        probes = [a] + [t for x, y, _ in self.changes for t in (x, y) if a < t < b]
        return min(self._at(t) for t in probes)

    def usage(self, a: float, b: float) -> int:
        points = [a] + [s for s, _, _ in self.items if a < s < b]
        return max((sum(n for s, e, n in self.items if s <= q < e) for q in points), default=0)

    def fits(self, a: float, b: float, need: int) -> bool:
        """Whether ``need`` more vehicles may use the berths over ``[a, b)``."""
        return self.free or self.usage(a, b) + need <= self.cap(a, b)

    def earliest(self, a: float, dur: float, need: int) -> float:
        """Earliest start >= a with ``need`` free berths for ``dur`` (inf: never, e.g. a
        change_throughput leaves 0 berths for good; the last candidate was once returned and
        booked without room)."""
        if self.free:
            return a
        starts = {a} | {e for _, e, _ in self.items if e > a}
        starts |= {t for x, y, _ in self.changes for t in (x, y) if a < t < float("inf")}
        for s in sorted(starts):
            if self.fits(s, s + max(dur, EPS), need):
                return s
        return float("inf")

    def add(self, a: float, dur: float, n: int) -> None:
        if not self.free and dur > 0:
            self.items.append((a, a + dur, n))
