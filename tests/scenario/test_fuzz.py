"""Fuzzing the loader: any input gives a valid Scenario or a clean ScenarioError, nothing else."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate import Scenario, ScenarioError
from evacuate.scenario import from_dict, validate
from tests.strategies import json_values, scenarios

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Path = tuple[str | int, ...]


@pytest.fixture(autouse=True)
def _quiet_warnings() -> Iterator[None]:
    """Scenario warnings are logged; keep the fuzzing output readable."""
    logger = logging.getLogger("evacuate")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _clean_outcome(call: Callable[[], Scenario]) -> Scenario | None:
    """Run a load; a ScenarioError must list issues with messages, anything else is a bug."""
    try:
        scenario = call()
    except ScenarioError as exc:
        assert exc.issues, "a ScenarioError without issues"
        assert any(i.severity == "error" for i in exc.issues)
        for issue in exc.issues:
            assert isinstance(issue.message, str) and issue.message.strip()
            assert issue.line is None or issue.line >= 1
        return None
    assert isinstance(scenario, Scenario)
    return scenario


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**400), 10**400)
    | st.floats()
    | st.text(max_size=10)
    | st.dates()
    | st.datetimes()
    | st.sampled_from(["36h", "2.8 ly/d", "-1d", "1e400h", "2383-01-01", "0", "", "p0", "c0", "e0"])
)
"""Values to put where a valid scenario has something else."""

yaml_alphabet = st.sampled_from(
    [
        *"abpc01.-_: \n\t[]{},'\"#&*!|>%@`?e+",
        "id: ",
        "places:",
        "- ",
        "\n  ",
        "scenario:",
        "&a",
        "*a",
    ]
)


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text_loads_cleanly(text: str) -> None:
    """Any text is either a scenario or a ScenarioError."""
    _clean_outcome(lambda: evacuate.loads(text))


@FUZZ
@given(st.lists(yaml_alphabet, max_size=60).map("".join))
def test_yaml_like_text_loads_cleanly(text: str) -> None:
    """Text made of YAML punctuation and keywords is either a scenario or a ScenarioError."""
    _clean_outcome(lambda: evacuate.loads(text))


@FUZZ
@given(json_values)
def test_arbitrary_data_loads_cleanly(data: Any) -> None:
    """Any nested data given to from_dict is either a scenario or a ScenarioError."""
    _clean_outcome(lambda: from_dict(data))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            ["scenario", "places", "fleet", "travel", "events", "variants", "map", "hazard"]
        ),
        json_values,
        max_size=8,
    )
)
def test_arbitrary_sections_load_cleanly(data: dict[str, Any]) -> None:
    """Known section names holding arbitrary data give a scenario or a ScenarioError."""
    _clean_outcome(lambda: from_dict(data))
    for found, loc in validate.check_raw(data):
        assert found.message and isinstance(loc, tuple)


def _paths(node: Any, prefix: Path = ()) -> list[Path]:
    out: list[Path] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out += _paths(value, (*prefix, i))
    return out


def _parent(data: Any, path: Path) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with one to three random changes: a key dropped or a value replaced."""
    data = copy.deepcopy(draw(scenarios()))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        parent = _parent(data, path)
        if draw(st.booleans()):
            del parent[path[-1]]  # drop a key, or an entry of a list
        else:
            parent[path[-1]] = draw(scalars | json_values)
    return data


EXTREMES = st.sampled_from([0, -0.0, 5e-324, 1e-300, 1e-9, 1e300, 1.7e308, -1e300, 10**30, 2**63])


@st.composite
def extreme_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with some of its numbers replaced by tiny, huge or zero values."""
    data = copy.deepcopy(draw(scenarios()))
    numeric = [
        p
        for p in _paths(data)
        if isinstance(_parent(data, p)[p[-1]], (int, float))
        and not isinstance(_parent(data, p)[p[-1]], bool)
    ]
    if numeric:
        for path in draw(st.lists(st.sampled_from(numeric), max_size=6, unique=True)):
            _parent(data, path)[path[-1]] = draw(EXTREMES)
    return data


@FUZZ
@given(extreme_scenarios())
def test_extreme_numbers_load_cleanly(data: dict[str, Any]) -> None:
    """Tiny, huge and zero numbers in a valid scenario give a scenario or a ScenarioError."""
    scenario = _clean_outcome(lambda: from_dict(data))
    if scenario is not None:
        for name in scenario.variant_names:
            validate.check_model(scenario.variant(name))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_scenarios())
def test_mutated_scenario_loads_cleanly(data: dict[str, Any]) -> None:
    """A valid scenario with values dropped or replaced gives a scenario or a ScenarioError."""
    _clean_outcome(lambda: from_dict(data))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_scenarios())
def test_mutated_scenario_text_loads_cleanly(data: dict[str, Any]) -> None:
    """The same mutations written as YAML text load cleanly, with lines inside the file."""
    text = yaml.safe_dump(data, sort_keys=False)
    n_lines = text.count("\n") + 1
    try:
        evacuate.loads(text)
    except ScenarioError as exc:
        assert all(i.line is None or 1 <= i.line <= n_lines for i in exc.issues)
        assert all(i.message for i in exc.issues)


@pytest.mark.parametrize(
    "text",
    [
        "&a [*a]",
        "a: &a {b: *a}",
        "? [1, 2]\n: x",
        "!!python/object:os.system {}",
        "scenario: !!binary aGVsbG8=",
        "places: [{id: p, population: 1" + "0" * 400 + "}]",
        "scenario: {id: a, end: 1" + "0" * 400 + "}",
        "\ufeffscenario: 1",
        "---\na: 1\n---\nb: 2",
        'x: "\\ud800"',
        "[" * 2000,
    ],
)
def test_nasty_yaml_loads_cleanly(text: str) -> None:
    """Recursive aliases, complex keys, python tags, huge numbers and deep nesting are reported."""
    _clean_outcome(lambda: evacuate.loads(text))


@pytest.mark.parametrize("big", [1e154, 1.7e308])
def test_huge_coordinates_and_tiny_speeds_are_refused_with_the_limit(big: float) -> None:
    """Coordinates near the float limit and tiny speeds are refused, each naming its limit."""
    data = {
        "scenario": {"id": "far", "end": 10},
        "hazard": {"origin": [-big, -big, big], "speed": 5e-324},
        "places": [
            {"id": "a", "position": [big, big, -big], "population": 10, "deadline": 5},
            {"id": "b", "position": [-big, big, big], "capacity": 10},
        ],
        "travel": {"lanes": [{"id": "l", "from": "a", "to": "b", "speed_factor": 1e-300}]},
        "fleet": {
            "classes": [{"id": "c", "capacity": 1, "speed": 1e-300}],
            "stock": [{"class": "c", "place": "b", "count": 1}],
        },
    }
    with pytest.raises(ScenarioError) as info:
        from_dict(data)
    text = str(info.value)
    for path in ("hazard.speed", "places[0].position", "travel.lanes[0].speed_factor"):
        assert path in text
    assert "fleet.classes[0].speed: found 1e-300; expected a speed from 1e-09 to 1e+20 m/s" in text
    assert f"places[0].position[0]: found {big!r}; expected at most 1,000,000,000,000" in text
