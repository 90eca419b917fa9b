"""ReportResults: plain JSON-ready data, read back exactly; a report drawn from a stored file
is the same report; a bad file is reported field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evacuate.report import ReportResults, ReportRun, ResultsError, build_report
from evacuate.simulation.log import KINDS, LogEvent
from evacuate.simulation.result import SimResult

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_events = st.lists(
    st.builds(
        LogEvent,
        time=st.floats(-1e6, 1e6, allow_nan=False),
        kind=st.sampled_from(KINDS),
        place=_text,
        other=_text,
        group=_text,
        vehicle_class=_text,
        vehicles=st.integers(0, 10**6),
        people=st.integers(0, 10**9),
        detail=_text,
    ),
    max_size=20,
)


@settings(max_examples=25, deadline=None)
@given(events=_events, bound=st.none() | st.floats(0, 1e9, allow_nan=False))
def test_round_trip_through_json(
    tiny_result: SimResult, events: list[LogEvent], bound: float | None
) -> None:
    """to_data -> JSON text -> from_data gives back the same runs, any log and bound."""
    run = ReportRun.from_sim("a run", tiny_result, bound)
    run = ReportRun(**{**run.__dict__, "events": tuple(events)})
    results = ReportResults((run,), title="T", extras={"sweep": {"n": 3}})
    back = ReportResults.from_data(json.loads(results.dumps()))
    assert back == results
    assert back.dumps() == results.dumps()


def test_report_from_stored_results_is_the_same(tiny_result: SimResult, tmp_path: Path) -> None:
    """The results.json a report writes draws the very same report (same bytes)."""
    runs = [ReportRun.from_sim("base", tiny_result, 100.0), ReportRun.from_sim("b", tiny_result)]
    first = build_report(runs, tmp_path / "a", title="Tiny")
    again = build_report(ReportResults.load(first.results), tmp_path / "b", title="Tiny")
    for x, y in zip(first.all, again.all, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_every_problem_of_a_bad_file_at_once(tiny_result: SimResult, tmp_path: Path) -> None:
    """Each bad field is named by its path; all of them in one error."""
    data = ReportResults((ReportRun.from_sim("x", tiny_result),)).to_data()
    data["version"] = 99
    data["runs"][0]["rescued"] = "many"
    data["runs"][0]["bound"] = "big"
    data["runs"][0]["log"]["rows"][2] = [1, "depart"]
    del data["runs"][0]["scenario"]["places"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultsError) as err:
        ReportResults.load(path)
    paths = {i.path for i in err.value.issues}
    assert {"version", "runs[0].rescued", "runs[0].bound", "runs[0].log.rows[2]"} <= paths
    assert any(p.startswith("runs[0].scenario") for p in paths)
    assert all(i.file == str(path) for i in err.value.issues)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{", "not JSON"), ("[]", "expected a mapping"), ('{"format": "x"}', "format")],
)
def test_not_a_results_file(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsError, match=expected):
        ReportResults.load(path)
