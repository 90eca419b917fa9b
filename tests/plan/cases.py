"""Small named scenarios shared by several test modules (file-format dicts or loaded).

``two_places`` is the shape most hand-written cases take: people at one place, a haven one
lane away, one vehicle class in stock; the cases add events or class fields to it.
"""

from __future__ import annotations

from typing import Any

import evacuate

__all__ = ["camp", "ferry", "staging", "two_places"]


def two_places(
    sid: str,
    end: float,
    source: dict[str, Any],
    haven: dict[str, Any],
    lane: tuple[str, float],
    vehicle: dict[str, Any],
    count: int,
    *,
    stock_at: str | None = None,
    events: list[dict[str, Any]] | None = None,
    time_unit: str | None = "hour",
) -> dict[str, Any]:
    """A scenario dict: ``source`` and ``haven`` joined by one lane ``(id, time)`` from the
    source, ``count`` vehicles of the class ``vehicle`` at ``stock_at`` (the source unless
    named), and ``events`` if given."""
    scenario: dict[str, Any] = {"id": sid, "end": end}
    if time_unit is not None:
        scenario["time_unit"] = time_unit
    data: dict[str, Any] = {
        "scenario": scenario,
        "places": [source, haven],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": lane[0], "from": source["id"], "to": haven["id"], "time": lane[1]}],
        },
        "fleet": {
            "classes": [vehicle],
            "stock": [{"class": vehicle["id"], "place": stock_at or source["id"], "count": count}],
        },
    }
    if events is not None:
        data["events"] = events
    return data


def ferry(**ship: Any) -> evacuate.Scenario:
    """A port of 1,000 with 2 ships of 50 seats at home, 1 h each way, over 24 h; ``ship``
    adds fields to the class (``turnaround``, ``max_sorties``, ``rest``)."""
    return evacuate.scenario.from_dict(
        two_places(
            "ferry",
            24,
            {"id": "port", "population": 1000},
            {"id": "home", "capacity": "unlimited"},
            ("sea", 1),
            {"id": "ship", "capacity": 50, **ship},
            2,
            stock_at="home",
        )
    )


def camp(bus_seats: int, road_hours: float) -> dict[str, Any]:
    """64 people at a camp that holds 100 but falls at 15, a haven for 200 a road of
    ``road_hours`` away, one bus of ``bus_seats`` at the haven, over 24: a threatened place
    that is safe only for a while (min makespan's shorter horizons must not make it a haven)."""
    return two_places(
        "camp",
        24,
        {"id": "camp", "population": 64, "deadline": 15, "capacity": 100},
        {"id": "haven", "capacity": 200},
        ("road", road_hours),
        {"id": "bus", "capacity": bus_seats},
        1,
        stock_at="haven",
        time_unit=None,
    )


def staging() -> dict[str, Any]:
    """10 people at a town, a camp that holds 10 but falls at 5 (a staging place: it holds
    people without being safe), a haven for 10; one bus of 5 at the town, lanes town-camp
    and camp-haven of 1 h each, over 10 h."""
    return {
        "scenario": {"id": "staging", "end": 10, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 10},
            {"id": "camp", "capacity": 10, "deadline": 5},
            {"id": "haven", "capacity": 10},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                {"id": "a", "from": "town", "to": "camp", "time": 1},
                {"id": "b", "from": "camp", "to": "haven", "time": 1},
            ],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 5}],
            "stock": [{"class": "bus", "place": "town", "count": 1}],
        },
    }
