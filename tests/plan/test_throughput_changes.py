"""Throughput that changes: rate tables (repeating for tides), change_throughput events,
compiled the same way by the scenario and by the independent checker, and honoured by the
planners, the simulator and the bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import check
from evacuate.check.rates import period_allowances
from evacuate.plan.api import plan
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan, Trip
from evacuate.scenario import from_dict
from evacuate.scenario.model import Perturbations
from evacuate.scenario.throughput import allowances
from evacuate.simulation import simulate

TIDE = {"rates": [{"from": 0, "per_hour": 900}, {"from": 2.5, "per_hour": 0}], "every": 4}


def _mole(end: float = 8, events: list[Any] | None = None, **mole: Any) -> dict[str, Any]:
    """A harbour mole boarding by the tide (open 2.5 h in every 4), ships 1 h away."""
    return {
        "scenario": {"id": "mole", "end": end},
        "places": [
            {"id": "mole", "population": 20_000, "deadline": end + 1, **mole},
            {"id": "haven", "capacity": 100_000},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "sea", "from": "mole", "to": "haven", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "ship", "capacity": 500}],
            "stock": [{"class": "ship", "place": "mole", "count": 6}],
        },
        "events": events or [],
    }


def _both(s: Any, unload: bool = False) -> list[float] | None:
    place = s.place("mole")
    mine = allowances(s, place, unload)
    known = [e for e in s.events if e.enabled and e.mode == "known"]
    theirs = period_allowances(place, unload, known, s.end, s.time_unit)
    if mine is None:
        assert theirs is None
        return None
    assert theirs is not None
    assert theirs.tolist() == pytest.approx(mine.tolist())
    return [float(x) for x in mine]


def test_a_tide_table_repeats() -> None:
    """900/h for 2.5 h of every 4 h: 900, 900, 450, 0, then again."""
    s = from_dict(_mole(load_rates=TIDE))
    assert _both(s) == [900, 900, 450, 0, 900, 900, 450, 0, 900]


def test_a_constant_rate_is_rate_times_the_period() -> None:
    s = from_dict(_mole(load_per_hour=300))
    assert _both(s) == [300.0] * 9
    assert _both(s, unload=True) is None


def test_the_table_starts_from_its_first_entry_and_an_event_overrides_it() -> None:
    """Before the table's first entry, the constant rate; screening that tightens to 100/h
    from 5.5 to 7 h overrides the table."""
    table = {"rates": [{"from": 2, "per_hour": 600}]}
    event = {
        "id": "screening",
        "at": 5.5,
        "effects": [
            {"type": "change_throughput", "place": "mole", "load_per_hour": 100, "until": 7}
        ],
    }
    s = from_dict(_mole(load_per_hour=300, load_rates=table, events=[event]))
    assert _both(s) == [300, 300, 600, 600, 600, 350, 100, 600, 600]


def test_checker_rejects_loading_in_a_period_the_tide_closes() -> None:
    s = from_dict(_mole(load_rates=TIDE))
    ok = Plan("mole", trips=(Trip("g", "ship", 1, "mole", 2, "haven", 3.5, 450),))
    assert check(s, ok).feasible
    late = Plan("mole", trips=(Trip("g", "ship", 1, "mole", 3, "haven", 4.5, 1),))
    report = check(s, late)
    assert report.violation_counts == {"load_rate": 1}


def test_plans_follow_the_tide_and_the_simulator_reproduces_them() -> None:
    s = from_dict(_mole(load_rates=TIDE))
    result = plan(s, time_limit=5)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    # at most 900 + 900 + 450 + 900 + 900 + 450 people can board by 6.x h and land by 8 h
    assert 0 < report.rescued <= 4_500
    assert result.bound is not None and report.rescued <= result.bound <= 4_500 + 1e-6
    sim = simulate(s, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(report.rescued)
    assert sim.trips == len(result.plan.trips)


def test_the_bound_counts_each_periods_own_allowance() -> None:
    """A 408-hour operation boarding 900/h only 12 h of every 24 (daylight) is bounded by
    half the constant rate's bound."""
    daylight = {"rates": [{"from": 0, "per_hour": 900}, {"from": 12, "per_hour": 0}], "every": 24}
    data = _mole(end=408, load_rates=daylight)
    data["places"][0]["population"] = 1_000_000
    data["fleet"]["stock"][0]["count"] = 50
    res = column_generation_bound(compile_problem(from_dict(data)), 1.0, iterations=300)
    # loads must start by 407 h to land by 408 h: 17 days x 12 h x 900 = 183,600
    assert res.bound <= 183_600 + 1e-6


@st.composite
def _tables(draw: st.DrawFn) -> dict[str, Any]:
    end = draw(st.integers(2, 40))
    starts = sorted(draw(st.sets(st.integers(0, 10), min_size=1, max_size=4)))
    table: dict[str, Any] = {
        "rates": [
            {"from": t, "per_hour": draw(st.sampled_from([0, 50, 333.3, 900]))} for t in starts
        ]
    }
    if draw(st.booleans()):
        table["every"] = starts[-1] - starts[0] + draw(st.integers(1, 5))
    mole: dict[str, Any] = {draw(st.sampled_from(["load_rates", "unload_rates"])): table}
    if draw(st.booleans()):
        mole["load_per_hour"] = draw(st.sampled_from([10, 700]))
    events = []
    for k in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, end))
        fx: dict[str, Any] = {"type": "change_throughput", "place": "mole"}
        fx[draw(st.sampled_from(["load_per_hour", "unload_per_hour"]))] = draw(
            st.sampled_from([0, 120])
        )
        if draw(st.booleans()):
            fx["until"] = at + draw(st.sampled_from([0.5, 3]))
        events.append({"id": f"e{k}", "at": at, "effects": [fx]})
    unit = draw(st.sampled_from(["minute", "hour", "day"]))
    data = _mole(end=end, events=events, **mole)
    data["scenario"]["time_unit"] = unit
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_scenario_and_checker_compile_the_same_allowances(data: dict[str, Any]) -> None:
    s = from_dict(data)
    for unload in (False, True):
        out = _both(s, unload)
        assert out is None or min(out) >= 0


def test_harbour_flows_file_validates_plans_checks_and_simulates() -> None:
    """tests/data/valid/harbour_flows.yaml writes items 1 and 2 of issue 10 (a curve, a rate
    table, a gate that closes, a tide table, surf): it loads back equal from its own dump,
    the plan passes the checker and an undisturbed simulation reproduces it."""
    path = Path(__file__).parent.parent / "data" / "valid" / "harbour_flows.yaml"
    s = evacuate.load(path)
    assert evacuate.loads(yaml.safe_dump(s.to_data())) == s
    assert s.population == 5_500
    result = plan(s, time_limit=3)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    sim = simulate(s, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(report.rescued) > 0
    assert sim.population == s.population
