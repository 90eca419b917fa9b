"""The simulator's rules on small hand-made cases: waits, losses, events, noise."""

from __future__ import annotations

import evacuate
from evacuate.check import check
from evacuate.planio import Plan, Trip
from evacuate.scenario.model import Perturbations
from evacuate.simulation import SimResult, simulate

CALM = Perturbations()


def _scenario(
    town: str = "",
    shelter: str = "capacity: 1000",
    stock: str = "{class: bus, place: town, count: 2}",
    events: str = "[]",
    lanes: str = "",
    extra: str = "",
) -> evacuate.Scenario:
    routes = "lanes" if lanes else "all"
    return evacuate.loads(
        f"""
scenario: {{id: rules, time_unit: hour, end: 100}}
map: {{unit: km}}
places:
  - {{id: town, position: [0, 0], population: 100, deadline: 50{", " + town if town else ""}}}
  - {{id: shelter, position: [40, 0], {shelter}}}
  - {{id: depot, position: [-40, 0]}}
travel: {{routes: {routes}{", lanes: " + lanes if lanes else ""}}}
fleet:
  classes: [{{id: bus, capacity: 50, speed: 40 km/h, load_time: 1h, unload_time: 0h,
              operator: navy}}]
  stock: [{stock}]
events: {events}
{extra}
"""
    )


def _two_buses_at_once() -> list[Trip]:
    return [
        Trip("g1", "bus", 1, "town", 0.0, "shelter", 2.0, 50),
        Trip("g2", "bus", 1, "town", 0.0, "shelter", 2.0, 50),
    ]


def _departs(r: SimResult) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for e in r.events:
        if e.kind == "depart":
            out.setdefault(e.group, []).append(e.time)
    return out


def _kinds(r: SimResult, kind: str) -> list[evacuate.simulation.LogEvent]:
    return [e for e in r.events if e.kind == kind]


def test_berths_make_the_second_bus_wait() -> None:
    r = simulate(_scenario(town="berths: 1"), _two_buses_at_once(), policy="follow")
    assert _departs(r) == {"g1": [0.0], "g2": [1.0]}
    assert r.rescued == 100
    assert r.last_rescue == 3.0


def test_loading_rate_makes_the_second_bus_wait_for_the_next_hour() -> None:
    r = simulate(_scenario(town="load_per_hour: 60"), _two_buses_at_once(), policy="follow")
    assert _departs(r) == {"g1": [0.0], "g2": [1.0]}
    assert r.rescued == 100


def test_a_full_haven_turns_people_away_and_they_wait_there() -> None:
    r = simulate(_scenario(shelter="capacity: 60"), _two_buses_at_once(), policy="follow")
    assert r.rescued == 60
    assert [e.people for e in _kinds(r, "turned_away")] == [40]
    assert r.waiting_at_end == 40
    assert r.population == r.rescued + r.lost_people + r.waiting_at_end


def test_surprise_lane_closure_makes_a_follower_wait_for_it_to_reopen() -> None:
    s = _scenario(
        lanes="[{id: road, from: town, to: shelter, time: 1h}]",
        events=(
            "[{id: bridge, at: 0, mode: surprise, effects: "
            "[{type: close_lane, lane: road, until: 5}]}]"
        ),
    )
    trips = [Trip("g1", "bus", 2, "town", 0.0, "shelter", 2.0, 100)]
    r = simulate(s, trips, policy="follow")
    # loading must end when the lane opens: depart at 4, travel 5..6
    assert _departs(r) == {"g1": [4.0]}
    assert r.last_rescue == 6.0
    assert r.rescued == 100


def test_surprise_earlier_deadline_loses_the_people_still_there() -> None:
    s = _scenario(
        stock="{class: bus, place: depot, count: 2}",
        events=(
            "[{id: storm, at: 0.5, mode: surprise, effects: "
            "[{type: move_deadline, place: town, to: 1}]}]"
        ),
    )
    trips = [
        Trip("g1", "bus", 2, "depot", 0.0, "town", 1.0, 0),
        Trip("g1", "bus", 2, "town", 1.0, "shelter", 3.0, 100),
    ]
    r = simulate(s, trips, policy="follow")
    assert r.lost_by_place == {"town": 100}
    assert r.rescued == 0
    # the buses reached the town as the front did: arriving at the deadline is too late
    assert r.vehicles_lost == 2


def test_a_group_still_loading_when_the_hazard_strikes_is_lost_with_its_people() -> None:
    s = _scenario(town="open_from: 0")
    trips = [Trip("g1", "bus", 2, "town", 49.5, "shelter", 51.5, 100)]
    r = simulate(s, trips, policy="follow")
    assert r.rescued == 0
    assert r.lost_by_place == {"town": 100}  # where they were, not where they were going
    assert r.vehicles_lost == 2


def test_withdrawal_without_finishing_puts_people_back() -> None:
    s = _scenario(
        lanes="[{id: road, from: town, to: shelter, time: 10h}]",
        events=(
            "[{id: gone, at: 3, mode: surprise, effects: "
            "[{type: withdraw_operator, operator: navy, finish_current_trip: false}]}]"
        ),
    )
    trips = [Trip("g1", "bus", 2, "town", 0.0, "shelter", 11.0, 100)]
    r = simulate(s, trips, policy="follow")
    assert r.rescued == 0
    assert r.waiting_at_end == 0 and r.lost_by_place == {"town": 100}  # back, then the front
    # benched at the town, the buses are still there when the front strikes at 50: lost with
    # everything there (docs/model.md), no longer counted as withdrawn
    assert r.vehicles_lost == 2 and r.vehicles_withdrawn == 0


