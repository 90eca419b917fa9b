"""Samplers: points in the unit cube, values inside each distribution's support, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evacuate.scenario.uncertain import Resolved
from evacuate.sweep.sampling import SAMPLERS, draw, sample_points

UNCERTAINTIES = (
    Resolved("u", "a", None, "uniform", {"low": 2.0, "high": 5.0}),
    Resolved("t", "b", None, "triangular", {"low": 0.0, "mode": 1.0, "high": 4.0}),
    Resolved("n", "c", None, "normal", {"mean": 10.0, "sd": 2.0, "low": 8.0}, integer=True),
    Resolved("l", "d", None, "lognormal", {"median": 1.0, "sigma": 0.5}),
    Resolved("d", "e", None, "discrete", {"values": (1.0, 2.0, 7.0), "weights": (1.0, 0.0, 3.0)}),
    Resolved("event.x", None, "x", None, {"probability": 0.3}),
)


@settings(max_examples=30, deadline=None)
@given(
    sampler=st.sampled_from(SAMPLERS),
    n=st.integers(1, 64),
    seed=st.integers(0, 2**31),
)
def test_values_stay_in_support_and_repeat_with_the_seed(sampler: str, n: int, seed: int) -> None:
    """Every sampler gives values inside each distribution's support; a seed repeats them."""
    samples = draw(UNCERTAINTIES, n, sampler, seed)  # type: ignore[arg-type]
    assert samples == draw(UNCERTAINTIES, n, sampler, seed)  # type: ignore[arg-type]
    if sampler != "factorial":
        assert len(samples) == n
    for s in samples:
        assert 2.0 <= s.values["u"] <= 5.0
        assert 0.0 <= s.values["t"] <= 4.0
        assert s.values["n"] >= 8.0 and s.values["n"] == round(s.values["n"])
        assert s.values["l"] > 0
        assert s.values["d"] in (1.0, 7.0)  # weight 0: never 2
        assert set(s.happens) == {"x"}


@pytest.mark.parametrize("sampler", ["lhs", "sobol", "mc"])
def test_points_in_unit_cube(sampler: str) -> None:
    pts = sample_points(UNCERTAINTIES, 50, sampler, 1)  # type: ignore[arg-type]
    assert pts.shape == (50, len(UNCERTAINTIES))
    assert (pts >= 0).all() and (pts < 1).all()


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 200), seed=st.integers(0, 1000))
def test_latin_hypercube_has_one_point_per_stratum(n: int, seed: int) -> None:
    """LHS: each of the n equal slices of every axis holds exactly one point."""
    pts = sample_points(UNCERTAINTIES[:3], n, "lhs", seed)
    for j in range(3):
        assert sorted(np.floor(pts[:, j] * n).astype(int)) == list(range(n))


def test_factorial_grid_covers_every_level() -> None:
    """A factorial design has each discrete value, both event outcomes, k levels otherwise."""
    samples = draw(UNCERTAINTIES[:1] + UNCERTAINTIES[4:], 40, "factorial")
    # 2 discrete values with weight, 2 event outcomes: k = floor(40 / 4) = 10 levels of u
    assert len(samples) == 10 * 2 * 2
    assert {s.values["d"] for s in samples} == {1.0, 7.0}
    assert {s.happens["x"] for s in samples} == {True, False}
    assert len({s.values["u"] for s in samples}) == 10
    assert len({(s.values["u"], s.values["d"], s.happens["x"]) for s in samples}) == 40


def test_event_probability_is_honoured() -> None:
    """An event with probability p happens in about p of many samples."""
    samples = draw(UNCERTAINTIES, 2000, "lhs", 3)
    share = np.mean([s.happens["x"] for s in samples])
    assert abs(share - 0.3) < 0.01  # LHS: stratified, so the share is nearly exact


def test_bad_requests() -> None:
    with pytest.raises(ValueError, match="unknown sampler"):
        sample_points(UNCERTAINTIES, 3, "grid", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        sample_points(UNCERTAINTIES, 0, "lhs", 0)


_FINITE = st.floats(-1e308, 1e308, allow_nan=False, allow_infinity=False)
_POSITIVE = st.floats(5e-324, 1e308, allow_nan=False, allow_infinity=False)


@st.composite
def _extreme(draw_: st.DrawFn) -> tuple[Resolved, float, float]:
    """An uncertainty validation accepts (finite parameters, low < high, sd, median and sigma
    positive), drawn toward the extremes, with its support."""
    kind = draw_(st.sampled_from(["uniform", "triangular", "normal", "lognormal", "discrete"]))
    if kind in ("uniform", "triangular"):
        low, mode, high = sorted(draw_(st.lists(_FINITE, min_size=3, max_size=3)))
        assume(low < high)
        params = {"low": low, "high": high} | ({"mode": mode} if kind == "triangular" else {})
        return Resolved("x", "p", None, kind, params), low, high
    if kind == "normal":
        params = {"mean": draw_(_FINITE), "sd": draw_(_POSITIVE)}
        for side in ("low", "high"):
            if draw_(st.booleans()):
                params[side] = draw_(_FINITE)
        low, high = params.get("low", -math.inf), params.get("high", math.inf)
        assume(low < high)
        return Resolved("x", "p", None, kind, params), low, high
    if kind == "lognormal":
        params = {"median": draw_(_POSITIVE), "sigma": draw_(_POSITIVE)}
        return Resolved("x", "p", None, kind, params), 0.0, math.inf
    values = tuple(draw_(st.lists(_FINITE, min_size=1, max_size=4)))
    return Resolved("x", "p", None, kind, {"values": values}), min(values), max(values)


@settings(max_examples=60, deadline=None)
@given(_extreme(), st.sampled_from(SAMPLERS), st.integers(1, 20), st.integers(0, 2**32 - 1))
def test_values_stay_in_support_at_extreme_parameters(
    case: tuple[Resolved, float, float], sampler: str, n: int, seed: int
) -> None:
    """Never NaN, never outside the support, no overflow warning (pytest makes it an error).
    Before: a uniform from -1e308 to 1e308 drew inf (outside), a normal of sd 5e-324 truncated
    at 0 drew NaN, a lognormal of sigma 1,000 warned of an overflow in exp."""
    r, low, high = case
    for s in draw([r], n, sampler, seed):  # type: ignore[arg-type]
        v = s.values["x"]
        assert not math.isnan(v) and low <= v <= high, (r, v)
