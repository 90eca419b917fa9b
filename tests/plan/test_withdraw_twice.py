"""An operator withdrawn twice: first letting trips under way finish, later without (the
checker applies each withdrawal: no trip may be under way at the second). Found by the
planner property at 1,000 examples: plans had trips under way at the later withdrawal."""

from __future__ import annotations

import pytest

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan

# depot -> town 0-1 (empty), town -> camp 1-3 (loaded); the van's operator withdraws at 1.5
# (trips under way finish) and again at HARD without letting them finish
TEXT = """
scenario: {{id: twice, end: 8}}
places:
  - {{id: town, population: 2, deadline: 6}}
  - {{id: camp, capacity: 10}}
  - {{id: depot}}
travel:
  routes: lanes
  lanes:
    - {{id: a, from: depot, to: town, time: 1}}
    - {{id: b, from: town, to: camp, time: 2}}
fleet:
  classes: [{{id: van, capacity: 2}}]
  stock: [{{class: van, place: depot, count: 1}}]
events:
  - {{id: soft, at: 1.5, effects: [{{type: withdraw_operator, operator: default,
      finish_current_trip: true}}]}}
  - {{id: hard, at: {hard}, effects: [{{type: withdraw_operator, operator: default,
      finish_current_trip: false}}]}}
"""


@pytest.mark.parametrize(("hard", "best"), [(2.5, 0), (3, 2), (1.0, 0)])
def test_a_later_withdrawal_without_finishing_ends_trips_under_way(hard: float, best: int) -> None:
    """The loaded trip (1-3) is under way at 2.5: not allowed; it ends at 3: allowed. A hard
    withdrawal at 1 comes first (the van is still on its way to the town)."""
    scenario = evacuate.loads(TEXT.format(hard=hard))
    result = plan(scenario, time_limit=5)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert result.rescued == best
    assert result.rescued <= result.bound + 1e-9
