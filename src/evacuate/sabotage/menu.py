"""Attack menus: the scenario's own, or one derived from it; strikes as surprise events.

An attack option is a set of effects the format already has (destroy vehicles, stop production,
close a lane or place, move a deadline, withdraw an operator) that strikes at an instant the
attacker picks in its window. A **strike** is one option at one instant. Struck, it becomes a
``surprise`` event: the operator's plan is blind to it and replans when it happens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evacuate.planio import Trip
from evacuate.scenario.model import (
    AttackMenu,
    AttackOption,
    CloseLane,
    ClosePlace,
    DestroyVehicles,
    Effect,
    Event,
    MoveDeadline,
    StopProduction,
    WithdrawOperator,
)
from evacuate.scenario.scenario import Scenario

__all__ = [
    "DEFAULT_LASTS",
    "Strike",
    "attack_menu",
    "default_menu",
    "instants",
    "strike_events",
    "strike_scenario",
    "targets",
]

DEFAULT_LASTS = 0.1
"""Closures in a derived menu last this fraction of the horizon."""


@dataclass(frozen=True, order=True)
class Strike:
    """One attack option struck at one instant."""

    option: str
    at: float


def default_menu(scenario: Scenario) -> AttackMenu:
    """Every depot and shipyard (destroy its vehicles; stop each yard), every haven (closed
    for a tenth of the horizon), every declared lane (closed as long): cost 1 each, budget 1."""
    enabled = {c.id for c in scenario.enabled_classes}
    lasts = DEFAULT_LASTS * scenario.end
    opts: list[AttackOption] = []
    depots: list[str] = []
    for st in scenario.fleet.stock:
        if st.vehicle_class in enabled and st.count > 0 and st.place not in depots:
            depots.append(st.place)
    for y in scenario.fleet.shipyards:
        if y.vehicle_class in enabled and y.place not in depots:
            depots.append(y.place)
    for place in depots:
        opts.append(
            AttackOption(
                id=f"destroy_{place}",
                name=f"destroy the vehicles at {scenario.place(place).name or place}",
                effects=(DestroyVehicles(type="destroy_vehicles", place=place),),
            )
        )
    for y in scenario.fleet.shipyards:
        if y.vehicle_class in enabled:
            opts.append(
                AttackOption(
                    id=f"stop_{y.id}",
                    name=f"stop production at {y.id}",
                    effects=(StopProduction(type="stop_production", shipyard=y.id),),
                )
            )
    for h in scenario.havens:
        opts.append(
            AttackOption(
                id=f"close_{h.id}",
                name=f"close {h.name or h.id}",
                effects=(ClosePlace(type="close_place", place=h.id),),
                lasts=lasts,
            )
        )
    for lane in scenario.travel.lanes:
        opts.append(
            AttackOption(
                id=f"close_lane_{lane.id}",
                name=f"close lane {lane.id}",
                effects=(CloseLane(type="close_lane", lane=lane.id),),
                lasts=lasts,
            )
        )
    if not opts:
        raise ValueError(
            f"scenario {scenario.id}: nothing to attack (no stock, shipyard, haven or lane)"
        )
    return AttackMenu(budget=1.0, options=tuple(opts))


def attack_menu(scenario: Scenario) -> tuple[AttackMenu, bool]:
    """The scenario's ``attacks`` section, or a derived menu; and whether it was derived."""
    if scenario.attacks is not None:
        return scenario.attacks, False
    return default_menu(scenario), True


def window(scenario: Scenario, option: AttackOption) -> tuple[float, float]:
    """The instants the option may strike: its window clipped to ``[0, end]``."""
    if option.window is None:
        return 0.0, scenario.end
    return max(0.0, option.window.start), min(scenario.end, option.window.end)


def targets(scenario: Scenario, option: AttackOption) -> set[str]:
    """The places an option hits (a guard there stops it)."""
    yards = {y.id: y.place for y in scenario.fleet.shipyards}
    lanes = {lane.id: (lane.start, lane.end) for lane in scenario.travel.lanes}
    out: set[str] = set()
    for fx in option.effects:
        if isinstance(fx, DestroyVehicles | ClosePlace | MoveDeadline):
            out.add(fx.place)
        elif isinstance(fx, StopProduction) and fx.shipyard in yards:
            out.add(yards[fx.shipyard])
        elif isinstance(fx, CloseLane):
            if fx.lane is not None and fx.lane in lanes:
                out.update(lanes[fx.lane])
            if fx.between is not None:
                out.update(fx.between)
    return out


