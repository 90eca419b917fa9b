"""Defence measures as changes to the scenario, and the defender's menu when none is given.

A defence is chosen before anything happens (defender-attacker-defender): guard places (an
attack option that hits a guarded place fails), disperse the stock and production of a place
to another, hold part of them back as a reserve at a safe place until a release time, or
station a stock entry elsewhere. Each is a scenario the planner plans as usual; guards are a
set of places the attack search honours.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from evacuate.scenario.model import (
    DefenceMeasure,
    DefenceMenu,
    Disperse,
    Guard,
    Preposition,
    ProductionPeriod,
    Reserve,
    Shipyard,
    Stock,
)
from evacuate.scenario.scenario import Scenario

__all__ = ["apply_defence", "defence_menu", "defences_within"]


def _nearest_other(scenario: Scenario, place: str) -> str | None:
    """The nearest haven (else any other place with a position) to ``place``."""
    from evacuate.scenario import derive

    here = scenario.place(place)
    best: tuple[float, str] | None = None
    for p in scenario.havens or scenario.places:
        if p.id == place or p.position is None or here.position is None:
            continue
        d = derive.distance(scenario, here.position, p.position)
        if best is None or (d, p.id) < best:
            best = (d, p.id)
    return best[1] if best else None


def defence_menu(scenario: Scenario, targets: Sequence[str]) -> tuple[DefenceMenu, bool]:
    """The scenario's ``defences`` section, or a derived menu (guard each attacked place,
    disperse half of each depot or yard to the nearest haven): cost 1 each, budget 1."""
    if scenario.defences is not None:
        return scenario.defences, False
    measures: list[DefenceMeasure] = []
    sources = {st.place for st in scenario.fleet.stock} | {
        y.place for y in scenario.fleet.shipyards
    }
    for place in targets:
        measures.append(Guard(id=f"guard_{place}", type="guard", place=place))
    for place in sorted(sources & set(targets)):
        to = _nearest_other(scenario, place)
        if to is not None:
            measures.append(Disperse(id=f"disperse_{place}", type="disperse", place=place, to=to))
    if not measures:
        raise ValueError(f"scenario {scenario.id}: nothing to defend")
    return DefenceMenu(budget=1.0, measures=tuple(measures)), True


def defences_within(menu: DefenceMenu, budget: float) -> list[tuple[DefenceMeasure, ...]]:
    """Every set of measures the budget affords (the empty one first), in a fixed order."""
    out: list[tuple[DefenceMeasure, ...]] = []
    ms = list(menu.measures)
    for r in range(len(ms) + 1):
        for combo in itertools.combinations(ms, r):
            if sum(m.cost for m in combo) <= budget + 1e-9:
                out.append(combo)
    return out


def _split_stock(st: Stock, fraction: float, to: str, release: float | None) -> list[Stock]:
    moved = round(st.count * fraction)
    if moved <= 0:
        return [st]
    kept = st.model_copy(update={"count": st.count - moved})
    avail = st.available_from if release is None else max(st.available_from, release)
    new = st.model_copy(
        update={
            "id": f"{st.id or 'stock'}.{'reserve' if release is not None else 'dispersed'}",
            "place": to,
            "count": moved,
            "available_from": avail,
        }
    )
    return [kept, new] if kept.count > 0 else [new]


def _split_yard(y: Shipyard, fraction: float, to: str, release: float | None) -> list[Shipyard]:
    def scaled(f: float) -> tuple[ProductionPeriod, ...]:
        return tuple(p.model_copy(update={"rate": p.rate * f}) for p in y.schedule)

    moved_total = None if y.max_total is None else round(y.max_total * fraction)
    kept_total = None if y.max_total is None else y.max_total - (moved_total or 0)
    kept = y.model_copy(update={"schedule": scaled(1 - fraction), "max_total": kept_total})
    avail = y.available_from
    if release is not None:
        avail = release if avail is None else max(avail, release)
    new = y.model_copy(
        update={
            "id": f"{y.id}.{'reserve' if release is not None else 'dispersed'}",
            "place": to,
            "schedule": scaled(fraction),
            "max_total": moved_total,
            "available_from": avail,
        }
    )
    return [kept, new] if fraction < 1 else [new]


def apply_defence(
    scenario: Scenario, measures: Sequence[DefenceMeasure]
) -> tuple[Scenario, frozenset[str]]:
    """The scenario as the measures change it, and the guarded places."""
    guarded: set[str] = set()
    stock = list(scenario.fleet.stock)
    yards = list(scenario.fleet.shipyards)
    for m in measures:
        if isinstance(m, Guard):
            guarded.add(m.place)
        elif isinstance(m, Disperse | Reserve):
            to = m.to if isinstance(m, Disperse) else m.at
            release = None
            if isinstance(m, Reserve):
                release = m.release if m.release is not None else 0.5 * scenario.end
            stock = [
                x
                for st in stock
                for x in (
                    _split_stock(st, m.fraction, to, release) if st.place == m.place else [st]
                )
            ]
            yards = [
                x
                for y in yards
                for x in (_split_yard(y, m.fraction, to, release) if y.place == m.place else [y])
            ]
        elif isinstance(m, Preposition):
            stock = [
                st.model_copy(update={"place": m.to}) if st.id == m.stock else st for st in stock
            ]
    fleet = scenario.fleet.model_copy(update={"stock": tuple(stock), "shipyards": tuple(yards)})
    return scenario.model_copy(update={"fleet": fleet}), frozenset(guarded)
