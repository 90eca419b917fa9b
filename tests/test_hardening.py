"""Hardening of the plan reader, the checker and the planners' loops (issue 9): no infeasible
plan is certified, no loop runs away, and the Python API says what to pass instead."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import evacuate
from evacuate.bep import greedy_schedule, parse_bep
from evacuate.check import check
from evacuate.errors import PlanFormatError
from evacuate.plan.api import plan
from evacuate.planio import Plan, Trip, read_plan, write_plan
from evacuate.scenario.summary import effective_deadline
from tests.test_check import BASE, scenario

HEADER = "# scenario: tiny\n# time_unit: hour\n"
COLUMNS = "group,class,count,origin,depart,destination,arrive,people\n"


def _bounded(code: str, seconds: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; a hang past ``seconds`` fails the test."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )


# ---------------------------------------------------------------------------- plan reader
@pytest.mark.parametrize("group", ["#1", '"#1"', "# conjured"])
def test_rows_after_the_column_row_are_never_comments(tmp_path: Path, group: str) -> None:
    """A row whose group starts with '#' is a trip: the checker sees the 30 buses it
    conjures from nowhere and refuses the plan."""
    path = tmp_path / "p.csv"
    path.write_text(
        HEADER + COLUMNS + "g1,bus,2,town,0,camp,2,100\n" + f"{group},bus,30,depot,0,town,1,0\n"
    )
    plan = read_plan(path)
    assert len(plan.trips) == 2
    assert plan.trips[1].group == group.strip('"')
    report = check(scenario(), plan)
    assert not report.feasible and report.violation_counts.get("inventory")


def test_group_starting_with_hash_survives_a_round_trip(tmp_path: Path) -> None:
    """write_plan then read_plan of group '#1' keeps the row (and quotes it for other tools)."""
    plan = Plan("tiny", trips=(Trip("#1", "bus", 2, "town", 0.0, "camp", 2.0, 100),))
    path = tmp_path / "p.csv"
    write_plan(plan, path)
    assert '"#1"' in path.read_text()
    assert read_plan(path) == plan


def test_only_lines_before_the_column_row_are_comments(tmp_path: Path) -> None:
    """Comment lines and blank lines before the column row are fine; free comments too."""
    path = tmp_path / "p.csv"
    path.write_text("# a note: about this plan\n\n" + HEADER + "# made by hand\n" + COLUMNS)
    plan = read_plan(path)
    assert plan.scenario_id == "tiny" and plan.trips == ()


def test_huge_csv_field_is_a_clean_error(tmp_path: Path) -> None:
    """A field over the CSV module's limit is reported with its line, not a crash."""
    path = tmp_path / "p.csv"
    path.write_text(HEADER + COLUMNS + "x" * 200_000 + ",bus,1,town,0,camp,2,0\n")
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert "p.csv:4" in str(info.value) and "131,072 characters" in str(info.value)


@pytest.mark.parametrize("value", ["9223372036854775808", str(10**19)])
def test_counts_past_64_bits_are_refused_by_the_reader(tmp_path: Path, value: str) -> None:
    """A count past the reader's limit is a format error naming the limit."""
    path = tmp_path / "p.csv"
    path.write_text(HEADER + COLUMNS + f"g,bus,{value},town,0,camp,2,0\n")
    with pytest.raises(PlanFormatError, match=r"from 1 to 10\*\*18"):
        read_plan(path)


# ---------------------------------------------------------------------------- checker
@pytest.mark.parametrize("count", [1.5, True, "2", 2**70])
def test_trip_counts_that_are_not_whole_numbers_are_violations(count: Any) -> None:
    """``Trip(count=1.5)`` was checked feasible; now it breaks rule not_whole."""
    trip = Trip("g1", "bus", count, "town", 0.0, "camp", 2.0, 50)
    report = check(scenario(), Plan("tiny", trips=(trip,)))
    assert report.violation_counts.get("not_whole") == 1


def test_check_refuses_paths_with_the_fix() -> None:
    """``check(s, "p.csv")`` says to read the plan first."""
    with pytest.raises(TypeError, match="read_plan"):
        check(scenario(), "p.csv")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"evacuate\.load"):
        check("s.yaml", Plan("tiny"))  # type: ignore[arg-type]


def _two_moves(first: float, second: float) -> evacuate.Scenario:
    """Two move_deadline events on town at t=1: the file says first, then second."""
    return scenario(
        events=[
            {
                "id": f"m{i}",
                "at": 1,
                "effects": [{"type": "move_deadline", "place": "town", "to": to}],
            }
            for i, to in enumerate((first, second))
        ]
    )


@pytest.mark.parametrize(("first", "second"), [(5.0, 3.0), (3.0, 5.0)])
def test_simultaneous_deadline_moves_apply_in_file_order(first: float, second: float) -> None:
    """The last move in the file wins, in the checker as in show, plan and simulate."""
    sc = _two_moves(first, second)
    assert effective_deadline(sc, "town") == second
    # leaves town (after loading) at 4.5: fine before 5, late after 3
    trip = Trip("g1", "bus", 2, "town", 4.0, "camp", 6.0, 100)
    report = check(sc, Plan("tiny", trips=(trip,)))
    assert bool(report.violation_counts.get("deadline_origin")) == (second < 4.5)


# ---------------------------------------------------------------------------- loops
def test_periodic_window_loop_ends() -> None:
    """A lane open 1 s per hour and closed for good at once: planning ends (no walk over
    periods), within the bound of the test process."""
    data = copy.deepcopy(BASE)
    data["travel"] = {
        "routes": "lanes",
        "lanes": [
            {"id": "road", "from": "town", "to": "camp", "periodic": {"every": "1s", "open_for": 0}}
        ],
    }
    done = _bounded(
        f"""
        import yaml, evacuate
        s = evacuate.loads({yaml.safe_dump(data)!r})
        from evacuate.plan.api import plan
        r = plan(s, time_limit=2)
        print("rescued", r.rescued)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "rescued 0" in done.stdout


def test_bep_with_many_buses_is_fast() -> None:
    """1e8 buses at one yard: the greedy schedule works in groups, so it ends at once."""
    inst = parse_bep("100000000 10\n1 100000000\n2 1000 500 500\n1 1000 1000\n1 3 4\n1 5\n2 6\n")
    done = _bounded(
        """
        from evacuate.bep import greedy_schedule, parse_bep
        text = "100000000 10\\n1 100000000\\n2 1000 500 500\\n1 1000 1000\\n"
        inst = parse_bep(text + "1 3 4\\n1 5\\n2 6\\n")
        print(len(greedy_schedule(inst)))
        """,
        seconds=30,
    )
    assert done.returncode == 0, done.stderr
    trips = greedy_schedule(inst)
    assert sum(t.people for t in trips) == 1000
    assert len(trips) <= 8


# ---------------------------------------------------------------------------- API
@pytest.mark.parametrize("limit", [-1, 0, math.nan, math.inf])
def test_plan_refuses_a_bad_time_limit(limit: float) -> None:
    """``plan(s, time_limit=-1 | 0 | nan)`` ran anyway."""
    with pytest.raises(ValueError, match="time_limit"):
        plan(scenario(), time_limit=limit)


def test_plan_refuses_a_path_and_a_negative_seed() -> None:
    """``plan("file.yaml")`` and ``plan(s, seed=-1)`` say what to pass."""
    with pytest.raises(TypeError, match=r"evacuate\.load"):
        plan("file.yaml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        plan(scenario(), seed=-1)
