"""Tests of plan files: round trips through CSV, JSON and Parquet; errors list every row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evacuate.errors import PlanFormatError
from evacuate.planio import (
    COLUMNS,
    FORMAT,
    MAX_ISSUES,
    Plan,
    Trip,
    plan_from_rows,
    plan_to_array,
    plan_to_rows,
    read_plan,
    write_plan,
)

TRIPS = (
    Trip("g1", "bus", 2, "town", 0.0, "camp", 2.0, 100),
    Trip("g1", "bus", 2, "camp", 2.0, "town", 3.1, 0),
    Trip('odd, "quoted" id', "bus", 1, "town", 0.1, "camp", 1e-7 + 2, 7),
    Trip("g3", "ferry", 10_000, "mars", 840.123456789, "vashti", 864.5, 25_000_000),
)
PLAN = Plan(
    scenario_id="tiny",
    variant="historical",
    objective="max_rescued",
    rescued=100.0,
    bound=250.5,
    trips=TRIPS,
    time_unit="day",
    meta={"makespan": 2.0, "solver": {"name": "greedy", "seconds": 0.25}, "tags": ["a", "b"]},
)
BARE = Plan("tiny", trips=TRIPS[:1])

HEADER = "# scenario: tiny\n# time_unit: hour\n" + ",".join(COLUMNS) + "\n"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
@pytest.mark.parametrize("plan", [PLAN, BARE, Plan("empty", time_unit="minute")])
def test_round_trip(tmp_path: Path, suffix: str, plan: Plan) -> None:
    """Plan -> file -> Plan gives an equal plan, with no temporary files left behind."""
    path = tmp_path / f"plan{suffix}"
    write_plan(plan, path)
    assert read_plan(path) == plan
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_round_trip_parquet(tmp_path: Path) -> None:
    """Parquet keeps the header in the schema metadata (needs pyarrow)."""
    path = tmp_path / "plan.parquet"
    write_plan(PLAN, path)
    assert read_plan(path) == PLAN


def test_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(PlanFormatError, match="pip install pyarrow"):
        write_plan(PLAN, tmp_path / "plan.parquet")


def test_csv_layout_is_documented_one(tmp_path: Path) -> None:
    """A header block of '# key: value' lines, then the columns; integers without '.0'."""
    path = tmp_path / "plan.csv"
    write_plan(PLAN, path)
    lines = path.read_text().splitlines()
    assert lines[:7] == [
        f"# format: {FORMAT}",
        "# scenario: tiny",
        "# variant: historical",
        "# objective: max_rescued",
        "# rescued: 100",
        "# bound: 250.5",
        "# time_unit: day",
    ]
    assert lines[7].startswith("# meta: {")
    assert lines[8] == ",".join(COLUMNS)
    assert lines[9] == "g1,bus,2,town,0,camp,2,100"
    assert lines[11] == '"odd, ""quoted"" id",bus,1,town,0.1,camp,2.0000001,7'


def test_json_layout(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    write_plan(PLAN, path)
    data = json.loads(path.read_text())
    assert data["header"]["scenario"] == "tiny" and data["header"]["time_unit"] == "day"
    assert data["trips"][0] == {
        "group": "g1", "class": "bus", "count": 2, "origin": "town", "depart": 0.0,
        "destination": "camp", "arrive": 2.0, "people": 100,
    }  # fmt: skip


def test_pandas_reads_the_csv(tmp_path: Path) -> None:
    """Any CSV tool that skips '#' comment lines reads the trips."""
    import pandas as pd  # the test extra installs it: never skipped

    path = tmp_path / "plan.csv"
    write_plan(PLAN, path)
    frame = pd.read_csv(path, comment="#")
    assert list(frame.columns) == list(COLUMNS)
    assert frame["people"].sum() == sum(t.people for t in TRIPS)


def test_lenient_reading(tmp_path: Path) -> None:
    """Columns in any order, extra columns, blank lines, comment lines before the column row,
    'vehicle_class', 2.0."""
    path = tmp_path / "plan.csv"
    path.write_text(
        "# a free comment\n\n# scenario: tiny\n# time_unit: hour\n# note: hello\n"
        "people,arrive,destination,depart,origin,count,vehicle_class,group,extra\n"
        "100,2,camp,0,town,2.0,bus,g1,x\n\n"
    )
    plan = read_plan(path)
    assert plan.trips == (Trip("g1", "bus", 2, "town", 0.0, "camp", 2.0, 100),)
    assert plan.meta == {"note": "hello"}
    assert (plan.variant, plan.rescued, plan.bound, plan.objective) == (
        None, None, None, "max_rescued",
    )  # fmt: skip


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    """Each problem names the file, the line, the column, what was found and what was expected."""
    path = tmp_path / "plan.csv"
    path.write_text(
        HEADER
        + "g1,bus,2,town,0,camp,2,100\n"
        + "g2,bus,0,town,soon,camp,2,-3\n"
        + "g3,bus,1,town,0\n"
        + ",bus,1,town,0,camp,nan,1.5\n"
    )
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    issues = info.value.issues
    where = [(i.line, i.path) for i in issues]
    assert where == [
        (5, "trips[1].count"),
        (5, "trips[1].depart"),
        (5, "trips[1].people"),
        (6, "trips[2]"),
        (7, "trips[3].group"),
        (7, "trips[3].arrive"),
        (7, "trips[3].people"),
    ]
    assert all(i.file == str(path) for i in issues)
    assert "found 'soon'; expected a finite number" in issues[1].message
    assert "found 5 field(s); expected 8" in issues[3].message
    assert "found '1.5'; expected a whole number of people" in issues[6].message
    assert f"{path}:5: error: trips[1].count:" in str(info.value)


def test_bad_header_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("# time_unit: fortnight\n# rescued: many\ngroup,class,count,origin\n")
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    messages = [(i.path, i.line) for i in info.value.issues]
    assert messages == [
        ("header.scenario", None),
        ("header.time_unit", 1),
        ("header.rescued", 2),
        ("columns", 3),
    ]
    assert "missing column(s) depart, destination, arrive, people" in info.value.issues[3].message


def test_csv_without_column_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("# scenario: s\n# time_unit: hour\n")
    with pytest.raises(PlanFormatError, match="no column row"):
        read_plan(path)


def test_many_bad_rows_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "g,bus,0,a,0,b,1,0\n" * (MAX_ISSUES + 5))
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert len(info.value.issues) == MAX_ISSUES + 1
    assert "5 more problem(s)" in info.value.issues[-1].message


def test_json_errors(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"header": {"scenario": "s"},\n "trips": [1, 2')
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert info.value.issues[0].line == 2 and "not valid JSON" in info.value.issues[0].message

    rows = [
        {"group": "g", "class": "bus", "count": True, "origin": "a", "depart": "0",
         "destination": "b", "arrive": 1, "people": 0},
        "not a trip",
        {"group": "g", "class": "bus", "count": 1, "origin": "a", "depart": 0,
         "destination": "b", "arrive": 1},
    ]  # fmt: skip
    path.write_text(json.dumps({"header": {"scenario": "s", "time_unit": "hour"}, "trips": rows}))
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert [i.path for i in info.value.issues] == [
        "trips[0].count",
        "trips[0].depart",
        "trips[1]",
        "trips[2].people",
    ]
    assert "found nothing" in info.value.issues[3].message

    path.write_text(json.dumps([1, 2]))
    with pytest.raises(PlanFormatError, match="expected an object with 'header' and 'trips'"):
        read_plan(path)
    path.write_text(json.dumps({"header": {"scenario": "s", "time_unit": "hour", "format": "x/9"}}))
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert [i.path for i in info.value.issues] == ["header.format", "trips"]


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFormatError, match=r"unknown plan file suffix '\.txt'"):
        write_plan(PLAN, tmp_path / "plan.txt")
    with pytest.raises(PlanFormatError, match="unknown plan file suffix"):
        read_plan(tmp_path / "plan")
    with pytest.raises(PlanFormatError, match="cannot read the file"):
        read_plan(tmp_path / "missing.csv")


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    """Writing is atomic: an error midway keeps the previous file and no temporary file."""
    path = tmp_path / "plan.json"
    write_plan(BARE, path)
    bad = Plan("tiny", trips=TRIPS, meta={"x": float("nan")})
    with pytest.raises(ValueError):
        write_plan(bad, path)
    assert read_plan(path) == BARE
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_rows_array_and_from_rows() -> None:
    rows = plan_to_rows(PLAN)
    assert rows[0] == {
        "group": "g1", "class": "bus", "count": 2, "origin": "town", "depart": 0.0,
        "destination": "camp", "arrive": 2.0, "people": 100,
    }  # fmt: skip
    arr = plan_to_array(PLAN)
    assert arr.dtype.names == COLUMNS
    assert arr["people"].sum() == sum(t.people for t in TRIPS)
    assert arr["depart"].dtype == np.float64 and arr["count"].dtype == np.int64
    assert arr["group"][2] == TRIPS[2].group
    assert len(plan_to_array(Plan("empty"))) == 0
    again = plan_from_rows(
        rows,
        scenario_id="tiny",
        time_unit="day",
        variant="historical",
        rescued=100.0,
        bound=250.5,
        meta=PLAN.meta,
    )
    assert again == PLAN
    with pytest.raises(PlanFormatError, match=r"trips\[0\].people"):
        plan_from_rows([{**rows[0], "people": -1}], scenario_id="tiny", time_unit="day")


def test_plan_takes_a_list_of_trips() -> None:
    plan = Plan("tiny", trips=list(TRIPS))  # type: ignore[arg-type]
    assert isinstance(plan.trips, tuple) and plan.trips == TRIPS
    assert plan.header() == {
        "format": FORMAT,
        "scenario": "tiny",
        "objective": "max_rescued",
        "time_unit": "hour",
    }


def test_parquet_errors(tmp_path: Path) -> None:
    """A Parquet file without the plan header or with bad values lists every problem."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "plan.parquet"
    rows = plan_to_rows(PLAN)
    rows[1]["count"] = 0
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, path)
    with pytest.raises(PlanFormatError) as info:
        read_plan(path)
    assert [i.path for i in info.value.issues] == ["header", "header.scenario", "header.time_unit",
                                                   "trips[1].count"]  # fmt: skip


def test_documented_examples_read_and_check(tmp_path: Path) -> None:
    """The CSV and JSON examples in docs/plan-format.md are valid, equal and feasible."""
    import re

    import evacuate
    from evacuate.check import check

    doc = (Path(__file__).parents[1] / "docs" / "plan-format.md").read_text()
    blocks = dict(re.findall(r"```(csv|json)\n(.*?)```", doc, flags=re.S))
    plans = []
    for fmt, text in blocks.items():
        path = tmp_path / f"example.{fmt}"
        path.write_text(text)
        plans.append(read_plan(path))
    csv_plan, json_plan = plans
    assert csv_plan.trips == json_plan.trips
    scenario = evacuate.load().variant("historical")
    report = check(scenario, csv_plan)
    assert report.feasible, report.summary()
    assert report.rescued == 150_000 == csv_plan.rescued
