"""A group's departure: the checks and bookings when a plan's trip is due to start.

A group leaves its origin with as many of its vehicles as are really there, picks up as many
of the planned people as are really waiting, and waits for open places, open routes and
loading allowance as docs/model.md demands, or is cancelled with the reason logged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evacuate.simulation import appear, instant
from evacuate.simulation.parts import ARRIVE, DEPART, EPS, Group, InTransit

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["depart"]

_EPS = EPS


def depart(eng: Engine, g: Group) -> None:
    """Send group ``g`` on its next trip now, or wait, or cancel it, as docs/model.md says."""
    t = eng.now
    if g.done or g.next >= len(g.trips):
        return
    tr = g.trips[g.next]
    origin, dest = tr.origin, tr.destination
    if g.place is not None and g.place != origin:
        eng._cancel(g, tr, t, "the group is not at the trip's origin")
        return
    op = g.vc.operator
    if op in eng.withdrawn and t >= eng.withdrawn[op][0] - _EPS:
        eng._cancel(g, tr, t, f"operator {op} withdrawn")
        return
    reopen = eng._closed(origin, t)
    if reopen is not None:
        if math.isinf(reopen):
            eng._cancel(g, tr, t, f"{origin} closed")
        else:
            eng._push(reopen, DEPART, "dispatch", g)
        return
    short = eng.available(origin, g.vc.id, t) < g.count
    if short or (tr.people > 0 and eng._pickable(origin) < tr.people):
        appear.soon(eng)  # what appears within the checker's tolerance is there now
        appear.delivered_soon(eng, origin)  # and what trips deliver within it
    n = min(g.count, eng.available(origin, g.vc.id, t))
    if n < g.count and eng._retry(g, t):
        # vehicles may still come in this very instant (a chain of instant trips)
        return
    if n <= 0:
        if eng._incoming(origin, g.vc.id, g):
            # late vehicles of the plan are on their way here: wait for them
            eng.parked.setdefault((origin, g.vc.id), []).append(g)
            return
        eng._cancel(g, tr, t, f"no {g.vc.id} vehicles at {origin}")
        return
    people = 0
    if tr.people > 0:
        people = min(tr.people, n * g.vc.capacity, eng._pickable(origin))
        wanted = min(tr.people, n * g.vc.capacity)
        if people < wanted and instant.people_coming(eng, origin, t, g) and eng._retry(g, t):
            # people may still come in this very instant (a chain of instant loaded trips)
            return
        if not instant.my_turn(eng, g, origin) and eng._retry(g, t):
            return  # a pickup before it here in this instant's order has not gone yet
    loaded = people > 0
    load = g.vc.load_time if loaded else 0.0
    unload = g.vc.unload_time if loaded else 0.0
    # the route: open at the end of loading, else wait at the origin for it to open
    route = eng.routes.travel(g.vc, origin, dest, t + load)
    if route is None:
        eng._cancel(g, tr, t, f"no usable route {origin} -> {dest}")
        return
    if route[0] > t + load + _EPS:
        eng._push(route[0] - load, DEPART, "dispatch", g)
        return
    if loaded:
        start, allowed = eng.throughput.earliest(origin, t, n, people, load, unload=False)
        if start > t + _EPS:
            eng._push(start, DEPART, "dispatch", g)
            return
        people = allowed
        eng.throughput.book(origin, t, n, people, load, unload=False)
    verdict = eng.limits.before_departure(eng, g, tr, t, loaded)  # sorties and rest
    if verdict != "go":
        if verdict != "wait":
            eng._cancel(g, tr, t, verdict)
        return
    # go
    eng.progress += 1
    eng._take(origin, g.vc.id, n, t)
    eng.limits.freed(eng, origin, t + load)  # its stand is free once loaded
    g.count = n
    g.place = None
    g.next += 1
    if tr.people > 0:
        instant.went(eng, g, g.next - 1, origin)
    eng._pick(origin, people)
    planned_route = eng.routes.time_at(g.vc, origin, dest, tr.depart + load)
    duration = route[1]
    p_load = g.vc.load_time if tr.people > 0 else 0.0
    p_unload = g.vc.unload_time if tr.people > 0 else 0.0
    base = planned_route if planned_route is not None else duration
    slack = max(0.0, (tr.arrive - tr.depart) - p_load - p_unload - base)
    if eng.noise_cv > 0:
        s2 = math.log1p(eng.noise_cv**2)
        duration *= float(eng.rng.lognormal(-s2 / 2, math.sqrt(s2)))
    it = InTransit(
        g,
        tr,
        origin,
        dest,
        n,
        people,
        t,
        t + load,
        slack=slack,
        travel=duration,
        target=tr.arrive + (t - tr.depart),
    )
    eng.transit.append(it)
    eng.trips_made += 1
    eng._yard_sync(t)
    eng._log(
        t,
        "depart",
        origin,
        other=dest,
        group=g.id,
        vehicle_class=g.vc.id,
        vehicles=n,
        people=people,
    )
    reach = t + load + duration + slack
    if abs(reach + unload - it.target) <= 1e-9 * max(1.0, abs(it.target)):
        reach = it.target - unload
    eng._push(reach, ARRIVE, "reach", it)
