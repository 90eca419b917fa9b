"""Walkers in the simulation: people moving on their own along walkways (docs/model.md,
"Walkways").

A plan's walk is an order: at its ``depart``, as many of its people as are really at the
origin (and as the walkway's rate still allows in that throughput period) set out, unless the
origin is closed or already struck. They are under way for the walk's planned duration, safe
from the origin's hazard. On arrival they join the destination's people, or are rescued at a
haven within its room (the rest are turned away and wait there, as from a vehicle); at a
struck destination they are lost; at a closed one they wait outside until it reopens, and
are lost if it never reopens before the end. Undisturbed, walkers move exactly as planned.

The log shows walks as ``depart``/``arrive`` records with the group ``walk:<walkway>:<k>``
and no vehicles, so every reader of the log (per-period tables, report curves) counts them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evacuate import units
from evacuate.planio import Walk
from evacuate.simulation.parts import ARRIVE, DEPART

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["WALK_ARRIVE", "WALK_DEPART", "Walkers", "arrive", "drop_walks", "load_walks", "set_out"]

WALK_DEPART = "walk"
WALK_ARRIVE = "walk_arrive"


@dataclass(eq=False)
class _Under:
    """Walkers under way."""

    walk: Walk
    group: str
    people: int
    eta: float


@dataclass
class Walkers:
    """The engine's walkers: rate used per (walkway, origin, period) and those under way."""

    used: dict[tuple[str, str, int], int] = field(default_factory=dict)
    under_way: list[_Under] = field(default_factory=list)
    count: int = 0
    dropped: int = 0
    """Walks of plans loaded before this many were dropped (``drop_orders``)."""
    generation: int = 0

    def walking(self) -> int:
        return sum(u.people for u in self.under_way)

    def incoming(self) -> list[tuple[str, float, int]]:
        """(destination, arrival, people) of the walkers under way."""
        return [(u.walk.destination, u.eta, u.people) for u in self.under_way]


def walkers(engine: Engine) -> Walkers:
    """The engine's walkers."""
    return engine.walkers


def load_walks(engine: Engine, walks: Sequence[Walk], prefix: str = "") -> None:
    """Add a plan's walks as orders (each sets out at its ``depart``)."""
    state = walkers(engine)
    for w in sorted(walks, key=lambda w: (w.depart, w.walkway, w.origin)):
        state.count += 1
        group = f"walk:{prefix}{w.walkway}:{state.count}"
        engine._push(w.depart, DEPART, WALK_DEPART, (state.generation, w, group))


def drop_walks(engine: Engine) -> None:
    """Forget every walk not yet set out (walkers under way go on)."""
    walkers(engine).generation += 1


def set_out(engine: Engine, payload: tuple[int, Walk, str]) -> None:
    """A walk's departure: as many of its people as are there and the rate allows."""
    generation, w, group = payload
    state = walkers(engine)
    if generation != state.generation:
        return
    t = engine.now
    origin = w.origin
    why = ""
    if origin in engine.struck:
        why = "the hazard struck its origin"
    elif engine._closed(origin, t) is not None:
        why = f"{origin} is closed"
    if why:
        engine._log(t, "cancelled", origin, other=w.destination, group=group, detail=why)
        return
    s = engine.scenario
    way = next((x for x in s.travel.walkways if x.id == w.walkway), None)
    if way is None:
        engine._log(t, "cancelled", origin, group=group, detail="no such walkway")
        return
    hours = units.TIME_UNITS[s.time_unit] / units.TIME_UNITS["hour"]
    period = max(1.0, 1.0 / hours)
    k = math.floor(t / period + 1e-12)
    key = (w.walkway, origin, k)
    allowance = math.floor(way.per_hour * period * hours + 1e-9)
    n = min(w.people, engine._pickable(origin), max(0, allowance - state.used.get(key, 0)))
    if n <= 0:
        engine._log(t, "cancelled", origin, other=w.destination, group=group, detail="nobody there")
        return
    state.used[key] = state.used.get(key, 0) + n
    if engine.haven[origin]:
        engine._pick(origin, n)  # walking out of a haven frees its room, as a pickup does
    else:
        engine.present[origin] -= n  # elsewhere walkers leave the waiting people
    engine._log(t, "depart", origin, other=w.destination, group=group, people=n, detail="walk")
    eta = w.arrive if w.arrive >= t else t + (w.arrive - w.depart)
    under = _Under(w, group, n, eta)
    state.under_way.append(under)
    engine._push(eta, ARRIVE, WALK_ARRIVE, under)


def arrive(engine: Engine, under: _Under) -> None:
    """Walkers reach their destination: rescued at a haven (within its room), else they
    join the people there; lost at a struck place; outside a closed one until it reopens."""
    state = walkers(engine)
    t = engine.now
    dest, n, w = under.walk.destination, under.people, under.walk
    reopen = engine._closed(dest, t) if dest not in engine.struck else None
    if reopen is not None and reopen <= engine.scenario.end:
        under.eta = reopen
        engine._push(reopen, ARRIVE, WALK_ARRIVE, under)
        return
    state.under_way.remove(under)
    if dest in engine.struck or reopen is not None:
        why = "hazard" if dest in engine.struck else f"{dest} stayed closed"
        engine.lost_people += n
        engine.lost_by_place[dest] += n
        engine._log(t, "lost_people", dest, group=under.group, people=n, detail=why)
        return
    if engine.haven[dest]:
        k = min(n, engine._room(dest))
        engine._deliver(dest, k, t)
        engine._log(t, "arrive", dest, other=w.origin, group=under.group, people=k, detail="walk")
        if n - k:
            engine.present[dest] += n - k
            engine._log(t, "turned_away", dest, group=under.group, people=n - k, detail="no room")
        return
    engine.present[dest] += n
    engine._log(t, "arrive", dest, other=w.origin, group=under.group, people=n, detail="walk")
