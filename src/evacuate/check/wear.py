"""Parking stands, sortie limits and crew rest (docs/model.md, Stands; Sorties and rest).

Stands: the vehicles present at a place (from the start of unloading, or arrival, to the end
of loading, or departure; vehicles that entered there, less those destroyed) may not exceed
its stands when a trip arrives. Sorties and rest are records of vehicles: a group carries the
worst record of its vehicles; vehicles a group leaves at a place keep its record, and a group
drawing vehicles from a place takes the least worn there (fewest sorties, then rested ones,
then those whose duty began latest); stock with a ``record`` brings the record it was
written with (a state mid-operation). Runs after ``_check_inventory`` (its entries and losses).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from evacuate.check.base import CheckerBase
from evacuate.check.common import INF, _t, _tol, _tols
from evacuate.check.supply import _Supply
from evacuate.scenario.fleet_limits import record_of, stands_for

__all__ = ["WearRules"]


@dataclass
class _Record:
    """Sorties flown; the current duty's first departure and last arrival (None: rested)."""

    sorties: int = 0
    duty_from: float | None = None
    last_end: float = -INF

    def key(self, at: float, rest_for: float) -> tuple[int, int, float]:
        if self.duty_from is None or at - self.last_end >= rest_for - _tol(at):
            return (self.sorties, 0, 0.0)
        return (self.sorties, 1, -self.duty_from)


