"""The ways of a scenario (``travel``): lanes for vehicles and walkways, people's own ways
between places (walking or local transport, with a time and a rate), so that a plan decides
where people board. Semantics in docs/model.md ("Trips", "Walkways")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from evacuate.scenario.fields import (
    _MAX_X,
    Distance,
    Duration,
    Flag,
    Id,
    Period,
    Rate,
    Time,
    _Frozen,
    _reject_bool,
)

__all__ = ["Lane", "PeriodicWindow", "Travel", "Walkway", "Window"]

WalkRate = Annotated[
    float, BeforeValidator(_reject_bool), Field(gt=0, le=_MAX_X, allow_inf_nan=False)
]
"""People per hour who may set out on a walkway (more than zero)."""


class Window(_Frozen):
    """Open between two times (``to`` omitted: open for good)."""

    start: Time
    end: Time | None = None


class PeriodicWindow(_Frozen):
    """Open for ``open_for`` at the start of each ``every``, shifted by ``offset`` (e.g. nights)."""

    every: Period
    open_for: Duration
    offset: Duration = 0.0
    start: Time | None = None
    end: Time | None = None


class Lane(_Frozen):
    """A way between two places. Declared lanes replace the direct route between their ends."""

    id: Id
    start: Id = Field(alias="from")
    end: Id = Field(alias="to")
    bidirectional: Flag = True
    distance: Distance | None = None
    """Overrides the distance computed from positions."""
    time: Duration | None = None
    """A fixed travel time for every class (overrides distance and speed)."""
    class_times: dict[Id, Duration] = Field(default_factory=dict)
    """Fixed travel time per vehicle class id."""
    speed_factor: Rate = 1.0
    """Multiplies each class's speed on this lane (e.g. 1.5 for a contraflow highway)."""
    windows: tuple[Window, ...] = ()
    periodic: PeriodicWindow | None = None
    notes: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Walkway(_Frozen):
    """A way people take on their own from ``from`` to ``to`` (back too with ``both_ways``):
    ``time`` to cover it, at most ``per_hour`` people setting out per hour in each direction,
    departures in ``[open_from, open_until)``."""

    id: Id
    name: str = ""
    start: Id = Field(alias="from")
    end: Id = Field(alias="to")
    time: Duration
    per_hour: WalkRate
    both_ways: Flag = False
    open_from: Time | None = None
    open_until: Time | None = None
    notes: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Travel(_Frozen):
    """``routes: all`` connects every pair of positioned places directly; ``lanes`` only lanes."""

    routes: Literal["all", "lanes"] = "all"
    lanes: tuple[Lane, ...] = ()
    walkways: tuple[Walkway, ...] = ()
    """People's own ways between places (docs/model.md, "Walkways")."""
