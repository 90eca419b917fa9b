"""``evacuate import bep`` on hostile instances: numbers past the scenario format's limits are
refused against the BEP file's line and field (not against fields of the scenario it would
write), instances whose scenario could not be read back are refused, and no instance makes
the importer run without end. Whatever the file, the command exits 0 or 2 (never 1), an exit
2 names the BEP file (and its line where one is at fault), and nothing is written then."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import evacuate
from evacuate import bep_schedule
from evacuate.bep import MAX_LANES, BepInstance, bep_to_scenario, parse_bep
from evacuate.bep_schedule import convoy_makespan, convoy_schedule
from evacuate.check import check
from evacuate.cli import app
from evacuate.errors import ScenarioError
from evacuate.planio import Plan
from tests.plan.test_bep_exact import small_beps

TINY = "2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3 5\n1 4 6\n2 2 7\n"


def _issues(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ScenarioError) as exc:
        parse_bep(text, "b.txt")
    return [(i.line, i.message) for i in exc.value.issues]


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3 1e29\n1 4 6\n2 2 7\n", 5, "distance from yard 1"),
        ("2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3 5\n1 4 6\n2 2 2e9\n", 7, "distance from point 2"),
        ("2 2000000000\n1 2\n2 15 10 5\n2 20 12 8\n1 3 5\n1 4 6\n2 2 7\n", 1, "bus capacity"),
        ("2000000000 10\n1 2000000000\n2 15 10 5\n2 20 12 8\n1 3 5\n1 4 6\n2 2 7\n", 2, "yard 1"),
        (f"2 10\n1 2\n2 {10**13} {10**13} 0\n2 20 12 8\n1 3 5\n1 4 6\n2 2 7\n", 3, "point 1"),
        (f"2 10\n1 2\n2 15 10 5\n2 {10**13 + 8} {10**13} 8\n1 3 5\n1 4 6\n2 2 7\n", 4, "shelter 1"),
    ],
)
def test_a_number_past_the_formats_limit_is_named_by_its_line(
    text: str, line: int, field: str
) -> None:
    """Before, a distance of 1e29 was reported against ``scenario.end``, a shelter's
    ``open_from`` and a lane's ``time`` of the scenario the importer generated."""
    issues = _issues(text)
    assert [ln for ln, _ in issues] == [line], issues
    assert "expected at most" in issues[0][1] and field in issues[0][1], issues


