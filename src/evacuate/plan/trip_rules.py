"""The rules one candidate trip of the dispatcher (``plan/heuristic.py``) must obey, checked
exactly at the instants it uses: routes and lane windows, closures, deadlines, withdrawals
and pauses, berths, throughput periods, stands, sorties and rest, and the people and room a
place has then. ``TripRules`` holds the ledgers of what the plan so far has committed; the
dispatcher adds the choosing (scoring candidates) and the event loop.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

from evacuate.plan import loading
from evacuate.plan.approach import Approaches, Hop
from evacuate.plan.drops import DropValues
from evacuate.plan.ledger import Berths, Ledger
from evacuate.plan.ops_limits import OpsLimits, Vacate
from evacuate.plan.problem import Problem

__all__ = ["DispatchParams", "Group", "Option", "TripRules"]

EPS = 1e-9


@dataclass(frozen=True)
class DispatchParams:
    """Tunables of the dispatcher."""

    urgency: float = 0.0
    """Extra weight for pickups at places whose deadline is near (0: pure rate)."""
    urgency_window: float = 0.1
    """"Near" means within this fraction of the horizon."""
    top_k: int = 6
    """Candidates checked exactly per decision."""
    stage_value: float = 0.5
    """Value of a person delivered to a staging place (capacity, deadline before the end)."""
    transfer_value: float = 0.25
    """Value of moving a person between havens (frees room at a full one)."""
    slack_power: float = 0.0
    """Priority of a pickup by the time left before its deadline: its score is multiplied by
    ``(horizon / slack) ** slack_power`` (0: no such priority), so that places whose deadline
    strikes first are served first, earliest deadline first."""
    slack_floor: float = 0.02
    """The slack counted is at least this fraction of the horizon."""
    off_target: float = 0.05
    """Score factor of a pickup whose allocated target (``allocate.targets``) is taken."""
    skip_empty: bool = False
    """A place found with nobody to pick up at an instant (its people have left, and more
    arrive later) is no pickup for an arrival before its next arrival of people: the
    estimates count people still to arrive, and on ``scale-500`` 121,785 exact checks failed
    so, in 20,243 decisions whose best few options all failed."""
    redirect: bool = True
    """A guide leg whose drop is full goes to the best other drop for the same pickup."""
    reserve: bool = True
    """Greedy decisions leave alone the people and room that guide legs still to fly count on
    (a guide leg that fails late may then leave some of them unused)."""


@dataclass(order=True)
class Group:
    free: float
    seq: int
    gid: str = field(compare=False)
    c: int = field(compare=False)
    n: int = field(compare=False)
    p: int = field(compare=False)
    since: float = field(default=0.0, compare=False)
    """When the group came to be at ``p`` (known destroy events after this hit it)."""
    legs: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    """Loaded legs still to fly, in order, when the group follows a guide path."""


@dataclass
class Option:
    score: float
    i: int
    j: int
    empty: tuple[float, float] | None  # (travel start, arrival) of the move to i
    x: float  # loading start at i
    y: float  # arrival (end of unloading) at j
    people: int
    vehicles: int
    vacate: tuple[Vacate, ...] = ()
    """Idle groups that leave the drop, empty, so that this trip finds a stand there."""
    hops: tuple[Hop, ...] = ()
    """The empty trips of the move to i when it takes several routes (``approach.py``);
    ``empty`` then spans them all."""


class TripRules:
    """What the plan so far has committed (ledgers of people and room, berths, throughput
    used, stands and duty), and the exact check of one more trip against it."""

    pb: Problem
    prm: DispatchParams
    ledgers: list[Ledger]
    berths: list[Berths]
    lim: OpsLimits
    load_used: list[dict[int, float]]
    unload_used: list[dict[int, float]]
    res_pick: np.ndarray
    """People that guided legs not yet flown count on, per place (greedy decisions leave
    them alone)."""
    res_room: np.ndarray
    """Room that guided legs not yet flown count on, per place."""
    deadline: np.ndarray
    urgent_until: np.ndarray
    prio: np.ndarray
    """(P,) each pickup's priority at the decision (a factor of its score)."""
    value: DropValues
    empty_until: np.ndarray
    """(P,) no pickup at a place for an arrival before this (``skip_empty``)."""
    arrivals_at: dict[int, list[float]]
    """Per place, the instants its people arrive, in order."""
    approaches: Approaches

    def _destroyed(self, c: int, p: int, a: float, b: float) -> bool:
        """Whether a known destroy event hits class c at place p during [a, b]."""
        return any(
            d.p == p and c in d.classes and a - EPS <= d.t <= b + EPS
            for d in (*self.pb.destroys, *self.pb.damages)
        )

    def _period(self, t: float) -> int:
        return loading.period_of(self.pb, t)

    def _exact(self, g: Group, t: float, i: int, j: int, reserved: bool = True) -> Option | None:
        """The candidate trip checked against every rule at the instants it uses."""
        pb = self.pb
        c, n, p = g.c, g.n, g.p
        load, unload = float(pb.load[c]), float(pb.unload[c])
        w = float(pb.withdraw[c])
        d = self.deadline
        cap = int(pb.capacity[c])
        empty: tuple[float, float] | None = None
        hops: tuple[Hop, ...] = ()
        ti = t
        if i != p:
            route = pb.best_route(c, p, i, t, latest_start=min(d[p], w))
            if route is None and (c, p, i) not in pb.routes:
                hops = tuple(self._chain(g, t, i))
                route = (hops[0][2], hops[-1][3]) if hops else None
            if route is None:
                return None
            st0, ti = route
            if st0 > d[p] + EPS or st0 >= w - EPS or ti >= d[i] - EPS:
                return None
            if ti > pb.arrive_by(c) + EPS:
                return None  # must be back at rest before the withdrawal
            if pb.pauses and (
                pb.pause_end(c, st0) is not None or pb.crosses_hard_pause(c, st0, ti)
            ):
                return None
            if not (pb.place_open(p, st0) and pb.place_open(i, ti)):
                return None
            if self._destroyed(c, p, t, st0):
                return None
            empty = (st0, ti)
        ready = max(ti, float(pb.open_from[i]))
        for _ in range(8):
            route = pb.best_route(c, i, j, ready + load, latest_start=min(d[i], w + load))
            if route is None:
                return None
            st, arr = route
            # never before ``ready`` (st - load may round a hair below it: people arriving
            # at ``ready`` then looked absent and the group gave up for good)
            xx = max(st - load, ready)
            yy = arr + unload
            if xx + load > d[i] + EPS or xx >= w - EPS or yy >= d[j] - EPS or yy > pb.end + EPS:
                return None
            if yy > pb.arrive_by(c) + EPS:
                return None
            back = pb.pause_end(c, xx) if pb.pauses else None
            if back is not None:
                ready = back  # withdrawn for now: load when the operator is back
                continue
            if pb.pauses and pb.crosses_hard_pause(c, xx, yy):
                return None
            if not (pb.place_open(i, xx) and pb.place_open(j, yy)):
                ready = xx + pb.period
                continue
            want = min(n, self.berths[i].limit, self.berths[j].limit)
            bx = self.berths[i].earliest(xx, load, want)
            if bx == math.inf:
                return None  # no berth from now on
            if bx > xx + EPS:
                ready = bx
                continue
            if not self.berths[j].fits(yy - unload, yy, want):
                ready = xx + max(unload, pb.period * 0.25)
                continue
            ky = self._period(yy)
            left_load = loading.room(pb, i, self.load_used[i], *loading.span(pb, xx, load))
            left_unload = pb.unload_allowance(j, ky) - self.unload_used[j].get(ky, 0.0)
            if left_load < 1 or left_unload < 1:
                ready = (self._period(xx) + 1) * pb.period if left_load < 1 else xx + pb.period
                continue
            if self._destroyed(c, i, ti, xx + load) or self._destroyed(c, j, yy - unload, yy):
                return None
            want, wait, away = self.lim.stands_at(
                c, p, i, j, (ti, xx + load, yy - unload), want, (g.gid, t)
            )
            if 0 < wait < math.inf:
                ready = xx + wait  # no stand at the drop before then
                continue
            if wait < 0 and t - wait <= pb.end:
                return self._exact(g, t - wait, i, j, reserved)  # leave when a stand frees
            if want < 1:
                return None
            keep_i = math.ceil(self.res_pick[i] - EPS) if reserved else 0
            keep_j = math.ceil(self.res_room[j] - EPS) if reserved else 0
            here = self.ledgers[i].max_pick(xx) - keep_i
            people = min(
                want * cap,
                here,
                self.ledgers[j].room(yy) - keep_j,
                int(min(left_load, 1 << 62)),
                int(min(left_unload, 1 << 62)),
            )
            if here <= 0 and self.prm.skip_empty and keep_i == 0 and pb.sink_capacity[i] == 0:
                self._empty_until(i, xx)
            if people <= 0:
                return None
            vehicles = min(want, -(-people // cap))
            back = self.lim.rest_first(c, g.gid, empty, xx, yy, t)  # sorties and rest
            if back is not None:
                return None if back == math.inf else self._exact(g, back, i, j, reserved)
            urgent = 1.0 + self.prm.urgency if xx >= self.urgent_until[i] else 1.0
            score = self.value[i, j] * people * urgent * self.prio[i] / max(yy - t, EPS)
            return Option(score, i, j, empty, xx, yy, people, vehicles, away, hops)
        return None

    def _empty_until(self, i: int, x: float) -> None:
        """Nobody can be picked up at ``i`` (no room there, so no deliveries) at ``x`` or
        before, nor until its next arrival of people: ``max_pick`` only grows with the
        instant, and only arrivals raise it (later commitments only lower it)."""
        times = self.arrivals_at.get(i, [])
        k = bisect.bisect_right(times, x + EPS)
        self.empty_until[i] = max(self.empty_until[i], times[k] if k < len(times) else math.inf)

    def _chain(self, g: Group, t: float, i: int) -> list[Hop]:
        """Empty trips to a pickup ``i`` that no one route reaches from the group's place:
        along the shortest path (``approach.py``); none when stands or duty limits are in
        force (they book one empty move) or a hop cannot be flown."""
        if not self.approaches.active or self.lim.stands.active or self.lim.wear.active:
            return []
        c = g.c
        found = self.approaches.chain(
            c, g.p, i, t, self.deadline, lambda q, a, b: self._destroyed(c, q, a, b)
        )
        return found or []
