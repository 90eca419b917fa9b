"""Arrivals over time in planning: the checker holds plans to the releases, the simulator
reproduces plans exactly, and the bound never falls below the exhaustive optimum."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evacuate.check import check
from evacuate.check.arrivals import place_arrivals
from evacuate.plan.api import plan
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan, Trip
from evacuate.scenario import from_dict
from evacuate.scenario.model import Perturbations
from evacuate.simulation import simulate
from tests.oracle import exhaustive
from tests.plan.cases import two_places
from tests.plan.tiny import tiny_scenarios


def _gate_town() -> dict[str, Any]:
    return {
        "scenario": {"id": "gate", "end": 12},
        "places": [
            {
                "id": "town",
                "deadline": 13,
                "arrival_curve": {"shape": "rayleigh", "people": 100, "half": 2},
            },
            {"id": "camp", "capacity": 1000},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "r", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": 20}],
            "stock": [{"class": "bus", "place": "town", "count": 1}],
        },
        "events": [
            {
                "id": "gate",
                "at": 2.5,
                "effects": [{"type": "change_arrivals", "place": "town", "until": 4.5}],
            }
        ],
    }


def test_checker_rejects_a_pickup_before_the_curve_brings_the_people() -> None:
    """By 1 h the curve has brought 16 people: a pickup of 20 then is short by 4."""
    s = from_dict(_gate_town())
    report = check(s, Plan("gate", trips=(Trip("g", "bus", 1, "town", 1, "camp", 2, 20),)))
    assert not report.feasible
    assert report.violation_counts == {"population": 1}
    ok = check(s, Plan("gate", trips=(Trip("g", "bus", 1, "town", 2, "camp", 3, 20),)))
    assert ok.feasible, ok.summary()


def test_checker_rejects_a_pickup_of_people_held_at_a_closed_gate() -> None:
    """50 people by 2 h; the gate (closed 2.5 to 4.5 h) holds the 29 + 15 due at 3 and 4 h.
    Taking 40 at 2 h and 40 more at 4 h is short by 30 with the gate, fine without it."""
    data = _gate_town()
    data["fleet"]["classes"][0]["capacity"] = 40
    data["fleet"]["stock"][0]["count"] = 2
    trips = (
        Trip("g", "bus", 1, "town", 2, "camp", 3, 40),
        Trip("h", "bus", 1, "town", 4, "camp", 5, 40),
    )
    report = check(from_dict(data), Plan("gate", trips=trips))
    assert report.violation_counts == {"population": 1}
    assert [v.amount for v in report.violations] == [30]
    assert check(from_dict({**data, "events": []}), Plan("gate", trips=trips)).feasible
    after = (trips[0], Trip("h", "bus", 1, "town", 4.5, "camp", 5.5, 40))
    assert check(from_dict(data), Plan("gate", trips=after)).feasible


def test_undisturbed_simulation_reproduces_a_plan_with_a_curve_and_a_gate() -> None:
    s = from_dict(_gate_town())
    result = plan(s, time_limit=5)
    sim = simulate(s, result.plan, policy="follow", perturbations=Perturbations())
    assert sim.rescued == round(result.rescued) == round(check(s, result.plan).rescued)
    assert sim.rescued > 0
    assert sim.trips == len(result.plan.trips)
    assert sim.population == 100


def test_a_surprise_gate_is_seen_by_the_simulator_only() -> None:
    """The plan counts on everyone; the world holds people at the gate for good, so a
    replanning simulation rescues at most those who came before it closed."""
    data = _gate_town()
    data["events"][0]["mode"] = "surprise"
    data["events"][0]["effects"][0].pop("until")
    s = from_dict(data)
    result = plan(s, time_limit=5)
    assert s.population == 100
    sim = simulate(s, result.plan, policy="replan", perturbations=Perturbations())
    assert sim.population == 50  # 16 + 34 came before 2.5 h
    assert sim.rescued <= 50


@st.composite
def _tiny_with_flow(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(tiny_scenarios())
    town = data["places"][0]
    end = data["scenario"]["end"]
    if draw(st.booleans()):
        town["arrival_curve"] = {
            "shape": draw(st.sampled_from(["logistic", "rayleigh"])),
            "people": draw(st.integers(1, 5)),
            "half": draw(st.integers(1, 3)),
            "start": draw(st.integers(0, end - 1)),
        }
    else:
        town["arrival_rates"] = {
            "people": draw(st.integers(1, 5)),
            "rates": [{"from": draw(st.integers(0, 2)), "per_hour": draw(st.integers(1, 3))}],
        }
    if draw(st.booleans()):
        at = draw(st.integers(1, end))
        fx = {"type": "change_arrivals", "place": "town", "until": at + draw(st.integers(1, 3))}
        data["events"].append({"id": "gate", "at": at, "effects": [fx]})
    return data


def _explicit(data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario with the town's flows written out as instants (the oracle's input),
    compiled by the checker's own code."""
    s = from_dict(data)
    town = s.place("town")
    known = [e for e in s.events if e.enabled and e.mode == "known"]
    out = copy.deepcopy(data)
    t = out["places"][0]
    t.pop("arrival_curve", None)
    t.pop("arrival_rates", None)
    t.pop("arrivals", None)
    flows = place_arrivals(town, known, s.end, s.time_unit)
    t["arrivals"] = [{"at": a, "people": n} for a, n in flows if a <= s.end]
    out["events"] = [e for e in out["events"] if e["id"] != "gate"]
    return out


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_tiny_with_flow())
def test_bound_is_never_below_the_optimum_with_flows(data: dict[str, Any]) -> None:
    """Curves, tables and a gate: the planner's bound holds the exhaustive optimum of the
    same releases, and its plan passes the checker."""
    s = from_dict(data)
    best = exhaustive(from_dict(_explicit(data))).rescued
    result = plan(s, time_limit=2)
    assert result.bound is not None and result.bound >= best - 1e-6
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert round(report.rescued) <= best


