"""Sorties and duty in the state of an operation: the stock a state writes brings the record
of the vehicles it stands for (``record`` on a stock entry, docs/scenario-format.md), so a
replan counts ``max_sorties`` and ``rest`` over the whole flown history.

Vehicles under way bring their group's record after the trip they are on. Vehicles at a place
(idle, resting, benched, stock not yet free) share the records known there: those left by
groups that ended there, those of groups waiting there for their next trip, and stock records
not yet drawn; the most worn go to the first entries, the rest are fresh. Which entry gets
which record does not matter to a replan: the planner holds every vehicle at a place to the
worst record there (plan/problem.py), and the simulated world keeps its own records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evacuate.simulation.limits import _Record
from evacuate.simulation.parts import EPS, InTransit

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine

__all__ = ["after_trip", "with_records"]


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _as_data(rec: _Record) -> dict[str, Any] | None:
    if rec.sorties == 0 and rec.duty_from is None:
        return None  # fresh and rested: no record to write
    out: dict[str, Any] = {"sorties": rec.sorties}
    if rec.duty_from is not None:
        out["duty_from"] = _num(rec.duty_from)
        out["last_end"] = _num(rec.last_end)
    return out


def after_trip(engine: Engine, it: InTransit) -> dict[str, Any] | None:
    """The record (as data) of the vehicles of ``it`` once their trip ends."""
    lim = engine.limits
    limit = lim.limits.get(it.group.vc.id)
    rec = lim.records.get(it.group.id)
    if limit is None or rec is None:
        return None
    rested = rec.duty_from is None or it.depart - rec.last_end >= limit[2] - EPS
    duty = it.depart if rested else rec.duty_from
    return _as_data(_Record(rec.sorties + int(it.people > 0), duty, it.eta))


def _known(engine: Engine) -> dict[tuple[str, str], list[list[Any]]]:
    """Per (place, class), the records of vehicles there, most worn first: [record, count]."""
    lim = engine.limits
    out: dict[tuple[str, str], list[list[Any]]] = {}
    for key, entries in lim.left.items():
        out.setdefault(key, []).extend([r, n] for r, n in entries if isinstance(n, int) and n > 0)
    for key, pending in lim.worn_stock.items():
        out.setdefault(key, []).extend([r, n] for _, r, n in pending)
    moving = {id(it.group) for it in engine.transit}
    for g in engine.groups.values():
        rec = lim.records.get(g.id)
        waiting = not g.done and g.next < len(g.trips) and id(g) not in moving
        if rec is not None and waiting and g.place is not None and g.count > 0:
            out.setdefault((g.place, g.vc.id), []).append([rec, g.count])
    for key, entries in out.items():
        out[key] = [e for e in entries if isinstance(e[0], _Record) and _as_data(e[0])]
        out[key].sort(key=lambda e: (-e[0].sorties, e[0].duty_from is None, -e[0].last_end))
    return out


def with_records(engine: Engine, stock: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The state's stock with records: entries at a place split into worn parts (each with
    its record) and a fresh rest; entries that have a record (under way) stay as they are."""
    if not engine.limits.limits:
        return stock
    known = _known(engine)
    out: list[dict[str, Any]] = []
    for entry in stock:
        pool = known.get((entry["place"], entry["class"]))
        if "record" in entry or not pool:
            out.append(entry)
            continue
        left, k = int(entry["count"]), 0
        while left > 0 and pool:
            rec, n = pool[0]
            take = min(n, left)
            k += 1
            out.append(
                dict(entry, id=f"{entry['id']}_w{k}"[:100], count=take, record=_as_data(rec))
            )
            left -= take
            pool[0][1] -= take
            if pool[0][1] <= 0:
                pool.pop(0)
        if left > 0:
            out.append(dict(entry, count=left))
    return out
