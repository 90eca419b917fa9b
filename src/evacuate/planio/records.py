"""The plan's records: ``Trip`` and ``Plan``, the format's names and limits, and the trips as
rows or a numpy array (docs/plan-format.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "COLUMNS",
    "FORMAT",
    "HEADER_KEYS",
    "MAX_COUNT",
    "MAX_ISSUES",
    "MAX_PLAN_BYTES",
    "TIME_UNITS",
    "Plan",
    "Trip",
    "Walk",
    "plan_to_array",
    "plan_to_rows",
]

FORMAT = "evacuate-plan/1"
"""Name and version of the file format, written as the ``format`` header field."""

COLUMNS: tuple[str, ...] = (
    "group",
    "class",
    "count",
    "origin",
    "depart",
    "destination",
    "arrive",
    "people",
)
"""Trip columns, in file order."""

HEADER_KEYS: tuple[str, ...] = (
    "format",
    "scenario",
    "scenario_digest",
    "variant",
    "objective",
    "rescued",
    "bound",
    "time_unit",
    "meta",
)
"""Header fields, in file order (``None`` values are left out)."""

TIME_UNITS: tuple[str, ...] = ("minute", "hour", "day")

MAX_COUNT = 10**18
"""Largest ``count`` or ``people`` read from a file: sums over trips stay exact in 64 bits."""

MAX_PLAN_BYTES = 256 * 2**20
"""Largest plan file read: about 4 million trips, far past any plan a planner writes."""

MAX_ISSUES = 1000
"""A file with more problems than this reports the first ones and how many more there are."""


@dataclass(frozen=True)
class Trip:
    """One move of a group of identical vehicles (docs/model.md, "Trips").

    ``people`` is the total on board the whole group (0 for an empty move); times are in the
    scenario's time unit after time zero.
    """

    group: str
    vehicle_class: str
    count: int
    origin: str
    depart: float
    destination: str
    arrive: float
    people: int


@dataclass(frozen=True)
class Walk:
    """People moving on their own along a walkway (docs/model.md, "Walkways"): ``people``
    set out from ``origin`` at ``depart`` and reach ``destination`` at ``arrive``."""

    walkway: str
    origin: str
    depart: float
    destination: str
    arrive: float
    people: int


@dataclass(frozen=True)
class Plan:
    """All trips of an evacuation plan plus what the planner claims about it.

    ``rescued`` and ``bound`` are the planner's claims (``evacuate.check`` recomputes the
    former and tests the latter); ``meta`` holds JSON-ready extras such as solver statistics,
    ``makespan`` or ``makespan_lower_bound``.
    """

    scenario_id: str
    variant: str | None = None
    objective: str = "max_rescued"
    rescued: float | None = None
    bound: float | None = None
    trips: tuple[Trip, ...] = ()
    time_unit: str = "hour"
    meta: dict[str, object] = field(default_factory=dict, hash=False)
    scenario_digest: str | None = None
    """The scenario's ``Scenario.digest``: readers refuse the plan for another scenario."""
    walks: tuple[Walk, ...] = ()
    """Who walks where and when (``travel.walkways``); empty for most scenarios."""

    def __post_init__(self) -> None:
        if not isinstance(self.trips, tuple):
            object.__setattr__(self, "trips", tuple(self.trips))
        if not isinstance(self.walks, tuple):
            object.__setattr__(self, "walks", tuple(self.walks))

    def header(self) -> dict[str, object]:
        """The header fields as a JSON-ready mapping (``None`` values left out)."""
        out: dict[str, object] = {
            "format": FORMAT,
            "scenario": self.scenario_id,
            "scenario_digest": self.scenario_digest,
            "variant": self.variant,
            "objective": self.objective,
            "rescued": self.rescued,
            "bound": self.bound,
            "time_unit": self.time_unit,
            "meta": dict(self.meta) if self.meta else None,
        }
        return {k: v for k, v in out.items() if v is not None}


# ---------------------------------------------------------------------------- conversions
def plan_to_rows(plan: Plan) -> list[dict[str, object]]:
    """The trips as dicts keyed by the file's column names (``class``, not ``vehicle_class``)."""
    return [
        {
            "group": t.group,
            "class": t.vehicle_class,
            "count": t.count,
            "origin": t.origin,
            "depart": t.depart,
            "destination": t.destination,
            "arrive": t.arrive,
            "people": t.people,
        }
        for t in plan.trips
    ]


def plan_to_array(plan: Plan) -> np.ndarray[Any, np.dtype[np.void]]:
    """The trips as a numpy structured array with the file's column names as fields.

    Strings are fixed-width unicode; ``count`` and ``people`` int64; times float64.
    """
    trips = plan.trips

    def width(values: Iterable[str]) -> int:
        return max((len(v) for v in values), default=1) or 1

    dtype = np.dtype(
        [
            ("group", f"U{width(t.group for t in trips)}"),
            ("class", f"U{width(t.vehicle_class for t in trips)}"),
            ("count", "i8"),
            ("origin", f"U{width(t.origin for t in trips)}"),
            ("depart", "f8"),
            ("destination", f"U{width(t.destination for t in trips)}"),
            ("arrive", "f8"),
            ("people", "i8"),
        ]
    )
    return np.array(
        [
            (
                t.group,
                t.vehicle_class,
                t.count,
                t.origin,
                t.depart,
                t.destination,
                t.arrive,
                t.people,
            )
            for t in trips
        ],
        dtype=dtype,
    )
