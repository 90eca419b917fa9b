"""Vehicles with different records at one place (a replan's state): the dispatcher hands out
their records as the model draws them, least worn first (plan/wear.py, pools), so a fresh
bus flies its full allowance beside a worn one; the checker agrees, the undisturbed
simulation flies the plan, and on a tiny case the plan meets the exhaustive optimum."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.scenario import from_dict
from tests.oracle import exhaustive
from tests.plan.tiny import tiny_scenarios
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


@st.composite
def pooled(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny scenario whose one class has sortie limits or rest, and two vehicles that enter
    at one place at one time, each with a record of its own (integer times)."""
    data = copy.deepcopy(draw(tiny_scenarios(max_vehicles=2, max_end=6)))
    data["fleet"]["classes"] = data["fleet"]["classes"][:1]
    vc = data["fleet"]["classes"][0]
    if draw(st.booleans()):
        vc["max_sorties"] = draw(st.integers(1, 3))
    else:
        vc["rest"] = {"after": draw(st.integers(1, 4)), "for": draw(st.integers(1, 3))}
    vc["turnaround"] = draw(st.integers(0, 1))
    first = data["fleet"]["stock"][0]
    free = first["available_from"]
    stock = []
    for _ in range(2):
        last = draw(st.integers(0, free))
        record: dict[str, int] = {"sorties": draw(st.integers(0, 2))}
        if draw(st.booleans()):
            record |= {"duty_from": draw(st.integers(0, last)), "last_end": last}
        stock.append(first | {"class": vc["id"], "count": 1, "record": record})
    data["fleet"]["stock"] = stock
    return data


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pooled())
def test_pooled_plans_pass_the_checker_under_the_optimum(data: dict[str, Any]) -> None:
    """Whatever the two records: the checker (which draws the least worn vehicles first)
    accepts the plan with its count, the exhaustive optimum is at least that, and the
    undisturbed simulation flies it."""
    sc = from_dict(data)
    result = plan(sc, time_limit=SAFETY)
    report = check(sc, result.plan)
    assert report.feasible, report.violations[:3]
    assert report.rescued == result.rescued <= exhaustive(sc).rescued
    assert_flown_as_planned(sc, result)


def test_a_worn_record_never_starts_a_duty_after_a_departure() -> None:
    """Town -> camp takes 2 h, one seat, rest after 1 h of duty: no trip fits. A fresh bus at 0
    and a worn one at 1 (duty begun at 1): a record's later duty start must not cover the
    fresh bus's departure at 0 (the plan once flew 0-2, which the checker refuses: rest)."""
    sc = from_dict(
        {
            "scenario": {"id": "worn", "end": 12},
            "places": [{"id": "town", "population": 2}, {"id": "camp", "capacity": 10}],
            "travel": {
                "routes": "lanes",
                "lanes": [{"id": "road", "from": "town", "to": "camp", "time": 2}],
            },
            "fleet": {
                "classes": [{"id": "bus", "capacity": 1, "rest": {"after": 1, "for": 1}}],
                "stock": [
                    {"class": "bus", "place": "town", "count": 1},
                    {"class": "bus", "place": "town", "count": 1, "available_from": 1,
                     "record": {"duty_from": 1, "last_end": 1}},
                ],
            },
        }
    )  # fmt: skip
    result = plan(sc, time_limit=SAFETY)
    report = check(sc, result.plan)
    assert report.feasible, report.violations[:3]
    assert result.rescued == exhaustive(sc).rescued == 0
