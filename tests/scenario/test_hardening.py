"""Hostile and careless scenario input (issue 9): every class gives a clean ``ScenarioError``
naming the field and, for limits, the limit; nothing hangs or blows up memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import evacuate
from evacuate import ScenarioError
from evacuate.scenario import from_dict, limits, loads

BASE = """\
scenario: {id: s, end: 100, start_date: 2383-01-01}
places:
  - {id: town, position: [0, 0], population: 100, deadline: 50}
  - {id: camp, position: [10, 0], capacity: 100}
fleet:
  classes: [{id: bus, capacity: 10, speed: 5}]
  stock: [{class: bus, place: camp, count: 2}]
"""


def _errors(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        loads(text)
    return str(info.value)


def _run_bounded(code: str, seconds: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with a time bound (a hang fails the test) and a
    memory bound of 1 GiB (a blow-up fails it too)."""
    prelude = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )


# ---------------------------------------------------------------------------- YAML 1.2
def test_base_60_times_are_text_not_750_hours() -> None:
    """``deadline: 12:30`` is YAML 1.1's base-60 number 750; read as YAML 1.2 it is text, which
    is not a time, so the file is refused instead of silently meaning 750 hours."""
    text = _errors(BASE.replace("deadline: 50", "deadline: 12:30"))
    assert "places[0].deadline: found '12:30'; expected a time" in text


@pytest.mark.parametrize("word", ["yes", "on", "No", "off"])
def test_yaml_11_booleans_are_text(word: str) -> None:
    """``enabled: yes`` is text under YAML 1.2, and text is not a boolean for the schema."""
    text = _errors(BASE.replace("speed: 5}", f"speed: 5, enabled: {word}}}"))
    assert "fleet.classes[0].enabled" in text


def test_yaml_12_numbers_and_booleans_read_as_in_json() -> None:
    """Decimal, 0o and 0x integers, exponent floats and true/false keep their meaning."""
    sc = loads(
        BASE.replace("count: 2", "count: 0x2")
        .replace("population: 100", "population: 1e2")
        .replace("capacity: 100", "capacity: 0o144")
        .replace("speed: 5}", "speed: 5, enabled: true}")
    )
    assert sc.fleet.stock[0].count == 2
    assert sc.places[0].population == 100 and sc.places[1].capacity == 100
    assert sc.fleet.classes[0].enabled is True


def test_leading_zero_integers_are_decimal() -> None:
    """``0012`` is octal (10) in YAML 1.1 and decimal 12 in YAML 1.2."""
    sc = loads(BASE.replace("count: 2", "count: 0012"))
    assert sc.fleet.stock[0].count == 12


def test_start_date_with_time_zone_offset_is_refused() -> None:
    """An offset would be dropped silently (58 h read as 48 h): refuse it, saying so."""
    text = _errors(BASE.replace("start_date: 2383-01-01", "start_date: 2383-01-01T00:00+10:00"))
    assert "scenario.start_date" in text and "without a time-zone offset" in text


def test_dates_past_year_9999_are_refused() -> None:
    """A horizon past the calendar is a validation error, not a crash in show or plan."""
    text = _errors(BASE.replace("end: 100", "end: 1e8"))
    assert "scenario.end" in text and "years 1 to 9999" in text


def test_merge_keys_override_instead_of_duplicate() -> None:
    """A YAML merge key's own fields override the merged ones (not 'duplicate key')."""
    text = BASE.replace(
        "places:\n  - {id: town,",
        "defaults: &d {id: x, population: 5}\nplaces:\n  - {<<: *d, id: town,",
    )
    with pytest.raises(ScenarioError) as info:
        loads(text)
    message = str(info.value)
    assert "duplicate key" not in message
    assert "defaults: unknown field" in message  # the anchor's home is still an unknown section


# ---------------------------------------------------------------------------- strict types
@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("perturbations", "{travel_cv: true}", "perturbations.travel_cv"),
        ("perturbations", '{breakdowns: "0.5"}', "perturbations.breakdowns"),
    ],
)
def test_booleans_and_quoted_numbers_are_not_numbers(field: str, value: str, path: str) -> None:
    """``travel_cv: true`` is not 1 and ``"0.5"`` is not 0.5."""
    text = _errors(BASE + f"{field}: {value}\n")
    assert path in text and "expected a number" in text


def test_quoted_coordinates_are_refused() -> None:
    """``position: ["5", "0"]`` is text, not a position."""
    text = _errors(BASE.replace("position: [0, 0]", 'position: ["5", "0"]'))
    assert "places[0].position" in text


