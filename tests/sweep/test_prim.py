"""PRIM: boxes that find where interesting samples concentrate; trajectory invariants."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evacuate.sweep.prim import prim


def test_recovers_a_planted_box() -> None:
    """Failures planted in x0 > 0.7 and x1 < 0.3 are found there, with high density."""
    rng = np.random.default_rng(0)
    x = rng.random((2000, 3))
    y = (x[:, 0] > 0.7) & (x[:, 1] < 0.3)
    result = prim(x, y, ["a", "b", "c"], min_coverage=0.8)
    box = result.box
    assert set(box.limits) >= {"a", "b"}
    assert box.limits["a"][0] > 0.6 and box.limits["b"][1] < 0.4
    assert box.density > 0.8 and box.coverage >= 0.8
    assert result.base_density < 0.15


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(5, 200),
    d=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    alpha=st.sampled_from([0.05, 0.1, 0.2]),
)
def test_trajectory_invariants(n: int, d: int, seed: int, alpha: float) -> None:
    """Boxes shrink (nested, mass falling), their figures are shares, counts match contents."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.random((n, d)), 2)
    y = rng.random(n) < 0.3
    names = [f"x{j}" for j in range(d)]
    result = prim(x, y, names, alpha=alpha)
    masses = [b.mass for b in result.trajectory]
    assert masses[0] == 1.0 and all(a >= b for a, b in itertools.pairwise(masses))
    previous = np.ones(n, dtype=bool)
    for b in result.trajectory:
        inside = b.contains(names, x)
        assert int(inside.sum()) == b.count
        assert not (inside & ~previous).any()
        previous = inside
        assert 0 <= b.coverage <= 1 and 0 <= b.density <= 1
        if y.sum():
            assert b.coverage == y[inside].sum() / y.sum()
        assert b.count >= 1
    assert result.box in result.trajectory
