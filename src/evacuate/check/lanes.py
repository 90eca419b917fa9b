"""Lane windows and routes, re-implemented from docs/model.md ("Travel time")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.scenario.model import (
    Lane,
)

if TYPE_CHECKING:
    pass

from evacuate.check.common import INF, _tol


@dataclass
class _Route:
    """One way from a to b for one class: its travel time and what can close it."""

    time: float
    lane: Lane | None
    closures: list[tuple[float, float]]

    @property
    def dynamic(self) -> bool:
        lane = self.lane
        return bool(self.closures) or (
            lane is not None and (bool(lane.windows) or lane.periodic is not None)
        )


def _window_open(lane: Lane, t: float) -> bool:
    """Whether travel may start on the lane at ``t`` (docs/model.md, "Travel time")."""
    if not lane.windows and lane.periodic is None:
        return True
    for w in lane.windows:
        if w.start - _tol(w.start) <= t and (w.end is None or t < w.end):
            return True
    pw = lane.periodic
    if pw is None:
        return False
    if pw.start is not None and t < pw.start - _tol(pw.start):
        return False
    if pw.end is not None and t >= pw.end:
        return False
    phase = (t - pw.offset) % pw.every
    if pw.every - phase <= _tol(t):
        phase = 0.0
    return phase < pw.open_for


def _next_open(lane: Lane, t: float) -> float:
    """The first instant at or after ``t`` at which travel may start on the lane (inf: never)."""
    if not lane.windows and lane.periodic is None:
        return t
    best = INF
    for w in lane.windows:
        if w.end is None or w.end > t:
            best = min(best, max(w.start, t))
    pw = lane.periodic
    if pw is not None and pw.open_for > 0:
        s = t if pw.start is None else max(t, pw.start)
        phase = (s - pw.offset) % pw.every
        cand = s if phase < pw.open_for else s + (pw.every - phase)
        if pw.end is None or cand < pw.end:
            best = min(best, cand)
    return best
