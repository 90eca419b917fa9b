"""The state of an operation at time ``t``, written as a scenario to plan from.

The state keeps the scenario's clock (time zero and ``end`` unchanged), so times in a plan made
from it read the same as in the original. What changes:

- places: the people still waiting become ``population`` (later ``arrivals`` stay, and people
  on board a trip to a place that is not a haven arrive there when the trip ends); deadlines
  are written out explicitly as they stand at ``t`` (moved deadlines included); the
  ``capacity`` left is the capacity minus the net inflow so far and the deliveries under way;
- fleet: the vehicles idle at each place become ``stock`` available from ``t``; vehicles
  under way become stock at their destination, available from their arrival; vehicles
  produced and not yet taken are stock at the shipyard; production still to come is a
  shipyard whose schedule starts at ``t`` and whose ``max_total`` is what is left; vehicles of
  withdrawn operators are gone; vehicles that have flown bring their sorties and duty as a
  stock ``record`` (wear_state.py), so a replan honours ``max_sorties`` and ``rest`` over
  the whole flown history;
- events: those that fired are applied and dropped, except the lasting ones (a lane or place
  still closed, an operator withdrawn), which stay as ``known``; events still to come are
  kept as they are, surprises included (the plan made from the state stays blind to them);
- variants and uncertainties are dropped (the state is one concrete world);
  ``applied_variant`` is kept; so are the attack and defence menus of
  ``evacuate sabotage``.
"""

from __future__ import annotations

from typing import Any

from evacuate.scenario.arrivals import releases
from evacuate.scenario.load import from_dict
from evacuate.scenario.model import (
    CloseLane,
    ClosePlace,
    OpenLane,
    OpenPlace,
    ReturnOperator,
    StopProduction,
    WithdrawOperator,
)
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.engine import Engine
from evacuate.simulation.wear_state import after_trip, with_records

__all__ = ["state_scenario"]


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _reopened(engine: Engine, at: float, fx: CloseLane | ClosePlace) -> bool:
    """Whether an open_place / open_lane that fired after ``at`` ended this closure."""
    for e in engine.fired:
        if e.at <= at:
            continue
        for op in e.effects:
            same_place = (
                isinstance(fx, ClosePlace) and isinstance(op, OpenPlace) and op.place == fx.place
            )
            same_lane = (
                isinstance(fx, CloseLane)
                and isinstance(op, OpenLane)
                and (
                    (fx.lane is not None and op.lane == fx.lane)
                    or (
                        fx.between is not None
                        and op.between is not None
                        and set(op.between) == set(fx.between)
                    )
                )
            )
            if same_place or same_lane:
                return True
    return False


