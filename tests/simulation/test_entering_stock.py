"""Stock enters its place at ``available_from`` (docs/model.md): the simulator, like the
checker, lets a damage or destruction there before that instant miss it, and hits it from
that instant on."""

from __future__ import annotations

from typing import Any

import pytest

import evacuate
from evacuate.check import check
from evacuate.planio import Plan, Trip
from evacuate.simulation import simulate


def _depot(available_from: float, mode: str, effect: str) -> evacuate.Scenario:
    """A van of 2 seats entering a depot at ``available_from``; the town (10 people) 1 h
    away, the camp 1 h on; 10 h; an event at 1 hits every vehicle at the depot (a damage
    until 6, or a destruction)."""
    fx: dict[str, Any] = {"type": effect, "place": "depot"}
    if effect == "damage_vehicles":
        fx["until"] = 6
    data: dict[str, Any] = {
        "scenario": {"id": "depot", "end": 10, "time_unit": "hour"},
        "places": [
            {"id": "depot"},
            {"id": "town", "population": 10},
            {"id": "camp", "capacity": 100},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                {"id": "dt", "from": "depot", "to": "town", "time": 1},
                {"id": "tc", "from": "town", "to": "camp", "time": 1},
            ],
        },
        "fleet": {
            "classes": [{"id": "van", "capacity": 2}],
            "stock": [
                {
                    "id": "van",
                    "class": "van",
                    "place": "depot",
                    "count": 1,
                    "available_from": available_from,
                }
            ],
        },
        "events": [{"id": "raid", "at": 1, "mode": mode, "effects": [fx]}],
    }
    return evacuate.scenario.from_dict(data)


def _leaving_at_2() -> Plan:
    """The van leaves the depot at 2 and makes 4 loaded trips (arrivals 4, 6, 8, 10): 8."""
    legs = [("depot", 2, "town", 3, 0)]
    for k in range(4):
        legs += [("town", 3 + 2 * k, "camp", 4 + 2 * k, 2)]
        if k < 3:
            legs += [("camp", 4 + 2 * k, "town", 5 + 2 * k, 0)]
    trips = tuple(Trip("g", "van", 1, o, d, j, a, n) for o, d, j, a, n in legs)
    return Plan("depot", trips=trips)


@pytest.mark.parametrize("effect", ["damage_vehicles", "destroy_vehicles"])
@pytest.mark.parametrize("mode", ["known", "surprise"])
def test_stock_entering_after_the_event_runs_the_plan_undisturbed(mode: str, effect: str) -> None:
    """The van enters at 2, after the raid at 1: the checker accepts the plan of 8 and the
    simulator, following it, rescues 8, departs when the plan says and hits no vehicle."""
    s = _depot(2, mode, effect)
    report = check(s, _leaving_at_2())
    assert report.feasible and report.rescued == 8, report.violations[:3]
    r = simulate(s, _leaving_at_2(), policy="follow")
    assert r.rescued == 8
    assert r.vehicles_lost == 0
    assert not [e for e in r.events if e.kind in ("damaged", "lost_vehicles", "cancelled")]
    assert [(e.time, e.vehicles) for e in r.events if e.kind == "enter"] == [(2.0, 1)]
    departs = [e.time for e in r.events if e.kind == "depart"]
    assert departs == [tr.depart for tr in _leaving_at_2().trips]


@pytest.mark.parametrize("effect", ["damage_vehicles", "destroy_vehicles"])
def test_stock_entering_at_the_event_is_hit(effect: str) -> None:
    """The van enters at 1, the instant of the raid: it is there, so the checker refuses the
    plan leaving at 2 (the van is not in the depot's inventory) and the simulator hits it."""
    s = _depot(1, "known", effect)
    report = check(s, _leaving_at_2())
    assert "inventory" in {v.rule for v in report.violations}
    r = simulate(s, _leaving_at_2(), policy="follow")
    kind = "damaged" if effect == "damage_vehicles" else "lost_vehicles"
    assert [(e.time, e.vehicles) for e in r.events if e.kind == kind] == [(1.0, 1)]
    assert r.rescued < 8
