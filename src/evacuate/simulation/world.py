"""The world as the simulator sees it: routes, closures, deadlines and throughput over time.

These are the rules of docs/model.md implemented for a running operation, where events change
them as time passes (a lane closes, a deadline moves). Nothing here plans.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evacuate.scenario import derive
from evacuate.scenario.model import Lane, VehicleClass
from evacuate.scenario.scenario import Scenario
from evacuate.scenario.throughput import allowances, berth_changes, berths_over
from evacuate.simulation.parts import tol as _tol

__all__ = ["Closure", "Held", "Routes", "Throughput"]

_EPS = 1e-9


@dataclass
class Held:
    """Vehicles at a place, not free to leave before ``until`` (resting, under repair), or
    stock that enters there at ``until`` (docs/model.md)."""

    place: str
    cls: str
    count: int
    until: float
    entering: str | None = None
    """Stock not entered yet (its id, for the log): not at the place before ``until``, so
    no event and no strike touches it there."""


@dataclass(frozen=True)
class Closure:
    at: float
    until: float | None

    def covers(self, t: float) -> bool:
        return self.at <= t and (self.until is None or t < self.until)


def _next_window(lane: Lane, t: float) -> float | None:
    """The earliest time >= t at which the lane's windows let travel start (None: never)."""
    if derive.lane_open(lane, t):
        return t
    best: float | None = None
    for w in lane.windows:
        if w.start >= t and (best is None or w.start < best):
            best = w.start
    pw = lane.periodic
    if pw is not None and pw.open_for > 0:  # a window open for 0 never opens
        lo = t if pw.start is None else max(t, pw.start)
        k = math.ceil((lo - pw.offset) / pw.every - _EPS)
        cand = pw.offset + k * pw.every
        # the window containing lo may already be open (phase < open_for)
        prev = cand - pw.every
        if lo - prev < pw.open_for:
            cand = lo
        if pw.end is None or cand < pw.end:
            best = cand if best is None else min(best, cand)
    return best


@dataclass
class Routes:
    """Usable routes between places, with lane closures added as events fire."""

    scenario: Scenario
    lane_closures: dict[str, list[Closure]] = field(default_factory=dict)
    direct_closures: dict[frozenset[str], list[Closure]] = field(default_factory=dict)
    _cache: dict[tuple[str, str, str], list[tuple[Lane | None, float]]] = field(
        default_factory=dict
    )

    def options(self, vc: VehicleClass, a: str, b: str) -> list[tuple[Lane | None, float]]:
        """Every route from ``a`` to ``b`` the class can use, with its travel time."""
        key = (vc.id, a, b)
        hit = self._cache.get(key)
        if hit is None:
            hit = []
            if derive.direct_route_allowed(self.scenario, a, b):
                t = derive.route_time(self.scenario, vc, a, b, None)
                if t is not None:
                    hit.append((None, t))
            for lane in derive.lanes_between(self.scenario, a, b):
                t = derive.route_time(self.scenario, vc, a, b, lane)
                if t is not None:
                    hit.append((lane, t))
            self._cache[key] = hit
        return hit

    def _closures(self, lane: Lane | None, a: str, b: str) -> list[Closure]:
        if lane is None:
            return self.direct_closures.get(frozenset((a, b)), [])
        out = list(self.lane_closures.get(lane.id, []))
        out += self.direct_closures.get(frozenset((lane.start, lane.end)), [])
        return out

    def open_from(self, lane: Lane | None, a: str, b: str, t: float) -> float | None:
        """The earliest time >= t at which travel may start on this route (None: never)."""
        closures = self._closures(lane, a, b)
        for _ in range(1000):
            moved = False
            for c in closures:
                if c.covers(t):
                    if c.until is None:
                        return None
                    t, moved = c.until, True
            if lane is not None:
                nxt = _next_window(lane, t)
                if nxt is None:
                    return None
                if nxt > t:
                    t, moved = nxt, True
            if not moved:
                return t
        return None

    def travel(self, vc: VehicleClass, a: str, b: str, t: float) -> tuple[float, float] | None:
        """(start, travel time) of the route that arrives first when leaving from ``t`` on."""
        best: tuple[float, float] | None = None
        for lane, dur in self.options(vc, a, b):
            start = self.open_from(lane, a, b, t)
            if start is None:
                continue
            if best is None or start + dur < best[0] + best[1] - _EPS:
                best = (start, dur)
        return best

    def time_at(self, vc: VehicleClass, a: str, b: str, t: float) -> float | None:
        """Travel time of the fastest route usable at exactly ``t``."""
        times = [dur for lane, dur in self.options(vc, a, b) if self.open_from(lane, a, b, t) == t]
        return min(times) if times else None


