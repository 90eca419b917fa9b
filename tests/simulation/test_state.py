"""The state of an operation at time t, as a scenario to replan from."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.api import plan, reveal_surprises
from evacuate.simulation import run_to, state_scenario
from evacuate.simulation.engine import Engine
from tests.plan.tiny import tiny_scenarios

ROMULAN = evacuate.load()


def _to_rescue(s: evacuate.Scenario, after: float) -> int:
    """People the state still has to rescue: waiting now, or arriving after ``after``."""
    total = 0
    for p in s.places:
        if s.is_haven(p.id):
            continue
        total += p.population + sum(a.people for a in p.arrivals if a.at > after - 1e-9)
    return total


def _arriving_later(s: evacuate.Scenario, after: float) -> int:
    return sum(
        a.people for p in s.places if not s.is_haven(p.id) for a in p.arrivals if a.at > after
    )


def _doomed_on_board(e: Engine) -> int:
    n = 0
    for it in e.transit:
        d = e.deadline[it.destination]
        if not e.haven[it.destination] and d is not None and it.eta >= d:
            n += it.people
    return n


def test_romulan_state_after_the_attack() -> None:
    """After the attack: no armada, the relief fleet where it stands, the withdrawal still a
    surprise, and the people so far lost or rescued left out."""
    s = ROMULAN.variant("historical")
    trips = list(plan(s, time_limit=10).plan.trips)
    e = run_to(s, trips, 825.0)
    state = state_scenario(e, 825.0)
    classes = {x.vehicle_class for x in state.fleet.stock}
    assert "wallenberg_armada" not in classes
    assert not state.fleet.shipyards
    assert [ev.id for ev in state.events] == ["starfleet_withdrawal"]
    assert state.events[0].mode == "surprise"
    assert all(x.available_from >= 825 for x in state.fleet.stock)
    assert _to_rescue(state, 825.0) == s.population - e.rescued() - e.lost_people
    # a valid scenario file, the same after a round trip
    assert evacuate.loads(evacuate.dumps(state)) == state
    # and the planner's bound from it cannot exceed what hindsight allows from time zero
    known = plan(reveal_surprises(s), time_limit=10)
    from_state = plan(reveal_surprises(state), time_limit=10)
    assert e.rescued() + from_state.rescued <= known.bound + 1e-6


def test_state_at_time_zero_keeps_everyone_and_every_vehicle() -> None:
    s = evacuate.load(
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "examples"
        / "hurricane_bus.yaml"
    )
    e = run_to(s, [], 0.0)
    state = state_scenario(e, 0.0)
    assert _to_rescue(state, 0.0) == _to_rescue(s, 0.0)
    enabled = {c.id for c in s.enabled_classes}
    assert sum(x.count for x in state.fleet.stock) == sum(
        x.count for x in s.fleet.stock if x.vehicle_class in enabled
    )
    # held stock stays held
    assert {x.available_from for x in state.fleet.stock} == {
        x.available_from for x in s.fleet.stock if x.vehicle_class in enabled
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tiny_scenarios(max_vehicles=4), st.floats(0, 1))
@example(  # people arriving at a place after its deadline are lost on arrival
    data={
        "scenario": {"id": "tiny", "end": 3, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 1, "deadline": 1, "arrivals": [{"at": 2, "people": 1}]},
            {"id": "camp", "capacity": 2},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "town-camp", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {
            "classes": [
                {"id": "c0", "capacity": 1, "load_time": 0, "unload_time": 0, "operator": "op0"}
            ],
            "stock": [{"class": "c0", "place": "town", "count": 1}],
        },
        "events": [],
    },
    frac=1.0,
)
def test_state_at_any_time_is_valid_and_accounts_for_everyone(
    data: dict[str, Any], frac: float
) -> None:
    """At any time of a plan's run, the state is a valid scenario, and the people in it plus
    those rescued or lost so far (or on board a trip that arrives too late) are everyone
    who has appeared."""
    s = evacuate.scenario.from_dict(data)
    trips = list(plan(s, time_limit=1).plan.trips)
    t = round(frac * s.end, 3)
    e = run_to(s, trips, t)
    state = state_scenario(e, t)
    waiting_now = sum(
        p.population for p in state.places if not state.is_haven(p.id)
    ) + sum(  # people on board trips to places that are not havens come as arrivals
        a.people for p in state.places if not state.is_haven(p.id) for a in p.arrivals if a.at >= t
    )
    later = sum(a.people for p in s.places if not e.haven[p.id] for a in p.arrivals if a.at > t)
    on_board_to_havens = sum(it.people for it in e.transit if e.haven[it.destination])
    assert waiting_now - later + on_board_to_havens + _doomed_on_board(e) == (
        e.waiting() + e.on_board()
    )
    assert e.population == e.rescued() + e.lost_people + e.waiting() + e.on_board()
