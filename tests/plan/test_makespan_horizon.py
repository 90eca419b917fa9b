"""Min makespan's shorter horizons keep the scenario's havens: a threatened place whose
deadline falls after a probe's horizon is no haven there, so its own people still need
rescue and the lower bound stays below the makespan."""

from __future__ import annotations

from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.scenario import from_dict
from tests.plan.cases import camp


def test_a_place_safe_only_for_a_while_does_not_lift_the_lower_bound() -> None:
    """64 people at a camp (room for 100, falls at 15); one bus of 64 an hour away: out by
    1, back by 2 (hand-solved makespan 2). The lower bound was 14.99 when probes made the
    camp a haven at horizons before 15; it must be at most 2."""
    data = camp(bus_seats=64, road_hours=1)
    s = from_dict(data)
    result = plan(s, objective="min-makespan", time_limit=300)
    assert result.rescued == 64 and result.makespan == 2
    assert result.makespan_lower_bound is not None
    assert 1 < result.makespan_lower_bound <= 2
    assert check(s, result.plan).feasible
