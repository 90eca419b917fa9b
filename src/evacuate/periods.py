"""People rescued per period (per day, per hour): the table ``plan`` and ``simulate`` print
beside the scenario's observed series, and the report's "against history" curve.

Rescued follows docs/model.md: people delivered into a haven count when their vehicle arrives
(unloading done); people picked up at a haven count off when they leave it. A period is the
half-open interval (start, end] (the first also holds time zero), so a count made at the end of
a day (an ``observed`` point at ``at: 24`` in hours) falls in that day's row. An observed point
adds its increment (its total minus the previous point's) to the row it falls in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from evacuate import units
from evacuate.scenario.observed import Observed
from evacuate.scenario.scenario import Scenario

__all__ = [
    "MAX_ROWS",
    "PeriodRow",
    "Step",
    "default_period",
    "parse_period",
    "per_period",
    "steps_from_log",
    "steps_from_trips",
]

MAX_ROWS = 400
"""The default period grows (a day, a week, 30 days, a year) until the table fits in this."""

_LADDER = (3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0, 365 * 86400.0)

Step = tuple[float, int]
"""``(time, change in people rescued)``."""


@dataclass(frozen=True)
class PeriodRow:
    """One period's line: rescued in it and so far, and what history recorded (if given)."""

    start: float
    end: float
    rescued: int
    total: int
    observed: int | None = None
    """People the observed series adds in this period; None where no point falls in it."""
    observed_total: int | None = None
    """The observed running total at its last point in this period."""


def parse_period(text: str | float, time_unit: str) -> float:
    """A period in ``time_unit`` from "1d", "6h", "day" or a number of time units."""
    value: object = text
    if isinstance(text, str) and text.strip().lower() in units.TIME_UNITS:
        value = "1" + text.strip().lower()
    x = units.parse_duration(value, time_unit)
    if not x > 0 or not math.isfinite(x):
        raise ValueError(f"found period {text!r}; expected a positive length of time")
    return x


def default_period(scenario: Scenario) -> float:
    """The observed series' period; else a day (an hour for an operation under two days), at
    least one time unit, grown until the horizon fits in ``MAX_ROWS`` rows."""
    unit = units.TIME_UNITS[scenario.time_unit]
    if scenario.observed is not None and scenario.observed.period is not None:
        return scenario.observed.period
    horizon = max(scenario.end, 0.0) * unit
    wanted = 86400.0 if horizon >= 2 * 86400.0 else 3600.0
    for seconds in (s for s in _LADDER if s >= wanted):
        if max(seconds, unit) * MAX_ROWS >= horizon:
            return max(seconds, unit) / unit
    return max(_LADDER[-1], unit, horizon / MAX_ROWS) / unit


class _Trip(Protocol):
    @property
    def origin(self) -> str: ...
    @property
    def destination(self) -> str: ...
    @property
    def people(self) -> int: ...
    @property
    def depart(self) -> float: ...
    @property
    def arrive(self) -> float: ...


class _Event(Protocol):
    @property
    def time(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def people(self) -> int: ...


def steps_from_trips(scenario: Scenario, trips: Iterable[_Trip]) -> list[Step]:
    """Rescue steps of a plan's trips, as the planner counts them: people delivered into havens
    by the horizon, less people picked up at havens."""
    haven = {p.id: scenario.is_haven(p.id) for p in scenario.places}
    out: list[Step] = []
    for tr in trips:
        if not tr.people:
            continue
        if haven.get(tr.destination, False) and tr.arrive <= scenario.end + 1e-9:
            out.append((float(tr.arrive), int(tr.people)))
        if haven.get(tr.origin, False):
            out.append((float(tr.depart), -int(tr.people)))
    return out


def steps_from_log(scenario: Scenario, events: Iterable[_Event]) -> list[Step]:
    """Rescue steps of a simulation's event log (``evacuate.simulation.log``)."""
    haven = {p.id: scenario.is_haven(p.id) for p in scenario.places}
    out: list[Step] = []
    for e in events:
        if not e.people or not haven.get(e.place, False):
            continue
        if e.kind == "arrive":
            out.append((float(e.time), int(e.people)))
        elif e.kind in ("depart", "turned_away"):
            out.append((float(e.time), -int(e.people)))
    return out


def _row_of(t: float, period: float, rows: int) -> int:
    k = math.ceil(t / period - 1e-9) - 1
    return min(max(k, 0), rows - 1)


def per_period(
    scenario: Scenario,
    steps: Sequence[Step],
    period: float | None = None,
    observed: Observed | None = None,
) -> tuple[PeriodRow, ...]:
    """The per-period table from time zero to the horizon (``period`` in the scenario's time
    unit; default ``default_period``); ``observed`` defaults to the scenario's series."""
    period = default_period(scenario) if period is None else period
    if not period > 0:
        raise ValueError(f"found period {period!r}; expected a positive length of time")
    observed = scenario.observed if observed is None else observed
    end = max(scenario.end, period)
    rows = max(1, math.ceil(end / period - 1e-9))
    rescued = [0] * rows
    for t, n in steps:
        rescued[_row_of(t, period, rows)] += n
    seen_in: list[int | None] = [None] * rows
    seen_total: list[int | None] = [None] * rows
    before = 0
    for at, total in observed.totals() if observed is not None else []:
        if 0 <= at <= end + 1e-9:
            k = _row_of(at, period, rows)
            seen_in[k] = (seen_in[k] or 0) + total - before
            seen_total[k] = total
        before = total
    out: list[PeriodRow] = []
    so_far = 0
    for k in range(rows):
        so_far += rescued[k]
        out.append(
            PeriodRow(
                start=k * period,
                end=min((k + 1) * period, end),
                rescued=rescued[k],
                total=so_far,
                observed=seen_in[k],
                observed_total=seen_total[k],
            )
        )
    return tuple(out)
