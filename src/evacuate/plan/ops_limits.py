"""The dispatcher's hooks for parking stands, sortie limits and rest (docs/model.md).

One object answers the dispatcher's questions at the few points that matter: the stands a
trip finds at its pickup and drop (``stand_room``), whether a group must rest first
(``rest_first``), and books each move (``book``, ``escaped``); ``finish`` turns the run's
trips into the plan (``Wear.unsplit``). Without stands or wear limits every hook is a no-op.

Unloading in turn (``vacate=True``, the dispatcher): a drop whose stands are all taken by idle
groups (parked there, no next trip decided) still takes a trip: the idle ones leave empty for
a place with room (the trip's pickup first, then the nearest) by the start of its unloading,
or the trip is timed to when they can (after their turnaround). Without it a vehicle parked
at a one-stand drop kept every later one out for good.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from evacuate.plan.parking import Stands, Stay
from evacuate.plan.problem import Flown, Problem
from evacuate.plan.wear import Record, Wear
from evacuate.planio import Trip

__all__ = ["OpsLimits", "Vacate"]

INF = math.inf
EPS = 1e-9
PLACES_TRIED = 8
"""Places tried for an idle group that must leave a drop (its pickup, then the nearest)."""


@dataclass(frozen=True)
class Vacate:
    """Idle group ``gid`` (``n`` of class ``c``) leaves ``p`` empty at ``start`` for ``q``
    (arriving at ``arrive``) so that a trip may unload at ``p``."""

    gid: str
    c: int
    n: int
    p: int
    start: float
    q: int
    arrive: float


class Move(Protocol):
    """The dispatcher's option: an optional empty move, then loading at ``i`` from ``x`` and
    arrival (end of unloading) at ``j`` at ``y``."""

    empty: tuple[float, float] | None
    i: int
    j: int
    x: float
    y: float


class OpsLimits:
    def __init__(self, problem: Problem, vacate: bool = False, pools: bool = False) -> None:
        self.pb = problem
        self.stands = Stands(problem)
        self.wear = Wear(problem)
        if pools:
            self.wear.make_pools(problem)
        self.vacating = vacate and self.stands.active
        self.at: dict[str, tuple[int, int, float]] = {}
        """Group id -> (class, place, ready): where it is and when it may leave (after its
        turnaround), for the groups whose next trip is not decided yet."""

    def enter(
        self, gid: str, c: int, p: int, t: float, n: int, record: Flown | None = None
    ) -> None:
        """Vehicles entering at ``p`` (stock, production) are present from ``t``; ``record``:
        the sorties and duty they bring (``Supply.record``)."""
        self.stands.enter(gid, c, p, t, n)
        self.at[gid] = (c, p, t)
        if (c, p) in self.wear.pools:
            self.wear.undrawn[gid] = (c, p, n)  # its record is drawn when it leaves
        elif record is not None and self.wear.limited[c]:
            self.wear.records[gid] = Record(*record)

    def advance(self, t: float) -> None:
        self.stands.advance(t)

    def release_after(self, t: float) -> list[float]:
        """When a stand frees (waiting may help then)."""
        freed = self.stands.release_after(t)
        return [] if freed is None else [freed]

    def stand_room(
        self, c: int, p: int, i: int, j: int, times: tuple[float, float, float], want: int
    ) -> tuple[int, float]:
        """(vehicles that find stands, delay): a delay > 0 of the loading gives the drop a
        stand; a delay < 0, by its size, of the group's departure gives the pickup one.

        ``times``: arrival at the pickup ``i`` (the group comes from ``p``), end of loading,
        start of unloading at the drop ``j``. 0 vehicles and a delay of ``inf``: never.
        """
        got, wait, _ = self.stands_at(c, p, i, j, times, want)
        return got, wait

    def stands_at(
        self,
        c: int,
        p: int,
        i: int,
        j: int,
        times: tuple[float, float, float],
        want: int,
        mover: tuple[str, float] | None = None,
    ) -> tuple[int, float, tuple[Vacate, ...]]:
        """``stand_room``, and with ``vacate`` the idle groups that leave the drop for it.

        ``mover``: the deciding group's id and the decision's time (idle groups leave no
        earlier)."""
        if not self.stands.active:
            return want, 0.0, ()
        ti, loaded, drop = times
        free = self.stands.room(c, j, drop)
        if j == p:
            free += want  # back where it set out from: its own stands wait for it
        away: tuple[Vacate, ...] = ()
        if free < 1:
            later = self.stands.earliest(c, j, drop, 1)
            wait = INF if later is None else later - drop
            if self.vacating and mover is not None:
                free, away, sooner = self._make_room(c, i, j, drop, mover)
                wait = min(wait, sooner)
            if free < 1:
                return (0, INF, ()) if wait == INF else (want, wait, ())
        if i != p:
            here = self.stands.room(c, i, ti, loaded)
            if here < 1:
                later = self.stands.earliest_stay(c, i, ti, loaded - ti, 1)
                return (0, INF, ()) if later is None else (want, ti - later, ())
            free = min(free, here)
        return int(min(free, want)), 0.0, away

    def _make_room(
        self, c: int, i: int, j: int, drop: float, mover: tuple[str, float]
    ) -> tuple[float, tuple[Vacate, ...], float]:
        """(stands free at ``j`` from ``drop`` once the idle groups in ``vacates`` leave,
        vacates, the delay after which more idle groups could leave: inf when none)."""
        k = self.stands.pool.get((j, c))
        gid, now = mover
        idle: list[tuple[float, str, int]] = []
        sooner = INF
        for other, (pool, stay) in self.stands.open.items():
            where = self.at.get(other)
            if pool != k or other == gid or where is None or where[1] != j:
                continue
            ready = max(where[2], now, stay.start)
            # it must be there before the trip unloads: one arriving in the same instant
            # would leave in it too, an order the simulator need not keep
            if ready <= drop + EPS and stay.start < drop - EPS:
                idle.append((ready, other, where[0]))
            elif ready > drop + EPS and ready > stay.start + EPS:
                sooner = min(sooner, ready - drop)  # after its turnaround
        idle.sort(key=lambda e: (e[0], e[1]))
        out: list[Vacate] = []
        ends: list[tuple[Stay, float]] = []
        free = 0.0
        try:
            for ready, other, oc in idle:
                stay = self.stands.open[other][1]
                move = self._away(oc, other, stay.count, j, (ready, drop), i)
                if move is None:
                    continue
                ends.append((stay, stay.end))
                stay.end = move.start
                out.append(move)
                free = self.stands.room(c, j, drop)
                if free >= 1:
                    return free, tuple(out), sooner
        finally:
            for stay, end in ends:
                stay.end = end
        return 0.0, (), sooner

    def _away(
        self, c: int, gid: str, n: int, j: int, window: tuple[float, float], i: int
    ) -> Vacate | None:
        """The empty move of idle group ``gid`` out of ``j``, leaving within ``window``, to
        the pickup ``i`` or one of the nearest places: routes, deadlines, withdrawals,
        pauses, closures, known losses, stands and duty."""
        pb = self.pb
        s0, latest = window
        dj, w = float(pb.deadline[j]), float(pb.withdraw[c])
        row = pb.times.row(c, j)
        near = [int(q) for q in np.argsort(row, kind="stable") if np.isfinite(row[q])]
        order = [q for q in dict.fromkeys([i, *near]) if q != j][:PLACES_TRIED]
        if s0 < self.wear.not_before(gid) - EPS:
            return None
        rec = self.wear.peek(gid, s0)
        for q in order:
            route = pb.best_route(c, j, q, s0, latest_start=min(latest, dj, w))
            if route is None:
                continue
            st0, ti = route
            if st0 > latest + EPS or st0 >= dj - EPS or st0 >= w - EPS:
                continue
            if ti >= pb.deadline[q] - EPS or ti > pb.end + EPS:
                continue
            if ti > pb.arrive_by(c) + EPS:
                continue
            if pb.pauses and (
                pb.pause_end(c, st0) is not None or pb.crosses_hard_pause(c, st0, ti)
            ):
                continue
            if not (pb.place_open(j, st0) and pb.place_open(q, ti)):
                continue
            if any(
                d.p == q and c in d.classes and d.t >= ti - EPS for d in (*pb.destroys, *pb.damages)
            ):
                continue  # it would idle there when a known event strikes
            if self.stands.cap(c, q) is not None and (q == i or self.stands.room(c, q, ti) < n):
                continue
            if not self.wear.fits(c, rec, [(st0, ti, False)]):
                continue
            return Vacate(gid, c, n, j, st0, q, ti)
        return None

    def rest_first(
        self, c: int, gid: str, empty: tuple[float, float] | None, x: float, y: float, t: float
    ) -> float | None:
        """None: the group may fly (an empty move then) a loaded trip ``x -> y`` as it is;
        else when it may try again after a rest (``inf``: never)."""
        if not self.wear.active:
            return None
        start = x if empty is None else empty[0]
        first = self.wear.not_before(gid)
        if start < first - EPS:
            return first  # a pool's draws go in order of departure
        rec = self.wear.peek(gid, start)
        legs = [(*empty, False)] if empty is not None else []
        if self.wear.fits(c, rec, [*legs, (x, y, True)]):
            return None
        back = self.wear.rested_at(c, rec, t)
        return INF if back is None else back

    def book(
        self,
        c: int,
        gid: tuple[str, str, str | None],
        k: int,
        rest_n: int,
        move: Move,
        handling: tuple[float, float],
    ) -> tuple[Vacate, ...]:
        """Group ``gid[0]`` sends ``k`` vehicles as ``gid[1]`` (the other ``rest_n`` stay as
        ``gid[2]``): an optional empty move, then a loaded trip from ``i`` at ``x`` to ``j``
        at ``y``; ``handling``: the class's load and unload times. Returns the empty moves of
        idle groups that leave ``j`` for it (``stands_at``), booked too: the caller flies
        them."""
        old, new, rest = gid
        empty, i, x, j, y = move.empty, move.i, move.x, move.j, move.y
        load, unload = handling
        away: tuple[Vacate, ...] = getattr(move, "vacate", ())
        for v in away:
            self.escaped(v.c, v.gid, v.q, (v.start, v.arrive), v.n)
        self.wear.draw(old, new, x if empty is None else empty[0], k, rest)
        if rest is not None:
            self.wear.split(c, old, [(new, k), (rest, rest_n)])
            if old in self.at:
                self.at[rest] = self.at[old]
        self.at.pop(old, None)
        self.at[new] = (c, j, y + self.pb.rest(c))
        self.stands.leave(old, x + load if empty is None else empty[0], k, rest)
        if empty is not None:
            self.stands.enter(new, c, i, empty[1], k, x + load)
        self.stands.enter(new, c, j, y - unload, k)
        legs = [(*empty, False)] if empty is not None else []
        self.wear.commit(c, new, new, [*legs, (x, y, True)])
        return away

    def escape_ok(self, c: int, gid: str, q: int, move: tuple[float, float], n: int) -> bool:
        """Whether ``n`` vehicles of ``gid`` may move empty to ``q`` (a stand, a short duty)."""
        if move[0] < self.wear.not_before(gid) - EPS:
            return False
        rec = self.wear.peek(gid, move[0])
        return self.stands.room(c, q, move[1]) >= n and self.wear.fits(c, rec, [(*move, False)])

    def escaped(self, c: int, gid: str, q: int, move: tuple[float, float], n: int) -> None:
        self.at[gid] = (c, q, move[1])
        self.wear.draw(gid, gid, move[0], n, None)
        self.stands.leave(gid, move[0], n)
        self.stands.enter(gid, c, q, move[1], n)
        self.wear.commit(c, gid, gid, [(*move, False)])

    def finish(self, trips: list[Trip]) -> list[Trip]:
        return self.wear.unsplit(trips)

    def pools_kept(self, plan: list[Trip]) -> bool:
        """Whether the model draws each pool of worn stock as the plan did (wear.py); else
        plan again without pools."""
        turnaround = [self.pb.rest(c) for c in range(self.pb.n_classes)]
        return self.wear.pool_order_kept(plan, turnaround)
