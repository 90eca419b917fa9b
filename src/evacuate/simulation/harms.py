"""Events that harm a running operation, and the hazard's strike.

The rules are those of docs/model.md: a strike loses everyone and everything still at the place
(people waiting or landed there, vehicles idle, held, in production or loading and unloading
there; stock that enters later is not there yet); a destruction hits up to its count of the
named classes at the place; a withdrawal benches the operator's vehicles where they are (and
calls back those under way unless they finish their trip); closures, moved deadlines and
stopped production change the world the engine reads. Functions of the ``Engine``'s state,
kept apart from its core loop (the events that help are in ``helps.py``).
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any

from evacuate.check.common import reopened, reopenings
from evacuate.scenario.model import (
    AddVehicles,
    CloseLane,
    ClosePlace,
    DamageVehicles,
    DestroyVehicles,
    Event,
    MoveDeadline,
    OpenLane,
    OpenPlace,
    ReturnOperator,
    SinkVehicles,
    StopProduction,
    WithdrawOperator,
)
from evacuate.simulation import helps, walking
from evacuate.simulation.parts import STRIKE, tol
from evacuate.simulation.world import Closure, Held

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["destroy", "fire", "strike", "withdraw"]

_EPS = 1e-9


def strike(eng: Engine, place: str) -> None:
    """The hazard strikes ``place``: everyone and everything still there is lost. A group due
    to leave within the checker's tolerance after the deadline leaves first (one instant for
    the checker, check/events.py, deadline_origin): the strike waits for its departure."""
    t = eng.now
    later = _leaving_within(eng, place)
    if later is not None:
        eng._push(later, STRIKE, "strike", (place, eng.strike_version[place]))
        return
    eng.struck.add(place)
    n = eng.present[place] + eng.rescued_at[place]
    if n:
        eng.lost_people += n
        eng.lost_by_place[place] += n
        eng._log(t, "lost_people", place, people=n, detail="hazard")
    eng.present[place] = 0
    eng.rescued_at[place] = 0
    _unbench(eng, place, t)
    eng._yard_sync(t)
    for (p, cls), k in list(eng.pool.items()):
        if p == place and k > 0:
            eng.pool[(p, cls)] = 0
            _lose(eng, t, place, cls, k)
    for h in eng.held:
        if h.place == place and h.count > 0 and not h.entering:
            _lose(eng, t, place, h.cls, h.count)
            h.count = 0
    for y in eng.yards:
        if y.spec.place == place:
            k = y.held_or_ready(t)
            y.destroyed += k
            y.stop = t if y.stop is None else min(y.stop, t)
            if k:
                _lose(eng, t, place, y.spec.vehicle_class, k)
    # groups still loading here, or unloading here
    for it in list(eng.transit):
        # a loading that ends within the checker's tolerance after the deadline gets away,
        # as the checker has it (check/events.py, deadline_origin)
        here = (it.origin == place and it.leave > t + tol(t)) or (
            it.destination == place and it.reach <= t + _EPS
        )
        if here:
            eng.transit.remove(it)
            it.aborted = True
            it.group.done = True
            eng._lose_transit(it, t, "hazard", place)


def _lose(eng: Engine, t: float, place: str, cls: str, k: int) -> None:
    """``k`` idle vehicles of class ``cls`` lost to the hazard at ``place``."""
    eng.vehicles_lost += k
    eng._log(t, "lost_vehicles", place, vehicle_class=cls, vehicles=k, detail="hazard")


def _unbench(eng: Engine, place: str, t: float) -> None:
    """A withdrawn operator's vehicles at ``place`` are there when the hazard strikes, so they
    are lost with everything else (docs/model.md: every vehicle there), as the checker counts
    them: benched ones are lost instead of withdrawn, and a benched shipyard there gets back
    its stop, so that what it holds (made up to the strike) is lost below."""
    for bench in eng.benched.values():
        for h in bench:
            if h.place == place and h.count > 0:
                eng.vehicles_withdrawn -= h.count
                _lose(eng, t, place, h.cls, h.count)
                h.count = 0
    for y in eng.yards:
        if y.spec.place == place and y.benched is not None:
            stop, taken = y.benched
            eng.vehicles_withdrawn -= taken
            y.destroyed -= taken
            y.stop = t if stop is None else min(stop, t)
            y.benched = (y.stop, 0)


def _leaving_within(eng: Engine, place: str) -> float | None:
    """The latest departure from ``place`` due after now and within the checker's tolerance
    after its deadline, if any (the heap's entries up to then are looked at, no others)."""
    d = eng.deadline[place]
    if d is None:
        return None
    last = d + tol(d)
    seen = []
    latest: float | None = None
    while eng.heap and eng.heap[0][0] <= last:
        item = heapq.heappop(eng.heap)
        seen.append(item)
        at, _, _, kind, payload = item
        if at > eng.now and _leaves(eng, kind, payload, place):
            latest = at
    for item in seen:
        heapq.heappush(eng.heap, item)
    return latest


def _leaves(eng: Engine, kind: str, payload: Any, place: str) -> bool:
    """Whether a heap entry is a group's departure or a walk setting out from ``place``."""
    if kind == "dispatch":
        g = payload
        return not g.done and g.next < len(g.trips) and g.trips[g.next].origin == place
    if kind == walking.WALK_DEPART:
        generation, walk, _ = payload
        return bool(generation == walking.walkers(eng).generation and walk.origin == place)
    return False


def _closure(eng: Engine, key: tuple[str, object], t: float, until: float | None) -> Closure:
    """A closure from ``t``, ending at ``until`` or at the first known opening of the same
    place, lane or pair after ``t`` (docs/model.md): the operation knows its known events, so
    a group due while it is closed waits for that opening rather than giving up, as planned."""
    known = [ev for ev in eng.scenario.enabled_events if ev.mode == "known"]
    end = reopened(reopenings(known).get(key, ()), t, math.inf if until is None else until)
    return Closure(t, None if math.isinf(end) else end)


def fire(eng: Engine, e: Event) -> None:
    """Apply every effect of event ``e`` at the engine's clock."""
    t = eng.now
    eng.fired.append(e)
    eng._log(t, "event", "", detail=e.id, people=e.reported_casualties or 0)
    for fx in e.effects:
        if isinstance(fx, DestroyVehicles):
            destroy(eng, fx, e.id)
        elif isinstance(fx, StopProduction):
            for y in eng.yards:
                if y.spec.id == fx.shipyard:
                    eng._yard_sync(t)
                    y.stop = t if y.stop is None else min(y.stop, t)
        elif isinstance(fx, CloseLane):
            if fx.lane is not None:
                c = _closure(eng, ("lane", fx.lane), t, fx.until)
                eng.routes.lane_closures.setdefault(fx.lane, []).append(c)
            if fx.between is not None:
                key = frozenset(fx.between)
                c = _closure(eng, ("pair", key), t, fx.until)
                eng.routes.direct_closures.setdefault(key, []).append(c)
        elif isinstance(fx, ClosePlace):
            c = _closure(eng, ("place", fx.place), t, fx.until)
            eng.place_closures.setdefault(fx.place, []).append(c)
        elif isinstance(fx, MoveDeadline):
            d = eng.deadline[fx.place]
            if fx.place in eng.struck or (d is not None and d < t):
                continue
            eng.deadline[fx.place] = max(fx.to, t)
            eng._schedule_strike(fx.place)
        elif isinstance(fx, WithdrawOperator):
            withdraw(eng, fx, t)
        elif isinstance(
            fx,
            AddVehicles | OpenPlace | OpenLane | ReturnOperator | SinkVehicles | DamageVehicles,
        ):
            helps.apply(eng, fx, e.id, t)


def destroy(eng: Engine, fx: DestroyVehicles, why: str) -> None:
    """Destroy up to ``fx.count`` vehicles of ``fx.classes`` at ``fx.place``."""
    t = eng.now
    eng._yard_sync(t)
    left = math.inf if fx.count is None else fx.count
    classes = set(fx.classes) if fx.classes is not None else set(eng.classes)
    lost: dict[str, int] = {}

    def hit(cls: str, k: int) -> int:
        nonlocal left
        k = int(min(k, left))
        if k > 0:
            lost[cls] = lost.get(cls, 0) + k
            left -= k
        return k

    for (p, cls), k in sorted(eng.pool.items()):
        if p == fx.place and cls in classes and k > 0:
            eng.pool[(p, cls)] = k - hit(cls, k)
    for y in eng.yards:
        if y.spec.place == fx.place and y.spec.vehicle_class in classes:
            y.destroyed += hit(y.spec.vehicle_class, y.held_or_ready(t))
    for h in eng.held:
        if h.place == fx.place and h.cls in classes and not h.entering:
            h.count -= hit(h.cls, h.count)
    for it in list(eng.transit):
        at_place = (it.origin == fx.place and it.leave > t + _EPS) or (
            it.destination == fx.place and it.reach <= t + _EPS
        )
        if at_place and it.group.vc.id in classes and left > 0:
            k = hit(it.group.vc.id, it.vehicles)
            if k >= it.vehicles:
                eng.transit.remove(it)
                it.aborted = True
                it.group.done = True
                lost[it.group.vc.id] -= k
                eng._lose_transit(it, t, f"destroyed: {why}", fx.place)
            else:
                # part of the group is hit: its people stay with the survivors
                it.vehicles -= k
    for cls, k in lost.items():
        if k:
            eng.vehicles_lost += k
            eng._log(
                t,
                "lost_vehicles",
                fx.place,
                vehicle_class=cls,
                vehicles=k,
                detail=f"destroyed: {why}",
            )


def withdraw(eng: Engine, fx: WithdrawOperator, t: float) -> None:
    """Bench the operator's vehicles (and call back those under way unless told otherwise)."""
    eng.withdrawn[fx.operator] = (t, fx.finish_current_trip)
    eng._yard_sync(t)
    mine = {c for c, vc in eng.classes.items() if vc.operator == fx.operator}
    bench = eng.benched.setdefault(fx.operator, [])
    for (p, cls), k in sorted(eng.pool.items()):
        if cls in mine and k > 0:
            eng.pool[(p, cls)] = 0
            eng.vehicles_withdrawn += k
            bench.append(Held(p, cls, k, t))
            eng._log(t, "withdrawn", p, vehicle_class=cls, vehicles=k)
    for h in eng.held:  # stock not entered yet is benched when it enters (engine.py)
        if h.cls in mine and h.count > 0 and not h.entering:
            eng.vehicles_withdrawn += h.count
            bench.append(Held(h.place, h.cls, h.count, h.until))
            eng._log(t, "withdrawn", h.place, vehicle_class=h.cls, vehicles=h.count)
            h.count = 0
    for y in eng.yards:
        if y.spec.vehicle_class in mine:
            k = y.held_or_ready(t)
            if y.benched is None:
                y.benched = (y.stop, k)
            y.destroyed += k
            y.stop = t if y.stop is None else min(y.stop, t)
            if k:
                eng.vehicles_withdrawn += k
                eng._log(
                    t, "withdrawn", y.spec.place, vehicle_class=y.spec.vehicle_class, vehicles=k
                )
    if fx.finish_current_trip:
        return
    for it in list(eng.transit):
        if it.group.vc.id not in mine:
            continue
        # called back: the people are put down where they were picked up
        eng.transit.remove(it)
        it.aborted = True
        it.group.done = True
        if it.people:
            eng._put_back(it.origin, it.people, t)
        eng.vehicles_withdrawn += it.vehicles
        bench.append(Held(it.origin, it.group.vc.id, it.vehicles, t))
        eng._log(
            t,
            "cancelled",
            it.origin,
            other=it.destination,
            group=it.group.id,
            vehicle_class=it.group.vc.id,
            vehicles=it.vehicles,
            people=it.people,
            detail=f"operator {fx.operator} withdrawn",
        )
        eng._log(
            t,
            "withdrawn",
            it.origin,
            group=it.group.id,
            vehicle_class=it.group.vc.id,
            vehicles=it.vehicles,
        )
