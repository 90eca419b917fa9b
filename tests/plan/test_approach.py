"""Empty approaches over several lanes (plan/approach.py): a pickup no one route reaches."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import evacuate
from evacuate.check import check
from evacuate.cli import app
from evacuate.plan.api import plan
from evacuate.plan.heuristic import dispatch
from evacuate.plan.problem import compile_problem
from evacuate.planio import Plan
from tests.oracle import exhaustive

TWOHOP = Path(__file__).resolve().parents[1] / "data" / "valid" / "twohop.yaml"


def test_buses_two_lanes_away_rescue_the_bound() -> None:
    """Buses at a depot two lanes from the town (depot - port - town) rescue all 600: the
    bound; the approach is two empty trips, one per lane."""
    scenario = evacuate.scenario.load(TWOHOP)
    result = plan(scenario, time_limit=10)
    assert result.rescued == 600 == result.bound
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    empties = [(t.origin, t.destination) for t in result.plan.trips if t.people == 0]
    assert empties[:2] == [("depot", "port"), ("port", "town")]


def test_cli_plan_of_the_two_hop_scenario_passes_check(tmp_path: Path) -> None:
    """`evacuate plan -o` then `evacuate check --plan`: feasible, 600 rescued."""
    out = tmp_path / "plan.csv"
    runner = CliRunner()
    made = runner.invoke(app, ["plan", str(TWOHOP), "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert "rescued 600 of 600" in made.output
    checked = runner.invoke(app, ["check", str(TWOHOP), "--plan", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "feasible" in checked.output and "rescued 600 of 600" in checked.output


@st.composite
def lane_chains(draw: st.DrawFn) -> dict[str, Any]:
    """A depot k lanes from a town (k = 1..3, through hubs), the town one lane from a camp;
    whole hours, maybe a window on one lane and a deadline at a hub."""
    k = draw(st.integers(1, 3))
    end = draw(st.integers(k + 2, k + 5))
    chain = ["depot", *(f"hub{n}" for n in range(1, k)), "town"]
    places: list[dict[str, Any]] = [{"id": q} for q in chain[:-1]]
    town: dict[str, Any] = {"id": "town", "population": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        town["deadline"] = draw(st.integers(k + 1, end + 1))
    places += [town, {"id": "camp", "capacity": draw(st.integers(2, 8))}]
    if k > 1 and draw(st.integers(0, 3)) == 0:
        places[1]["deadline"] = draw(st.integers(1, end))
    lanes: list[dict[str, Any]] = []
    for a, b in [*pairwise(chain), ("town", "camp")]:
        lane: dict[str, Any] = {
            "id": f"{a}-{b}",
            "from": a,
            "to": b,
            "time": draw(st.sampled_from([1, 1, 2])),
            "bidirectional": draw(st.booleans()) or b == "camp",
        }
        lanes.append(lane)
    if draw(st.integers(0, 3)) == 0:
        start = draw(st.integers(0, 2))
        draw(st.sampled_from(lanes))["windows"] = [{"start": start, "end": start + 2}]
    return {
        "scenario": {"id": "chain", "end": end, "time_unit": "hour"},
        "places": places,
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {
            "classes": [
                {
                    "id": "bus",
                    "capacity": draw(st.integers(1, 3)),
                    "load_time": draw(st.integers(0, 1)),
                    "unload_time": draw(st.integers(0, 1)),
                }
            ],
            "stock": [{"class": "bus", "place": "depot", "count": draw(st.integers(1, 2))}],
        },
    }


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lane_chains())
def test_a_chain_of_lanes_to_the_pickup_reaches_the_optimum(data: dict[str, Any]) -> None:
    """Vehicles a chain of lanes from the only pickup: the plan rescues the exhaustive
    optimum, and the dispatcher alone rescues someone whenever the optimum does."""
    scenario = evacuate.scenario.from_dict(data)
    best = exhaustive(scenario).rescued
    result = plan(scenario, time_limit=3)
    report = check(scenario, result.plan)
    assert report.feasible, report.violations[:3]
    assert result.rescued == best
    trips = dispatch(compile_problem(scenario))
    greedy = check(scenario, Plan(scenario.scenario.id, trips=tuple(trips)))
    assert greedy.feasible, greedy.violations[:3]
    assert (greedy.rescued > 0) == (best > 0)
