"""What happens within one instant, beyond the fixed order of kinds (parts.py).

At one instant only the balance at its end counts, as in the checker: people a group brings to a
full place wait on board until the instant's departures are done (then they are unloaded if
room was made, else turned away), a departure may take them meanwhile, and a departure short
of people waits behind the instant's other trips while a trip of this instant still brings
people to its origin (chains of loaded trips that take no time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evacuate.simulation.parts import EPS, Group

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["flush", "on_board_at", "people_coming", "unload_for"]


def on_board_at(eng: Engine, place: str) -> int:
    """People on board at ``place`` waiting for room there."""
    return sum(n for dest, n, _, _ in eng.unloading if dest == place)


def flush(eng: Engine) -> None:
    """End of an instant: unload the people who waited on board for room, or turn them
    away (they stay at the place, waiting, not rescued)."""
    t = eng.now
    todo, eng.unloading = eng.unloading, []
    for dest, n, gid, origin in todo:
        if dest in eng.struck:
            eng.lost_people += n
            eng.lost_by_place[dest] += n
            eng._log(t, "lost_people", dest, group=gid, people=n, detail="hazard")
            continue
        k = min(n, eng._room(dest))
        if k:
            eng._deliver(dest, k, t)
            eng._log(
                t,
                "arrive",
                dest,
                other=origin,
                group=gid,
                people=k,
                detail="unloaded once room was made",
            )
        if n - k:
            eng.present[dest] += n - k
            eng._log(t, "turned_away", dest, group=gid, people=n - k, detail="no room")


def unload_for(eng: Engine, place: str, n: int) -> None:
    """Unload ``n`` of the people waiting on board at ``place`` for room: a departure of
    this instant takes them, so their net inflow there is nil."""
    t = eng.now
    for i, (dest, k, gid, origin) in enumerate(eng.unloading):
        if n <= 0:
            break
        if dest != place or k <= 0:
            continue
        m = min(n, k)
        eng.unloading[i] = (dest, k - m, gid, origin)
        n -= m
        eng._deliver(place, m, t)
        eng._log(
            t,
            "arrive",
            place,
            other=origin,
            group=gid,
            people=m,
            detail="unloaded once room was made",
        )
    eng.unloading = [u for u in eng.unloading if u[1] > 0]


def people_coming(eng: Engine, place: str, t: float, asking: Group) -> bool:
    """Whether the plan brings people to ``place`` by ``t`` on a trip not yet arrived: a
    trip of this instant (a chain of instant loaded trips) may still deliver them."""
    for it in eng.transit:
        if it.destination == place and it.people > 0 and it.eta <= t + EPS:
            return True
    for g in eng.groups.values():
        if g is asking or g.done:
            continue
        for tr in g.trips[g.next :]:  # in departure order
            if tr.depart > t + EPS:
                break
            if tr.destination == place and tr.people > 0 and tr.arrive <= t + EPS:
                return True
    return False
