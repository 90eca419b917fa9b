"""Plans that must be refused: valid plans edited by hand (people beyond seats, a trip before
its vehicles exist, overlapping trips of one group, walks beyond a walkway's rate or window,
records that lie, trips into a closed place, an inflated rescued count). ``evacuate check``
refuses each, naming the rule; a Hypothesis property applies the edits to any row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app

DATA = Path(__file__).resolve().parent / "data"
SINK = DATA / "hostile" / "kitchen_sink.yaml"
SINK_PLAN = DATA / "hostile" / "kitchen_sink_plan.csv"
WALK = DATA / "walkways" / "walk_only.yaml"
WALK_PLAN = DATA / "hostile" / "walk_only_plan.csv"

Rows = list[list[str]]


def _split(path: Path) -> tuple[list[str], list[str], Rows]:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = [line for line in lines if line.startswith("#")]
    rows = list(csv.reader(line for line in lines if not line.startswith("#")))
    return head, rows[0], rows[1:]


def _write(tmp_path: Path, head: list[str], columns: list[str], rows: Rows) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path = tmp_path / "edited.csv"
    path.write_text("\n".join(head) + "\n" + out.getvalue(), encoding="utf-8")
    return path


def _rules(scenario: Path | str, plan: Path) -> set[str]:
    report = evacuate.check(evacuate.load(scenario), plan)
    return set(report.violation_counts)


@pytest.mark.parametrize(("scenario", "plan"), [(SINK, SINK_PLAN), (WALK, WALK_PLAN)])
def test_the_unedited_plans_are_feasible(scenario: Path, plan: Path) -> None:
    """The base of every edit below passes (so each refusal comes from its edit)."""
    assert _rules(scenario, plan) == set()


def _row(columns: list[str], **fields: str) -> list[str]:
    return [fields.get(c, "") for c in columns]


def _with_rows(*extra: dict[str, str]) -> tuple[list[str], list[str], Rows]:
    head, columns, rows = _split(SINK_PLAN)
    if "walkway" not in columns:
        columns = [*columns, "walkway"]
        rows = [[*r, ""] for r in rows]
    return head, columns, rows + [_row(columns, **x) for x in extra]


# fmt: off
EDITS = {
    # trucks stand at the camp only from 2 h on
    "trip before its vehicles exist": ({"group": "gx", "class": "truck", "count": "1",
        "origin": "camp", "depart": "1", "destination": "town", "arrive": "3", "people": "0"},
        "inventory"),
    # the camp is closed until the open_place at 3 h
    "trip into a closed place": ({"group": "gy", "class": "bus", "count": "1",
        "origin": "depot", "depart": "0", "destination": "camp", "arrive": "1.5",
        "people": "0"}, "closed_place"),
    # the path is open until 10 h
    "walk after its walkway closes": ({"origin": "beach", "depart": "11",
        "destination": "town", "arrive": "12", "people": "1", "walkway": "path"},
        "walk_window"),
    # 40 people an hour may set out on the path
    "walk beyond its walkway's rate": ({"origin": "beach", "depart": "0",
        "destination": "town", "arrive": "1", "people": "75", "walkway": "path"},
        "walk_rate"),
    # one hour on foot at the least
    "walk faster than its walkway": ({"origin": "beach", "depart": "0",
        "destination": "town", "arrive": "0.5", "people": "1", "walkway": "path"},
        "walk_time"),
}
# fmt: on


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_added_row_that_breaks_a_rule_is_refused_by_name(tmp_path: Path, edit: str) -> None:
    """Each edit is refused by ``evacuate check`` (exit 2) with the rule in the output."""
    row, rule = EDITS[edit]
    plan = _write(tmp_path, *_with_rows(row))
    assert rule in _rules(SINK, plan)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["check", str(SINK), "--plan", str(plan)]
    )
    assert result.exit_code == 2, result.output
    assert rule in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("record", "rule"),
    [
        ("{sorties: 6, duty_from: 0h, last_end: 0h}", "sorties"),  # max_sorties is 6
        ("{sorties: 1, duty_from: -7h, last_end: 0h}", "rest"),  # on duty 7 h of 8 already
    ],
)
def test_a_plan_beyond_what_the_records_leave_is_refused(
    tmp_path: Path, record: str, rule: str
) -> None:
    """The stock's ``record`` says what the vehicles flew before: a plan that ignores it is
    refused (the plan names its scenario by id only, as a hand-written plan does)."""
    text = SINK.read_text(encoding="utf-8")
    edited = text.replace("record: {sorties: 1, duty_from: 0h, last_end: 0h}", f"record: {record}")
    assert edited != text
    scenario = tmp_path / "s.yaml"
    scenario.write_text(edited, encoding="utf-8")
    head, columns, rows = _split(SINK_PLAN)
    head = [h for h in head if not h.startswith("# scenario_digest:")]
    assert rule in _rules(scenario, _write(tmp_path, head, columns, rows))


@pytest.mark.parametrize("delta", [1, -1, 10**6])
def test_a_rescued_count_that_lies_is_refused(tmp_path: Path, delta: int) -> None:
    """The header's ``rescued`` is checked exactly."""
    head, columns, rows = _split(SINK_PLAN)
    claimed = next(int(h.split(":")[1]) for h in head if h.startswith("# rescued:"))
    head = [f"# rescued: {claimed + delta}" if h.startswith("# rescued:") else h for h in head]
    assert _rules(SINK, _write(tmp_path, head, columns, rows)) == {"claimed_rescued"}