class WearRules(CheckerBase):
    _supplies_seen: dict[tuple[int, int], _Supply]
    _destroyed_seen: dict[int, list[tuple[float, int]]]

    # ------------------------------------------------------------------ stands
    def _check_stands(self) -> None:
        pools: dict[tuple[int, str], tuple[int, list[int]]] = {}
        for p, place in enumerate(self.places):
            for c, vc in enumerate(self.classes):
                pool = stands_for(place.stands, vc.id)
                if pool is not None:
                    pools.setdefault((p, pool[0]), (pool[1], []))[1].append(c)
        if not pools:
            return
        ok = self.finite & self.kp & self.kc & self.cenabled[self.cls]
        supplies = getattr(self, "_supplies_seen", {})
        destroyed = getattr(self, "_destroyed_seen", {})
        for (p, _), (limit, classes) in sorted(pools.items()):
            mine = ok & np.isin(self.cls, classes)
            arr = np.flatnonzero(mine & (self.d == p))
            dep = np.flatnonzero(mine & (self.o == p))
            if len(arr) == 0:
                continue
            start = self.arrive[arr] - self.U[arr]
            leave = self.t0[dep]
            # a stand freed at t may be taken by a vehicle arriving up to tol earlier
            key = np.r_[start, leave - _tols(leave)]
            delta = np.r_[self.count[arr], -self.count[dep]]
            is_arr = np.r_[np.ones(len(arr), dtype=bool), np.zeros(len(dep), dtype=bool)]
            ref = np.r_[arr, dep]
            order = np.lexsort((ref, is_arr, key))
            level = np.cumsum(delta[order])
            sel = is_arr[order]
            trips, when, level = ref[order][sel], key[order][sel], level[sel]
            probe = when + _tols(when)
            for c in classes:
                sup = supplies.get((p, c))
                if sup is not None:
                    level = level + sup.at(probe)
                lost = destroyed.get(p * self.C + c, [])
                if lost:
                    at = np.array([x[0] for x in lost], dtype=np.float64)
                    cum = np.r_[0, np.cumsum([x[1] for x in lost])]
                    level = level - cum[np.searchsorted(at, probe, side="right")]
            over = level - limit
            bad = over > 0
            name = self.places[p].id
            self.out.many(
                "stands",
                trips[bad],
                np.minimum(over[bad], self.count[trips[bad]]).astype(np.float64),
                self._text(
                    "{count} x {vehicle_class} reach {destination} (arrive {arrive}); {amount} "
                    f"more vehicles would be there than its {limit:,} stand(s) ({name})"
                ),
            )

    # ------------------------------------------------------------------ sorties and rest
    def _check_wear(self) -> None:
        limits = {
            c: (vc.max_sorties, vc.rest)
            for c, vc in enumerate(self.classes)
            if vc.max_sorties is not None or vc.rest is not None
        }
        if not limits:
            return
        ok = self.finite & self.kp & self.kc
        idx = np.flatnonzero(ok & np.isin(self.cls, list(limits)))
        by_group: dict[int, list[int]] = defaultdict(list)
        order = np.lexsort((idx, self.arrive[idx], self.depart[idx]))
        for i in idx[order].tolist():
            by_group[int(self.group_code[i])].append(i)
        # a group draws its vehicles at its first departure and leaves them at the end of
        # its last trip (after the turnaround): process both in time order, leaving first
        steps: list[tuple[float, int, int, int]] = []
        for g, trips in by_group.items():
            first, last = trips[0], trips[-1]
            drawn, left_at = float(self.depart[first]), float(self.arrive[last] + self.rest[last])
            steps.append((drawn, 1, first, g))
            # a trip that arrives before it departs (refused under travel_time), or a group
            # that leaves when it draws (one empty trip of no duration between places at one
            # position, feasible), must not put the group's leaving before its drawing: leaving
            # sorts first at an instant (a KeyError, exit 1, twice)
            steps.append((left_at, 0, last, g) if left_at > drawn else (drawn, 2, last, g))
        steps.sort()
        supplies = getattr(self, "_supplies_seen", {})
        fresh_taken: dict[tuple[int, int], int] = defaultdict(int)
        left: dict[tuple[int, int], list[tuple[_Record, int]]] = defaultdict(list)
        worn = self._worn_stock()
        worn_in: dict[tuple[int, int], int] = defaultdict(int)
        records: dict[int, _Record] = {}
        for at, draw, i, g in steps:
            c = int(self.cls[i])
            max_sorties, rest = limits[c]
            rest_for = INF if rest is None else rest.rest_for
            if draw != 1:
                pc = (int(self.d[i]), c)
                left[pc].append((records[g], int(self.count[i])))
                continue
            pc = (int(self.o[i]), c)
            need = int(self.count[i])
            pending = worn.get(pc, [])
            while pending and pending[0][0] <= at + _tol(at):  # worn stock, once free
                _, r, n = pending.pop(0)
                left[pc].append((r, n))
                worn_in[pc] += n
            sup = supplies.get(pc)
            fresh = 0 if sup is None else sup.at1(at + _tol(at)) - fresh_taken[pc] - worn_in[pc]
            take = min(need, max(0, fresh))
            fresh_taken[pc] += take
            rec = _Record()
            if take < need and left[pc]:
                pool = sorted(left[pc], key=lambda rn: rn[0].key(at, rest_for))
                kept: list[tuple[_Record, int]] = []
                for r, n in pool:
                    k = min(n, need - take)
                    if k > 0:
                        take += k
                        rec = _worse(rec, r, at, rest_for)
                    if n > k:
                        kept.append((r, n - k))
                left[pc] = kept
            records[g] = self._fly(g, by_group[g], rec, max_sorties, rest)

    def _worn_stock(self) -> dict[tuple[int, int], list[tuple[float, _Record, int]]]:
        """Per (place, class) index, stock entries with a ``record`` (flown before): when
        they are free to leave, their record and count, in time order."""
        out: dict[tuple[int, int], list[tuple[float, _Record, int]]] = defaultdict(list)
        for st in self.sc.fleet.stock:
            r = record_of(st.record)
            p, c = self.pidx.get(st.place), self.cidx.get(st.vehicle_class)
            if r is None or p is None or c is None or st.count <= 0:
                continue
            out[(p, c)].append((max(0.0, st.available_from), _Record(*r), st.count))
        for entries in out.values():
            entries.sort(key=lambda e: e[0])
        return out

    def _fly(
        self, g: int, trips: list[int], rec: _Record, max_sorties: int | None, rest: object
    ) -> _Record:
        """Walk a group's trips from its record; report sorties past the limit and duties
        longer than ``rest.after``."""
        after = getattr(rest, "after", INF)
        rest_for = getattr(rest, "rest_for", INF)
        sorties, duty_from, last_end = rec.sorties, rec.duty_from, rec.last_end
        for i in trips:
            d, a = float(self.depart[i]), float(self.arrive[i])
            if duty_from is None or d - last_end >= rest_for - _tol(d):
                duty_from = d
            if self.loaded[i]:
                sorties += 1
                if max_sorties is not None and sorties > max_sorties:
                    self.out.one(
                        "sorties",
                        i,
                        float(sorties - max_sorties),
                        f"loaded trip {sorties} of the vehicles of group {self.plan.trips[i].group}"
                        f" ({self.plan.trips[i].vehicle_class}: max_sorties {max_sorties})",
                    )
            if a - duty_from > after + _tol(a):
                self.out.one(
                    "rest",
                    i,
                    a - duty_from - after,
                    f"ends at {_t(a)} a duty begun at {_t(duty_from)}: longer than the "
                    f"{_t(after)} a {self.plan.trips[i].vehicle_class} may work before a rest "
                    f"of {_t(rest_for)}",
                )
            last_end = a
        return _Record(sorties, duty_from, last_end)


def _worse(a: _Record, b: _Record, at: float, rest_for: float) -> _Record:
    """The record of a group holding vehicles with records ``a`` and ``b``."""
    busy = [r for r in (a, b) if r.key(at, rest_for)[1] == 1]
    return _Record(
        max(a.sorties, b.sorties),
        min((r.duty_from for r in busy if r.duty_from is not None), default=None),
        max((r.last_end for r in busy), default=-INF),
    )
