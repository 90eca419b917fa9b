"""Hostile input against the newer format features (arrivals over time, rate tables, stands,
sorties, rest, records, walkways, helpful surprises): found by mutating every field of
``tests/data/hostile/kitchen_sink.yaml``; each is a clean ``ScenarioError`` naming the field
and its line, never an internal error or a hang."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import evacuate
from evacuate import ScenarioError
from evacuate.scenario import limits

SINK = Path(__file__).resolve().parents[1] / "data" / "hostile" / "kitchen_sink.yaml"
TEXT = SINK.read_text(encoding="utf-8")


def _load(text: str, tmp_path: Path) -> evacuate.Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return evacuate.load(path)


def _issues(text: str, tmp_path: Path) -> list[evacuate.Issue]:
    with pytest.raises(ScenarioError) as info:
        _load(text, tmp_path)
    return [i for i in info.value.issues if i.severity == "error"]


def test_the_kitchen_sink_is_valid(tmp_path: Path) -> None:
    """The base of the mutations loads (so each error below comes from its one change)."""
    s = _load(TEXT, tmp_path)
    assert s.scenario.id == "kitchen_sink"


@pytest.mark.parametrize("value", ["[]", "{}", "[[1, 2]]", "{a: 1}"])
def test_an_operator_that_is_not_text_is_a_clean_error(tmp_path: Path, value: str) -> None:
    """A withdraw_operator's ``operator: []`` crashed the return_operator rule (unhashable)."""
    text = TEXT.replace(
        "{type: withdraw_operator, operator: army}",
        f"{{type: withdraw_operator, operator: {value}}}",
    )
    assert text != TEXT
    issues = _issues(text, tmp_path)
    assert any(i.path == "events[6].effects[0].operator" and i.line for i in issues), issues


def _run_bounded(code: str, seconds: float = 60.0) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter: a hang fails the test (the bound is a safety stop on
    the test process, not a timed assertion)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )


def test_per_period_work_past_the_limit_is_refused_without_computing_it(tmp_path: Path) -> None:
    """``end: 1e9h`` with an arrival curve made validation run for hours (a release per hour
    of the horizon); every field whose steps pass the limit is named, at its line."""
    path = tmp_path / "s.yaml"
    path.write_text(TEXT.replace("  end: 30h", "  end: 1e9h"), encoding="utf-8")
    done = _run_bounded(
        f"""
        import evacuate
        try:
            evacuate.load({str(path)!r})
        except evacuate.ScenarioError as exc:
            for i in exc.issues:
                print(i)
        """
    )
    assert done.returncode == 0, done.stderr
    limit = f"expected at most {limits.MAX_STEPS:,}"
    for where in (
        ":5: error: scenario.end",
        ":13: error: places[0].arrival_curve.step",
        ":17: error: places[0].load_rates.every",
        ":24: error: places[1].arrival_rates.step",
    ):
        line = next((x for x in done.stdout.splitlines() if where in x), "")
        assert limit in line, (where, done.stdout)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("{shape: logistic, people: 100, start: 1h, half: 3h}",
         "{shape: logistic, people: 100, start: 1h, half: 3h, step: 1s}",
         "places[0].arrival_curve.step"),
        ("        - {from: 8h, per_hour: 50}\n", "", "places[0].load_rates.every"),
    ],
)  # fmt: skip
def test_a_tiny_step_over_a_short_horizon_is_refused_too(
    tmp_path: Path, old: str, new: str, path: str
) -> None:
    """The limit counts steps, not the horizon: one second over 30 hours is 108,000."""
    text = TEXT.replace(old, new)
    if not new:  # a one-entry table repeated every second
        text = text.replace("      every: 12h\n", "      every: 1s\n")
    issues = _issues(text, tmp_path)
    assert [i.path for i in issues] == [path]
    assert f"at most {limits.MAX_STEPS:,}" in issues[0].message


def test_a_scenario_without_per_period_work_keeps_the_long_horizon(tmp_path: Path) -> None:
    """The horizon limit applies only where work is counted per period: plain trips plan on
    a horizon of a million hours as before."""
    doc = yaml.safe_load(TEXT)
    doc["scenario"]["end"] = "1e6h"
    for place in doc["places"]:
        for key in ("arrival_curve", "arrival_rates", "load_rates", "load_per_hour",
                    "unload_per_hour"):  # fmt: skip
            place.pop(key, None)
    doc["travel"].pop("walkways")
    doc["events"] = [e for e in doc["events"] if e["id"] != "storm"]
    doc.pop("variants")
    s = _load(yaml.safe_dump(doc, sort_keys=False), tmp_path)
    assert s.scenario.end == 1e6


@pytest.mark.parametrize("field", ["half", "spread"])
@pytest.mark.parametrize("value", ["1e-300", "0.1s"])
def test_a_curve_narrower_than_a_second_is_refused(tmp_path: Path, field: str, value: str) -> None:
    """``half: 1e-300``: the Rayleigh curve squared it to 0 and divided by it
    (ZeroDivisionError, exit 1); now a duration of at least a second, at its line."""
    curve = f"{{shape: logistic, people: 100, start: 1h, half: 3h, {field}: {value}}}"
    if field == "half":
        curve = f"{{shape: rayleigh, people: 100, start: 1h, half: {value}}}"
    text = TEXT.replace("{shape: logistic, people: 100, start: 1h, half: 3h}", curve)
    issues = _issues(text, tmp_path)
    assert [(i.path, i.line) for i in issues] == [(f"places[0].arrival_curve.{field}", 13)]
    assert "at least 1 second" in issues[0].message
