"""Loading and unloading allowances per throughput period, recomputed from docs/model.md
(Throughput) on purpose apart from ``evacuate.scenario.throughput``.

The rate in force at an instant: the last known ``change_throughput`` that covers it, else
the ``load_rates`` (``unload_rates``) entry in force (its table repeated every ``every``),
else the constant ``load_per_hour``; none of them: no limit. A period's allowance is the
rate integrated over the period, in people.
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from evacuate.scenario.model import Event, Place

REL_TOL = 1e-9
_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}


def _rate(place: Place, unload: bool, changes: list[tuple[float, float, float]], t: float) -> float:
    for a, b, r in reversed(changes):
        if a <= t < b:
            return r
    table = place.unload_rates if unload else place.load_rates
    if table is not None and t >= table.rates[0].start:
        first = table.rates[0].start
        x = t if table.every is None else first + math.fmod(t - first, table.every)
        current = [r.per_hour for r in table.rates if r.start <= x]
        if current:
            return current[-1]
    base = place.unload_per_hour if unload else place.load_per_hour
    return math.inf if base is None else base


def period_allowances(
    place: Place, unload: bool, events: list[Event], end: float, unit: str
) -> np.ndarray | None:
    """Allowance of periods 0 .. floor(end / P) (None: no limit at this place)."""
    per = max(1.0, 1.0 / _HOURS[unit])
    changes: list[tuple[float, float, float]] = []
    for e in sorted(events, key=lambda e: e.at):
        for fx in e.effects:
            if getattr(fx, "type", None) != "change_throughput" or getattr(fx, "place", None) != (
                place.id
            ):
                continue
            r = getattr(fx, "unload_per_hour" if unload else "load_per_hour")
            if r is not None:
                until = fx.until if fx.until is not None else math.inf  # type: ignore[union-attr]
                changes.append((e.at, until, r))
    table = place.unload_rates if unload else place.load_rates
    base = place.unload_per_hour if unload else place.load_per_hour
    if base is None and table is None and not changes:
        return None
    n = max(1, math.floor(max(end, 0.0) / per + 1e-9) + 1)
    marks: list[float] = [a for a, _, _ in changes] + [b for _, b, _ in changes]
    if table is not None:
        first = table.rates[0].start
        reps = 1 if table.every is None else math.ceil((n * per - first) / table.every) + 1
        for c in range(max(1, reps)):
            shift = 0.0 if table.every is None else c * table.every
            marks += [r.start + shift for r in table.rates]
    marks_arr = np.sort(np.array([m for m in marks if 0 < m < n * per]))
    out = np.zeros(n)
    for k in range(n):
        lo, hi = k * per, (k + 1) * per
        inner = marks_arr[(marks_arr > lo) & (marks_arr < hi)]
        pts = np.concatenate(([lo], inner, [hi]))
        for a, b in itertools.pairwise(pts):
            r = _rate(place, unload, changes, 0.5 * (a + b))
            if r > 0:
                out[k] += r * (b - a) * _HOURS[unit]
    return out


def overdrawn(
    first: list[int], last: list[int], people: list[float], allowed: np.ndarray
) -> list[tuple[int, float]]:
    """Loadings that no split fits: loading ``i`` needs ``people[i]`` from periods ``first[i]
    .. last[i]`` (docs/model.md, Throughput). Earliest deadline first: each period, in time
    order, gives its allowance to the loadings it meets that end soonest; a loading left short
    when its last period is over is reported with the people it lacks (and then set aside).
    This finds a split whenever one exists (interval demands on period supplies)."""
    order = sorted(range(len(first)), key=lambda i: (first[i], last[i], i))
    heap: list[tuple[int, int]] = []
    left = [float(x) for x in people]
    out: list[tuple[int, float]] = []
    n = len(allowed)
    pos = 0
    k = 0
    while pos < len(order) or heap:
        if not heap:
            k = max(k, first[order[pos]])
        while pos < len(order) and first[order[pos]] <= k:
            i = order[pos]
            heapq.heappush(heap, (last[i], i))
            pos += 1
        supply = float(allowed[min(max(k, 0), n - 1)])
        while heap and supply > 0:
            i = heap[0][1]
            take = min(supply, left[i])
            left[i] -= take
            supply -= take
            if left[i] <= 0:
                heapq.heappop(heap)
        while heap and heap[0][0] <= k:
            _, i = heapq.heappop(heap)
            if left[i] > REL_TOL * max(1.0, people[i]):
                out.append((i, left[i]))
        k += 1
    return sorted(out)