def test_a_withdrawn_operators_vehicles_at_a_struck_place_are_lost_as_the_checker_says() -> None:
    """A known withdrawal at the instant the town's deadline strikes: the bus the yard made
    by then waits there and is lost for the checker; the simulator counted it withdrawn."""
    data = _scenario(stock="{class: bus, place: town, count: 1}").to_data()
    data["fleet"]["shipyards"] = [
        {"id": "yard", "place": "town", "class": "bus", "schedule": [{"start": 0, "rate": 0.05}]}
    ]
    data["events"] = [
        {"id": "gone", "at": 50, "effects": [{"type": "withdraw_operator", "operator": "navy"}]}
    ]
    s = evacuate.scenario.from_dict(data)
    trips = [Trip("g1", "bus", 1, "town", 0.0, "shelter", 2.0, 50)]
    checked = check(s, Plan("rules", trips=tuple(trips)))
    assert checked.feasible, checked.violations
    r = simulate(s, trips, policy="follow")
    assert r.rescued == checked.rescued == 50
    assert checked.vehicles_lost == {"bus": 2}  # made at 20 and 40, at the town at 50
    assert r.vehicles_lost == 2 and r.vehicles_withdrawn == 1  # the bus at the shelter


def test_withdrawal_after_finishing_delivers_then_leaves() -> None:
    s = _scenario(
        lanes="[{id: road, from: town, to: shelter, time: 10h}]",
        events=(
            "[{id: gone, at: 3, mode: surprise, effects: "
            "[{type: withdraw_operator, operator: navy, finish_current_trip: true}]}]"
        ),
    )
    trips = [
        Trip("g1", "bus", 2, "town", 0.0, "shelter", 11.0, 100),
        Trip("g1", "bus", 2, "shelter", 11.0, "town", 21.0, 0),
    ]
    r = simulate(s, trips, policy="follow")
    assert r.rescued == 100
    assert r.vehicles_withdrawn == 2
    assert r.trips == 1


def test_a_surprise_destroys_vehicles_in_dock_not_stock_that_enters_later() -> None:
    """Stock enters at its available_from (docs/model.md): a raid at 5 destroys the 3 buses
    at the depot, not the 4 that enter there at 10."""
    s = _scenario(
        stock=(
            "{class: bus, place: depot, count: 3}, "
            "{id: late, class: bus, place: depot, count: 4, available_from: 10}"
        ),
        events=(
            "[{id: raid, at: 5, mode: surprise, effects: "
            "[{type: destroy_vehicles, place: depot, count: 5}]}]"
        ),
    )
    r = simulate(s, [], policy="follow")
    assert r.vehicles_lost == 3
    lost = _kinds(r, "lost_vehicles")
    assert sum(e.vehicles for e in lost) == 3 and {e.place for e in lost} == {"depot"}
    late = [(e.time, e.vehicles) for e in _kinds(r, "enter") if e.detail == "late"]
    assert late == [(10.0, 4)] and r.vehicles_entered == 7


def test_the_hazard_misses_stock_that_enters_after_it_struck() -> None:
    """The town's deadline strikes at 50: the 2 buses there are lost, not the one that
    enters at 60 (the checker counts the same)."""
    s = _scenario(
        stock="{class: bus, place: town, count: 2}, "
        "{class: bus, place: town, count: 1, available_from: 60}"
    )
    r = simulate(s, [], policy="follow")
    assert r.vehicles_lost == 2
    assert check(s, Plan("rules", trips=())).vehicles_lost == {"bus": 2}


def test_breakdowns_take_vehicles_out_after_they_deliver() -> None:
    s = _scenario()
    trips = [
        Trip("g1", "bus", 1, "town", 0.0, "shelter", 2.0, 50),
        Trip("g1", "bus", 1, "shelter", 2.0, "town", 3.0, 0),
    ]
    r = simulate(s, trips, policy="follow", perturbations=Perturbations(breakdowns=1))
    assert r.rescued == 50
    assert r.vehicles_broken == 1
    assert [e.detail for e in _kinds(r, "cancelled")] == ["no vehicles left in the group"]


def test_travel_noise_changes_arrivals_but_not_people() -> None:
    s = _scenario()
    trips = _two_buses_at_once()
    noisy = simulate(s, trips, policy="follow", perturbations=Perturbations(travel_cv=0.5))
    arrivals = sorted(e.time for e in _kinds(noisy, "arrive"))
    assert arrivals != [2.0, 2.0]
    assert noisy.rescued == 100


def test_production_is_counted_lazily_and_stops_at_the_event() -> None:
    s = _scenario(
        stock="{class: bus, place: depot, count: 0}",
        extra="",
    ).model_copy()
    data = s.to_data()
    data["fleet"]["shipyards"] = [
        {"id": "yard", "place": "depot", "class": "bus", "schedule": [{"start": 0, "rate": 2}]}
    ]
    data["events"] = [
        {
            "id": "strike",
            "at": 10,
            "mode": "surprise",
            "effects": [{"type": "stop_production", "shipyard": "yard"}],
        }
    ]
    s = evacuate.scenario.from_dict(data)
    r = simulate(s, [], policy="follow", perturbations=CALM)
    assert r.vehicles_entered == 20
    assert sum(e.vehicles for e in _kinds(r, "enter")) == 20