def state_scenario(engine: Engine, t: float | None = None) -> Scenario:
    """The engine's state at its current time (or ``t``) as a valid scenario."""
    s = engine.scenario
    now = engine.now if t is None else t
    data: dict[str, Any] = s.to_data()
    data.pop("variants", None)
    # attack and defence menus describe what-ifs, not the world as it stands (and may name
    # stock entries the state renames)
    data.pop("attacks", None)
    data.pop("defences", None)
    data.pop("uncertainties", None)
    meta = data["scenario"]
    note = f"State of the operation at t = {now:g} {s.time_unit}s (evacuate state)."
    meta["description"] = (meta.get("description", "").rstrip() + "\n" + note).strip()

    # people under way, by destination and arrival time
    incoming: dict[str, list[tuple[float, int]]] = {}
    for it in engine.transit:
        if it.people <= 0:
            continue
        incoming.setdefault(it.destination, []).append((it.eta, it.people))

    for dest, eta, n in engine.walkers.incoming():  # walkers under way
        incoming.setdefault(dest, []).append((eta, n))

    for dest, n, _gid, _origin in engine.unloading:
        # on board at a full place, waiting for room at this instant
        incoming.setdefault(dest, []).append((now, n))

    places = []
    for p_data, p in zip(data["places"], s.places, strict=True):
        d = engine.deadline[p.id]
        q = dict(p_data)
        struck = p.id in engine.struck
        if engine.haven[p.id]:
            under_way = sum(n for _, n in incoming.get(p.id, []))
            q["capacity"] = max(0, p.capacity - engine.netinflow[p.id] - under_way)
        else:
            q["population"] = 0 if struck else engine.present[p.id]
            # curves and rate tables written out as releases, holds that fired applied
            q.pop("arrival_curve", None)
            q.pop("arrival_rates", None)
            arrivals = [
                {"at": _num(at), "people": n}
                for at, n in releases(s, p, engine.fired)
                if now < at <= s.end  # later ones never count
            ]
            for eta, n in incoming.get(p.id, []):
                if d is None or eta < d:
                    arrivals.append({"at": _num(max(eta, now)), "people": n})
            arrivals.sort(key=lambda a: a["at"])
            if arrivals and not struck:
                q["arrivals"] = arrivals
            else:
                q.pop("arrivals", None)
            if p.capacity > 0:
                under_way = sum(n for _, n in incoming.get(p.id, []))
                q["capacity"] = max(0, p.capacity - max(0, engine.netinflow[p.id]) - under_way)
        if d is not None:
            # past the end it never strikes: any later instant says the same, and one just past
            # the end stays in the calendar (a slow hazard's can fall after year 9999)
            q["deadline"] = _num(d if d <= s.end else min(d, s.end + 1))
        places.append(q)
    data["places"] = places

    fired_ids = {e.id for e in engine.fired}
    pending_return = {
        fx.operator
        for e in s.enabled_events
        if e.id not in fired_ids and e.at > now
        for fx in e.effects
        if isinstance(fx, ReturnOperator)
    }
    # an operator that is to come back keeps its classes and its benched vehicles
    gone = {op for op in engine.withdrawn if op not in pending_return}
    usable = {c for c, vc in engine.classes.items() if vc.operator not in gone}
    stock: list[dict[str, Any]] = []
    idle: dict[tuple[str, str], int] = {}
    for (place, cls), n in engine.pool.items():
        if n > 0 and cls in usable and place not in engine.struck:
            idle[(place, cls)] = idle.get((place, cls), 0) + n
    for y in engine.yards:
        k = y.held_or_ready(now)
        if k > 0 and y.spec.vehicle_class in usable and y.spec.place not in engine.struck:
            af = y.spec.available_from
            key = (y.spec.place, y.spec.vehicle_class)
            if af is not None and af > now:
                stock.append(
                    {
                        "id": f"held_{y.spec.id}",
                        "class": y.spec.vehicle_class,
                        "place": y.spec.place,
                        "count": k,
                        "available_from": _num(af),
                    }
                )
            else:
                idle[key] = idle.get(key, 0) + k
    for i, h in enumerate(engine.held):
        if h.count > 0 and h.cls in usable and h.place not in engine.struck:
            if h.until > now:
                stock.append(
                    {
                        "id": f"held_{i}_{h.place}_{h.cls}"[:100],
                        "class": h.cls,
                        "place": h.place,
                        "count": h.count,
                        "available_from": _num(h.until),
                    }
                )
            else:
                idle[(h.place, h.cls)] = idle.get((h.place, h.cls), 0) + h.count
    for op, bench in engine.benched.items():
        for i, h in enumerate(bench):
            if h.count > 0 and h.cls in usable and h.place not in engine.struck:
                stock.append(
                    {
                        "id": f"benched_{op}_{i}_{h.place}_{h.cls}"[:100],
                        "class": h.cls,
                        "place": h.place,
                        "count": h.count,
                        "available_from": _num(max(h.until, now)),
                    }
                )
    for (place, cls), n in sorted(idle.items()):
        stock.append(
            {
                "id": f"idle_{place}_{cls}",
                "class": cls,
                "place": place,
                "count": n,
                "available_from": _num(now),
            }
        )
    for i, it in enumerate(engine.transit):
        cls = it.group.vc.id
        if cls not in usable or it.vehicles <= 0:
            continue
        eta = it.eta
        d = engine.deadline[it.destination]
        if d is not None and eta >= d:
            continue
        if it.people > 0:
            eta += it.group.vc.turnaround  # free after the turnaround at the destination
        entry: dict[str, Any] = {
            "id": f"under_way_{i}_{it.group.id}".replace("/", "_")[:100],
            "class": cls,
            "place": it.destination,
            "count": it.vehicles,
            "available_from": _num(max(eta, now)),
        }
        record = after_trip(engine, it)
        if record is not None:
            entry["record"] = record
        stock.append(entry)
    fleet = data["fleet"]
    fleet["stock"] = with_records(engine, stock)  # sorties and duty flown so far

    yards = []
    for y in engine.yards:
        spec = y.spec
        if spec.vehicle_class not in usable or spec.place in engine.struck:
            continue
        if y.stop is not None and y.stop <= now:
            continue
        made = y.made(now)
        if spec.max_total is not None and made >= spec.max_total:
            continue
        schedule = []
        for per in spec.schedule:
            if per.end is not None and per.end <= now:
                continue
            item: dict[str, Any] = {
                "start": _num(max(per.start, now)),
                "rate": per.rate,
                "per": _num(per.per),
            }
            if per.end is not None:
                item["end"] = _num(per.end)
            schedule.append(item)
        if not schedule:
            continue
        yd: dict[str, Any] = {
            "id": spec.id,
            "place": spec.place,
            "class": spec.vehicle_class,
            "schedule": schedule,
        }
        if spec.max_total is not None:
            yd["max_total"] = spec.max_total - made
        if spec.available_from is not None and spec.available_from > now:
            yd["available_from"] = _num(spec.available_from)
        yards.append(yd)
    fleet["shipyards"] = yards

    kept_yards = {y["id"] for y in yards}
    fired = {e.id for e in engine.fired}
    events = []
    for e_data, e in zip(data.get("events", []), s.events, strict=True):
        if not e.enabled:
            continue
        if e.id not in fired:
            if e.at <= now and e.mode == "known":
                continue
            # stopping a shipyard that has nothing left to make is moot
            effects = [
                fx_data
                for fx_data, fx in zip(e_data["effects"], e.effects, strict=True)
                if not isinstance(fx, StopProduction) or fx.shipyard in kept_yards
            ]
            if effects:
                events.append(dict(e_data, effects=effects))
            continue
        lasting = []
        for fx_data, fx in zip(e_data["effects"], e.effects, strict=True):
            still_closed = isinstance(fx, CloseLane | ClosePlace) and (
                fx.until is None or fx.until > now
            )
            if isinstance(fx, CloseLane | ClosePlace) and _reopened(engine, e.at, fx):
                still_closed = False
            if still_closed or (
                isinstance(fx, WithdrawOperator) and fx.operator in engine.withdrawn
            ):
                lasting.append(fx_data)
        if lasting:
            kept = {k: v for k, v in e_data.items() if k in ("id", "name", "at", "notes")}
            kept.update(mode="known", effects=lasting)
            events.append(kept)
    if events:
        data["events"] = events
    else:
        data.pop("events", None)
    # the classes of a withdrawn operator stay declared (events refer to operators, stock to
    # classes) but have no vehicles left
    return from_dict(data, source=f"<state of {s.id} at {now:g}>")
