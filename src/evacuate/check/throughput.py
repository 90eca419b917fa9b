"""Throughput at places: berths and load / unload rates per period."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from evacuate.units import TIME_UNITS

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase
from evacuate.check.common import REL_TOL, _seg_cumsum, _t, _tols
from evacuate.check.rates import overdrawn, period_allowances


class ThroughputRules(CheckerBase):
    def _check_berths(self) -> None:
        berths = np.array(
            [0 if p.berths is None else p.berths for p in self.places], dtype=np.int64
        )
        if not berths.any():
            return
        ok = self.finite & self.kp & self.kc & self.loaded
        o = np.where(self.o >= 0, self.o, 0)
        d = np.where(self.d >= 0, self.d, 0)
        ld = np.flatnonzero(ok & (berths[o] > 0) & (self.L > 0))
        ul = np.flatnonzero(ok & (berths[d] > 0) & (self.U > 0))
        place = np.r_[o[ld], d[ul]]
        start = np.r_[self.depart[ld], self.arrive[ul] - self.U[ul]]
        stop = np.r_[self.t0[ld], self.arrive[ul]]
        trip = np.r_[ld, ul]
        is_load = np.r_[np.ones(len(ld), dtype=bool), np.zeros(len(ul), dtype=bool)]
        m = len(trip)
        if m == 0:
            return
        # a berth freed at t may be taken by a vehicle starting up to tol earlier
        ev_place = np.r_[place, place]
        ev_key = np.r_[start, stop - _tols(stop)]
        ev_delta = np.r_[self.count[trip], -self.count[trip]]
        ev_start = np.r_[np.ones(m, dtype=bool), np.zeros(m, dtype=bool)]
        ev_ref = np.r_[np.arange(m), np.arange(m)]
        order = np.lexsort((ev_start, ev_key, ev_place))
        level = _seg_cumsum(ev_place[order], ev_delta[order])
        over = level - berths[ev_place[order]]
        bad = ev_start[order] & (over > 0)
        refs = ev_ref[order][bad]
        amounts = np.minimum(over[bad], self.count[trip[refs]]).astype(np.float64)
        for r, a in zip(refs.tolist(), amounts.tolist(), strict=True):
            i = int(trip[r])
            p = self.places[int(place[r])]
            what = "loading" if is_load[r] else "unloading"
            self.out.one(
                "berths",
                i,
                a,
                f"{self.count[i]} vehicle(s) {what} at {p.id} from {_t(start[r])}: {a:,.0f} more"
                f" than its {p.berths} berth(s)",
            )

    def _check_rates(self) -> None:
        secs = TIME_UNITS[self.unit]
        period = max(1.0, 3600.0 / secs)  # in time units: one hour or one time unit
        hours = period * secs / 3600.0
        ok = self.finite & self.kp & self.loaded
        for rule, attr, where, times in (
            ("load_rate", "load_per_hour", self.o, self.depart),
            ("unload_rate", "unload_per_hour", self.d, self.arrive),
        ):
            unload = rule == "unload_rate"
            allowed = [
                period_allowances(p, unload, self.events, self.end, self.unit) for p in self.places
            ]
            limited = np.array([a is not None for a in allowed] + [False])
            sel = np.flatnonzero(ok & limited[where])
            if len(sel) == 0:
                continue
            tt = times[sel]
            k = np.floor(tt / period)
            k = np.where((k + 1) * period - tt <= _tols(tt), k + 1, k).astype(np.int64)
            place = where[sel]
            if not unload:
                # a loading draws on every period it meets (docs/model.md, Throughput)
                t0 = self.t0[sel]
                last = np.maximum(k, np.ceil(t0 / period - _tols(t0) / period) - 1).astype(np.int64)
                spans = np.unique(place[last > k])
                for q in spans.tolist():
                    at = np.flatnonzero(place == q)
                    self._overdrawn(sel[at], k[at], last[at], allowed[q], hours)
                keep = ~np.isin(place, spans)
                sel, tt, k, place = sel[keep], tt[keep], k[keep], place[keep]
                if len(sel) == 0:
                    continue
            order = np.lexsort((sel, tt, k, place))
            sel, k, place = sel[order], k[order], place[order]
            group = np.r_[True, (k[1:] != k[:-1]) | (place[1:] != place[:-1])].cumsum()
            cum = _seg_cumsum(group.astype(np.int64), self.people[sel])
            limit = np.array(
                [_period(allowed[q], kk) for q, kk in zip(place.tolist(), k.tolist(), strict=True)]
            )
            over = cum - limit
            bad = over > REL_TOL * np.maximum(1.0, limit)
            if rule == "load_rate":
                text = "{people} people start loading at {origin} at {depart}"
            else:
                text = "{people} people arrive at {destination} at {arrive}"
            text += f"; {{amount}} over the period's allowance ({attr} x {_t(hours)} h if constant)"
            self.out.many(
                rule, sel[bad], np.minimum(over[bad], self.people[sel[bad]]), self._text(text)
            )

    def _overdrawn(
        self,
        trips: np.ndarray,
        first: np.ndarray,
        last: np.ndarray,
        allowed: np.ndarray | None,
        hours: float,
    ) -> None:
        """Loadings at one place, some over several periods: report those no split fits."""
        assert allowed is not None
        short = overdrawn(first.tolist(), last.tolist(), self.people[trips].tolist(), allowed)
        if not short:
            return
        idx = np.array([int(trips[i]) for i, _ in short], dtype=np.int64)
        amount = np.array([a for _, a in short], dtype=np.float64)
        text = (
            "{people} people load at {origin} from {depart}; {amount} more than the allowances"
            f" of the periods their loading spans leave (load_per_hour x {_t(hours)} h a period"
            " if constant)"
        )
        self.out.many("load_rate", idx, amount, self._text(text))


def _period(allowed: np.ndarray | None, k: int) -> float:
    if allowed is None:
        return math.inf
    return float(allowed[min(max(k, 0), len(allowed) - 1)])