# ---------------------------------------------------------------------------- limits
@pytest.mark.parametrize(
    ("old", "new", "path", "limit"),
    [
        ("population: 100", "population: 9223372036854775808", "population", "1,000,000,000,000"),
        ("population: 100", f"population: {10**40}", "places[0].population", "1,000,000,000,000"),
        ("count: 2", "count: 10000000000", "fleet.stock[0].count", "1,000,000,000"),
        ("capacity: 10,", "capacity: 10000000000,", "fleet.classes[0].capacity", "1,000,000,000"),
        ("capacity: 100}", "capacity: 1e13}", "places[1].capacity", "1,000,000,000,000"),
        ("deadline: 50", "deadline: 1e300", "places[0].deadline", "years 1 to 9999"),
        ("position: [0, 0]", "position: [1e300, 0]", "places[0].position[0]", "1,000,000,000,000"),
        ("speed: 5", "speed: 1e308", "fleet.classes[0].speed", "1e+20 m/s"),
        ("speed: 5", "speed: 1e-320", "fleet.classes[0].speed", "1e-09"),
    ],
)
def test_numbers_past_a_limit_are_refused_with_the_limit(
    old: str, new: str, path: str, limit: str
) -> None:
    """Integers past 64 bits, huge counts, times and positions, absurd speeds: one clean error
    naming the field and the limit."""
    text = _errors(BASE.replace(old, new))
    assert path in text and limit in text, text


def test_times_past_the_limit_are_refused_without_a_calendar() -> None:
    """Without start_date, a time past ``MAX_TIME`` is refused with the limit."""
    text = _errors(BASE.replace(", start_date: 2383-01-01", "").replace("end: 100", "end: 1e10"))
    assert "scenario.end: found 10000000000.0; expected at most 1,000,000,000" in text


def test_hazard_speed_cannot_make_deadlines_infinite() -> None:
    """A hazard speed of 1e-320 would give deadlines of inf: refused with the limit."""
    text = _errors(BASE + "hazard: {origin: [0, 0], speed: 1e-320}\n")
    assert "hazard.speed" in text and "1e-09 to 1e+20 m/s" in text


def test_production_rate_per_tiny_period_is_refused() -> None:
    """A rate of 1e308 per 1e-300 overflowed to infinity in the planner."""
    text = _errors(
        BASE
        + "  shipyards:\n    - {id: y, place: camp, class: bus,"
        + " schedule: [{start: 0, rate: 1e308, per: 1e-300}]}\n"
    )
    assert "schedule[0].rate" in text and "1,000,000,000" in text
    assert "schedule[0].per" in text and "at least 1 second" in text


def test_periodic_window_shorter_than_a_second_is_refused() -> None:
    """``every: 1e-300`` made the next-open loop spin forever."""
    text = _errors(
        BASE
        + "travel:\n  lanes: [{id: l, from: town, to: camp,"
        + " periodic: {every: 1e-300, open_for: 0}}]\n"
    )
    assert "travel.lanes[0].periodic.every" in text and "at least 1 second" in text


# ---------------------------------------------------------------------------- size, depth, aliases
def test_alias_bomb_is_refused_quickly_and_in_little_memory() -> None:
    """A 'billion laughs' YAML: refused with the node limit, within the process's bounds."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    assert len(bomb) < 600
    done = _run_bounded(
        f"""
        from evacuate import ScenarioError
        from evacuate.scenario import loads
        try:
            loads({bomb!r})
        except ScenarioError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert f"more than {limits.MAX_NODES:,} values once YAML aliases are expanded" in done.stdout


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_refused(tmp_path: Path, suffix: str) -> None:
    """JSON or YAML nested 100,000 deep: a clean error naming the depth limit."""
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ScenarioError) as info:
        evacuate.load(path)
    assert f"{limits.MAX_DEPTH} levels deep" in str(info.value)


def test_endless_file_is_read_only_up_to_the_limit() -> None:
    """``/dev/zero`` is not read without end: the size limit stops it."""
    done = _run_bounded(
        """
        from evacuate import ScenarioError, load
        try:
            load("/dev/zero")
        except ScenarioError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "larger than 8 MiB" in done.stdout


def test_from_dict_refuses_between_the_same_place() -> None:
    """``between: [town, town]`` closes nothing: refused."""
    data = loads(BASE).to_data()
    data["events"] = [
        {"id": "e", "at": 1, "effects": [{"type": "close_lane", "between": ["town", "town"]}]}
    ]
    with pytest.raises(ScenarioError) as info:
        from_dict(data)
    assert "events[0].effects[0].between" in str(info.value)


# ---------------------------------------------------------------------------- the API
@pytest.mark.parametrize(
    ("arg", "error", "hint"),
    [
        ({"scenario": {}}, TypeError, "from_dict"),
        (b"scenario: {}", TypeError, "loads"),
        ("", ValueError, "empty path"),
    ],
)
def test_load_with_the_wrong_argument_says_what_to_call(
    arg: object, error: type[Exception], hint: str
) -> None:
    """``load(dict)``, ``load(bytes)``, ``load("")``: a TypeError / ValueError with the fix."""
    with pytest.raises(error, match=hint):
        evacuate.load(arg)  # type: ignore[arg-type]


def test_dumps_refuses_an_unknown_format() -> None:
    """``dumps(s, "xml")`` returned YAML; now a ValueError naming the formats."""
    with pytest.raises(ValueError, match="'yaml' or 'json'"):
        evacuate.scenario.dumps(loads(BASE), "xml")
