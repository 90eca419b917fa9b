"""Parking stands, sortie limits and rest in the simulator: a plan that passes the checker is
flown to the instant; a plan that asks too much meets the world's limits (a group holds off
until a stand frees, waits for its crew's rest, or is cancelled when no sortie is left)."""

from __future__ import annotations

from typing import Any

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.planio import Plan, Trip
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from tests.test_check_wear import H, roof, sortie


def run(sc: evacuate.Scenario, *trips: Trip) -> list[Any]:
    """The simulation's log of a plan flown as it is (no noise)."""
    result = simulate(sc, Plan("roof", trips=trips), policy="follow", perturbations=Perturbations())
    return list(result.events)


def test_the_roof_plan_is_flown_to_the_instant() -> None:
    """Two stands, 4 helicopters: the planner's plan (pairs taking turns) is flown as planned."""
    sc = roof(2, stock=4)
    result = plan(sc, time_limit=5)
    assert check(sc, result.plan).feasible
    sim = simulate(sc, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(result.rescued)
    flown = sorted((e.group, e.time) for e in sim.events if e.kind == "arrive")
    assert flown == sorted((t.group, t.arrive) for t in result.plan.trips)


def test_a_group_holds_off_until_a_stand_frees() -> None:
    """Four helicopters sent to a two-stand roof at once: the second pair lands when the
    first has loaded (0.75), not at 0.5; everyone still gets out, later."""
    log = run(roof(2), *sortie("a", 2, 0.0), *sortie("b", 2, 0.0))
    at_roof = {e.group: e.time for e in log if e.kind == "arrive" and e.place == "roof"}
    assert at_roof["a"] == 0.5
    assert at_roof["b"] == 0.75


def test_no_sortie_left_cancels_the_trip() -> None:
    """max_sorties 1: the group's second loaded trip is cancelled, with the reason."""
    sc = roof(stands=None, stock=1, max_sorties=1)
    log = run(sc, *sortie("a", 1, 0.0), *sortie("a", 1, 2.0))
    cancelled = [e for e in log if e.kind == "cancelled"]
    assert len(cancelled) == 1 and "no sorties left" in cancelled[0].detail
    assert sum(e.people for e in log if e.kind == "arrive" and e.place == "ship") == 12


def test_a_tired_crew_waits_for_its_rest() -> None:
    """rest after 2 h for 1 h: a sortie planned 0.5 h after the first would make a 3.5 h duty;
    the group leaves after its rest (1.5 + 1 = 2.5) instead."""
    sc = roof(stands=None, stock=1, rest={"after": 2, "for": 1})
    log = run(sc, *sortie("a", 1, 0.0), *sortie("a", 1, 2.0))
    departs = [e.time for e in log if e.kind == "depart" and e.group == "a"]
    assert departs == [0.0, 0.5, 2.5, 3.0]
    assert H in {e.vehicle_class for e in log}
