"""Vehicles with different records at one place (a replan's state): the dispatcher hands out
their records as the model draws them, least worn first (plan/wear.py, pools), so a fresh
bus flies its full allowance beside a worn one; the checker agrees, the undisturbed
simulation flies the plan, and on a tiny case the plan meets the exhaustive optimum."""

from __future__ import annotations

from typing import Any

import pytest

from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.scenario import from_dict
from tests.oracle import exhaustive
from tests.simulation.flown import assert_flown_as_planned

SAFETY = 300.0
"""A safety stop far beyond these tiny plans' work budgets."""


def two_buses(
    first: int, second: int, people: int = 300, seats: int = 50, free: float = 2.5, end: int = 24
) -> Any:
    """A replan at ``free``: two buses at the haven, 1 h from the town, at most 3 sorties
    each, having flown ``first`` and ``second`` (two stock entries with their records)."""
    stock = [
        {"class": "bus", "place": "haven", "count": 1, "available_from": free,
         "record": {"sorties": flown}}
        for flown in (first, second)
    ]  # fmt: skip
    return from_dict(
        {
            "scenario": {"id": "replan", "end": end},
            "places": [{"id": "town", "population": people}, {"id": "haven", "capacity": 1000}],
            "travel": {
                "routes": "lanes",
                "lanes": [{"id": "road", "from": "town", "to": "haven", "time": 1}],
            },
            "fleet": {
                "classes": [{"id": "bus", "capacity": seats, "max_sorties": 3}],
                "stock": stock,
            },
        }
    )


@pytest.mark.parametrize(
    ("first", "second", "rescued"),
    [(2, 0, 200), (0, 2, 200), (1, 2, 150), (2, 2, 100)],
)
def test_each_bus_flies_the_sorties_it_has_left(first: int, second: int, rescued: int) -> None:
    """Sorties left: 1 + 3 = 4 loaded trips of 50 (200; the worst record for both gave 100),
    2 + 1 (150), 1 + 1 (100). The bound (which reads each record) proves each plan optimal;
    the checker and the undisturbed simulation agree."""
    sc = two_buses(first, second)
    result = plan(sc, time_limit=SAFETY)
    assert result.rescued == result.bound == rescued
    report = check(sc, result.plan)
    assert report.feasible, report.violations[:3]
    assert report.rescued == rescued
    assert_flown_as_planned(sc, result)


def test_the_oracle_agrees_on_a_tiny_pool() -> None:
    """One-seat buses, 6 people, free at 2 h, 10 h: the exhaustive optimum (each vehicle from
    its own record) is 4, and so is the plan."""
    sc = two_buses(2, 0, people=6, seats=1, free=2, end=10)
    assert exhaustive(sc).rescued == 4
    result = plan(sc, time_limit=SAFETY)
    assert result.rescued == 4
    assert check(sc, result.plan).feasible
