"""Parts of the exhaustive oracle (``tests/oracle.py``): routes with their windows and
closures, the rate in force in each throughput period, and the throughput rules on the search
state (load and unload rates per period)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.scenario.flows import ChangeThroughput, RateTable
from evacuate.scenario.model import Lane, Place
from evacuate.scenario.scenario import Scenario

if TYPE_CHECKING:
    from tests.oracle_data import _Data

__all__ = ["Flow", "Pending", "_Rates", "_Route", "_Throughput", "_is_int"]


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


class _Throughput:
    """The loading (``u = 0``) and unloading (``u = 1``) rate in force in each period ``k``
    (``[k, k + 1)`` in time units), in people an hour; ``inf``: no limit. Read from the
    scenario as docs/model.md (Throughput) says, not through the planners' code: the last known
    ``change_throughput`` (time order, file order at one instant) covering the period that
    gives the rate; else the table entry in force (a table with ``every`` repeats from its
    first entry); before the table's first entry, the constant rate. Refused unless every such
    time is a whole time unit (then a period has one rate)."""

    def __init__(self, sc: Scenario, places: list[Place]) -> None:
        index = {p.id: i for i, p in enumerate(places)}
        self.base = [(p.load_per_hour, p.unload_per_hour) for p in places]
        self.tables: list[tuple[RateTable | None, RateTable | None]] = [
            (p.load_rates, p.unload_rates) for p in places
        ]
        for table in (tb for pair in self.tables for tb in pair if tb is not None):
            times = [r.start for r in table.rates] + ([table.every] if table.every else [])
            if not all(_is_int(x) for x in times):
                raise NotImplementedError("oracle: rate tables on whole time units only")
        # per (place, kind): (at, until, per_hour) in time order, file order at one instant
        self.changes: dict[tuple[int, int], list[tuple[float, float, float]]] = {}
        self.base_berths = [p.berths for p in places]
        self.berth_changes: dict[int, list[tuple[float, float, int]]] = {}
        known = [e for e in sc.events if e.enabled and e.mode == "known"]
        for ev in sorted(known, key=lambda e: e.at):  # sorted() is stable: file order kept
            for eff in ev.effects:
                if not isinstance(eff, ChangeThroughput):
                    continue
                until = math.inf if eff.until is None else eff.until
                if not _is_int(ev.at) or not (until == math.inf or _is_int(until)):
                    raise NotImplementedError("oracle: rate changes on whole time units only")
                if eff.berths is not None:
                    self.berth_changes.setdefault(index[eff.place], []).append(
                        (ev.at, until, eff.berths)
                    )
                for u, rate in enumerate((eff.load_per_hour, eff.unload_per_hour)):
                    if rate is not None:
                        key = (index[eff.place], u)
                        self.changes.setdefault(key, []).append((ev.at, until, rate))

    def limited(self, p: int, u: int) -> bool:
        """Whether the rate limits the place in some period."""
        return bool(self.base[p][u]) or self.tables[p][u] is not None or (p, u) in self.changes

    def has_berths(self, p: int) -> bool:
        """Whether berths limit the place at some instant."""
        return self.base_berths[p] is not None or p in self.berth_changes

    def berths(self, p: int, t: int) -> float:
        """Vehicles that may load or unload at ``p`` at instant ``t`` (``inf``: no limit):
        the last known change covering ``t`` that gives berths, else the place's own."""
        for at, until, n in reversed(self.berth_changes.get(p, [])):
            if at <= t < until:
                return n
        base = self.base_berths[p]
        return math.inf if base is None else base

    def rate(self, p: int, u: int, k: int) -> float:
        for at, until, per_hour in reversed(self.changes.get((p, u), [])):
            if at <= k < until:
                return per_hour
        table = self.tables[p][u]
        if table is not None and k >= table.rates[0].start:
            first = table.rates[0].start
            x = k if table.every is None else first + (k - first) % table.every
            return [r.per_hour for r in table.rates if r.start <= x][-1]
        base = self.base[p][u]
        return base if base else math.inf


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

    def unload(self, q: Flow, p: int, n: int, t: int) -> Flow | None:
        """``n`` people arriving at ``p`` at ``t`` (None: over the period's allowance)."""
        if self.d.unload_rate[p] is None or n <= 0:
            return q
        rate = self.d.unload_allow(p, t)
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
            left: list[tuple[int, float]] = []
            room = 0.0 if self.d.load_rate[p] is None else self.d.load_allow(p, t)
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
