"""The dispatcher's books at one place: people over time (``Ledger``) and vehicles loading or
unloading (``Berths``)."""

from __future__ import annotations

import bisect

__all__ = ["Berths", "Ledger"]

EPS = 1e-9


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
    """Vehicles loading or unloading at one place: intervals with counts."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[tuple[float, float, int]] = []

    def usage(self, a: float, b: float) -> int:
        points = [a] + [s for s, _, _ in self.items if a < s < b]
        return max((sum(n for s, e, n in self.items if s <= q < e) for q in points), default=0)

    def earliest(self, a: float, dur: float, need: int) -> float:
        """Earliest start >= a with ``need`` free berths for ``dur``."""
        if self.limit >= 1 << 39:
            return a
        starts = sorted({a} | {e for _, e, _ in self.items if e > a})
        for s in starts:
            if self.usage(s, s + max(dur, EPS)) + need <= self.limit:
                return s
        return starts[-1]

    def add(self, a: float, dur: float, n: int) -> None:
        if self.limit < 1 << 39 and dur > 0:
            self.items.append((a, a + dur, n))
