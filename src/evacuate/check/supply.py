"""Vehicles entering the scenario: initial stock and shipyards' production over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass

from evacuate.check.common import _BIG, REL_TOL, FloatArr, IntArr


@dataclass
class _Yard:
    starts: FloatArr
    ends: FloatArr
    rates: FloatArr
    max_total: float
    available_from: float
    stop: float

    def available(self, t: FloatArr, held: bool = False) -> IntArr:
        """Vehicles produced by ``t`` that may leave by ``t`` (``held``: also those held at
        the yard until its ``available_from``: they are at the place, docs/model.md)."""
        te = np.minimum(t, self.stop)[:, None]
        overlap = np.clip(
            np.minimum(self.ends[None, :], te) - np.maximum(self.starts, 0.0), 0.0, None
        )
        with np.errstate(invalid="ignore", over="ignore"):
            total = np.where(overlap > 0, overlap * self.rates[None, :], 0.0).sum(axis=1)
            made = np.floor(total + REL_TOL * np.maximum(1.0, total))
        made = np.minimum(np.nan_to_num(made, posinf=_BIG), min(self.max_total, _BIG))
        free = np.ones(len(t), dtype=bool) if held else t >= self.available_from
        return np.where(free, made, 0.0).astype(np.int64)


@dataclass
class _Supply:
    """Vehicles of one class entering at one place: stock and shipyards."""

    stock: list[tuple[float, int]] = field(default_factory=list)
    yards: list[_Yard] = field(default_factory=list)

    def at(self, t: FloatArr, held: bool = False) -> IntArr:
        """Vehicles entered by ``t`` and free to leave (``held``: or held at a yard)."""
        out = np.zeros(len(t), dtype=np.int64)
        if self.stock:
            times = np.array([s[0] for s in self.stock], dtype=np.float64)
            counts = np.array([s[1] for s in self.stock], dtype=np.int64)
            order = np.argsort(times, kind="stable")
            cum = np.r_[0, np.cumsum(counts[order])]
            out += cum[np.searchsorted(times[order], t, side="right")]
        for yard in self.yards:
            out += yard.available(t, held)
        return out

    def at1(self, t: float) -> int:
        return int(self.at(np.array([t], dtype=np.float64))[0])
