"""The ``observed:`` section: a recorded series of people rescued, validated at its lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evacuate
from evacuate import ScenarioError
from evacuate.scenario.schema import json_schema

BASE = """\
scenario: {id: obs, end: 72h, start_date: "2006-07-16"}
places:
  - {id: town, position: [0, 0], population: 300}
  - {id: shelter, position: [30, 0], capacity: 1000}
fleet:
  classes: [{id: bus, capacity: 50, speed: 30 km/h}]
  stock: [{class: bus, place: town, count: 2}]
"""


def _issues(observed: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ScenarioError) as info:
        evacuate.loads(BASE + observed, source="obs.yaml")
    return [(i.path, i.line, i.message) for i in info.value.issues if i.severity == "error"]


def test_a_valid_series_loads_with_running_totals() -> None:
    """Points by date or time, counts since the last point or in all, each with its source."""
    s = evacuate.loads(
        BASE
        + """observed:
  description: "news reports"
  period: 1d
  points:
    - {at: "2006-07-17", rescued: 40, source: "https://example.org/a"}
    - {at: 48h, total: 100, source: "https://example.org/b"}
    - {at: "2006-07-19", rescued: 150, source: assumption, note: "a guess"}
"""
    )
    assert s.observed is not None
    assert s.observed.period == 24
    assert s.observed.totals() == [(24.0, 40), (48.0, 100), (72.0, 250)]
    # it survives a dump and a load, and a variant
    assert evacuate.loads(evacuate.dumps(s)).observed == s.observed


def test_each_broken_point_is_reported_at_its_line_all_at_once() -> None:
    """Both counts, no count, out of order, beyond the horizon, a falling total, no source."""
    found = _issues(
        """observed:
  points:
    - {at: 24, rescued: 40, total: 40, source: a}
    - {at: 30, source: b}
    - {at: 20, rescued: 5, source: c}
    - {at: 100, total: 60, source: d}
    - {at: 50, total: 10, source: e}
    - {at: 60, total: 70}
"""
    )

    def has(path: str, line: int, fragment: str) -> bool:
        return any(p == path and n == line and fragment in m for p, n, m in found)

    assert has("observed.points[0].total", 10, "found both rescued and total")
    assert has("observed.points[1]", 11, "found no count")
    assert has("observed.points[2].at", 12, "not after the previous one (1.25 d)")
    assert has("observed.points[3].at", 13, "expected a time between 0 and scenario.end (3 d)")
    assert has("observed.points[4].total", 14, "found total 10, below the 60 counted")
    assert has("observed.points[5].source", 15, "missing")


def test_an_empty_series_is_refused() -> None:
    """A series needs at least one point."""
    found = _issues("observed:\n  points: []\n")
    assert any(p == "observed.points" and n == 9 for p, n, _ in found), found


def test_the_json_schema_describes_observed() -> None:
    """Editors see the section: points with at, rescued or total, and a required source."""
    schema = json_schema()
    assert "observed" in schema["properties"]
    point = schema["$defs"]["Observation"]
    assert {"at", "rescued", "total", "source"} <= set(point["properties"])
    assert "source" in point["required"]


_POINT = st.tuples(
    st.integers(-5, 80),
    st.sampled_from(["rescued", "total", "both", "neither"]),
    st.integers(0, 400),
)


@settings(max_examples=30, deadline=None)
@given(points=st.lists(_POINT, min_size=1, max_size=6))
def test_a_series_loads_exactly_when_every_rule_holds(points: list[tuple[int, str, int]]) -> None:
    """One count per point, times in order within 0..end, totals never falling: the file loads
    if and only if all hold, and then its running totals are the ones written."""
    lines, ok, last, so_far, want = [], True, None, 0, []
    for at, kind, n in points:
        count = {"rescued": f"rescued: {n}", "total": f"total: {n}"}.get(kind)
        if kind == "both":
            count = f"rescued: {n}, total: {n}"
        lines.append(f"    - {{at: {at}, {count + ', ' if count else ''}source: s}}")
        ok &= kind in ("rescued", "total") and 0 <= at <= 72 and (last is None or at > last)
        last = at
        if kind == "rescued":
            so_far += n
        elif kind == "total":
            ok &= n >= so_far
            so_far = n
        want.append((float(at), so_far))
    text = BASE + "observed:\n  points:\n" + "\n".join(lines) + "\n"
    if ok:
        s = evacuate.loads(text)
        assert s.observed is not None and s.observed.totals() == want
    else:
        with pytest.raises(ScenarioError):
            evacuate.loads(text)
