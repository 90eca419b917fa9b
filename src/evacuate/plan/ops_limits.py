"""The dispatcher's hooks for parking stands, sortie limits and rest (docs/model.md).

One object answers the dispatcher's questions at the few points that matter: the stands a
trip finds at its pickup and drop (``stand_room``), whether a group must rest first
(``rest_first``), and books each move (``book``, ``escaped``); ``finish`` turns the run's
trips into the plan (``Wear.unsplit``). Without stands or wear limits every hook is a no-op.
"""

from __future__ import annotations

import math
from typing import Protocol

from evacuate.plan.parking import Stands
from evacuate.plan.problem import Flown, Problem
from evacuate.plan.wear import Record, Wear
from evacuate.planio import Trip

__all__ = ["OpsLimits"]

INF = math.inf


class Move(Protocol):
    """The dispatcher's option: an optional empty move, then loading at ``i`` from ``x`` and
    arrival (end of unloading) at ``j`` at ``y``."""

    empty: tuple[float, float] | None
    i: int
    j: int
    x: float
    y: float


class OpsLimits:
    def __init__(self, problem: Problem) -> None:
        self.stands = Stands(problem)
        self.wear = Wear(problem)

    def enter(
        self, gid: str, c: int, p: int, t: float, n: int, record: Flown | None = None
    ) -> None:
        """Vehicles entering at ``p`` (stock, production) are present from ``t``; ``record``:
        the sorties and duty they bring (``Supply.record``)."""
        self.stands.enter(gid, c, p, t, n)
        if record is not None and self.wear.limited[c]:
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
        if not self.stands.active:
            return want, 0.0
        ti, loaded, drop = times
        free = self.stands.room(c, j, drop)
        if j == p:
            free += want  # back where it set out from: its own stands wait for it
        if free < 1:
            later = self.stands.earliest(c, j, drop, 1)
            return (0, INF) if later is None else (want, later - drop)
        if i != p:
            here = self.stands.room(c, i, ti, loaded)
            if here < 1:
                later = self.stands.earliest_stay(c, i, ti, loaded - ti, 1)
                return (0, INF) if later is None else (want, ti - later)
            free = min(free, here)
        return int(min(free, want)), 0.0

    def rest_first(
        self, c: int, gid: str, empty: tuple[float, float] | None, x: float, y: float, t: float
    ) -> float | None:
        """None: the group may fly (an empty move then) a loaded trip ``x -> y`` as it is;
        else when it may try again after a rest (``inf``: never)."""
        if not self.wear.active:
            return None
        rec = self.wear.record(gid)
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
    ) -> None:
        """Group ``gid[0]`` sends ``k`` vehicles as ``gid[1]`` (the other ``rest_n`` stay as
        ``gid[2]``): an optional empty move, then a loaded trip from ``i`` at ``x`` to ``j``
        at ``y``; ``handling``: the class's load and unload times."""
        old, new, rest = gid
        empty, i, x, j, y = move.empty, move.i, move.x, move.j, move.y
        load, unload = handling
        if rest is not None:
            self.wear.split(c, old, [(new, k), (rest, rest_n)])
        self.stands.leave(old, x + load if empty is None else empty[0], k, rest)
        if empty is not None:
            self.stands.enter(new, c, i, empty[1], k, x + load)
        self.stands.enter(new, c, j, y - unload, k)
        legs = [(*empty, False)] if empty is not None else []
        self.wear.commit(c, new, new, [*legs, (x, y, True)])

    def escape_ok(self, c: int, gid: str, q: int, move: tuple[float, float], n: int) -> bool:
        """Whether ``n`` vehicles of ``gid`` may move empty to ``q`` (a stand, a short duty)."""
        rec = self.wear.record(gid)
        return self.stands.room(c, q, move[1]) >= n and self.wear.fits(c, rec, [(*move, False)])

    def escaped(self, c: int, gid: str, q: int, move: tuple[float, float], n: int) -> None:
        self.stands.leave(gid, move[0], n)
        self.stands.enter(gid, c, q, move[1], n)
        self.wear.commit(c, gid, gid, [(*move, False)])

    def finish(self, trips: list[Trip]) -> list[Trip]:
        return self.wear.unsplit(trips)