def test_the_command_refuses_it_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    """All the errors of the file at once, each with the BEP file and line; no scenario."""
    source = tmp_path / "b.txt"
    source.write_text("2 2000000000\n1 2\n2 15 10 5\n2 20 12 8\n1 3 1e29\n1 4 6\n2 2 7\n")
    out = tmp_path / "b.yaml"
    result = CliRunner().invoke(app, ["import", "bep", str(source), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert re.search(r"b\.txt:1: error: found 2000000000; expected at most", result.output)
    assert re.search(r"b\.txt:5: error: found 1e29; expected at most", result.output)
    assert "scenario.end" not in result.output and "lanes[" not in result.output
    assert not out.exists()


def test_more_lanes_than_a_scenario_holds_are_refused_at_the_shelter_line() -> None:
    """1,000 points and 100 shelters make 101,000 lanes: the file (1,000 rows) is refused
    before a scenario is built; before, 1,000 x 1,000 took minutes and ended in a
    MemoryError (exit 1)."""
    points, shelters = 1000, 100
    rows = "\n".join(f"{i + 1} " + " ".join(["1"] * shelters) for i in range(points))
    text = (
        f"1 10\n1 1\n{points} {points} {' '.join(['1'] * points)}\n"
        f"{shelters} {shelters * 10} {' '.join(['10'] * shelters)}\n"
        f"1 {' '.join(['1'] * points)}\n{rows}\n"
    )
    assert points * (shelters + 1) > MAX_LANES
    issues = _issues(text)
    assert len(issues) == 1 and issues[0][0] == 4, issues
    assert f"{points * (shelters + 1):,} lanes" in issues[0][1]


def test_a_horizon_past_the_formats_limit_names_the_file() -> None:
    """Distances within the limit that a schedule adds up past it (5 loads of 2e8 each way)."""
    inst = parse_bep("1 10\n1 1\n1 50 50\n1 100 100\n1 3\n1 2e8\n", "b.txt")
    with pytest.raises(ScenarioError) as exc:
        bep_to_scenario(inst, "b")
    (issue,) = exc.value.issues
    assert issue.file == "b.txt" and "expected at most" in issue.message


def test_a_hundred_million_single_seat_loads_import_at_once() -> None:
    """One bus of one seat for 10^8 people: the greedy schedule would make 10^8 loads one by
    one (it ran for minutes); past its work budget the horizon is the convoy's makespan."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                from evacuate.bep import bep_to_scenario, parse_bep
                inst = parse_bep("1 1\\n1 1\\n1 100000000 100000000\\n1 100000000 100000000\\n"
                                 "1 3\\n1 4\\n")
                print(bep_to_scenario(inst, "b")["scenario"]["end"])
                """
            ),
        ],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a speed target
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == 3 + (2 * 10**8 - 1) * 4


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_beps())
def test_past_the_greedy_budget_the_horizon_is_a_convoy_flown_to_its_end(
    inst: BepInstance,
) -> None:
    """With no work budget for the greedy schedule, the horizon is the convoys' makespan: each
    yard's convoy, flown trip by trip, passes the checker, and the best one moves everyone by
    its last delivery, the arithmetic makespan (so the horizon holds a feasible schedule)."""
    with mock.patch.object(bep_schedule, "GREEDY_WORK", 0):
        data = bep_to_scenario(inst, "b")
    scenario = evacuate.scenario.from_dict(data)
    best = convoy_makespan(inst)
    assert scenario.end == max(1, math.ceil(best - 1e-9))
    ends = []
    for y, buses in enumerate(inst.yard_buses):
        if buses == 0:
            continue
        trips = convoy_schedule(inst, y)
        report = check(scenario, Plan(scenario.id, trips=tuple(trips), time_unit="minute"))
        assert report.feasible, report.violations[:3]
        end = max(t.arrive for t in trips if t.people)
        ends.append(end)
        if end == best:
            assert report.rescued == inst.total_demand
    assert min(ends) == best


# ---------------------------------------------------------------------------- fuzz
HOSTILE = ["-1", "0", "1e29", "1e400", "nan", "inf", "2.5", "99999999999999999999", "x", ""]


@st.composite
def hostile_beps(draw: st.DrawFn) -> str:
    """The tiny instance with one token replaced, dropped or doubled, or a line dropped."""
    lines = [line.split() for line in TINY.splitlines()]
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines[i]) - 1))
    how = draw(st.sampled_from(["value", "value", "drop", "double", "line"]))
    if how == "value":
        lines[i][j] = draw(st.sampled_from(HOSTILE))
    elif how == "drop":
        del lines[i][j]
    elif how == "double":
        lines[i].insert(j, lines[i][j])
    else:
        del lines[i]
    return "\n".join(" ".join(line) for line in lines) + "\n"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hostile_beps())
def test_any_edited_instance_imports_or_is_refused_by_line(tmp_path: Path, text: str) -> None:
    """Exit 0 (a scenario that loads back) or 2 naming the BEP file and line, nothing written."""
    source, out = tmp_path / "b.txt", tmp_path / "b.yaml"
    source.write_text(text)
    out.unlink(missing_ok=True)
    result = CliRunner().invoke(app, ["import", "bep", str(source), "-o", str(out)])
    assert result.exit_code in (0, 2), (text, result.output)
    assert "internal error" not in result.output and "Traceback" not in result.output
    if result.exit_code == 2:
        assert not out.exists()
        assert re.search(r"b\.txt(:\d+)?: error: \S", result.output), (text, result.output)
        assert "scenario.end" not in result.output, (text, result.output)
    else:
        assert evacuate.load(out).population == parse_bep(text).total_demand
