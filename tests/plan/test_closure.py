"""Known closures: the planner waits for a place to reopen instead of giving up on it."""

from __future__ import annotations

from typing import Any

import pytest

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from tests.plan.cases import two_places


def _town(closed: str | None) -> dict[str, Any]:
    """1,000 people (deadline 30 h), 2 buses of 50 seats, 1 h to the haven, loading and
    unloading 0.5 h each; maybe a known closure of a place from 5 h to 9 h."""
    events = [
        {"id": "shut", "at": 5, "effects": [{"type": "close_place", "place": closed, "until": 9}]}
    ]
    return two_places(
        "closure",
        40,
        {"id": "town", "population": 1000, "deadline": 30},
        {"id": "haven", "capacity": 2000},
        ("road", 1),
        {"id": "bus", "capacity": 50, "load_time": 0.5, "unload_time": 0.5},
        2,
        events=events if closed else [],
    )


@pytest.mark.parametrize(("closed", "best"), [(None, 1000), ("town", 900), ("haven", 900)])
def test_known_closure_is_waited_out(closed: str | None, best: int) -> None:
    """A round trip takes 3 h, so loads start at 0, 3, ..., 27 (ten, 1,000 people); closing
    the town or the haven from 5 h to 9 h costs exactly the load of 6 h (900)."""
    scenario = evacuate.scenario.from_dict(_town(closed))
    result = plan(scenario, time_limit=10)
    assert check(scenario, result.plan).feasible
    assert result.rescued == best
