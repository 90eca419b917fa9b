"""People reaching a place over time, compiled into discrete releases (docs/model.md, Arrivals).

A place's ``arrivals`` (instants), ``arrival_curve`` (logistic or Rayleigh mobilization) and
``arrival_rates`` (a piecewise rate table) become one sorted list of ``(time, people)``
releases: a curve or a table releases, at the end of each ``step``, the people who arrived
during it (whole people, by rounding the cumulative count), so the number of releases grows
with the span and the step, never with the head count. ``change_arrivals`` effects then hold
people back: from the event until ``until``, at most ``per_hour`` people pass; the rest
arrive at ``until`` (never, without one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from evacuate.scenario.model import ArrivalCurve, ArrivalRates, ChangeArrivals, Event, Place

if TYPE_CHECKING:
    from evacuate.scenario.scenario import Scenario

__all__ = ["curve_fraction", "people", "releases"]

HOURS_PER_UNIT = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}
LN9 = math.log(9.0)
NEVER = math.inf


def default_step(time_unit: str) -> float:
    """One hour or one time unit, whichever is longer (the throughput period)."""
    return max(1.0, 1.0 / HOURS_PER_UNIT[time_unit])


def curve_fraction(curve: ArrivalCurve, t: float) -> float:
    """The share of the curve's people arrived by ``t`` (0 before ``start``).

    Logistic: ``1 / (1 + exp(-a (t - start - half)))`` with ``a = 2 ln 9 / spread`` (those
    the curve puts before ``start`` arrive at the first release). Rayleigh:
    ``1 - exp(-(t - start)^2 / (2 s^2))`` with ``s = half / sqrt(2 ln 2)``.
    """
    x = t - curve.start
    if x < 0:
        return 0.0
    if curve.shape == "rayleigh":
        s = curve.half / math.sqrt(2.0 * math.log(2.0))
        return -math.expm1(-(x * x) / (2.0 * s * s))
    a = 2.0 * LN9 / (curve.spread if curve.spread is not None else curve.half)
    z = -a * (x - curve.half)
    return 1.0 / (1.0 + math.exp(z)) if z < 700 else 0.0


def _grid(start: float, step: float, end: float) -> list[float]:
    """Release times ``start + k step`` for k >= 1, up to the first at or past ``end``."""
    if start >= end:
        return [start]
    n = max(1, math.ceil((end - start) / step - 1e-9))
    return [start + k * step for k in range(1, n + 1)]


def _curve_releases(curve: ArrivalCurve, end: float, unit: str) -> list[tuple[float, int]]:
    step = curve.step if curve.step is not None else default_step(unit)
    grid = _grid(curve.start, step, end)
    out: list[tuple[float, int]] = []
    done = 0
    for k, t in enumerate(grid):
        # everyone the curve still owes arrives at the last release (past the horizon)
        total = (
            curve.people if k == len(grid) - 1 else round(curve.people * curve_fraction(curve, t))
        )
        if total > done:
            out.append((t, total - done))
            done = total
    return out


def _rates_releases(table: ArrivalRates, end: float, unit: str) -> list[tuple[float, int]]:
    step = table.step if table.step is not None else default_step(unit)
    per_unit = [(r.start, r.per_hour * HOURS_PER_UNIT[unit]) for r in table.rates]
    t0 = per_unit[0][0]

    def cumulative(t: float) -> float:
        acc = 0.0
        for k, (a, rate) in enumerate(per_unit):
            b = per_unit[k + 1][0] if k + 1 < len(per_unit) else NEVER
            if t > a:
                acc += rate * (min(t, b) - a)
        return acc

    cap = table.people if table.people is not None else None
    out: list[tuple[float, int]] = []
    done = 0
    for t in _grid(t0, step, end):
        total = math.floor(cumulative(min(t, end)) + 1e-9)
        if cap is not None:
            total = min(total, cap)
        if total > done:
            out.append((t, total - done))
            done = total
        if cap is not None and done >= cap:
            break
    return out


def _hold(
    due: list[tuple[float, int]], fx: ChangeArrivals, at: float, unit: str, end: float
) -> list[tuple[float, int]]:
    """Apply one ``change_arrivals``: due people in ``[at, until)`` pass at most ``per_hour``
    (counted from ``at``, at their own instants and at each step after ``at``, up to the
    first step at or past the horizon, where those still waiting arrive when the gate never
    closes); the rest arrive at ``until``."""
    until = fx.until if fx.until is not None else NEVER
    if until <= at:
        return due
    per_unit = fx.per_hour * HOURS_PER_UNIT[unit]
    inside = [(t, n) for t, n in due if at <= t < until]
    if not inside:
        return due
    out = [(t, n) for t, n in due if not at <= t < until]
    instants = sorted({t for t, _ in inside})
    if per_unit > 0:
        step = default_step(unit)
        late = at + max(1, math.ceil((end - at) / step - 1e-9)) * step
        last = min(until, inside[-1][0] + sum(n for _, n in inside) / per_unit + step, late)
        k = 1
        while at + k * step <= last + 1e-9 * step:
            instants.append(at + k * step)
            k += 1
        instants = sorted(set(instants))
    due_at: dict[float, int] = {}
    for t, n in inside:
        due_at[t] = due_at.get(t, 0) + n
    backlog = passed = 0
    for t in instants:
        backlog += due_at.get(t, 0)
        k = min(backlog, max(0, math.floor(per_unit * (t - at) + 1e-9) - passed))
        if k > 0:
            out.append((t, k))
            passed += k
            backlog -= k
    if backlog > 0 and until < NEVER:
        out.append((until, backlog))
    elif backlog > 0 and per_unit > 0:
        out.append((max(instants), backlog))  # past the horizon: they still come
    return out


def releases(
    scenario: Scenario, place: Place, events: Iterable[Event] | None = None
) -> list[tuple[float, int]]:
    """The place's arrivals after time zero as sorted ``(time, people)`` releases (population
    at time zero excluded), with the ``change_arrivals`` effects of ``events`` applied
    (default: the enabled known events; the simulator passes surprises too)."""
    unit = scenario.time_unit
    end = scenario.end
    due: list[tuple[float, int]] = [(a.at, a.people) for a in place.arrivals if a.people]
    if place.arrival_curve is not None:
        due += _curve_releases(place.arrival_curve, end, unit)
    if place.arrival_rates is not None:
        due += _rates_releases(place.arrival_rates, end, unit)
    if events is None:
        events = [e for e in scenario.enabled_events if e.mode == "known"]
    changes = sorted(
        ((e.at, k, fx) for e in events for k, fx in enumerate(e.effects)),
        key=lambda x: (x[0], x[1]),
    )
    for at, _, fx in changes:
        if isinstance(fx, ChangeArrivals) and fx.place == place.id:
            due = _hold(due, fx, at, unit, end)
    merged: dict[float, int] = {}
    for t, n in due:
        merged[t] = merged.get(t, 0) + n
    return sorted(merged.items())


def people(scenario: Scenario, place: Place) -> int:
    """Everyone who reaches the place: population at time zero plus every later release."""
    return place.population + sum(n for _, n in releases(scenario, place))
