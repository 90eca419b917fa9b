"""The real-operation flow sections of a place and their events: people arriving over time
(``arrival_curve``, ``arrival_rates``, ``change_arrivals``) and throughput that changes
(``load_rates``, ``unload_rates``, ``change_throughput``); semantics in docs/model.md."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from evacuate.scenario.fields import (
    Count,
    Id,
    PeopleRate,
    Period,
    Span,
    Time,
    Vehicles,
    _Frozen,
)

__all__ = [
    "ArrivalCurve",
    "ArrivalRates",
    "ChangeArrivals",
    "ChangeThroughput",
    "RateFrom",
    "RateTable",
]


class ArrivalCurve(_Frozen):
    """A mobilization curve: ``people`` answer an order from ``start``, half of them by
    ``start + half`` (logistic or Rayleigh; formulas in docs/model.md), released every ``step``."""

    shape: Literal["logistic", "rayleigh"]
    people: Count
    start: Time = 0.0
    half: Span
    """Time from ``start`` until half the people have arrived."""
    spread: Span | None = None
    """Logistic only: time from 10% to 90% of the people (default: ``half``)."""
    step: Period | None = None
    """People who arrive within a step are released at its end (default: one hour or one
    time unit, whichever is longer)."""


class RateFrom(_Frozen):
    """From ``from`` (until the next entry), ``per_hour`` people arrive."""

    start: Time = Field(alias="from")
    per_hour: PeopleRate

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ArrivalRates(_Frozen):
    """A piecewise rate table of arrivals, up to ``people`` in all (omitted: no limit)."""

    rates: tuple[RateFrom, ...] = Field(min_length=1)
    people: Count | None = None
    step: Period | None = None
    """As for ``ArrivalCurve``."""


class RateTable(_Frozen):
    """A rate that changes: ``per_hour`` from each ``from`` until the next; before the first,
    the place's constant rate. With ``every``, the table repeats with that period from its
    first ``from`` (tides, daylight)."""

    rates: tuple[RateFrom, ...] = Field(min_length=1)
    every: Period | None = None


class ChangeArrivals(_Frozen):
    """People due at the place from the event until ``until`` (omitted: for good) pass at
    most ``per_hour`` (0: the flow stops); those held back arrive at ``until``."""

    type: Literal["change_arrivals"]
    place: Id
    per_hour: PeopleRate = 0.0
    until: Time | None = None


class ChangeThroughput(_Frozen):
    """From the event until ``until`` (omitted: for good), the place loads (unloads) at most
    ``load_per_hour`` (``unload_per_hour``) people an hour and serves at most ``berths``
    vehicles at once (0: none; tides, darkness); an omitted field is unchanged."""

    type: Literal["change_throughput"]
    place: Id
    load_per_hour: PeopleRate | None = None
    unload_per_hour: PeopleRate | None = None
    berths: Vehicles | None = None
    until: Time | None = None