def _port(**port: Any) -> dict[str, Any]:
    """A port that boards 900 people an hour for a 408-hour operation, ships 10 h away."""
    return two_places(
        "port",
        408,
        {"id": "port", "load_per_hour": 900, **port},
        {"id": "haven", "capacity": 2_000_000},
        ("sea", 10),
        {"id": "ship", "capacity": 2000, "load_time": 1},
        50,
        time_unit=None,
    )


def test_bound_is_rate_times_open_time() -> None:
    """900/h for 408 h bounds the rescue by 367,200 whatever the population; loads must start
    by 397 h to land by the end (1 h loading, 10 h at sea): 398 hours x 900 = 358,200."""
    problem = compile_problem(from_dict(_port(population=1_000_000)))
    for dt in (None, 0.5, 1.0):
        res = column_generation_bound(problem, dt, iterations=300)
        assert res.bound <= 367_200
        assert res.bound == pytest.approx(358_200)


def test_bound_sees_arrivals_as_a_release_schedule() -> None:
    """People released by a rate table (1,000/h from 300 h) can only board from then: at most
    (397 - 300 + 1) x 900 = 88,200, far below the 108,000 who arrive by the end."""
    table = {"rates": [{"from": 300, "per_hour": 1000}]}
    problem = compile_problem(from_dict(_port(arrival_rates=table)))
    res = column_generation_bound(problem, 1.0, iterations=300)
    assert res.bound <= 88_200 + 1e-6


def test_bound_leaves_out_time_the_pickup_is_closed() -> None:
    """Closed from 100 to 200 h and opened only at 20 h: 900/h over 278 open hours, and the
    hour a loading started just before the closure runs on into (docs/model.md: a loading
    draws on every period it spans)."""
    data = _port(population=1_000_000, open_from=20)
    data["events"] = [
        {
            "id": "shut",
            "at": 100,
            "effects": [{"type": "close_place", "place": "port", "until": 200}],
        }
    ]
    problem = compile_problem(from_dict(data))
    res = column_generation_bound(problem, 1.0, iterations=300)
    # starts in hours 20..99 and 200..397 (80 + 198 = 278 periods), and a loading from
    # 99.5 h draws on hour 100 too: 279 periods
    assert res.bound <= 279 * 900 + 1e-6
    assert res.bound == pytest.approx(279 * 900)
