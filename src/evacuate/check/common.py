"""Constants, tolerances and small array helpers shared by the checker's rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from evacuate.scenario.model import OpenLane, OpenPlace

if TYPE_CHECKING:
    from evacuate.scenario.model import Event


FloatArr = npt.NDArray[np.float64]
IntArr = npt.NDArray[np.int64]
BoolArr = npt.NDArray[np.bool_]

REL_TOL = 1e-9
ABS_TOL = 1e-6
EARTH_RADIUS_KM = 6371.0
INF = math.inf
_BIG = 2.0**62  # vehicle counts are capped here before integer arithmetic


# ---------------------------------------------------------------------------- helpers
def reopenings(events: Iterable[Event]) -> dict[tuple[str, object], list[float]]:
    """When known open_place / open_lane effects reopen what, keyed ``("place", id)``,
    ``("lane", id)`` or ``("pair", frozenset of two place ids)``."""
    out: dict[tuple[str, object], list[float]] = {}
    for ev in events:
        for eff in ev.effects:
            key: tuple[str, object] | None = None
            if isinstance(eff, OpenPlace):
                key = ("place", eff.place)
            elif isinstance(eff, OpenLane) and eff.lane is not None:
                key = ("lane", eff.lane)
            elif isinstance(eff, OpenLane) and eff.between is not None:
                key = ("pair", frozenset(eff.between))
            if key is not None:
                out.setdefault(key, []).append(ev.at)
    return out


def reopened(times: Iterable[float], at: float, until: float) -> float:
    """The end of a closure from ``at``: ``until``, or the first reopening after ``at``."""
    return min([until, *(r for r in times if r > at)])


def _tol(x: float) -> float:
    return max(ABS_TOL, REL_TOL * abs(x)) if math.isfinite(x) else ABS_TOL


def _tols(x: FloatArr) -> FloatArr:
    return np.maximum(ABS_TOL, REL_TOL * np.abs(np.where(np.isfinite(x), x, 0.0)))


def _t(x: float) -> str:
    return f"{x:.6g}"


def _seg_cumsum(keys: IntArr, values: IntArr) -> IntArr:
    """Cumulative sums of ``values`` restarting wherever the (sorted) ``keys`` change."""
    if len(values) == 0:
        return values.copy()
    cum: IntArr = np.cumsum(values)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    base = np.r_[0, cum[starts[1:] - 1]] if len(starts) > 1 else np.zeros(1, dtype=cum.dtype)
    lengths = np.diff(np.r_[starts, len(values)])
    out: IntArr = cum - np.repeat(base, lengths)
    return out


def _codes(names: list[str], known: dict[str, int], also: Iterable[str] = ()) -> IntArr:
    """A number per name: ``known`` ids keep theirs, other names (from ``names`` and
    ``also``, so that two lists share codes) follow in sorted order."""
    unseen = (set(names) | set(also)) - known.keys()
    table = {**known, **{name: len(known) + i for i, name in enumerate(sorted(unseen))}}
    return np.fromiter(map(table.__getitem__, names), np.int64, len(names))


def _sum_by(index: IntArr, values: IntArr, size: int) -> IntArr:
    """Exact integer sums of ``values`` per ``index`` (0 .. size-1)."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _const(text: str) -> Callable[[int, float], str]:
    return lambda i, a: text


def _with_prev(
    text: Callable[[int, int], str], prev_of: dict[int, int]
) -> Callable[[int, float], str]:
    return lambda i, a: text(i, prev_of[i])
