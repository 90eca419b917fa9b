"""Deadlines at origin and destination, open_from, and known close_place and
withdraw_operator events."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from evacuate.scenario.model import (
    ClosePlace,
    ReturnOperator,
    SinkVehicles,
    WithdrawOperator,
)

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase
from evacuate.check.common import INF, BoolArr, _t, _tol, _tols, reopened, reopenings


class EventRules(CheckerBase):
    def _check_deadlines_and_events(self) -> None:
        out, n = self.out, self.n
        idx = np.arange(n, dtype=np.int64)
        base = self.finite & self.kp
        o = np.where(self.o >= 0, self.o, 0)
        d = np.where(self.d >= 0, self.d, 0)
        dl_o = self.deadline[o]
        late = self.t0 - dl_o
        m = base & self.has_deadline[o] & (late > _tols(dl_o))
        out.many(
            "deadline_origin",
            idx[m],
            late[m],
            lambda i, a: (
                f"leaves {self.places[o[i]].id} at {_t(self.t0[i])}"
                + (f" (loading from {_t(self.depart[i])})" if self.L[i] else "")
                + f", after its deadline {_t(self.deadline[o[i]])}"
            ),
        )
        dl_d = self.deadline[d]
        m = base & self.has_deadline[d] & (self.arrive >= dl_d)
        out.many(
            "deadline_destination",
            idx[m],
            (self.arrive - dl_d)[m],
            lambda i, a: (
                f"arrives at {self.places[d[i]].id} at {_t(self.arrive[i])}, not before its"
                f" deadline {_t(self.deadline[d[i]])}"
            ),
        )
        open_from = np.array(
            [-INF if p.open_from is None else p.open_from for p in self.places], dtype=np.float64
        )
        of = open_from[o]
        early = of - self.depart
        m = base & self.loaded & np.isfinite(of) & (early > _tols(of))
        out.many(
            "open_from",
            idx[m],
            early[m],
            lambda i, a: (
                f"picks up at {self.places[o[i]].id} at {_t(self.depart[i])}, before it opens"
                f" at {_t(open_from[o[i]])}"
            ),
        )

        operators: dict[str, list[int]] = defaultdict(list)
        for ci, vc in enumerate(self.classes):
            operators[vc.operator].append(ci)
        reopen = reopenings(self.events)
        back: dict[str, list[float]] = defaultdict(list)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, ReturnOperator):
                    back[eff.operator].append(ev.at)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, SinkVehicles):
                    self._sunk(ev.at, ev.id, eff, base)
                if isinstance(eff, ClosePlace):
                    until = INF if eff.until is None else eff.until
                    until = reopened(reopen.get(("place", eff.place), ()), ev.at, until)
                    self._closed_place(ev.at, eff, until, base)
                elif isinstance(eff, WithdrawOperator):
                    classes = operators.get(eff.operator, [])
                    if not classes:
                        continue
                    mine = self.finite & self.kc & np.isin(self.cls, classes)
                    # a return_operator after the withdrawal ends it
                    until = reopened(back.get(eff.operator, ()), ev.at, INF)
                    m = mine & (self.depart >= ev.at) & (self.depart < until - _tol(until))
                    tail = f"operator {eff.operator} withdraws at {_t(ev.at)} (event {ev.id})"
                    if until < INF:
                        tail += f" until {_t(until)}"
                    out.many(
                        "withdrawn",
                        idx[m],
                        self.depart[m] - ev.at,
                        self._text("departs at {depart}; " + tail),
                    )
                    if not eff.finish_current_trip:
                        m = mine & (self.depart < ev.at) & (self.arrive > ev.at + _tol(ev.at))
                        out.many(
                            "withdrawn",
                            idx[m],
                            self.arrive[m] - ev.at,
                            self._text(
                                "under way until {arrive} when " + tail + " without finishing trips"
                            ),
                        )

    def _sunk(self, at: float, ev_id: str, eff: SinkVehicles, base: BoolArr) -> None:
        """Trips travelling between the struck places at ``at`` (after loading, before
        unloading, strictly) are lost with their people: a known sinking must be avoided."""
        if eff.lane is not None:
            lane = next((ln for ln in self.sc.travel.lanes if ln.id == eff.lane), None)
            ends = None if lane is None else (lane.start, lane.end)
        else:
            ends = eff.between
        if ends is None or ends[0] not in self.pidx or ends[1] not in self.pidx:
            return
        a, b = self.pidx[ends[0]], self.pidx[ends[1]]
        names = [c.id for c in self.classes] if eff.classes is None else list(eff.classes)
        classes = [self.cidx[c] for c in names if c in self.cidx]
        pair = ((self.o == a) & (self.d == b)) | ((self.o == b) & (self.d == a))
        under_way = (self.t0 < at - _tol(at)) & (self.arrive - self.U > at + _tol(at))
        m = base & self.kc & pair & np.isin(self.cls, classes) & under_way
        idx = np.arange(self.n, dtype=np.int64)
        self.out.many(
            "sunk",
            idx[m],
            self.count[m].astype(np.float64),
            self._text(
                "{count} x {vehicle_class} under way from {origin} to {destination} at "
                f"{_t(at)}, when event {ev_id} sinks what travels between "
                f"{ends[0]} and {ends[1]}"
            ),
        )

    def _closed_place(self, at: float, eff: ClosePlace, until: float, base: BoolArr) -> None:
        """``until``: the closure's end (an open_place may end it before ``eff.until``)."""
        p = self.pidx.get(eff.place)
        if p is None:
            return
        idx = np.arange(self.n, dtype=np.int64)
        for side, where, times in (
            ("departs", self.o, self.depart),
            ("arrives", self.d, self.arrive),
        ):
            inside = (times >= at) & (
                np.ones(self.n, dtype=bool) if until == INF else times < until - _tol(until)
            )
            m = base & (where == p) & inside
            when = "{depart}" if side == "departs" else "{arrive}"
            self.out.many(
                "closed_place",
                idx[m],
                until - times[m],
                self._text(
                    f"{side} at {eff.place} at {when}, closed from {_t(at)}"
                    + (" for good" if until == INF else f" until {_t(until)}")
                ),
            )
