"""The top-level API: evacuate.load, plan, check, simulate, Perturbations and their results."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import evacuate
from evacuate.options import OPTIONS

DATA = Path(__file__).resolve().parent / "data" / "valid"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_verbs_are_top_level() -> None:
    """``evacuate.plan`` and ``evacuate.check`` are the functions, listed in dir(evacuate)."""
    for name in ("load", "plan", "check", "simulate", "Perturbations"):
        assert name in dir(evacuate), name
        assert name in evacuate.__all__, name
    assert callable(evacuate.plan) and inspect.isfunction(evacuate.plan)
    assert inspect.isfunction(evacuate.check)
    from evacuate.plan.api import PlanResult  # the subpackage is still importable

    assert PlanResult.__name__ == "PlanResult"


def test_api_defaults_and_names_are_the_clis() -> None:
    """Every keyword of the verbs that the registry knows defaults to the registry's value,
    and Perturbations' fields are the CLI's flags (--travel-cv, --breakdowns)."""
    checked = 0
    for fn in (evacuate.plan, evacuate.simulate, evacuate.check):
        for name, param in inspect.signature(fn).parameters.items():
            if name in OPTIONS and name not in ("plan",):
                assert param.default == OPTIONS[name].default, (fn.__name__, name)
                checked += 1
    assert checked >= 7
    fields = set(evacuate.Perturbations.model_fields)
    assert fields == {"travel_cv", "breakdowns"}
    assert fields <= set(OPTIONS)


def test_bad_option_value_names_the_setting() -> None:
    """A value outside the registry's choices is a ValueError naming the setting."""
    with pytest.raises(ValueError, match="objective: found 'fastest'"):
        evacuate.plan(DATA / "tiny_plane.yaml", objective="fastest")


@pytest.fixture(scope="module")
def planned() -> tuple[evacuate.Scenario, object]:
    s = evacuate.load(DATA / "dated_shipyard.yaml")
    return s, evacuate.plan(s, time_limit=5)


def test_plan_result_is_json_ready_with_integer_counts(planned: tuple) -> None:
    """``to_dict`` goes through json.dumps; counts are ints; trips and places are included."""
    s, result = planned
    assert isinstance(result.rescued, int)
    d = result.to_dict()
    text = json.dumps(d)
    assert json.loads(text)["rescued"] == result.rescued
    assert isinstance(d["population"], int)
    assert len(d["trips"]) == len(result.plan.trips)
    assert all(isinstance(t["count"], int) and isinstance(t["people"], int) for t in d["trips"])
    assert d["scenario"] == s.id


def test_times_as_dates(planned: tuple) -> None:
    """``dates=True`` turns times (not durations) into ISO dates of the scenario's calendar."""
    s, result = planned
    assert s.scenario.start_date is not None
    d = result.to_dict(dates=True)
    trip = d["trips"][0]
    first = result.plan.trips[0]
    expected = result.date(first.depart)
    assert expected is not None
    assert trip["depart"].startswith(expected.date().isoformat())
    assert result.date(0.0) == s.scenario.start_date


def test_plan_dataframes(planned: tuple) -> None:
    """``to_dataframe`` gives the per-place table (default) and the trips, dates on demand."""
    import pandas as pd  # the test extra installs it: never skipped

    _, result = planned
    places = result.to_dataframe()
    assert list(places.columns)[:2] == ["place", "population"]
    trips = result.to_dataframe("trips", dates=True)
    assert len(trips) == len(result.plan.trips)
    assert pd.api.types.is_datetime64_any_dtype(trips["depart"])
    with pytest.raises(ValueError, match="expected one of places, trips"):
        result.to_dataframe("nope")


def test_check_accepts_a_result_or_a_file(planned: tuple, tmp_path: Path) -> None:
    """``evacuate.check`` re-verifies a PlanResult, or the same plan written to a file."""
    from evacuate.planio import write_plan

    s, result = planned
    report = evacuate.check(s, result)
    assert report.feasible
    assert report.rescued == result.rescued
    path = tmp_path / "plan.csv"
    write_plan(result.plan, path)
    assert evacuate.check(DATA / "dated_shipyard.yaml", path).rescued == result.rescued


def test_simulate_takes_the_clis_noise_names() -> None:
    """``travel_cv``/``breakdowns`` keywords equal passing a Perturbations; results serialise."""
    s = evacuate.load(DATA / "tiny_plane.yaml")
    a = evacuate.simulate(s, travel_cv=0.3, breakdowns=0.05, seed=3, time_limit=2)
    b = evacuate.simulate(
        s,
        perturbations=evacuate.Perturbations(travel_cv=0.3, breakdowns=0.05),
        seed=3,
        time_limit=2,
    )
    assert a.to_dict() == b.to_dict() | {"seconds": a.seconds, "plan_seconds": a.plan_seconds}
    d = json.loads(json.dumps(a.to_dict()))
    assert d["rescued"] == a.rescued and d["scenario"] == s.id
    assert isinstance(d["events"], list)
    events = a.to_dataframe("events")
    assert len(events) == len(a.events)
    assert {"time", "kind", "place"} <= set(events.columns)
