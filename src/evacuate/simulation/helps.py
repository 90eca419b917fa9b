"""Events that help a running operation (reinforcements, reopenings, an operator's return)
and losses under way (sinkings).

The rules are those of docs/model.md: reinforcements join the place's vehicles at once; an
opening ends, at its instant, every closure of the same place (lane, pair of places) that
began before it; a return_operator ends the operator's withdrawal and gives its vehicles back
where they were benched (those still resting stay held until their turnaround is over), and
its shipyards resume; a sinking loses every group travelling between its two places (after
loading, before unloading) with the people aboard. Functions of the ``Engine``'s state, kept
apart from its core loop.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from evacuate.scenario.model import (
    AddVehicles,
    DamageVehicles,
    OpenLane,
    OpenPlace,
    ReturnOperator,
    SinkVehicles,
)
from evacuate.simulation.world import Closure

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["apply", "comes_back"]

_EPS = 1e-9


def _reopen(closures: dict[Any, list[Closure]], key: object, t: float) -> None:
    """End at ``t`` every closure of ``key`` that began before ``t``."""
    if key in closures:
        closures[key] = [
            Closure(c.at, t) if c.at < t and (c.until is None or c.until > t) else c
            for c in closures[key]
        ]


def _reinforce(e: Engine, fx: AddVehicles, why: str, t: float) -> None:
    """Reinforcements appear at their place, free to leave at once."""
    if fx.vehicle_class not in e.classes or fx.count <= 0:
        return
    key = (fx.place, fx.vehicle_class)
    e.pool[key] = e.pool.get(key, 0) + fx.count
    e.vehicles_entered += fx.count
    e._log(t, "enter", fx.place, vehicle_class=fx.vehicle_class, vehicles=fx.count, detail=why)
    e._unpark(fx.place, fx.vehicle_class)


def _return(e: Engine, fx: ReturnOperator, why: str, t: float) -> None:
    """The operator is back: benched vehicles rejoin their places, its yards resume."""
    since = e.withdrawn.get(fx.operator)
    if since is None or since[0] >= t:
        return  # not withdrawn before this instant
    del e.withdrawn[fx.operator]
    e._yard_sync(t)
    for h in e.benched.pop(fx.operator, []):
        if h.count <= 0:
            continue
        e.vehicles_withdrawn -= h.count
        e._log(t, "enter", h.place, vehicle_class=h.cls, vehicles=h.count, detail=why)
        if h.until > t + _EPS:
            e.held.append(h)
            e._push(h.until, 1, "release", h)  # 1: the engine's _APPEAR step
        else:
            e.pool[(h.place, h.cls)] = e.pool.get((h.place, h.cls), 0) + h.count
            e._unpark(h.place, h.cls)
    for y in e.yards:
        if y.benched is not None and e.classes[y.spec.vehicle_class].operator == fx.operator:
            y.stop, taken = y.benched
            y.destroyed -= taken
            y.benched = None


def _sink(e: Engine, fx: SinkVehicles, why: str, t: float) -> None:
    """Groups under way between the struck places are lost with their people."""
    if fx.lane is not None:
        lane = next((ln for ln in e.scenario.travel.lanes if ln.id == fx.lane), None)
        ends = None if lane is None else {lane.start, lane.end}
    else:
        ends = set(fx.between or ())
    if not ends:
        return
    classes = set(e.classes) if fx.classes is None else set(fx.classes)
    for it in list(e.transit):
        on_the_way = it.leave < t - _EPS and (not math.isfinite(it.reach) or t < it.reach - _EPS)
        if {it.origin, it.destination} == ends and it.group.vc.id in classes and on_the_way:
            e.transit.remove(it)
            it.aborted = True
            it.group.done = True
            e._lose_transit(it, t, f"sunk: {why}")


def _damage(e: Engine, fx: DamageVehicles, why: str, t: float) -> None:
    """Idle vehicles at the place (waiting, held or built) go out of service until
    ``fx.until``, then are back there; groups loading or unloading there are spared."""
    from evacuate.simulation.world import Held

    e._yard_sync(t)
    left = float("inf") if fx.count is None else float(fx.count)
    classes = set(fx.classes) if fx.classes is not None else set(e.classes)
    hit: dict[str, int] = {}
    for (p, cls), k in sorted(e.pool.items()):
        if p == fx.place and cls in classes and k > 0 and left > 0:
            n = int(min(k, left))
            e.pool[(p, cls)] = k - n
            hit[cls] = hit.get(cls, 0) + n
            left -= n
    for h in e.held:
        if h.place == fx.place and h.cls in classes and h.count > 0 and left > 0:
            if h.entering:
                continue  # stock not entered yet: not there
            n = int(min(h.count, left))
            h.count -= n
            hit[h.cls] = hit.get(h.cls, 0) + n
            left -= n
    for y in e.yards:
        cls = y.spec.vehicle_class
        if y.spec.place == fx.place and cls in classes and left > 0:
            n = int(min(y.held_or_ready(t), left))
            y.destroyed += n  # out of the yard's count; back as held vehicles
            hit[cls] = hit.get(cls, 0) + n
            left -= n
    for cls, n in sorted(hit.items()):
        if n <= 0:
            continue
        back = Held(fx.place, cls, n, max(fx.until, t))
        e.held.append(back)
        e._push(back.until, 1, "release", back)  # 1: the engine's _APPEAR step
        detail = f"{why}: until {back.until:g}"
        e._log(t, "damaged", fx.place, vehicle_class=cls, vehicles=n, detail=detail)


Effect = AddVehicles | OpenPlace | OpenLane | ReturnOperator | SinkVehicles | DamageVehicles


def apply(e: Engine, fx: Effect, why: str, t: float) -> None:
    """Apply one effect of the event ``why`` at ``t``."""
    if isinstance(fx, SinkVehicles):
        _sink(e, fx, why, t)
    elif isinstance(fx, DamageVehicles):
        _damage(e, fx, why, t)
    elif isinstance(fx, AddVehicles):
        _reinforce(e, fx, why, t)
    elif isinstance(fx, OpenPlace):
        _reopen(e.place_closures, fx.place, t)
    elif isinstance(fx, OpenLane):
        if fx.lane is not None:
            _reopen(e.routes.lane_closures, fx.lane, t)
        if fx.between is not None:
            _reopen(e.routes.direct_closures, frozenset(fx.between), t)
    else:
        _return(e, fx, why, t)


def comes_back(e: Engine, operator: str, t: float) -> bool:
    """Whether an enabled return_operator of ``operator`` happens at or after ``t`` and after
    the withdrawal began (its groups keep their plans while benched). A return at ``t`` itself
    counts: events fire after the instant's arrivals, so a group arriving at the very instant
    of the return is benched first, then freed by it, and departs then as planned."""
    since = e.withdrawn[operator][0] if operator in e.withdrawn else -math.inf
    return any(
        ev.at >= t
        and ev.at > since
        and any(isinstance(fx, ReturnOperator) and fx.operator == operator for fx in ev.effects)
        for ev in e.scenario.enabled_events
    )
