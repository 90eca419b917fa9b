"""Smoke test of bench/bound_vs_lp.py: both bounds on the same grid, evacuate's no weaker."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed

from bench.bound_vs_lp import compare


def test_small_rung_bound_against_the_lp() -> None:
    row = compare("small", 1.0, 60.0)
    assert row["lp_status"] == "optimal"
    lp, ours = float(row["lp_bound"]), float(row["evacuate_bound"])  # type: ignore[arg-type]
    # both bound the same problem; on this rung the Lagrangian one keeps more constraints
    assert 0 < ours <= lp + 1e-6 * lp