def _trip_edits(columns: list[str], rows: Rows, i: int, capacity: int) -> dict[str, Rows]:
    """Edits of trip row ``i`` that no plan may make, by the rule each breaks."""
    c = {name: k for k, name in enumerate(columns)}
    row = rows[i]
    out: dict[str, Rows] = {}

    def edited(**fields: str) -> Rows:
        copy = [list(r) for r in rows]
        for name, value in fields.items():
            copy[i][c[name]] = value
        return copy

    count, depart = int(row[c["count"]]), float(row[c["depart"]])
    out["capacity"] = edited(people=str(count * capacity + 1))
    out["travel_time"] = edited(arrive=repr(depart + 1e-6))
    group = [r for r in rows if r[c["group"]] == row[c["group"]]]
    earlier = [float(r[c["arrive"]]) for r in group if float(r[c["depart"]]) < depart]
    if earlier:
        out["group_chain"] = edited(depart=repr(max(earlier) - 0.25))
    many = [list(r) for r in rows]
    for r in many:
        if r[c["group"]] == row[c["group"]]:
            r[c["count"]] = str(int(r[c["count"]]) * 1000)
    out["inventory"] = many
    return out


def _walk_edits(columns: list[str], rows: Rows, i: int) -> dict[str, Rows]:
    c = {name: k for k, name in enumerate(columns)}
    crowd, instant = [list(r) for r in rows], [list(r) for r in rows]
    crowd[i][c["people"]] = str(int(rows[i][c["people"]]) * 1000)
    instant[i][c["arrive"]] = rows[i][c["depart"]]
    return {"walk_rate": crowd, "walk_time": instant}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_row_edited_beyond_the_rules_is_refused(tmp_path: Path, data: st.DataObject) -> None:
    """Property: whichever trip or walk of a valid plan is edited past a rule (seats, travel
    time, its group's previous trip, vehicles at the origin, a walkway's rate or time), the
    checker refuses the plan and names that rule."""
    scenario, plan = data.draw(st.sampled_from([(SINK, SINK_PLAN), (WALK, WALK_PLAN)]))
    s = evacuate.load(scenario)
    head, columns, rows = _split(plan)
    i = data.draw(st.integers(0, len(rows) - 1))
    c = {name: k for k, name in enumerate(columns)}
    if "walkway" in c and rows[i][c["walkway"]]:
        edits = _walk_edits(columns, rows, i)
    else:
        capacity = next(v.capacity for v in s.fleet.classes if v.id == rows[i][c["class"]])
        edits = _trip_edits(columns, rows, i, capacity)
    rule = data.draw(st.sampled_from(sorted(edits)))
    assert rule in _rules(scenario, _write(tmp_path, head, columns, edits[rule]))


NO_BERTHS = """\
scenario: {id: no_berths, end: 20h}
places:
  - {id: town, population: 200, deadline: 15h}
  - {id: camp, capacity: 1000}
travel:
  routes: lanes
  lanes: [{id: road, from: town, to: camp, time: 1h}]
fleet:
  classes: [{id: bus, capacity: 50, load_time: 30min}]
  stock: [{class: bus, place: camp, count: 1}]
events:
  - {id: quay_lost, at: 4h, effects: [{type: change_throughput, place: town, berths: 0}]}
"""


def test_the_planner_books_no_berth_where_none_is_left() -> None:
    """A change_throughput leaving 0 berths for good: the dispatcher's berth ledger returned
    its last candidate start when none had room, and booked loadings the checker refused."""
    s = evacuate.loads(NO_BERTHS)
    result = evacuate.plan(s, time_limit=30)
    report = evacuate.check(s, result)
    assert report.violation_counts == {}
    assert report.rescued == result.rescued == 100  # two loadings, at 1 h and 3.5 h


@pytest.mark.parametrize("depart", ["1000", "1e23"])
def test_a_trip_that_arrives_before_it_departs_is_refused_not_a_crash(
    tmp_path: Path, depart: str
) -> None:
    """A group's first trip moved to depart after it arrives: the wear rules put the group's
    leaving before its drawing (KeyError, exit 1); now refused under travel_time."""
    head, columns, rows = _split(SINK_PLAN)
    c = {name: k for k, name in enumerate(columns)}
    rows[0][c["depart"]] = depart  # g7 from the depot, arriving at 0.37 h
    plan = _write(tmp_path, head, columns, rows)
    assert "travel_time" in _rules(SINK, plan)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["check", str(SINK), "--plan", str(plan)]
    )
    assert result.exit_code == 2 and "internal error" not in result.output, result.output
