"""Hypothesis strategies for scenario data, shared by the test suite.

``scenarios()`` draws plain dicts in the file format that pass validation (warnings allowed):
a few places with positions, people, capacities and deadlines, classes, stock, shipyards,
lanes, events with every effect type, and variants. Sizes stay small so tests run fast.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["EFFECT_TYPES", "json_values", "scenarios", "texts"]

EFFECT_TYPES = (
    "destroy_vehicles",
    "stop_production",
    "close_lane",
    "close_place",
    "move_deadline",
    "withdraw_operator",
)

texts = st.text(st.characters(codec="utf-8"), max_size=12)
"""Free text for names, descriptions and notes (any printable Unicode)."""

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
"""Arbitrary JSON-like data."""

_UNIT_SECONDS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0}


def _time(draw: st.DrawFn, unit: str, high: float) -> Any:
    """A time in [0, high] (scenario units): a number, or a string such as '90min' or '2h'."""
    value = draw(st.floats(0, high))
    minutes = int(value * _UNIT_SECONDS[unit] / 60)  # rounded down, so still in range
    form = draw(st.sampled_from(["number", "min", "h"]))
    if form == "min":
        return f"{minutes}min"
    if form == "h" and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return value


def _maybe(
    draw: st.DrawFn, out: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]
) -> None:
    if draw(st.booleans()):
        out[key] = draw(strategy)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario as plain data (what ``yaml.safe_load`` of a good file gives)."""
    unit = draw(st.sampled_from(["minute", "hour", "day"]))
    end = draw(st.integers(10, 1000))
    meta: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)),
        "end": end,
    }
    if unit != "hour" or draw(st.booleans()):
        meta["time_unit"] = unit
    _maybe(draw, meta, "name", texts)
    _maybe(draw, meta, "description", texts)
    if draw(st.booleans()):
        dates = ["2383-01-01", "2030-06-01T06:30", "1999-12-31 23:59:59", "0001-01-01"]
        meta["start_date"] = draw(st.sampled_from(dates))
    kind = draw(st.sampled_from(["plane", "sphere"]))
    mapspec: dict[str, Any] = {"kind": kind}
    if draw(st.booleans()):
        mapspec["unit"] = draw(st.sampled_from(["m", "km", "mi", "nmi", "au", "ly"]))
    coord = st.floats(-1000, 1000, allow_nan=False)

    def position() -> Any:
        if kind == "sphere":
            return {"lat": draw(st.floats(-90, 90)), "lon": draw(st.floats(-180, 180))}
        return draw(st.lists(coord, min_size=2, max_size=3))

    routes = draw(st.sampled_from(["all", "lanes"]))
    hazard = None
    if draw(st.booleans()):
        hazard = {
            "origin": position(),
            "speed": draw(st.floats(0.1, 100)),
            "start": _time(draw, unit, end),
        }
        _maybe(draw, hazard, "max_radius", st.floats(0, 5000))
        _maybe(draw, hazard, "name", texts)

    n_places = draw(st.integers(2, 5))
    place_ids = [f"p{i}" for i in range(n_places)]
    places: list[dict[str, Any]] = []
    for pid in place_ids:
        role = draw(st.sampled_from(["threatened", "haven", "staging", "depot"]))
        place: dict[str, Any] = {"id": pid}
        if routes == "all" or draw(st.booleans()):
            place["position"] = position()
        if role == "threatened":
            place["population"] = draw(st.integers(0, 10**6))
            if draw(st.booleans()):
                place["arrivals"] = draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {"at": st.integers(0, end), "people": st.integers(0, 1000)}
                        ),
                        max_size=2,
                    )
                )
            if hazard is None or draw(st.booleans()):
                place["deadline"] = _time(draw, unit, end)
        elif role == "haven":
            place["capacity"] = draw(st.integers(1, 10**6))
            if hazard is not None:  # an explicit deadline after the horizon: safe by declaration
                place["deadline"] = end + draw(st.integers(1, 100))
        elif role == "staging":
            place["capacity"] = draw(st.integers(1, 10**4))
            place["population"] = draw(st.integers(0, 100))
            place["deadline"] = _time(draw, unit, end)
        _maybe(draw, place, "open_from", st.integers(0, end))
        _maybe(draw, place, "load_per_hour", st.floats(1, 10**4))
        _maybe(draw, place, "unload_per_hour", st.floats(1, 10**4))
        _maybe(draw, place, "berths", st.integers(1, 10))
        _maybe(draw, place, "name", texts)
        places.append(place)

    n_classes = draw(st.integers(1, 3))
    class_ids = [f"c{i}" for i in range(n_classes)]
    operators = draw(
        st.lists(
            st.sampled_from(["default", "navy", "army"]), min_size=n_classes, max_size=n_classes
        )
    )
    classes: list[dict[str, Any]] = []
    for cid, op in zip(class_ids, operators, strict=True):
        vc: dict[str, Any] = {"id": cid, "capacity": draw(st.integers(1, 5000))}
        if routes == "all" or draw(st.booleans()):
            vc["speed"] = draw(st.floats(0.01, 1000)) if draw(st.booleans()) else "50 km/h"
        _maybe(draw, vc, "load_time", st.floats(0, 10))
        _maybe(draw, vc, "unload_time", st.sampled_from(["30min", "2h", 1.5]))
        if op != "default" or draw(st.booleans()):
            vc["operator"] = op
        _maybe(draw, vc, "enabled", st.booleans())
        _maybe(draw, vc, "notes", texts)
        classes.append(vc)

    stock: list[dict[str, Any]] = []
    for k in range(draw(st.integers(0, 3))):
        entry: dict[str, Any] = {
            "class": draw(st.sampled_from(class_ids)),
            "place": draw(st.sampled_from(place_ids)),
            "count": draw(st.integers(0, 100)),
        }
        if draw(st.booleans()):
            entry["id"] = f"s{k}"
        _maybe(draw, entry, "available_from", st.integers(0, end))
        stock.append(entry)
    stock_ids = [s["id"] for s in stock if "id" in s]

    shipyards: list[dict[str, Any]] = []
    for k in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, end))
        period: dict[str, Any] = {"start": start, "rate": draw(st.floats(0, 50))}
        if draw(st.booleans()):
            period["end"] = start + draw(st.integers(1, 100))
        _maybe(draw, period, "per", st.sampled_from([1, "7d", "12h", 2.5]))
        yard: dict[str, Any] = {
            "id": f"y{k}",
            "place": draw(st.sampled_from(place_ids)),
            "class": draw(st.sampled_from(class_ids)),
            "schedule": [period],
        }
        _maybe(draw, yard, "max_total", st.integers(0, 10**4))
        _maybe(draw, yard, "available_from", st.integers(0, end))
        shipyards.append(yard)

    lanes: list[dict[str, Any]] = []
    pairs = [(a, b) for i, a in enumerate(place_ids) for b in place_ids[i + 1 :]]
    chosen = (
        list(pairs)
        if routes == "lanes"
        else draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True))
    )
    for k, (a, b) in enumerate(chosen):
        lane: dict[str, Any] = {"id": f"l{k}", "from": a, "to": b}
        _maybe(draw, lane, "bidirectional", st.booleans())
        if routes == "lanes" or draw(st.booleans()):
            lane["time"] = draw(st.floats(0, 100))  # lanes mode: every class can use every lane
        _maybe(draw, lane, "distance", st.floats(0, 1000))
        _maybe(draw, lane, "speed_factor", st.floats(0.1, 10))
        if draw(st.booleans()):
            lane["class_times"] = draw(
                st.dictionaries(st.sampled_from(class_ids), st.floats(0, 50), max_size=2)
            )
        if draw(st.booleans()):
            w_start = draw(st.integers(0, end))
            window: dict[str, Any] = {"start": w_start}
            if draw(st.booleans()):
                window["end"] = w_start + draw(st.integers(1, 50))
            lane["windows"] = [window]
        if draw(st.booleans()):
            every = draw(st.integers(1, 48))
            periodic: dict[str, Any] = {"every": every, "open_for": draw(st.integers(0, every))}
            _maybe(draw, periodic, "offset", st.integers(0, 24))
            lane["periodic"] = periodic
        lanes.append(lane)
    lane_ids = [ln["id"] for ln in lanes]

    def effect() -> dict[str, Any]:
        kinds = [t for t in EFFECT_TYPES if t != "stop_production" or shipyards]
        kind = draw(st.sampled_from(kinds))
        fx: dict[str, Any] = {"type": kind}
        if kind == "destroy_vehicles":
            fx["place"] = draw(st.sampled_from(place_ids))
            _maybe(
                draw, fx, "classes", st.lists(st.sampled_from(class_ids), min_size=1, max_size=2)
            )
            _maybe(draw, fx, "count", st.integers(0, 10))
        elif kind == "stop_production":
            fx["shipyard"] = draw(st.sampled_from([y["id"] for y in shipyards]))
        elif kind == "close_lane":
            if lane_ids and draw(st.booleans()):
                fx["lane"] = draw(st.sampled_from(lane_ids))
            else:
                fx["between"] = list(draw(st.sampled_from(pairs)))
        elif kind in ("close_place", "move_deadline"):
            fx["place"] = draw(st.sampled_from(place_ids))
        else:
            fx["operator"] = draw(st.sampled_from(operators))
            _maybe(draw, fx, "finish_current_trip", st.booleans())
        return fx

    events: list[dict[str, Any]] = []
    for k in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, end))
        effects = [effect() for _ in range(draw(st.integers(1, 3)))]
        for fx in effects:
            if fx["type"] in ("close_lane", "close_place") and draw(st.booleans()):
                fx["until"] = at + draw(st.integers(1, 50))
            elif fx["type"] == "move_deadline":
                fx["to"] = draw(st.integers(0, end))
        event: dict[str, Any] = {"id": f"e{k}", "at": at, "effects": effects}
        _maybe(draw, event, "mode", st.sampled_from(["known", "surprise"]))
        _maybe(draw, event, "enabled", st.booleans())
        _maybe(draw, event, "reported_casualties", st.integers(0, 10**5))
        events.append(event)
    event_ids = [e["id"] for e in events]

    variants: dict[str, Any] = {}
    for k in range(draw(st.integers(0, 2))):
        variant: dict[str, Any] = {}
        _maybe(draw, variant, "description", texts)
        if event_ids:
            _maybe(
                draw,
                variant,
                "events",
                st.dictionaries(st.sampled_from(event_ids), st.booleans(), max_size=2),
            )
        _maybe(
            draw,
            variant,
            "classes",
            st.dictionaries(st.sampled_from(class_ids), st.booleans(), max_size=2),
        )
        if stock_ids:
            _maybe(
                draw,
                variant,
                "stock",
                st.dictionaries(st.sampled_from(stock_ids), st.integers(0, 50), max_size=2),
            )
        variants[f"v{k}"] = variant

    data: dict[str, Any] = {
        "scenario": meta,
        "map": mapspec,
        "places": places,
        "fleet": {"classes": classes, "stock": stock, "shipyards": shipyards},
        "travel": {"routes": routes, "lanes": lanes},
        "events": events,
        "variants": variants,
    }
    if hazard is not None:
        data["hazard"] = hazard
    if draw(st.booleans()):
        data["perturbations"] = {
            "travel_cv": draw(st.floats(0, 5)),
            "breakdowns": draw(st.floats(0, 1)),
        }
    return data