def _breakpoints(scenario: Scenario) -> set[float]:
    """Instants where the operation's world changes: vehicles released, production periods,
    places opening, people arriving, events."""
    out: set[float] = set()
    for st in scenario.fleet.stock:
        out.add(st.available_from)
    for y in scenario.fleet.shipyards:
        if y.available_from is not None:
            out.add(y.available_from)
        for per in y.schedule:
            out.add(per.start)
            if per.end is not None:
                out.add(per.end)
    for p in scenario.places:
        if p.open_from is not None:
            out.add(p.open_from)
        out.update(at for at, _ in scenario.releases(p))
    out.update(e.at for e in scenario.enabled_events)
    return out


def instants(
    scenario: Scenario,
    option: AttackOption,
    trips: Sequence[Trip] = (),
    points: int = 8,
    departures: int = 12,
    step: float | None = None,
) -> list[float]:
    """The grid of instants to try for one option: its window's ends, ``points`` evenly
    spaced instants, the scenario's breakpoints inside the window, and the ``departures``
    busiest departure instants of the operator's plan from the places the option hits (a
    strike at a departure instant comes first: the vehicles are still there). With ``step``,
    every multiple of ``step`` in the window replaces the evenly spaced instants."""
    a, b = window(scenario, option)
    if b < a:
        return []
    grid = {a, b}
    if step is not None:
        k0, k1 = math.ceil(a / step - 1e-9), math.floor(b / step + 1e-9)
        grid.update(k * step for k in range(k0, k1 + 1))
    elif points > 1 and b > a:
        grid.update(a + (b - a) * k / (points - 1) for k in range(points))
    grid.update(t for t in _breakpoints(scenario) if a <= t <= b)
    hit = targets(scenario, option)
    busy: dict[float, int] = {}
    for tr in trips:
        if tr.origin in hit and a <= tr.depart <= b:
            busy[tr.depart] = busy.get(tr.depart, 0) + tr.count
    top = sorted(busy, key=lambda t: (-busy[t], t))[: max(0, departures)]
    grid.update(top)
    # the horizon itself is moot: nothing is left to disrupt
    return sorted(t for t in grid if t < scenario.end or a == b)


def _effect_at(fx: Effect, t: float, lasts: float | None) -> Effect:
    if isinstance(fx, CloseLane | ClosePlace) and fx.until is None and lasts is not None:
        return fx.model_copy(update={"until": t + lasts})
    if isinstance(fx, MoveDeadline) and fx.to < t:
        return fx.model_copy(update={"to": t})
    return fx


def strike_events(
    scenario: Scenario,
    menu: AttackMenu,
    strikes: Iterable[Strike],
    guarded: frozenset[str] = frozenset(),
) -> list[Event]:
    """Each strike as a surprise event, in time order (options aimed at a guarded place fail
    and give none)."""
    by_id = {o.id: o for o in menu.options}
    events: list[Event] = []
    for s in sorted(strikes):
        opt = by_id[s.option]
        if guarded and targets(scenario, opt) & guarded:
            continue
        effects = tuple(_effect_at(fx, s.at, opt.lasts) for fx in opt.effects)
        events.append(
            Event(
                id=f"sabotage.{opt.id}",
                name=opt.name or opt.id,
                at=s.at,
                mode="surprise",
                effects=effects,
            )
        )
    return events


def strike_scenario(
    scenario: Scenario,
    menu: AttackMenu,
    strikes: Iterable[Strike],
    guarded: frozenset[str] = frozenset(),
) -> Scenario:
    """The scenario with each strike added as a surprise event (``strike_events``); the menus
    themselves are left out (they are no part of the world the operator flies in)."""
    events = [*scenario.events, *strike_events(scenario, menu, strikes, guarded)]
    return scenario.model_copy(update={"events": tuple(events), "attacks": None, "defences": None})


def is_monotone(menu: AttackMenu) -> bool:
    """No option moves a deadline (which could strike people already in a haven)."""
    return not any(isinstance(fx, MoveDeadline) for o in menu.options for fx in o.effects)


def withdrawals(menu: AttackMenu) -> bool:
    return any(isinstance(fx, WithdrawOperator) for o in menu.options for fx in o.effects)


def finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
