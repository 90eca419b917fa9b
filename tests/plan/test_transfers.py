"""Moves between havens: people go on only away from the people still to rescue, never back
and forth (the airlift example's plan ended at 99 h instead of 78.25 h while people shuttled
between Tamsin and Port Aurel)."""

from __future__ import annotations

from pathlib import Path

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan

AIRLIFT = Path(__file__).resolve().parents[2] / "examples" / "airlift.yaml"


def test_people_move_between_havens_only_away_from_the_sources() -> None:
    """Kessra's people fly to Tamsin (2.5 h) or Port Aurel (5.5 h, night only); Lindholm is
    reached only from Tamsin. Onward flights go Tamsin -> Port Aurel or Lindholm, Port Aurel
    -> Lindholm; never back towards Kessra. Everyone is rescued and the plan is accepted."""
    scenario = evacuate.load(AIRLIFT)
    result = plan(scenario, time_limit=120)
    assert result.rescued == result.population == 30_000
    # the quickest loaded flight from Kessra to each haven (hours), from the file
    nearness = {"tamsin_ab": 2.5, "port_aurel": 5.5, "lindholm_ab": float("inf")}
    onward = [t for t in result.plan.trips if t.people and t.origin in nearness]
    assert onward, "the staging base must be emptied onwards"
    for t in onward:
        assert nearness[t.destination] > nearness[t.origin], t
    # no shuttling back and forth: the last people land well before the 99 h of that plan
    assert max(t.arrive for t in result.plan.trips if t.people) < 90
    report = check(scenario, result.plan)
    assert report.feasible and report.rescued == 30_000
