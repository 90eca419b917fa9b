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

_UNLIMITED = 1 << 40


class ThroughputRules(CheckerBase):
    def _berth_changes(self) -> list[list[tuple[float, float, int]]]:
        """Per place, (from, until, berths) of the known change_throughput effects that give
        berths, in time order (docs/model.md, Throughput: the last one in force wins)."""
        out: list[list[tuple[float, float, int]]] = [[] for _ in self.places]
        index = {p.id: i for i, p in enumerate(self.places)}
        for e in sorted(self.events, key=lambda e: e.at):
            for fx in e.effects:
                n = getattr(fx, "berths", None)
                if getattr(fx, "type", None) == "change_throughput" and n is not None:
                    until = getattr(fx, "until", None)
                    out[index[getattr(fx, "place", "")]].append(
                        (e.at, math.inf if until is None else until, n)
                    )
        return out

    @staticmethod
    def _berths_at(base: int | None, changes: list[tuple[float, float, int]], t: float) -> int:
        """Berths in force at ``t`` (a large number where unlimited)."""
        value = base
        for a, b, n in changes:
            if a <= t < b:
                value = n
        return _UNLIMITED if value is None else value

    def _check_berths(self) -> None:
        changes = self._berth_changes()
        limited = np.array(
            [p.berths is not None or bool(c) for p, c in zip(self.places, changes, strict=True)]
        )
        if not limited.any():
            return
        ok = self.finite & self.kp & self.kc & self.loaded
        o = np.where(self.o >= 0, self.o, 0)
        d = np.where(self.d >= 0, self.d, 0)
        ld = np.flatnonzero(ok & limited[o] & (self.L > 0))
        ul = np.flatnonzero(ok & limited[d] & (self.U > 0))
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
        limit = np.array(
            [
                self._berths_at(self.places[q].berths, changes[q], t)
                for q, t in zip(ev_place[order].tolist(), ev_key[order].tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        over = level - limit
        bad = ev_start[order] & (over > 0)
        refs = ev_ref[order][bad]
        amounts = np.minimum(over[bad], self.count[trip[refs]]).astype(np.float64)
        found = {int(r) for r in refs.tolist()}
        for r, a in zip(refs.tolist(), amounts.tolist(), strict=True):
            self._berth_violation(int(r), a, trip, place, start, is_load, changes)
        # berths that fall while vehicles load or unload: the level at each fall
        for q, ch in enumerate(changes):
            for c in sorted({t for a, b, _ in ch for t in (a, b) if math.isfinite(t)}):
                cap = self._berths_at(self.places[q].berths, ch, c)
                busy = np.flatnonzero((place == q) & (start < c) & (stop - _tols(stop) > c))
                if len(busy) == 0 or int(self.count[trip[busy]].sum()) <= cap:
                    continue
                r = int(busy[np.argmax(start[busy])])  # the latest to start gives way
                if r not in found:
                    found.add(r)
                    extra = float(int(self.count[trip[busy]].sum()) - cap)
                    amount = min(extra, float(self.count[trip[r]]))
                    self._berth_violation(r, amount, trip, place, start, is_load, changes, c)

    def _berth_violation(
        self,
        r: int,
        amount: float,
        trip: np.ndarray,
        place: np.ndarray,
        start: np.ndarray,
        is_load: np.ndarray,
        changes: list[list[tuple[float, float, int]]],
        at: float | None = None,
    ) -> None:
        i = int(trip[r])
        p = self.places[int(place[r])]
        what = "loading" if is_load[r] else "unloading"
        when = float(start[r]) if at is None else at
        cap = self._berths_at(p.berths, changes[int(place[r])], when)
        where = "" if at is None else f" when its berths fall to {cap} at {_t(at)}"
        self.out.one(
            "berths",
            i,
            amount,
            f"{self.count[i]} vehicle(s) {what} at {p.id} from {_t(start[r])}: {amount:,.0f} more"
            f" than its {cap} berth(s){where}",
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
