"""Hypothesis strategy for tiny integer scenarios that the exhaustive oracle can solve.

Two or three places (a town, a haven, and a depot, second haven, staging place, transfer hub
or second town), lanes with whole travel times and maybe windows, one or two classes, at most
``max_vehicles`` vehicles, a few people, and maybe a known closure or withdrawal.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["tiny_scenarios"]


@st.composite
def tiny_scenarios(draw: st.DrawFn, max_vehicles: int = 3, max_end: int = 7) -> dict[str, Any]:
    """A scenario dict in the file format (hours, integer times)."""
    end = draw(st.integers(3, max_end))
    town: dict[str, Any] = {"id": "town", "population": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        town["deadline"] = draw(st.integers(max(1, end // 2), end + 1))
    if draw(st.integers(0, 3)) == 0:
        town["open_from"] = draw(st.integers(0, 2))
    if draw(st.integers(0, 3)) == 0:
        town["arrivals"] = [{"at": draw(st.integers(1, 3)), "people": draw(st.integers(1, 2))}]
    places = [town, {"id": "camp", "capacity": draw(st.integers(2, 8))}]
    kind = draw(st.sampled_from(["none", "depot", "haven", "staging", "hub", "town"]))
    if kind != "none":
        third: dict[str, Any] = {"id": "third"}
        if kind == "haven":
            third["capacity"] = draw(st.integers(1, 6))
        elif kind == "staging":
            third["capacity"] = draw(st.integers(1, 5))
            third["deadline"] = draw(st.integers(2, end))
        elif kind == "town":
            third["population"] = draw(st.integers(1, 3))
            if draw(st.booleans()):
                third["deadline"] = draw(st.integers(1, end + 1))
        places.append(third)
    ids = [p["id"] for p in places]
    must = {(0, 1)}
    if len(ids) == 3:
        must.add(draw(st.sampled_from([(0, 2), (1, 2)])))
    lanes: list[dict[str, Any]] = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            if (a, b) not in must and not draw(st.booleans()):
                continue
            lane: dict[str, Any] = {
                "id": f"{ids[a]}-{ids[b]}",
                "from": ids[a],
                "to": ids[b],
                "time": draw(st.sampled_from([1, 1, 2, 3])),
            }
            if draw(st.integers(0, 3)) == 0:
                start = draw(st.integers(0, end))
                window: dict[str, Any] = {"start": start}
                if draw(st.booleans()):
                    window["end"] = draw(st.integers(start + 1, end + 1))
                lane["windows"] = [window]
            lanes.append(lane)
            if draw(st.integers(0, 3)) == 0:  # one way, maybe another time back
                lane["bidirectional"] = False
                if draw(st.booleans()):
                    back = draw(st.sampled_from([1, 2, 3, 4]))
                    lanes.append(
                        {"id": f"{ids[b]}-{ids[a]}", "from": ids[b], "to": ids[a], "time": back}
                    )
    n_classes = draw(st.integers(1, 2))
    classes = [
        {
            "id": f"c{n}",
            "capacity": draw(st.integers(1, 3)),
            "load_time": draw(st.integers(0, 1)),
            "unload_time": draw(st.integers(0, 1)),
            "operator": f"op{n}",
        }
        for n in range(n_classes)
    ]
    stock: list[dict[str, Any]] = []
    left = draw(st.integers(1, max_vehicles))
    while left > 0:
        count = draw(st.integers(1, left))
        stock.append(
            {
                "class": f"c{draw(st.integers(0, n_classes - 1))}",
                "place": draw(st.sampled_from(ids)),
                "count": count,
                "available_from": draw(st.sampled_from([0, 0, 1, 2])),
            }
        )
        left -= count
    events: list[dict[str, Any]] = []
    what = draw(st.sampled_from(["none", "none", "close_place", "close_lane", "withdraw"]))
    at = draw(st.integers(0, end))
    if what == "close_place":
        eff: dict[str, Any] = {"type": "close_place", "place": draw(st.sampled_from(ids))}
        if draw(st.booleans()):
            eff["until"] = draw(st.integers(at + 1, end + 1))
        events.append({"id": "ev", "at": at, "effects": [eff]})
    elif what == "close_lane":
        lane_id = draw(st.sampled_from([ln["id"] for ln in lanes]))
        eff = {"type": "close_lane", "lane": lane_id, "until": draw(st.integers(at + 1, end + 1))}
        events.append({"id": "ev", "at": at, "effects": [eff]})
    elif what == "withdraw":
        eff = {
            "type": "withdraw_operator",
            "operator": "op0",
            "finish_current_trip": draw(st.booleans()),
        }
        events.append({"id": "ev", "at": max(at, 1), "effects": [eff]})
    return {
        "scenario": {"id": "tiny", "end": end, "time_unit": "hour"},
        "places": places,
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {"classes": classes, "stock": stock},
        "events": events,
    }
