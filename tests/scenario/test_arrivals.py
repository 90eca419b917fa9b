"""Arrivals over time: mobilization curves, rate tables and changes of arrivals, compiled into
releases the same way by the scenario and by the independent checker."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evacuate.check.arrivals import place_arrivals
from evacuate.scenario import from_dict
from evacuate.scenario.arrivals import releases


def _one_place(place: dict[str, Any], end: float = 6, events: list[Any] | None = None) -> Any:
    data: dict[str, Any] = {
        "scenario": {"id": "a", "end": end},
        "places": [{"id": "town", "deadline": end + 1, **place}, {"id": "camp", "capacity": 10**6}],
        "travel": {
            "routes": "lanes",
            "lanes": [{"id": "r", "from": "town", "to": "camp", "time": 1}],
        },
        "fleet": {"classes": [{"id": "bus", "capacity": 10}]},
        "events": events or [],
    }
    return from_dict(data)


def _both(s: Any) -> list[tuple[float, int]]:
    town = s.place("town")
    mine = releases(s, town)
    known = [e for e in s.events if e.enabled and e.mode == "known"]
    assert place_arrivals(town, known, s.end, s.time_unit) == mine
    return mine


def test_rayleigh_curve_releases_by_the_formula() -> None:
    """Rayleigh with half 2 h: F(t) = 1 - 2^-(t/2)^2, i.e. 16, 50, 79, 94, 99 of 100 by 1..5 h,
    everyone by the release at the horizon."""
    s = _one_place({"arrival_curve": {"shape": "rayleigh", "people": 100, "half": 2}})
    assert _both(s) == [(1, 16), (2, 34), (3, 29), (4, 15), (5, 5), (6, 1)]


def test_logistic_curve_releases_by_the_formula() -> None:
    """Logistic with half 2 h and spread 4 h: F(t) = 1 / (1 + 3^-(t-2)), i.e. 25, 50, 75, 90,
    96 of 100; those the curve puts before its start come with the first release."""
    curve = {"shape": "logistic", "people": 100, "half": 2, "spread": 4}
    s = _one_place({"arrival_curve": curve})
    assert _both(s) == [(1, 25), (2, 25), (3, 25), (4, 15), (5, 6), (6, 4)]


def test_curve_start_and_step() -> None:
    """A curve starting at 1 h with 2 h steps releases at 3 and 5 h, then the rest at 7 h."""
    curve = {"shape": "rayleigh", "people": 100, "half": 2, "start": 1, "step": 2}
    s = _one_place({"arrival_curve": curve})
    assert _both(s) == [(3, 50), (5, 44), (7, 6)]


def test_rate_table_releases_whole_people_up_to_its_total() -> None:
    """10/h, a pause from 2 to 3 h, then 20/h, 45 people in all."""
    table = {
        "people": 45,
        "rates": [
            {"from": 0, "per_hour": 10},
            {"from": 2, "per_hour": 0},
            {"from": 3, "per_hour": 20},
        ],
    }
    s = _one_place({"arrival_rates": table})
    assert _both(s) == [(1, 10), (2, 10), (4, 20), (5, 5)]
    assert s.people_at(s.place("town")) == 45
    assert s.population == 45


def test_a_closed_gate_holds_people_until_it_reopens() -> None:
    """The flow stops from 1.5 to 3.5 h: the 20 people due at 2 and 3 h come at 3.5 h."""
    table = {"rates": [{"from": 0, "per_hour": 10}]}
    event = {
        "id": "gate",
        "at": 1.5,
        "effects": [{"type": "change_arrivals", "place": "town", "until": 3.5}],
    }
    s = _one_place({"arrival_rates": table}, events=[event])
    assert _both(s) == [(1, 10), (3.5, 20), (4, 10), (5, 10), (6, 10)]


def test_a_gate_closed_for_good_turns_people_away() -> None:
    table = {"rates": [{"from": 0, "per_hour": 10}]}
    event = {"id": "gate", "at": 2, "effects": [{"type": "change_arrivals", "place": "town"}]}
    s = _one_place({"arrival_rates": table}, events=[event])
    assert _both(s) == [(1, 10)]
    assert s.population == 10


def test_a_slower_gate_never_lets_more_through_than_its_rate() -> None:
    """5/h from 1.5 h: the people passed since then are at most floor(5 (t - 1.5)) up to the
    horizon (6 h); those still waiting come at the first step past it (6.5 h), where no plan
    reaches them, so the work stays bounded by the horizon, not by the head count."""
    table = {"rates": [{"from": 0, "per_hour": 10}]}
    event = {
        "id": "gate",
        "at": 1.5,
        "effects": [{"type": "change_arrivals", "place": "town", "per_hour": 5}],
    }
    s = _one_place({"arrival_rates": table}, events=[event])
    out = _both(s)
    assert out[0] == (1, 10)
    passed = 0
    for t, n in out[1:-1]:
        passed += n
        assert passed <= 5 * (t - 1.5)
    assert out[-1][0] == 6.5
    assert passed + out[-1][1] == 50


def test_a_surprise_change_is_not_planned_for() -> None:
    table = {"rates": [{"from": 0, "per_hour": 10}]}
    event = {
        "id": "gate",
        "at": 2,
        "mode": "surprise",
        "effects": [{"type": "change_arrivals", "place": "town"}],
    }
    s = _one_place({"arrival_rates": table}, events=[event])
    assert sum(n for _, n in _both(s)) == 60
    everything = releases(s, s.place("town"), s.events)
    assert everything == [(1, 10)]


@st.composite
def _flows(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any], float]:
    end = draw(st.integers(2, 30))
    unit = draw(st.sampled_from(["minute", "hour", "day"]))
    place: dict[str, Any] = {}
    if draw(st.booleans()):
        curve: dict[str, Any] = {
            "shape": draw(st.sampled_from(["logistic", "rayleigh"])),
            "people": draw(st.integers(0, 10**7)),
            "start": draw(st.integers(0, end - 1)),
            "half": draw(st.floats(0.1, 40)),
        }
        if curve["shape"] == "logistic" and draw(st.booleans()):
            curve["spread"] = draw(st.floats(0.1, 40))
        if draw(st.booleans()):
            curve["step"] = draw(st.sampled_from([0.25, 0.5, 1, 3]))
        place["arrival_curve"] = curve
    if draw(st.booleans()) or not place:
        starts = sorted(draw(st.sets(st.integers(0, end), min_size=1, max_size=4)))
        table: dict[str, Any] = {
            "rates": [{"from": t, "per_hour": draw(st.floats(0, 5000))} for t in starts]
        }
        if draw(st.booleans()):
            table["people"] = draw(st.integers(0, 10**5))
        place["arrival_rates"] = table
    events = []
    for k in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, end))
        fx: dict[str, Any] = {"type": "change_arrivals", "place": "town"}
        if draw(st.booleans()):
            fx["per_hour"] = draw(st.sampled_from([0, 1, 50, 700]))
        if draw(st.booleans()):
            fx["until"] = at + draw(st.integers(1, 10))
        events.append({"id": f"e{k}", "at": at, "effects": [fx]})
    place["_unit"] = unit
    return place, events, end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_flows())
def test_scenario_and_checker_compile_the_same_releases(case: Any) -> None:
    """The two independent compilations agree; releases are whole, positive, in time order;
    a curve releases exactly its people and a table never more than its cap."""
    place, events, end = case
    unit = place.pop("_unit")
    s = _one_place(place, end=end, events=events)
    s = s.model_copy(update={"scenario": s.scenario.model_copy(update={"time_unit": unit})})
    out = _both(s)
    assert all(n > 0 for _, n in out)
    assert [t for t, _ in out] == sorted({t for t, _ in out})
    if not events:
        total = sum(n for _, n in out)
        curve = place.get("arrival_curve")
        table = place.get("arrival_rates")
        cap = (table or {}).get("people")
        expected_max = (curve["people"] if curve else 0) + (cap if cap is not None else 10**12)
        assert total <= expected_max
        if curve and not table:
            assert total == curve["people"]
