"""The ``observed:`` section: what history recorded, to set beside a plan or a simulation.

A real operation is known by a series of counts of people rescued, each from a source (a news
report, an official statement). Each point says when the count was made (``at``) and either how
many were rescued since the previous point (``rescued``) or in all so far (``total``). The series
is a record, not an input: no planner, checker or simulator reads it; ``plan`` and ``simulate``
print it beside their per-period table and the report draws it beside the simulated curve.
"""

from __future__ import annotations

from pydantic import Field

from evacuate.scenario.fields import Count, Period, Time, _Frozen

__all__ = ["Observation", "Observed"]


class Observation(_Frozen):
    """One recorded count: people rescued by ``at``, since the previous point or in all."""

    at: Time
    """When the count was made (the end of the day it covers, for a daily figure)."""
    rescued: Count | None = None
    """People rescued since the previous point (or since time zero, for the first point)."""
    total: Count | None = None
    """People rescued from time zero up to ``at``."""
    source: str = Field(min_length=1, max_length=2000)
    """Where the figure comes from: an address, a title, or ``assumption``."""
    note: str = ""


class Observed(_Frozen):
    """A recorded series of people rescued, to compare a plan or a simulation with."""

    description: str = ""
    period: Period | None = None
    """The length of one row of the per-period table (e.g. ``1d``); by default one day, or one
    time unit when that is longer."""
    points: tuple[Observation, ...] = Field(min_length=1)

    def totals(self) -> list[tuple[float, int]]:
        """``(at, people rescued so far)`` for each point, in the file's order."""
        out: list[tuple[float, int]] = []
        so_far = 0
        for p in self.points:
            so_far = p.total if p.total is not None else so_far + (p.rescued or 0)
            out.append((p.at, so_far))
        return out
