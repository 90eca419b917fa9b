"""What happens within one instant, beyond the fixed order of kinds (parts.py).

At one instant only the balance at its end counts, as in the checker: people a group brings to a
full place wait on board until the instant's departures are done (then they are unloaded if
room was made, else turned away), a departure may take them meanwhile, and a departure short
of people waits behind the instant's other trips while a trip of this instant still brings
people to its origin (chains of loaded trips that take no time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evacuate.planio import Trip
from evacuate.simulation.parts import EPS, Group

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = [
    "ORDER_NODES",
    "Turns",
    "flush",
    "has_chains",
    "my_turn",
    "on_board_at",
    "people_coming",
    "unload_for",
    "went",
]

ORDER_NODES = 20_000
"""Work budget of the search for an order of one instant's pickups (steps of the search)."""


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


@dataclass
class Turns:
    """The order of one instant's pickups, by place: ``(group id, trip index)`` first to last."""

    at: float
    queue: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def my_turn(eng: Engine, g: Group, place: str) -> bool:
    """Whether ``g``'s next trip may take people at ``place`` now: no order holds at this
    instant, the trip is not in it, or every pickup before it there has gone."""
    t = eng.now
    if not eng.chains:
        return True
    if eng.turns is None or abs(eng.turns.at - t) > EPS:
        eng.turns = Turns(t, _order(eng, t) or {})
    queue = eng.turns.queue.get(place)
    while queue and _gone(eng, *queue[0]):
        queue.pop(0)  # a pickup that will not come (its group was cancelled or replanned)
    if not queue or (g.id, g.next) not in queue:
        return True
    return queue[0] == (g.id, g.next)


def _gone(eng: Engine, gid: str, index: int) -> bool:
    h = eng.groups.get(gid)
    return h is None or h.done or h.next > index


def has_chains(trips: Sequence[Trip]) -> bool:
    """Whether some loaded trip takes no time (so the trips of one instant may chain)."""
    return any(tr.people > 0 and tr.arrive <= tr.depart + EPS for tr in trips)


def went(eng: Engine, g: Group, index: int, place: str) -> None:
    """Trip ``index`` of ``g`` has left ``place``: the next pickup there may go."""
    if eng.turns is not None:
        queue = eng.turns.queue.get(place)
        if queue and queue[0] == (g.id, index):
            queue.pop(0)


def _order(eng: Engine, t: float) -> dict[str, list[tuple[str, int]]] | None:
    """An order of the pickups of the instant ``t`` in which each finds its people, by place;
    None if the instant has no chain of loaded trips or no order was found in budget."""
    # per group: its events of this instant, in its order: (trip index, place, change)
    chains: list[tuple[str, list[tuple[int, str, int]]]] = []
    chained = False
    for g in eng.groups.values():
        if g.done:
            continue
        events: list[tuple[int, str, int]] = []
        for k in range(g.next, len(g.trips)):
            tr = g.trips[k]
            if abs(tr.depart - t) > EPS:
                break
            if tr.people > 0:
                events.append((k, tr.origin, -tr.people))
            if tr.arrive > t + EPS:
                break
            if tr.people > 0:
                events.append((k, tr.destination, tr.people))
                chained = True
        if events:
            chains.append((g.id, events))
    if not chained:
        return None
    count: dict[str, int] = {}
    for _, events in chains:
        for _, place, _ in events:
            count.setdefault(place, eng._pickable(place))
    for it in eng.transit:  # deliveries still to come this instant
        if it.people > 0 and it.eta <= t + EPS and it.destination in count:
            count[it.destination] += it.people
    pos = [0] * len(chains)
    taken: list[tuple[str, int, str]] = []
    failed: set[tuple[int, ...]] = set()

    def need(i: int) -> int:
        """People the chain's next pickup place must hold before the chain gives them back."""
        _, events = chains[i]
        place = events[pos[i]][1]
        level = low = 0
        for _, where, change in events[pos[i] :]:
            if where == place:
                level += change
                low = min(low, level)
                if level >= 0:
                    return -low
        return -low + (1 << 40)  # never gives them back: last

    def open_node() -> bool | None:
        """Deliveries at once (they never hurt), then the pickups that can go, fewest needed
        first, as a new node; True if every event has gone, False if the node failed before."""
        key = tuple(pos)
        if key in failed:
            return False
        moved: list[int] = []
        for i, (_, events) in enumerate(chains):
            while pos[i] < len(events) and events[pos[i]][2] > 0:
                count[events[pos[i]][1]] += events[pos[i]][2]
                pos[i] += 1
                moved.append(i)
        if all(p == len(ev) for p, (_, ev) in zip(pos, chains, strict=True)):
            return True
        ready = [
            i
            for i, (_, events) in enumerate(chains)
            if pos[i] < len(events) and count[events[pos[i]][1]] + events[pos[i]][2] >= 0
        ]
        nodes.append((key, moved, sorted(ready, key=need), [0]))
        return None

    def step(i: int, sign: int) -> None:
        """Let chain ``i``'s next pickup go (sign 1) or take back its last one (sign -1)."""
        if sign < 0:
            pos[i] -= 1
        _, place, change = chains[i][1][pos[i]]
        count[place] += sign * change
        if sign > 0:
            pos[i] += 1

    # a depth-first search with an explicit stack (an instant may hold thousands of pickups)
    nodes: list[tuple[tuple[int, ...], list[int], list[int], list[int]]] = []
    work = 0
    found = open_node()
    while found is not True and nodes:
        key, moved, ready, tried = nodes[-1]
        if tried[0] > 0:
            step(ready[tried[0] - 1], -1)
            taken.pop()
        if tried[0] == len(ready):
            for i in reversed(moved):
                pos[i] -= 1
                count[chains[i][1][pos[i]][1]] -= chains[i][1][pos[i]][2]
            failed.add(key)
            nodes.pop()
            continue
        work += 1
        if work > ORDER_NODES:
            return None
        i = ready[tried[0]]
        tried[0] += 1
        taken.append((chains[i][0], chains[i][1][pos[i]][0], chains[i][1][pos[i]][1]))
        step(i, 1)
        found = open_node()
    if found is not True:
        return None
    queue: dict[str, list[tuple[str, int]]] = {}
    for gid, k, place in taken:
        queue.setdefault(place, []).append((gid, k))
    return queue
