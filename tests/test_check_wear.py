"""The checker's rules for parking stands, sortie limits and rest (docs/model.md): each
violation caught, each allowance honoured (a stand freed at t is free at t; a long enough
break is a rest; a new group takes the least worn vehicles at its place)."""

from __future__ import annotations

from typing import Any

import evacuate
from evacuate.check import check
from evacuate.planio import Plan, Trip

H = "helicopter"


def roof(stands: Any = 2, stock: int = 4, parked: int = 0, **heli: Any) -> evacuate.Scenario:
    """A roof of 400 with ``stands``, a ship 0.5 h away; helicopters of 12 that load and
    unload in 15 min, ``stock`` of them at the ship and ``parked`` on the roof."""
    return evacuate.scenario.from_dict(
        {
            "scenario": {"id": "roof", "end": 24, "time_unit": "hour"},
            "places": [
                {"id": "roof", "population": 400, "stands": stands},
                {"id": "ship", "capacity": "unlimited"},
            ],
            "travel": {
                "routes": "lanes",
                "lanes": [{"id": "air", "from": "roof", "to": "ship", "time": 0.5}],
            },
            "fleet": {
                "classes": [
                    {"id": H, "capacity": 12, "load_time": 0.25, "unload_time": 0.25, **heli},
                    {"id": "boat", "capacity": 50, "speed": 1},
                ],
                "stock": [
                    {"class": H, "place": "ship", "count": stock},
                    {"class": H, "place": "roof", "count": parked},
                ],
            },
        }
    )


def sortie(group: str, n: int, t: float) -> list[Trip]:
    """Fly empty to the roof from ``t``, load 12 x n there, back to the ship."""
    return [
        Trip(group, H, n, "ship", t, "roof", t + 0.5, 0),
        Trip(group, H, n, "roof", t + 0.5, "ship", t + 1.5, 12 * n),
    ]


def rules(sc: evacuate.Scenario, *trips: Trip) -> list[tuple[str, int | None, float]]:
    report = check(sc, Plan("roof", trips=trips))
    return [(v.rule, v.trip_index, v.amount) for v in report.violations]


def test_a_stand_freed_at_t_is_free_at_t() -> None:
    """Two on the roof load until 0.75; two more may land at 0.75, not at 0.7."""
    first = sortie("a", 2, 0.0)
    assert rules(roof(), *first, *sortie("b", 2, 0.25)) == []
    assert rules(roof(), *first, *sortie("b", 2, 0.2)) == [("stands", 2, 2.0)]


def test_stands_count_every_class_or_one() -> None:
    """With stands for helicopters alone, four may not land at once; with stands for boats
    alone, they may."""
    assert rules(roof({H: 2}), *sortie("a", 4, 0.0)) == [("stands", 0, 2.0)]
    assert rules(roof({"boat": 1}), *sortie("a", 4, 0.0)) == []


def test_vehicles_parked_at_a_place_hold_its_stands() -> None:
    """Two helicopters parked on the roof: no one lands until they have left (they load and
    leave at 1, their loading ends at 1.25)."""
    sc = roof(2, stock=1, parked=2)
    parked = Trip("p", H, 2, "roof", 1.0, "ship", 2.0, 24)
    assert rules(sc, parked, *sortie("b", 1, 0.0)) == [("stands", 1, 1.0)]
    assert rules(sc, parked, *sortie("b", 1, 0.75)) == []


def test_sorties_count_loaded_trips_of_the_vehicles_not_the_group() -> None:
    """max_sorties 1: a new group takes the fresh helicopter at the ship before the worn
    one; a third takes the worn one and breaks the limit."""
    sc = roof(stands=None, stock=2, max_sorties=1)
    a, b, c = sortie("a", 1, 0.0), sortie("b", 1, 2.0), sortie("c", 1, 4.0)
    assert rules(sc, *a, *b) == []
    assert rules(sc, *a, *b, *c) == [("sorties", 5, 1.0)]


def test_a_long_enough_break_is_a_rest() -> None:
    """rest after 2 h for 1 h: two sorties 0.5 h apart make a 3.5 h duty; 1 h apart, two
    duties of 1.5 h. Vehicles left idle that long are rested for the next group too."""
    sc = roof(stands=None, stock=1, rest={"after": 2, "for": 1})
    assert rules(sc, *sortie("a", 1, 0.0), *sortie("a", 1, 2.0)) == [
        ("rest", 2, 0.5),
        ("rest", 3, 1.5),
    ]
    assert rules(sc, *sortie("a", 1, 0.0), *sortie("a", 1, 2.5)) == []
    assert rules(sc, *sortie("a", 1, 0.0), *sortie("b", 1, 2.5)) == []
    assert rules(sc, *sortie("a", 1, 0.0), *sortie("b", 1, 2.0)) == [
        ("rest", 2, 0.5),
        ("rest", 3, 1.5),
    ]


def test_a_group_that_leaves_when_it_draws_is_checked_not_a_crash() -> None:
    """One empty trip of no duration between two places at one position (feasible: travel
    time 0) by a class with a sortie limit: the group leaves its vehicles when it draws them.
    Found by the mutation property (tests/test_check_mutations.py) on embassy_helicopters:
    the checker raised KeyError (``evacuate check``: an internal error, exit 1)."""
    sc = evacuate.loads(
        """
scenario: {id: edge, time_unit: hour, end: 10}
places:
  - {id: town, position: [0, 0], population: 10}
  - {id: camp, position: [0, 0], capacity: 100}
fleet:
  classes: [{id: bus, capacity: 10, speed: 1, max_sorties: 3}]
  stock: [{class: bus, place: town, count: 1}]
"""
    )
    plan = Plan("edge", trips=(Trip("g1", "bus", 1, "town", 1, "camp", 1, 0),))
    report = check(sc, plan)
    assert report.feasible, report.violations
    assert report.rescued == 0
