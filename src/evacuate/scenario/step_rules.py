"""Checks that bound the per-period work of a typed scenario before anything computes it.

Arrival curves and rate tables release people at every ``step``; loading rates, walkways and
throughput changes are counted per throughput period (one hour or one time unit); a repeating
rate table is unrolled over the horizon. All of that work grows with the horizon divided by
a step, never with people: these rules refuse, naming the limit ``limits.MAX_STEPS``, a
scenario whose steps would make validation, planning or checking run for hours (an ``end`` of
``1e9h`` once made ``evacuate validate`` hang on an arrival curve).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from evacuate.scenario import limits
from evacuate.scenario.arrivals import default_step
from evacuate.scenario.flows import ChangeThroughput
from evacuate.scenario.validate import Found, _found

if TYPE_CHECKING:
    from evacuate.scenario.model import Place
    from evacuate.scenario.scenario import Scenario

__all__ = ["STEP_RULES", "check_steps"]


def _count(span: float, step: float) -> float:
    return math.ceil(span / step - 1e-9) if span > 0 else 1


def _uses_periods(scenario: Scenario, place: Place) -> bool:
    return any(
        x is not None
        for x in (
            place.load_per_hour,
            place.unload_per_hour,
            place.load_rates,
            place.unload_rates,
            place.arrival_curve,
            place.arrival_rates,
        )
    )


def _too_many(what: str, n: float, fix: str) -> str:
    return (
        f"found {n:,.0f} steps in {what}; expected at most {limits.MAX_STEPS:,} "
        f"(docs/scenario-format.md, Limits): give {fix}"
    )


def horizon_periods(scenario: Scenario) -> Iterator[Found]:
    """A horizon counted per throughput period (rates, arrivals over time, walkways) has at
    most ``MAX_STEPS`` periods."""
    unit = scenario.time_unit
    per = default_step(unit)
    periodic = bool(scenario.travel.walkways) or any(
        _uses_periods(scenario, p) for p in scenario.places
    )
    periodic = periodic or any(
        isinstance(fx, ChangeThroughput) for e in scenario.events for fx in e.effects
    )
    n = _count(scenario.scenario.end, per)
    if periodic and n > limits.MAX_STEPS:
        longer = "" if unit == "day" else " or a longer time_unit (day: one period a day)"
        yield _found(
            _too_many(
                f"a horizon with throughput periods (one {'day' if unit == 'day' else 'hour'} "
                "each) for rates, arrivals over time or walkways",
                n,
                f"a shorter end{longer}",
            ),
            ("scenario", "end"),
        )


def release_steps(scenario: Scenario) -> Iterator[Found]:
    """An arrival curve or rate table releases people at most ``MAX_STEPS`` times up to the
    end, and a repeating loading or unloading table unrolls into at most ``MAX_STEPS`` entries."""
    end = scenario.scenario.end
    unit = scenario.time_unit
    for i, place in enumerate(scenario.places):
        curve = place.arrival_curve
        if curve is not None:
            step = curve.step if curve.step is not None else default_step(unit)
            n = _count(end - curve.start, step)
            if n > limits.MAX_STEPS:
                yield _found(
                    _too_many("an arrival curve", n, "a longer step"),
                    ("places", i, "arrival_curve", "step"),
                )
        table = place.arrival_rates
        if table is not None:
            step = table.step if table.step is not None else default_step(unit)
            n = _count(end - table.rates[0].start, step)
            if n > limits.MAX_STEPS:
                yield _found(
                    _too_many("an arrival rate table", n, "a longer step"),
                    ("places", i, "arrival_rates", "step"),
                )
        for name in ("load_rates", "unload_rates"):
            rates = getattr(place, name)
            if rates is None or rates.every is None:
                continue
            n = _count(end - rates.rates[0].start, rates.every) * len(rates.rates)
            if n > limits.MAX_STEPS:
                yield _found(
                    _too_many(
                        f"a repeating {name} table unrolled over the horizon", n, "a longer every"
                    ),
                    ("places", i, name, "every"),
                )


STEP_RULES = [horizon_periods, release_steps]
"""Rules that must pass before any rule (or anything else) computes releases or periods."""


def check_steps(scenario: Scenario) -> list[Found]:
    """Problems of ``STEP_RULES`` (empty: per-period work is bounded)."""
    return [f for rule in STEP_RULES for f in rule(scenario)]
