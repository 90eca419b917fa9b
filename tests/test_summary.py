"""Scenario summaries: production by schedule, fleet over time, milestones, effects in words."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate
from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario

SMALL = """\
scenario: {id: small, time_unit: day, end: 20}
places:
  - {id: yard, position: [0, 0]}
  - {id: town, position: [1, 0], population: 100, deadline: 10}
  - {id: camp, position: [2, 0], capacity: 500}
fleet:
  classes: [{id: bus, capacity: 10, speed: 1}]
  stock: [{id: old_buses, class: bus, place: yard, count: 3, available_from: 2}]
  shipyards:
    - id: works
      place: yard
      class: bus
      max_total: 100
      schedule: [{start: 0, rate: 10}]
events:
  - id: strike
    at: 5
    effects: [{type: stop_production, shipyard: works}]
"""


@pytest.fixture(scope="module")
def romulan() -> Scenario:
    return evacuate.load()


def test_utopia_planitia_production(romulan: Scenario) -> None:
    """Utopia Planitia follows its schedule: 25/week in 2383, then 125/week, capped at 9,500.

    By day 364: 364 * 25/7 = 1,300. By day 823: (365 * 25 + 458 * 125) / 7 = 66,375 / 7
    = 9,482.14 -> 9,482. By day 824: (9,125 + 459 * 125) / 7 = 66,500 / 7 = 9,500 exactly,
    the cap; later days stay at 9,500.
    """
    yard = romulan.fleet.shipyards[0]
    assert summary.produced(yard, 0) == 0
    assert summary.produced(yard, 364) == 1300
    assert summary.produced(yard, 823) == 9482
    assert summary.produced(yard, 824) == 9500
    assert summary.produced(yard, 1660) == 9500
    assert summary.completion_time(yard) == pytest.approx(824)


def test_romulan_armada_over_time(romulan: Scenario) -> None:
    """The armada numbers 10,000 on day 824 (500 first hulls + 9,500 built) but may leave only
    on 840.

    Day 823: 500 + 9,482 = 9,982 built, none ready. Day 824: 500 + 9,500 = 10,000, none ready
    (the yards' output is held until day 840). Day 840: all 10,000 ready.
    """
    assert summary.fleet_at(romulan, 823)["wallenberg_armada"] == summary.FleetCount(9982, 0)
    at_824 = summary.fleet_at(romulan, 824)["wallenberg_armada"]
    assert (at_824.total, at_824.ready, at_824.held) == (10_000, 0, 10_000)
    assert summary.fleet_at(romulan, 840)["wallenberg_armada"] == summary.FleetCount(10_000, 10_000)
    assert summary.fleet_at(romulan, 0)["starfleet_relief_task_force"] == summary.FleetCount(10, 10)


def test_disabled_classes_are_left_out(romulan: Scenario) -> None:
    """Disabled classes are not counted; a variant that enables one brings it in."""
    assert "mothballed_reserve" not in summary.fleet_at(romulan, 1000)
    revised = romulan.variant("picard_revised_plan")
    assert summary.fleet_at(revised, 899)["mothballed_reserve"] == summary.FleetCount(1000, 0)
    assert summary.fleet_at(revised, 900)["mothballed_reserve"] == summary.FleetCount(1000, 1000)


def test_romulan_milestones(romulan: Scenario) -> None:
    """Milestones run from 0 to the horizon through the yard's changes and the events."""
    times = [snap.time for snap in summary.fleet_over_time(romulan)]
    assert times[0] == 0 and times[-1] == 1660
    assert [round(t) for t in times[1:-1]] == [365, 824, 825, 832, 840]
    last = summary.fleet_over_time(romulan)[-1]
    assert last.seats_ready == 10 * 15_000 + 15 * 2_500 + 10_000 * 2_500


def test_known_stop_production_cuts_output() -> None:
    """A known stop_production event ends production at its time: 10/day for 5 days = 50."""
    s = evacuate.loads(SMALL)
    yard = s.fleet.shipyards[0]
    assert summary.production_stop(s, "works") == 5
    assert summary.produced(yard, 8) == 80
    assert summary.produced(yard, 8, stop=5) == 50
    assert summary.completion_time(yard) == pytest.approx(10)
    assert summary.completion_time(yard, stop=5) is None
    assert summary.fleet_at(s, 1)["bus"] == summary.FleetCount(3 + 10, 10)
    assert summary.fleet_at(s, 8)["bus"] == summary.FleetCount(3 + 50, 53)


def test_place_rows(romulan: Scenario) -> None:
    """Place rows give roles (enabled fleets only) and hazard deadlines."""
    rows = {r.id: r for r in summary.place_rows(romulan)}
    assert rows["romulus"].roles == ("people",)  # the Romulan fleet there is disabled
    assert rows["federation_border_worlds"].roles == ("haven", "depot")
    assert rows["romulus"].deadline == 1623 and rows["romulus"].deadline_source == "hazard"
    assert rows["vashti"].roles == ("haven",)
    assert rows["mars"].roles == ("yard",)  # the armada is all built there


def test_words(romulan: Scenario) -> None:
    """Effects, variants and times read as words, with calendar dates."""
    attack = romulan.events[0]
    assert [summary.describe_effect(romulan, fx) for fx in attack.effects] == [
        "destroy all wallenberg_armada vehicles at mars",
        "stop production at utopia_planitia",
    ]
    assert summary.describe_variant(romulan, "no_sabotage") == [
        "event attack_on_mars: off",
        "event starfleet_withdrawal: off",
    ]
    assert summary.format_time(romulan, 825) == "day 825 (2385-04-05)"


def test_effective_deadline_follows_known_moves() -> None:
    """A known move_deadline sets max(to, at), unless the place was lost before the event."""
    base = evacuate.loads(SMALL)
    assert summary.effective_deadline(base, "town") == 10
    moved = evacuate.loads(
        SMALL
        + "  - {id: earlier, at: 4, effects: [{type: move_deadline, place: town, to: 6}]}\n"
        + "  - {id: too_late, at: 7, effects: [{type: move_deadline, place: town, to: 2}]}\n"
        + "  - {id: after_loss, at: 9, effects: [{type: move_deadline, place: town, to: 15}]}\n"
        + "  - {id: flood, at: 12, effects: [{type: move_deadline, place: camp, to: 13}]}\n"
    )
    # day 4: 10 -> 6; the moves on days 7 and 9 come after the town was lost: no change
    assert summary.effective_deadline(moved, "town") == 6
    assert moved.deadline("town") == 10
    # the camp gets a deadline before the horizon (20): no longer a haven but a staging place
    assert summary.effective_deadline(moved, "camp") == 13
    assert not summary.is_haven(moved, "camp")
    rows = {r.id: r for r in summary.place_rows(moved)}
    assert rows["town"].deadline_source == "event" and rows["town"].base_deadline == 10
    assert rows["camp"].roles == ("staging",)


def test_hurricane_faster_storm_moves_deadlines() -> None:
    """In the hurricane's faster_storm variant the town's deadlines come three hours early."""
    path = Path(__file__).resolve().parent.parent / "examples" / "hurricane_bus.yaml"
    storm = evacuate.load(path).variant("faster_storm")
    assert summary.effective_deadline(storm, "surfside_island") == 9
    assert summary.effective_deadline(storm, "harbor_district") == 13
