"""Events that help a running operation: reinforcements, reopenings, an operator's return.

The rules are those of docs/model.md: reinforcements join the place's vehicles at once; an
opening ends, at its instant, every closure of the same place (lane, pair of places) that
began before it; a return_operator ends the operator's withdrawal and gives its vehicles back
where they were benched (those still resting stay held until their turnaround is over), and
its shipyards resume. Functions of the ``Engine``'s state, kept apart from its core loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evacuate.scenario.model import AddVehicles, OpenLane, OpenPlace, ReturnOperator
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


def apply(
    e: Engine, fx: AddVehicles | OpenPlace | OpenLane | ReturnOperator, why: str, t: float
) -> None:
    """Apply one helping effect of the event ``why`` at ``t``."""
    if isinstance(fx, AddVehicles):
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
    """Whether an enabled return_operator of ``operator`` happens after ``t`` (its groups
    keep their plans while benched)."""
    return any(
        ev.at > t
        and any(isinstance(fx, ReturnOperator) and fx.operator == operator for fx in ev.effects)
        for ev in e.scenario.enabled_events
    )
