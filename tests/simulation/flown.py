"""The undisturbed simulation of a plan flies it as planned: a check several suites share."""

from __future__ import annotations

from evacuate.plan.api import PlanResult
from evacuate.scenario.model import Perturbations
from evacuate.scenario.scenario import Scenario
from evacuate.simulation import simulate

__all__ = ["assert_flown_as_planned"]


def assert_flown_as_planned(scenario: Scenario, result: PlanResult) -> None:
    """Followed without noise or surprises, the plan rescues its count, and every trip departs
    as planned (group, time, origin, destination)."""
    sim = simulate(scenario, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(result.rescued)
    departs = sorted((e.group, e.time, e.place, e.other) for e in sim.events if e.kind == "depart")
    planned = sorted((t.group, t.depart, t.origin, t.destination) for t in result.plan.trips)
    assert departs == planned
