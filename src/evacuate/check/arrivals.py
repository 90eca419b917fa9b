"""When people reach each place: arrivals, mobilization curves and rate tables, recomputed
from docs/model.md (Arrivals) on purpose apart from ``evacuate.scenario.arrivals``.

A curve or a table releases, at the end of each step from its start, the whole people it
has brought by then (cumulative counts rounded; a table's rounded down, up to its
``people``); a curve's last release, at the first step at or past the horizon, brings all
it still owes. A known ``change_arrivals`` lets at most ``per_hour`` (from its instant)
through until ``until``, at the instants people are due and at each period after the
event; the rest come at ``until``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from evacuate.scenario.model import Event, Place

_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}


def _steps(start: float, step: float | None, end: float, unit: str) -> np.ndarray:
    h = step if step is not None else max(1.0, 1.0 / _HOURS[unit])
    if start >= end:
        return np.array([start])
    count = max(1, math.ceil((end - start) / h - 1e-9))
    return start + h * np.arange(1, count + 1, dtype=np.float64)


def _emit(times: np.ndarray, cumulative: np.ndarray) -> list[tuple[float, int]]:
    gained = np.diff(np.concatenate(([0], cumulative)))
    keep = gained > 0
    return [(float(t), int(n)) for t, n in zip(times[keep], gained[keep], strict=True)]


def _curve(place: Place, end: float, unit: str) -> list[tuple[float, int]]:
    c = place.arrival_curve
    if c is None:
        return []
    times = _steps(c.start, c.step, end, unit)
    x = np.maximum(times - c.start, 0.0)
    if c.shape == "rayleigh":
        sigma2 = c.half**2 / (2.0 * math.log(2.0))
        share = -np.expm1(-(x**2) / (2.0 * sigma2))
    else:
        slope = 2.0 * math.log(9.0) / (c.spread or c.half)
        share = 1.0 / (1.0 + np.exp(np.minimum(-slope * (x - c.half), 700.0)))
        share[np.minimum(-slope * (x - c.half), 700.0) >= 700.0] = 0.0
    cum = np.array([round(c.people * float(s)) for s in share], dtype=np.int64)
    cum[-1] = c.people
    return _emit(times, np.maximum.accumulate(cum))


def _table(place: Place, end: float, unit: str) -> list[tuple[float, int]]:
    tab = place.arrival_rates
    if tab is None:
        return []
    starts = np.array([r.start for r in tab.rates], dtype=np.float64)
    rates = np.array([r.per_hour * _HOURS[unit] for r in tab.rates], dtype=np.float64)
    stops = np.append(starts[1:], np.inf)
    times = _steps(float(starts[0]), tab.step, end, unit)
    upto = np.minimum(times, end)[:, None]
    span = np.clip(np.minimum(upto, stops[None, :]) - starts[None, :], 0.0, None)
    cum = np.floor((span * rates[None, :]).sum(axis=1) + 1e-9).astype(np.int64)
    if tab.people is not None:
        cum = np.minimum(cum, tab.people)
    return _emit(times, cum)


def _held(
    due: list[tuple[float, int]], at: float, until: float, per_hour: float, unit: str, end: float
) -> list[tuple[float, int]]:
    inside = [(t, n) for t, n in due if at <= t < until]
    if until <= at or not inside:
        return due
    rest = [(t, n) for t, n in due if t < at or t >= until]
    rate = per_hour * _HOURS[unit]
    moments = {t for t, _ in inside}
    if rate > 0:
        h = max(1.0, 1.0 / _HOURS[unit])
        after_end = at + max(1, math.ceil((end - at) / h - 1e-9)) * h
        stop = min(until, inside[-1][0] + sum(n for _, n in inside) / rate + h, after_end)
        k = 1
        while at + k * h <= stop + 1e-9 * h:
            moments.add(at + k * h)
            k += 1
    waiting = through = 0
    for t in sorted(moments):
        waiting += sum(n for s, n in inside if s == t)
        allowed = max(0, math.floor(rate * (t - at) + 1e-9) - through)
        go = min(waiting, allowed)
        if go:
            rest.append((t, go))
            through += go
            waiting -= go
    if waiting and until != math.inf:
        rest.append((until, waiting))
    elif waiting and rate > 0:
        rest.append((max(moments), waiting))
    return rest


def place_arrivals(
    place: Place, events: list[Event], end: float, unit: str
) -> list[tuple[float, int]]:
    """(time, people) of everyone reaching ``place`` after time zero, in time order."""
    due = [(a.at, a.people) for a in place.arrivals if a.people]
    due += _curve(place, end, unit) + _table(place, end, unit)
    effects = [(e.at, k, fx) for e in events for k, fx in enumerate(e.effects)]
    for at, _, fx in sorted(effects, key=lambda x: (x[0], x[1])):
        if getattr(fx, "type", None) == "change_arrivals" and getattr(fx, "place", None) == (
            place.id
        ):
            until = fx.until if fx.until is not None else math.inf  # type: ignore[union-attr]
            due = _held(due, at, until, fx.per_hour, unit, end)  # type: ignore[union-attr]
    total: dict[float, int] = {}
    for t, n in due:
        total[t] = total.get(t, 0) + n
    return sorted(total.items())