@dataclass
class Throughput:
    """Berths in use, loadings booked (each drawing on the periods it spans) and people
    unloaded per throughput period, per place."""

    scenario: Scenario
    period: float
    """Throughput period in the scenario's time unit (one hour or one unit, the longer)."""
    hours_per_unit: float
    berths_used: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    unload_used: dict[tuple[str, int], float] = field(default_factory=dict)
    allowed: dict[tuple[str, bool], NDArray[np.float64] | None] = field(default_factory=dict)
    loadings: dict[str, list[list[float]]] = field(default_factory=dict)
    """Per place, the booked loadings not yet settled: [first period, last period, people
    still to draw] (a loading draws on every period it spans, docs/model.md)."""
    berth_changes: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    settled: dict[str, int] = field(default_factory=dict)
    """Per place, the periods before this one are settled (no new loading reaches them)."""

    def allowance(self, place: str, k: int, unload: bool) -> float:
        """People the place may load (unload) in period ``k``: the world's rates, every
        enabled event's change included (surprises too)."""
        key = (place, unload)
        if key not in self.allowed:
            s = self.scenario
            self.allowed[key] = allowances(
                s, s.place(place), unload, [e for e in s.events if e.enabled]
            )
        a = self.allowed[key]
        return math.inf if a is None else float(a[min(max(k, 0), len(a) - 1)])

    def _limited(self, place: str, unload: bool) -> bool:
        self.allowance(place, 0, unload)
        return self.allowed[(place, unload)] is not None

    def _berth_changes(self, place: str) -> list[tuple[float, float, int]]:
        """The world's berth changes at the place (every enabled event, surprises too)."""
        if place not in self.berth_changes:
            s = self.scenario
            self.berth_changes[place] = berth_changes(
                s, s.place(place), [e for e in s.events if e.enabled]
            )
        return self.berth_changes[place]

    def _berth_cap(self, place: str) -> int | None:
        """The most berths the place ever has (None: no limit at some time)."""
        base = self.scenario.place(place).berths
        changes = self._berth_changes(place)
        if not changes:
            return base
        values = [n for _, _, n in changes]
        return None if base is None else max(base, *values)

    def _berths_free(self, place: str, start: float, end: float) -> int | None:
        cap = berths_over(self.scenario.place(place).berths, self._berth_changes(place), start, end)
        if cap is None:
            return None
        busy = 0
        for s, e, n in self.berths_used.get(place, []):
            # a berth freed at e may be taken from the checker's tolerance before e on
            if s < end - _tol(end) and e - _tol(e) > start:
                busy += n
        return cap - busy

    def earliest(
        self, place: str, t: float, vehicles: int, people: int, duration: float, unload: bool
    ) -> tuple[float, int]:
        """The earliest start >= t for a load (or unload) of ``people`` by ``vehicles`` lasting
        ``duration``, and the people it may move (capped at what the periods it spans allow:
        at ``t``, or at a later period's start)."""
        used = self.unload_used
        limited = self._limited(place, unload)
        allowed = self.allowed[(place, unload)]
        biggest = math.inf if allowed is None else float(allowed.max())
        later = biggest  # the most a later start (a period's start) can take
        if allowed is not None and not unload:
            # a loading starting at a period's start spans m periods; one starting at t may
            # span more (and a plan's loading takes at most what its periods allow)
            m = max(1, math.ceil(duration / self.period - _EPS))
            padded = np.concatenate((allowed, np.full(m, allowed[-1])))
            later = float(np.convolve(padded, np.ones(m), mode="valid").max())
            first, last = self._span(t, duration)
            here = sum(self.allowance(place, k, False) for k in range(first, last + 1))
            biggest = max(later, here)
        if math.isfinite(biggest):
            people = int(min(people, math.floor(biggest + 1e-6)))
        cap = self._berth_cap(place)
        if cap is not None:
            vehicles = min(vehicles, cap)
            items = self.berths_used.get(place)
            if items:
                items[:] = [x for x in items if x[1] - _tol(x[1]) > t]
        start = t
        for _ in range(100_000):
            blocked_until: float | None = None
            if people > 0 and limited and not unload:
                first, last = self._span(start, duration)
                if not self._fits(place, first, last, people):
                    blocked_until = (first + 1) * self.period
            elif people > 0 and limited:
                # the period counted for unloading: the trip's arrival
                k = self.period_of(start + (duration if unload else 0.0))
                if used.get((place, k), 0.0) + people > self.allowance(place, k, unload) + 1e-6:
                    blocked_until = (k + 1) * self.period - (duration if unload else 0.0)
            if blocked_until is None and cap is not None and duration > 0:
                free = self._berths_free(place, start, start + duration)
                if free is not None and free < vehicles:
                    used_ = self.berths_used.get(place, [])
                    ends = [e for _, e, _ in used_ if e - _tol(e) > start]
                    # or berths that come back (a change_throughput ends or starts)
                    ends += [
                        t
                        for a, b, _ in self._berth_changes(place)
                        for t in (a, b)
                        if start + _EPS < t < math.inf
                    ]
                    blocked_until = min(ends) if ends else None
            if blocked_until is None or blocked_until <= start + _EPS:
                return start, people
            start = blocked_until
            if math.isfinite(later):
                people = int(min(people, math.floor(later + 1e-6)))
        return start, people

    def book(
        self, place: str, start: float, vehicles: int, people: int, duration: float, unload: bool
    ) -> None:
        cap = self._berth_cap(place)
        if cap is not None and duration > 0:
            item = (start, start + duration, min(vehicles, cap))
            self.berths_used.setdefault(place, []).append(item)
        if self._limited(place, unload) and people > 0 and not unload:
            first, last = self._span(start, duration)
            self._settle(place, first)
            self.loadings.setdefault(place, []).append([first, last, float(people)])
        elif self._limited(place, unload) and people > 0:
            used = self.unload_used
            k = self.period_of(start + (duration if unload else 0.0))
            used[(place, k)] = used.get((place, k), 0.0) + people

    def period_of(self, t: float) -> int:
        """The throughput period of instant ``t``, as the checker reads it (check/throughput.py):
        an instant within its tolerance before a period's start is in that period."""
        k = math.floor(t / self.period)
        return k + 1 if (k + 1) * self.period - t <= _tol(t) else k

    def _span(self, start: float, duration: float) -> tuple[int, int]:
        """The first and last throughput periods a loading over [start, start + duration)
        meets (the start's period alone when it takes no time); one that ends within the
        checker's tolerance after a period's start does not reach it."""
        first = self.period_of(start)
        end = start + duration
        last = math.ceil((end - _tol(end)) / self.period) - 1
        return first, max(first, last)

    def _fits(self, place: str, first: int, last: int, people: int) -> bool:
        """Whether the booked loadings and a new one still have a split that fits."""
        items = [list(x) for x in self.loadings.get(place, [])] + [[first, last, float(people)]]
        k0 = self.settled.get(place, 0)
        return _serve(items, lambda k: self.allowance(place, k, False), k0, math.inf)

    def _settle(self, place: str, k: int) -> None:
        """Serve the periods before ``k`` (no later loading starts before it) and forget
        the loadings that are done."""
        k0 = self.settled.get(place, 0)
        items = self.loadings.get(place, [])
        if k <= k0 or not items:
            self.settled[place] = max(k0, k)
            return
        _serve(items, lambda j: self.allowance(place, j, False), k0, k)
        self.loadings[place] = [x for x in items if x[2] > 1e-6 and x[1] >= k]
        self.settled[place] = k


def _serve(items: list[list[float]], allowance: Callable[[int], float], k0: int, k1: float) -> bool:
    """Earliest deadline first over periods ``k0 .. k1 - 1``: each period gives its allowance
    to the loadings it meets that end soonest (``items``' people left shrink in place). False
    if a loading is left short after its last period. This finds a split whenever one exists."""
    items.sort(key=lambda x: (x[1], x[0]))
    k = k0
    while k < k1:
        waiting = [x for x in items if x[2] > 1e-6]
        if any(x[1] < k for x in waiting):
            return False
        active = [x for x in waiting if x[0] <= k]
        if not active:
            if not waiting:
                return True
            k = max(k + 1, int(min(x[0] for x in waiting)))
            continue
        supply = allowance(k)
        for x in active:
            take = min(supply, x[2])
            x[2] -= take
            supply -= take
            if supply <= 0:
                break
        k += 1
    return True
