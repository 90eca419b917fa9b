"""Travel-time rules: routes per class, lane windows and known lane closures."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from evacuate.scenario.model import (
    CloseLane,
    VehicleClass,
)

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase
from evacuate.check.common import (
    INF,
    FloatArr,
    IntArr,
    _const,
    _t,
    _tol,
    _tols,
    reopened,
    reopenings,
)
from evacuate.check.lanes import _next_open, _Route, _window_open


class TravelRules(CheckerBase):
    def _closures(
        self,
    ) -> tuple[
        dict[str, list[tuple[float, float]]], dict[frozenset[str], list[tuple[float, float]]]
    ]:
        by_lane: dict[str, list[tuple[float, float]]] = defaultdict(list)
        by_pair: dict[frozenset[str], list[tuple[float, float]]] = defaultdict(list)
        reopen = reopenings(self.events)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, CloseLane):
                    until = INF if eff.until is None else eff.until
                    if eff.lane is not None:
                        end = reopened(reopen.get(("lane", eff.lane), ()), ev.at, until)
                        by_lane[eff.lane].append((ev.at, end))
                    if eff.between is not None:
                        # AMBIGUITY: 'between' closes every way between the two places (the
                        # direct route and any declared lane), in both directions.
                        pair = frozenset(eff.between)
                        end = reopened(reopen.get(("pair", pair), ()), ev.at, until)
                        by_pair[pair].append((ev.at, end))
        return by_lane, by_pair

    def _routes(self, vc: VehicleClass, a: int, b: int) -> list[_Route]:
        pa, pb = self.places[a], self.places[b]
        out: list[_Route] = []
        pair = frozenset((pa.id, pb.id))
        declared = pair in self._declared
        if self.sc.travel.routes == "all" and not declared and vc.speed is not None:
            dist = self._distance(pa.position, pb.position)
            if dist is not None:
                out.append(_Route(dist / vc.speed, None, list(self._by_pair.get(pair, []))))
        for lane in self.sc.travel.lanes:
            forward = lane.start == pa.id and lane.end == pb.id
            backward = lane.bidirectional and lane.start == pb.id and lane.end == pa.id
            if not (forward or backward):
                continue
            tau: float | None
            if vc.id in lane.class_times:
                tau = lane.class_times[vc.id]
            elif lane.time is not None:
                tau = lane.time
            else:
                dist = lane.distance
                if dist is None:
                    s, e = self.pidx.get(lane.start), self.pidx.get(lane.end)
                    if s is not None and e is not None:
                        dist = self._distance(self.places[s].position, self.places[e].position)
                tau = (
                    None
                    if dist is None or vc.speed is None
                    else dist / vc.speed / lane.speed_factor
                )
            if tau is None:
                continue
            closures = list(self._by_lane.get(lane.id, [])) + list(self._by_pair.get(pair, []))
            out.append(_Route(tau, lane, closures))
        return out

    @staticmethod
    def _route_block(route: _Route, t0: float) -> tuple[str, float] | None:
        """Why travel cannot start on the route at ``t0`` (rule, wait), or None if it can."""
        if route.lane is not None and not _window_open(route.lane, t0):
            return "lane_window", _next_open(route.lane, t0) - t0
        for at, until in route.closures:
            if at <= t0 and (until == INF or t0 < until - _tol(until)):
                return "lane_closed", until - t0
        return None

    def _check_travel(self) -> None:
        self._by_lane, self._by_pair = self._closures()
        self._declared = {frozenset((ln.start, ln.end)) for ln in self.sc.travel.lanes}
        P = max(self.P, 1)
        ok = self.finite & self.kc & self.kp & (self.o != self.d)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return
        key = (self.cls[idx] * P + self.o[idx]) * P + self.d[idx]
        order = np.argsort(key, kind="stable")
        idx, key = idx[order], key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        bounds = np.r_[starts, len(idx)]
        extra = self.L + self.U
        for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            trips = idx[s:e]
            i0 = int(trips[0])
            c, a, b = int(self.cls[i0]), int(self.o[i0]), int(self.d[i0])
            vc = self.classes[c]
            routes = self._routes(vc, a, b)
            if not routes:
                text = (
                    f"no route from {self.places[a].id} to {self.places[b].id} for {vc.id}"
                    " (no lane, no positions or no speed)"
                )
                self.out.many("no_route", trips, np.ones(len(trips)), _const(text))
                continue
            if not any(r.dynamic for r in routes):
                best = min(r.time for r in routes)
                need = self.depart[trips] + extra[trips] + best
                short = need - self.arrive[trips]
                bad = short > _tols(need)
                self._travel_violation(trips[bad], short[bad], best)
                continue
            for i in trips.tolist():
                self._travel_dynamic(i, routes, float(extra[i]))

    def _travel_violation(self, trips: IntArr, short: FloatArr, best: float) -> None:
        def msg(i: int, a: float) -> str:
            lt, ut = self.L[i], self.U[i]
            parts = f"depart {_t(self.depart[i])}"
            parts += f" + load {_t(lt)}" if lt else ""
            parts += f" + travel {_t(best)}"
            parts += f" + unload {_t(ut)}" if ut else ""
            return (
                f"arrives at {_t(self.arrive[i])}, {_t(a)} too early: the earliest is "
                f"{_t(self.arrive[i] + a)} ({parts})"
            )

        self.out.many("travel_time", trips, short, msg)

    def _travel_dynamic(self, i: int, routes: list[_Route], extra: float) -> None:
        dep, arr = float(self.depart[i]), float(self.arrive[i])
        t0 = float(self.t0[i])
        usable: list[_Route] = []
        blocked: list[tuple[_Route, str, float]] = []
        for r in routes:
            why = self._route_block(r, t0)
            if why is None:
                usable.append(r)
            else:
                blocked.append((r, why[0], why[1]))

        def fits(r: _Route) -> bool:
            need = dep + extra + r.time
            return arr >= need - _tol(need)

        if any(fits(r) for r in usable):
            return
        fitting = [b for b in blocked if fits(b[0])]
        if fitting:
            route, rule, wait = min(fitting, key=lambda b: b[0].time)
            name = "the direct route" if route.lane is None else f"lane {route.lane.id}"
            cause = "its windows" if rule == "lane_window" else "a known close_lane event"
            when = "never reopens" if wait == INF else f"opens {_t(wait)} later"
            self.out.one(
                rule,
                i,
                wait,
                f"travel starts at {_t(t0)} on {name}, closed then by {cause} ({when})",
            )
            return
        best = min(r.time for r in (usable or routes))
        if not usable:
            route, rule, wait = min(blocked, key=lambda b: b[0].time)
            name = "the direct route" if route.lane is None else f"lane {route.lane.id}"
            self.out.one(
                rule,
                i,
                wait,
                f"travel starts at {_t(t0)}; no route is open then ({name} "
                f"{'never reopens' if wait == INF else f'opens {_t(wait)} later'})",
            )
        need = dep + extra + best
        self._travel_violation(
            np.array([i], dtype=np.int64), np.array([need - arr], dtype=np.float64), best
        )
