"""People and vehicles appearing at a place: people arriving, stock entering, vehicles back
from rest or repair. The checker reads two instants closer than its tolerance as one, so a
departure may take what appears within that tolerance after it (``soon``): those appearances
happen at the departure's instant, before it goes."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from evacuate.simulation.parts import tol
from evacuate.simulation.world import Held

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["KINDS", "delivered_soon", "happen", "soon"]

KINDS = ("appear", "release")
"""The engine's event kinds that bring people or vehicles to a place."""


def happen(eng: Engine, kind: str, payload: Any) -> None:
    """Apply one appearance at the engine's clock."""
    t = eng.now
    if kind == "appear":
        place, n = payload
        eng.population += n
        eng._log(t, "appear", place, people=n)
        if place in eng.struck:  # arriving after the hazard struck: lost on arrival
            eng.lost_people += n
            eng.lost_by_place[place] += n
            eng._log(t, "lost_people", place, people=n, detail="hazard")
        else:
            eng.present[place] += n
        return
    h: Held = payload
    if h.entering:
        eng._enter(h, t)
    if h.count > 0:
        eng.pool[(h.place, h.cls)] = eng.pool.get((h.place, h.cls), 0) + h.count
        h.count = 0
        eng._unpark(h.place, h.cls)


def soon(eng: Engine) -> bool:
    """Bring forward to now the appearances due within the checker's tolerance after now
    (False: there are none)."""
    t = eng.now
    last = t + tol(t)
    due = [e for e in eng.heap if t < e[0] <= last and e[3] in KINDS]
    if not due:
        return False
    eng.heap = [e for e in eng.heap if not (t < e[0] <= last and e[3] in KINDS)]
    heapq.heapify(eng.heap)
    eng.progress += len(due)
    for e in sorted(due, key=lambda e: (e[0], e[1], e[2])):
        happen(eng, e[3], e[4])
    return True


def delivered_soon(eng: Engine, place: str) -> bool:
    """Bring forward to now the deliveries of people to ``place`` that end within the
    checker's tolerance after now (as ``soon`` does for appearances): the checker reads them
    as this instant's, delivered before its pickups. A group due to reach the place then
    reaches it now, and one whose unloading then ends (at once if it takes no time) arrives
    now (False: there were none)."""
    t = eng.now
    last = t + tol(t)
    found = False
    for kind in ("reach", "arrive"):
        due = [
            e
            for e in eng.heap
            if t <= e[0] <= last
            and e[3] == kind
            and e[4].destination == place
            and e[4].people > 0
            and not e[4].aborted
        ]
        if not due:
            continue
        found = True
        eng.heap = [e for e in eng.heap if not any(e is d for d in due)]
        heapq.heapify(eng.heap)
        for e in sorted(due, key=lambda e: (e[0], e[1], e[2])):
            (eng._reach if kind == "reach" else eng._arrive)(e[4])
    return found
