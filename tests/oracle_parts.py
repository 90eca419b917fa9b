"""Parts of the exhaustive oracle (``tests/oracle.py``): routes with their windows and
closures, and the throughput rules on the search state (load and unload rates per period)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.scenario.model import Lane

if TYPE_CHECKING:
    from tests.oracle import _Data

__all__ = ["Flow", "Pending", "_Rates", "_Route", "_is_int"]


@dataclass(frozen=True)
class _Route:
    time: float
    lane: Lane | None
    closed: tuple[tuple[float, float], ...]

    def open_at(self, t: float) -> bool:
        if any(a <= t < b for a, b in self.closed):
            return False
        lane = self.lane
        if lane is None or (not lane.windows and lane.periodic is None):
            return True
        for w in lane.windows:
            if w.start <= t and (w.end is None or t < w.end):
                return True
        pw = lane.periodic
        if pw is None or (pw.start is not None and t < pw.start):
            return False
        return (pw.end is None or t < pw.end) and (t - pw.offset) % pw.every < pw.open_for


def _is_int(x: float) -> bool:
    return math.isfinite(x) and abs(x - round(x)) < 1e-9


# throughput state: per place, the loadings still drawing on its periods (last period,
# people left; sorted) and the people unloaded there in the current period
Pending = tuple[tuple[tuple[int, float], ...], ...]
Flow = tuple[Pending, tuple[int, ...]]


class _Rates:
    """The throughput rules on the search state (no-ops at places without rates)."""

    def __init__(self, d: _Data) -> None:
        self.d = d
        if any(r is not None for r in d.load_rate) and not all(_is_int(x) for x in d.L):
            raise NotImplementedError("oracle: integer load times with rates")

    def start(self) -> Flow:
        return tuple(() for _ in range(self.d.P)), tuple(0 for _ in range(self.d.P))

    def book(self, q: Flow, c: int, p: int, t: int, n: int) -> Flow:
        """A loading of ``n`` people at ``p`` from ``t`` by class ``c``."""
        if self.d.load_rate[p] is None or n <= 0:
            return q
        pend, unl = q
        length = round(self.d.L[c])
        last = t + length - 1 if length >= 1 else t
        pl = list(pend)
        pl[p] = tuple(sorted((*pl[p], (last, float(n)))))
        return tuple(pl), unl

    def unload(self, q: Flow, p: int, n: int) -> Flow | None:
        """``n`` people arriving at ``p`` now (None: over the period's allowance)."""
        rate = self.d.unload_rate[p]
        if rate is None or n <= 0:
            return q
        pend, unl = q
        if unl[p] + n > rate + 1e-9:
            return None
        ul = list(unl)
        ul[p] += n
        return pend, tuple(ul)

    def settle(self, q: Flow, t: int) -> Flow | None:
        """End of period ``t``: its allowance serves the loadings earliest deadline first
        (None: one whose last period it is stays short)."""
        pend, unl = q
        out: list[tuple[tuple[int, float], ...]] = []
        for p, items in enumerate(pend):
            rate = self.d.load_rate[p]
            left: list[tuple[int, float]] = []
            room = 0.0 if rate is None else rate
            for last, n in items:
                take = min(room, n)
                room -= take
                n = round(n - take, 9)
                if n > 0:
                    if last <= t:
                        return None
                    left.append((last, n))
            out.append(tuple(left))
        return tuple(out), tuple(0 for _ in unl)
