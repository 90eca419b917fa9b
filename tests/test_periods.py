"""Rescued per period (``evacuate.periods``, ``plan``/``simulate --per``) beside observed series."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import evacuate
from evacuate import periods
from evacuate.cli import app
from evacuate.plan.api import plan
from evacuate.scenario.observed import Observation, Observed
from evacuate.simulation import simulate

TINY = Path(__file__).parent / "data" / "valid" / "tiny_plane.yaml"
OBSERVED = """
observed:
  period: 6h
  points:
    - {at: 6h, rescued: 100, source: "assumption"}
    - {at: 18h, total: 300, source: "assumption"}
"""


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.floats(0, 48, allow_nan=False), st.integers(-50, 500)), max_size=30
    ),
    period=st.floats(0.25, 60, allow_nan=False),
)
def test_rows_tile_the_horizon_and_sum_to_the_steps(
    steps: list[tuple[float, int]], period: float
) -> None:
    """Rows start at 0, join end to start, reach the horizon; each step counts once; totals run."""
    s = evacuate.load(TINY)
    rows = periods.per_period(s, steps, period)
    assert rows[0].start == 0 and rows[-1].end == pytest.approx(max(s.end, period))
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(rows))
    assert sum(r.rescued for r in rows) == sum(n for _, n in steps)
    running = 0
    for r in rows:
        running += r.rescued
        assert r.total == running
    for t, _ in steps:  # a step at t is in the row (start, end] (the first row holds 0)
        k = periods._row_of(t, period, len(rows))
        assert rows[k].start - 1e-6 <= t <= rows[k].end + 1e-6


def test_observed_points_fall_in_the_period_they_end() -> None:
    """A count made at the end of a period is that period's; increments add up per row."""
    s = evacuate.load(TINY)
    obs = Observed(
        points=(
            Observation(at=6, rescued=100, source="a"),
            Observation(at=7, rescued=20, source="a"),
            Observation(at=18, total=300, source="b"),
        )
    )
    rows = periods.per_period(s, [], 6, observed=obs)
    assert [(r.observed, r.observed_total) for r in rows[:4]] == [
        (100, 100),
        (20, 120),
        (180, 300),
        (None, None),
    ]


def test_default_period_is_a_day_an_hour_or_the_series_own() -> None:
    """Two days or more: a day; less: an hour; an observed period wins; long horizons grow."""
    s = evacuate.load(TINY)
    assert periods.default_period(s) == 24
    short = s.model_copy(update={"scenario": s.scenario.model_copy(update={"end": 30})})
    assert periods.default_period(short) == 1
    with_obs = evacuate.loads(TINY.read_text(encoding="utf-8") + OBSERVED)
    assert periods.default_period(with_obs) == 6
    romulan = evacuate.load()
    rows = periods.per_period(romulan, [])
    assert len(rows) <= periods.MAX_ROWS


def test_parse_period() -> None:
    assert periods.parse_period("day", "hour") == 24
    assert periods.parse_period("6h", "hour") == 6
    assert periods.parse_period("90min", "hour") == 1.5
    with pytest.raises(ValueError):
        periods.parse_period("0h", "hour")


def test_plan_and_simulation_tables_sum_to_their_totals() -> None:
    """The plan's table ends at its rescued count; so does an undisturbed simulation's."""
    s = evacuate.loads(TINY.read_text(encoding="utf-8") + OBSERVED)
    result = plan(s, time_limit=5, seed=0)
    assert result.per_period and result.per_period[-1].total == result.rescued
    assert sum(r.rescued for r in result.per_period) == result.rescued
    assert result.to_dict()["per_period"][0]["observed"] == 100
    sim = simulate(s, result.plan, seed=0)
    rows = sim.per_period()
    assert rows[-1].total == sim.rescued
    assert sim.to_dict()["per_period"][-1]["total"] == sim.rescued
    assert [r.rescued for r in rows] == [r.rescued for r in result.per_period]


def test_cli_prints_the_table_when_asked_or_observed(tmp_path: Path) -> None:
    """`--per` prints the table; a scenario with observed prints it with the observed columns."""
    runner = CliRunner(env={"COLUMNS": "200"})
    plain = runner.invoke(app, ["plan", str(TINY), "--time-limit", "2"])
    assert plain.exit_code == 0 and "rescued per period" not in plain.output
    per = runner.invoke(app, ["plan", str(TINY), "--time-limit", "2", "--per", "12h"])
    assert per.exit_code == 0, per.output
    assert "Planned: rescued per period" in per.output and "Observed" not in per.output
    path = tmp_path / "observed.yaml"
    path.write_text(TINY.read_text(encoding="utf-8") + OBSERVED, encoding="utf-8")
    sim = runner.invoke(app, ["simulate", str(path), "--time-limit", "2"])
    assert sim.exit_code == 0, sim.output
    assert "Simulated: rescued per period" in sim.output and "Observed" in sim.output
    bad = runner.invoke(app, ["plan", str(TINY), "--per", "often"])
    assert bad.exit_code == 2 and "--per" in bad.output
