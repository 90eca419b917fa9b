"""Walks: people moving on their own along the scenario's walkways (docs/model.md, "Walkways").

Each walk row is judged on its own here (a declared walkway in an allowed direction, whole
people, time, window, deadlines, closures) and walkers setting out are counted per walkway,
direction and throughput period against the rate. Whether the walkers are there to leave,
and the room they take at havens, is judged with every trip in ``people`` (the walks'
events join its sweep through ``_walk_events``). Violations name the walk (``walks[k]``);
they have no trip index.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from evacuate.check.base import CheckerBase
from evacuate.check.common import INF, FloatArr, IntArr, _t, _tol, reopened, reopenings
from evacuate.scenario.model import ClosePlace

__all__ = ["WalkRules"]


class WalkRules(CheckerBase):
    """Rules of the plan's walks; ``_check_walks`` runs before ``_check_people``."""

    _walk_ok: list[int]
    """Indices of the walks whose places are known, times finite and people whole and >= 1
    (the ones the people sweep counts)."""

    def _walk_say(self, rule: str, k: int, amount: float, text: str) -> None:
        w = self.plan.walks[k]
        self.out.one(
            rule,
            None,
            amount,
            f"walks[{k}] ({w.people} on {w.walkway}, {w.origin} at {_t(w.depart)} to "
            f"{w.destination} at {_t(w.arrive)}): {text}",
        )

    def _check_walks(self) -> None:
        self._walk_ok = []
        walks = self.plan.walks
        if not walks:
            return
        ways = {w.id: w for w in self.sc.travel.walkways}
        hours = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}[self.unit]
        period = max(1.0, 1.0 / hours)
        closed = self._walk_closures()
        counted: dict[tuple[str, str, int], int] = defaultdict(int)
        first_of: dict[tuple[str, str, int], int] = {}
        for k, w in enumerate(walks):
            way = ways.get(w.walkway)
            people = w.people
            if way is None:
                self._walk_say("walk_way", k, 1, f"no walkway '{w.walkway}' in the scenario")
                continue
            forward = (w.origin, w.destination) == (way.start, way.end)
            back = way.both_ways and (w.origin, w.destination) == (way.end, way.start)
            if not (forward or back):
                allowed = f"{way.start} to {way.end}" + (" or back" if way.both_ways else "")
                self._walk_say("walk_way", k, 1, f"walkway {way.id} goes {allowed}")
                continue
            whole = isinstance(people, (int, np.integer)) and not isinstance(people, bool)
            if not whole or people < 1 or people >= 2**62:
                self._walk_say("walk_people_count", k, 1, "expected a whole number of people >= 1")
                continue
            try:
                depart, arrive = float(w.depart), float(w.arrive)
            except (TypeError, ValueError):
                depart = arrive = math.nan
            if not (math.isfinite(depart) and math.isfinite(arrive)):
                self._walk_say("not_finite", k, 1, "a walk time is not a finite number")
                continue
            self._walk_ok.append(k)
            i, j = self.pidx[w.origin], self.pidx[w.destination]
            short = depart + way.time - arrive
            if short > _tol(arrive):
                self._walk_say(
                    "walk_time", k, short, f"arrives {_t(short)} too early (time {_t(way.time)})"
                )
            if way.open_from is not None and depart < way.open_from - _tol(way.open_from):
                self._walk_say(
                    "walk_window",
                    k,
                    way.open_from - depart,
                    f"sets out before the walkway opens at {_t(way.open_from)}",
                )
            if way.open_until is not None and depart >= way.open_until - _tol(way.open_until):
                self._walk_say(
                    "walk_window",
                    k,
                    depart - way.open_until,
                    f"sets out at or after the walkway's open_until {_t(way.open_until)}",
                )
            d_o, d_d = float(self.deadline[i]), float(self.deadline[j])
            if depart > d_o + _tol(d_o):
                self._walk_say(
                    "walk_deadline_origin",
                    k,
                    depart - d_o,
                    f"sets out after {w.origin}'s deadline {_t(d_o)}",
                )
            if arrive >= d_d - _tol(d_d):
                self._walk_say(
                    "walk_deadline_destination",
                    k,
                    arrive - d_d,
                    f"arrives at or after {w.destination}'s deadline {_t(d_d)}",
                )
            for side, place, t in (("sets out from", i, depart), ("arrives at", j, arrive)):
                for a, b in closed.get(place, ()):
                    if a <= t and (b == INF or t < b - _tol(b)):
                        self._walk_say(
                            "walk_closed_place",
                            k,
                            b - t,
                            f"{side} {self.places[place].id} while it is closed from {_t(a)}"
                            + (" for good" if b == INF else f" until {_t(b)}"),
                        )
            key = (way.id, w.origin, math.floor(depart / period + 1e-12))
            counted[key] += int(people)
            first_of.setdefault(key, k)
        for (wid, origin, kp), n in sorted(counted.items()):
            way = ways[wid]
            allowance = way.per_hour * period * hours
            if n > allowance + 1e-9 * max(1.0, allowance):
                self._walk_say(
                    "walk_rate",
                    first_of[(wid, origin, kp)],
                    n - allowance,
                    f"{n:,} set out from {origin} on {wid} in the period from "
                    f"{_t(kp * period)}; at most {allowance:,.6g} may ({way.per_hour:g} per hour)",
                )

    def _walk_closures(self) -> dict[int, list[tuple[float, float]]]:
        """Per place index, the known closures ``[at, until)`` (an open_place ends one)."""
        reopen = reopenings(self.events)
        out: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, ClosePlace) and eff.place in self.pidx:
                    until = INF if eff.until is None else eff.until
                    until = reopened(reopen.get(("place", eff.place), ()), ev.at, until)
                    out[self.pidx[eff.place]].append((ev.at, until))
        return out

    def _walk_events(self) -> tuple[IntArr, FloatArr, IntArr, IntArr, IntArr]:
        """The counted walks as events for the people sweep: (place, time, people change,
        walk index, 1 for setting out / 0 for arriving)."""
        ok = self._walk_ok
        walks = self.plan.walks
        place = [self.pidx[walks[k].origin] for k in ok] + [
            self.pidx[walks[k].destination] for k in ok
        ]
        t = [float(walks[k].depart) for k in ok] + [float(walks[k].arrive) for k in ok]
        delta = [-int(walks[k].people) for k in ok] + [int(walks[k].people) for k in ok]
        return (
            np.array(place, dtype=np.int64),
            np.array(t, dtype=np.float64),
            np.array(delta, dtype=np.int64),
            np.array(ok + ok, dtype=np.int64),
            np.array([1] * len(ok) + [0] * len(ok), dtype=np.int64),
        )
