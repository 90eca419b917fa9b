"""Loading and unloading allowances per throughput period, from rates that change over time.

A place's rate (people an hour) at an instant is, in order: its constant ``load_per_hour``
(none: no limit); the entry of ``load_rates`` in force (a repeating table when ``every`` is
given); a known ``change_throughput`` in force. The allowance of period ``k`` (``[k P,
(k+1) P)``, ``P`` one hour or one time unit, whichever is longer) is the integral of the rate
over the period, in people: a constant rate gives ``rate x P`` (docs/model.md, Throughput).
The work grows with the number of periods and rate changes, never with people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from evacuate.scenario.flows import ChangeThroughput, RateTable

if TYPE_CHECKING:
    from evacuate.scenario.model import Event, Place
    from evacuate.scenario.scenario import Scenario

__all__ = ["allowances", "berth_changes", "berth_range", "berths_over", "period_length"]

HOURS_PER_UNIT = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}


def period_length(time_unit: str) -> float:
    """The throughput period ``P`` in time units: one hour or one time unit, the longer."""
    return max(1.0, 1.0 / HOURS_PER_UNIT[time_unit])


def _table_segments(table: RateTable, stop: float) -> list[tuple[float, float]]:
    """(from, per_hour) of the table up to ``stop``, its repeats unrolled."""
    first = table.rates[0].start
    if table.every is None:
        return [(r.start, r.per_hour) for r in table.rates]
    out: list[tuple[float, float]] = []
    cycle = 0
    while first + cycle * table.every < stop:
        base = cycle * table.every
        out += [(r.start + base, r.per_hour) for r in table.rates]
        cycle += 1
    return out


def allowances(
    scenario: Scenario, place: Place, unload: bool, events: Iterable[Event] | None = None
) -> NDArray[np.float64] | None:
    """People the place may load (``unload``: unload) in each period ``0 .. K``, the last
    one covering the horizon's end; None when it has no limit at all. ``events``: those
    whose ``change_throughput`` apply (default: the enabled known events)."""
    unit = scenario.time_unit
    per = period_length(unit)
    n = max(1, math.floor(max(scenario.end, 0.0) / per + 1e-9) + 1)
    stop = n * per
    base = place.unload_per_hour if unload else place.load_per_hour
    table = place.unload_rates if unload else place.load_rates
    if events is None:
        events = [e for e in scenario.enabled_events if e.mode == "known"]
    changes: list[tuple[float, float, float]] = []  # (from, until, per_hour), in order
    for e in sorted(events, key=lambda e: e.at):
        for fx in e.effects:
            if isinstance(fx, ChangeThroughput) and fx.place == place.id:
                rate = fx.unload_per_hour if unload else fx.load_per_hour
                if rate is not None:
                    until = math.inf if fx.until is None else fx.until
                    changes.append((e.at, until, rate))
    if base is None and table is None and not changes:
        return None
    steps = _table_segments(table, stop) if table is not None else []
    # one vectorised pass over the pieces between cuts: the horizon may hold up to
    # limits.MAX_STEPS periods and the planner asks for every place's allowances
    cuts = [np.arange(n + 1, dtype=np.float64) * per]
    cuts.append(np.array([t for t, _ in steps if 0 < t < stop], dtype=np.float64))
    cuts.append(np.array([t for a, b, _ in changes for t in (a, b) if 0 < t < stop]))
    edges = np.unique(np.concatenate(cuts))
    a, b = edges[:-1], edges[1:]
    mid = 0.5 * (a + b)
    rates = np.full(len(a), math.inf if base is None else float(base))
    if steps:
        starts = np.array([t for t, _ in steps], dtype=np.float64)
        k = np.searchsorted(starts, mid, side="right") - 1
        rates[k >= 0] = np.array([r for _, r in steps], dtype=np.float64)[k[k >= 0]]
    for c0, c1, r in changes:  # in order: the last change in force wins
        rates[(c0 <= mid) & (mid < c1)] = r
    k_per = np.minimum(n - 1, np.floor(a / per + 1e-9)).astype(np.int64)
    out = np.zeros(n, dtype=np.float64)
    positive = rates > 0
    np.add.at(out, k_per[positive], rates[positive] * (b - a)[positive] * HOURS_PER_UNIT[unit])
    return out


def berth_changes(
    scenario: Scenario, place: Place, events: Iterable[Event] | None = None
) -> list[tuple[float, float, int]]:
    """(from, until, berths) of every ``change_throughput`` of the place that gives
    ``berths``, in time order (file order at one instant); ``events`` as in ``allowances``."""
    if events is None:
        events = [e for e in scenario.enabled_events if e.mode == "known"]
    out: list[tuple[float, float, int]] = []
    for e in sorted(events, key=lambda e: e.at):
        for fx in e.effects:
            if isinstance(fx, ChangeThroughput) and fx.place == place.id and fx.berths is not None:
                out.append((e.at, math.inf if fx.until is None else fx.until, fx.berths))
    return out


def _berths_at(base: int | None, changes: list[tuple[float, float, int]], t: float) -> int | None:
    value = base
    for a, b, n in changes:
        if a <= t < b:
            value = n  # the last change in force wins
    return value


def berths_over(
    base: int | None, changes: list[tuple[float, float, int]], start: float, stop: float
) -> int | None:
    """The fewest berths in force at any instant of ``[start, stop)`` (``start`` alone when
    they are equal; None: no limit throughout)."""
    probes = [start] + [t for a, b, _ in changes for t in (a, b) if start < t < stop]
    values = [v for v in (_berths_at(base, changes, t) for t in probes) if v is not None]
    return min(values) if values else None


def berth_range(
    scenario: Scenario, place: Place, events: Iterable[Event] | None = None
) -> tuple[int | None, int | None]:
    """(fewest, most) berths in force at the place over ``[0, end]`` (None: no limit)."""
    changes = berth_changes(scenario, place, events)
    end = max(scenario.end, 0.0)
    probes = [0.0, end] + [t for a, b, _ in changes for t in (a, b) if 0.0 < t < end]
    values = [_berths_at(place.berths, changes, t) for t in probes]
    finite = [v for v in values if v is not None]
    if not finite:
        return None, None
    return min(finite), (None if len(finite) < len(values) else max(finite))
