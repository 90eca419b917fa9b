"""Vehicles: group continuity, inventory at each place (stock, production, losses)
and known destroy_vehicles events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from evacuate.scenario.model import (
    AddVehicles,
    DamageVehicles,
    DestroyVehicles,
    Shipyard,
    StopProduction,
)

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase
from evacuate.check.common import INF, BoolArr, FloatArr, IntArr, _t, _tol, _tols, _with_prev
from evacuate.check.supply import _Supply, _Yard


class VehicleRules(CheckerBase):
    def _check_chain(self) -> None:
        trips = self.plan.trips
        idx = np.flatnonzero(self.finite)
        if len(idx) < 2:
            return
        g, cl = self.group_code[idx], self.cls_code[idx]
        orig, dest = self.o_code[idx], self.d_code[idx]
        order = np.lexsort((idx, self.arrive[idx], self.depart[idx], g))
        idx, g, cl, orig, dest = idx[order], g[order], cl[order], orig[order], dest[order]
        same = g[1:] == g[:-1]
        cur, prev = idx[1:], idx[:-1]
        count_change = np.abs(self.count[cur] - self.count[prev])
        overlap = self.arrive[prev] - self.depart[cur]
        checks: list[tuple[BoolArr, FloatArr, Callable[[int, int], str]]] = [
            (
                same & ((cl[1:] != cl[:-1]) | (count_change != 0)),
                np.maximum(1, count_change).astype(np.float64),
                lambda i, j: (
                    f"the group is {trips[i].count} x {trips[i].vehicle_class} here but"
                    f" {trips[j].count} x {trips[j].vehicle_class} on trip {j}"
                ),
            ),
            (
                same & (orig[1:] != dest[:-1]),
                self.count[cur].astype(np.float64),
                lambda i, j: (
                    f"departs from {trips[i].origin} but the group's previous trip {j} ended at"
                    f" {trips[j].destination}"
                ),
            ),
            (
                same & (overlap > _tols(self.arrive[prev])),
                overlap,
                lambda i, j: (
                    f"departs at {_t(trips[i].depart)}, before the group's previous trip {j}"
                    f" arrives at {_t(trips[j].arrive)}"
                ),
            ),
        ]
        for m, amount, text in checks:
            prev_of = dict(zip(cur[m].tolist(), prev[m].tolist(), strict=True))
            self.out.many("group_chain", cur[m], amount[m], _with_prev(text, prev_of))
        # the turnaround after a loaded trip (reported apart from a plain overlap)
        early = overlap + self.rest[prev]
        m = same & ~(overlap > _tols(self.arrive[prev])) & (early > _tols(self.arrive[prev]))
        prev_of = dict(zip(cur[m].tolist(), prev[m].tolist(), strict=True))
        self.out.many(
            "turnaround",
            cur[m],
            early[m],
            _with_prev(
                lambda i, j: (
                    f"departs at {_t(trips[i].depart)}, before the {trips[j].vehicle_class}"
                    f" turnaround after trip {j} (arrived {_t(trips[j].arrive)}) is over"
                ),
                prev_of,
            ),
        )

    def _supplies(self) -> dict[tuple[int, int], _Supply]:
        stops: dict[str, float] = {}
        out: dict[tuple[int, int], _Supply] = defaultdict(_Supply)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, StopProduction):
                    stops[eff.shipyard] = min(stops.get(eff.shipyard, INF), ev.at)
                elif isinstance(eff, AddVehicles):
                    # reinforcements enter like stock available from the event's time
                    p, c = self.pidx.get(eff.place), self.cidx.get(eff.vehicle_class)
                    if p is not None and c is not None and self.cenabled[c] and eff.count:
                        out[(p, c)].stock.append((ev.at, eff.count))
        for s in self.sc.fleet.stock:
            p, c = self.pidx.get(s.place), self.cidx.get(s.vehicle_class)
            if p is not None and c is not None and self.cenabled[c] and s.count:
                out[(p, c)].stock.append((s.available_from, s.count))
        for y in self.sc.fleet.shipyards:
            p, c = self.pidx.get(y.place), self.cidx.get(y.vehicle_class)
            if p is not None and c is not None and self.cenabled[c] and y.schedule:
                out[(p, c)].yards.append(self._yard(y, stops.get(y.id, INF)))
        return out

    @staticmethod
    def _yard(y: Shipyard, stop: float) -> _Yard:
        return _Yard(
            starts=np.array([pp.start for pp in y.schedule], dtype=np.float64),
            ends=np.array(
                [INF if pp.end is None else pp.end for pp in y.schedule], dtype=np.float64
            ),
            rates=np.array([pp.rate / pp.per for pp in y.schedule], dtype=np.float64),
            max_total=INF if y.max_total is None else float(y.max_total),
            available_from=-INF if y.available_from is None else y.available_from,
            stop=stop,
        )

    def _check_inventory(self) -> tuple[dict[str, int], dict[str, int]]:
        """Inventory per (place, class) never negative; vehicles lost at deadlines and to
        known destroy_vehicles events."""
        C = self.C
        supplies = self._supplies()
        tr = np.flatnonzero(self.finite & self.kp & self.kc & self.cenabled[self.cls])
        k = len(tr)
        pair = np.r_[self.o[tr] * C + self.cls[tr], self.d[tr] * C + self.cls[tr]]
        t = np.r_[self.depart[tr], self.tdel[tr] + self.rest[tr]]
        delta = np.r_[-self.count[tr], self.count[tr]]
        is_dep = np.r_[np.ones(k, dtype=bool), np.zeros(k, dtype=bool)]
        trip = np.r_[tr, tr]
        # a departure at t may use vehicles that arrive up to tol later
        key = np.where(is_dep, t, t - _tols(t))
        order = np.lexsort((is_dep, key, pair))
        pair, t, delta, is_dep, trip = (
            pair[order],
            t[order],
            delta[order],
            is_dep[order],
            trip[order],
        )
        seg: dict[int, tuple[int, int]] = {}
        if len(pair):
            starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
            ends = np.r_[starts[1:], len(pair)]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                seg[int(pair[s])] = (s, e)

        def entered(pc: int, times: FloatArr) -> IntArr:
            sup = supplies.get((pc // C, pc % C))
            return np.zeros(len(times), dtype=np.int64) if sup is None else sup.at(times)

        def present(pc: int, times: FloatArr) -> IntArr:
            """Entered, or built and held at a yard there: what events and deadlines hit."""
            sup = supplies.get((pc // C, pc % C))
            return np.zeros(len(times), dtype=np.int64) if sup is None else sup.at(times, True)

        def moved(pc: int, at: float, gone: float | None = None) -> int:
            """Vehicles that arrived by ``at`` minus those that departed by ``gone`` (by
            default ``at``)."""
            if pc not in seg:
                return 0
            s, e = seg[pc]
            tt, dd = t[s:e], delta[s:e]
            by = np.where(is_dep[s:e], at if gone is None else gone, at)
            return int(dd[tt <= by].sum())

        destroyed: dict[int, list[tuple[float, int]]] = defaultdict(list)
        lost_class: dict[str, int] = defaultdict(int)
        lost_place: dict[str, int] = defaultdict(int)
        self._destroy_events(present, moved, destroyed, lost_class, lost_place, supplies)
        self._supplies_seen, self._destroyed_seen = supplies, destroyed  # for stands (wear.py)

        # departures: the inventory after each may not be negative
        for pc, (s, e) in seg.items():
            dep = is_dep[s:e]
            if not dep.any():
                continue
            tt = t[s:e]
            after = np.cumsum(delta[s:e])[dep]
            tdep = tt[dep]
            after = after + entered(pc, tdep + _tols(tdep))
            if pc in destroyed:
                at = np.array([x[0] for x in destroyed[pc]], dtype=np.float64)
                cum = np.r_[0, np.cumsum([x[1] for x in destroyed[pc]])]
                after = after - cum[np.searchsorted(at, tdep, side="left")]
            bad = after < 0
            if bad.any():
                trips = trip[s:e][dep][bad]
                self.out.many(
                    "inventory",
                    trips,
                    np.minimum(-after[bad], self.count[trips]).astype(np.float64),
                    self._text(
                        "takes {count} x {vehicle_class} from {origin} at {depart};"
                        " {amount} of them are not there"
                    ),
                )

        # vehicles idle at a place when its deadline strikes are lost
        pcs = set(seg) | {pi * C + ci for pi, ci in supplies}
        for pc in sorted(pcs):
            place = pc // C
            if not self.struck[place]:
                continue
            dl = float(self.deadline[place])
            # a departure within the tolerance after the deadline got away (deadline_origin)
            n_here = int(present(pc, np.array([dl], dtype=np.float64))[0])
            n_here += moved(pc, dl, dl + _tol(dl))
            n_here -= sum(x[1] for x in destroyed.get(pc, []) if x[0] <= dl)
            if n_here > 0:
                lost_class[self.classes[pc % C].id] += n_here
                lost_place[self.places[place].id] += n_here
        return dict(lost_class), dict(lost_place)

    def _destroy_events(
        self,
        entered: Callable[[int, FloatArr], IntArr],
        moved: Callable[[int, float], int],
        destroyed: dict[int, list[tuple[float, int]]],
        lost_class: dict[str, int],
        lost_place: dict[str, int],
        supplies: dict[tuple[int, int], _Supply] | None = None,
    ) -> None:
        """Known destroy_vehicles and damage_vehicles events, in time order: the vehicles hit
        leave the inventory (damaged ones re-enter it at ``until``, like stock)."""
        C = self.C
        todo: list[tuple[float, str, DestroyVehicles | DamageVehicles]] = []
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, DestroyVehicles | DamageVehicles):
                    todo.append((ev.at, ev.id, eff))
        todo.sort(key=lambda x: x[0])
        for at, ev_id, eff in todo:
            p = self.pidx.get(eff.place)
            if p is None or at > self.end or (self.struck[p] and at > self.deadline[p]):
                continue
            # AMBIGUITY: with a count, idle vehicles go first, class by class in the event's
            # (else the fleet's) order, then vehicles loading or unloading, by trip order.
            # A group departing exactly at `at` has left, unless it is still loading.
            names = eff.classes if eff.classes is not None else [c.id for c in self.classes]
            classes = [
                self.cidx[c] for c in names if c in self.cidx and self.cenabled[self.cidx[c]]
            ]
            left = INF if eff.count is None else float(eff.count)
            for c in classes:
                if left <= 0:
                    break
                pc = p * C + c
                here = int(entered(pc, np.array([at], dtype=np.float64))[0]) + moved(pc, at)
                here -= sum(x[1] for x in destroyed.get(pc, []))
                take = int(min(left, max(0, here)))
                if take:
                    destroyed[pc].append((at, take))
                    left -= take
                    if isinstance(eff, DamageVehicles):
                        if supplies is not None:  # back in service, at the place
                            supplies[(p, c)].stock.append((eff.until, take))
                        continue
                    lost_class[self.classes[c].id] += take
                    lost_place[self.places[p].id] += take
            if left <= 0:
                continue
            ok = self.finite & self.loaded & self.kc & np.isin(self.cls, classes)
            loading = ok & (self.o == p) & (self.depart <= at) & (at < self.t0)
            unloading = ok & (self.d == p) & (self.arrive - self.U <= at) & (at < self.arrive)
            damage = isinstance(eff, DamageVehicles)
            for i in np.flatnonzero(loading | unloading).tolist():
                if left <= 0:
                    break
                take = int(min(left, self.count[i]))
                left -= take
                if not damage:
                    lost_class[self.classes[int(self.cls[i])].id] += take
                    lost_place[self.places[p].id] += take
                what = "loading" if loading[i] else "unloading"
                self.out.one(
                    "damaged" if damage else "destroyed",
                    i,
                    float(take),
                    f"{take} x {self.classes[int(self.cls[i])].id} {what} at {eff.place} are"
                    f" {'damaged' if damage else 'destroyed'} at {_t(at)} (event {ev_id})",
                )
