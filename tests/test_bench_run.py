"""Smoke test of the benchmark runner (bench/run.py) on the tiny rung, in-process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from evacuate.plan import routes
from evacuate.plan.problem import compile_problem
from evacuate.scenario.load import from_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed

from bench.run import Spec, Table, _machine, _run, render


def test_naive_row_and_table() -> None:
    """The naive method's row is checked feasible and renders into the markdown table."""
    spec = Spec("tiny", "ladder", "tiny", 1.0)
    row = _run(spec, "naive", 5.0, {"lp_columns": 1e6, "mip_columns": 1e5})
    assert row["status"] == "ok"
    assert row["feasible"] is True
    assert row["rescued"] == row["checked_rescued"] > 0
    assert row["steps"] == 24 and row["places"] > 3
    meta = {"date": "today", "command": "test", "time_limit": 5.0, "machine": _machine()}
    text = render(Table([row]), meta)
    assert "| tiny |" in text
    assert f"{row['rescued']:,} ✓" in text
    assert "cores" in text


def test_route_pairs_on_demand_build_no_travel_array(monkeypatch: Any) -> None:
    """The LP size estimate counts routes without building the (classes, places, places)
    array when times are computed on demand, and counts as many as the array has."""
    from bench.generate import generate
    from bench.run import _route_pairs

    monkeypatch.setattr(routes, "DENSE_CELLS", 0)  # on demand however few the places
    data = generate(3, places=12, vehicles=30, steps=40, classes=3)
    problem = compile_problem(from_dict(data))
    assert problem.times.on_demand
    counted = _route_pairs(problem)
    assert not problem.times.built
    assert counted == int(np.isfinite(problem.travel).sum()) > 0
