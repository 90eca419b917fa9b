"""Samplers: points in the unit cube (SciPy's ``qmc``), turned into values by each
uncertainty's distribution (inverse CDF), so every sampler works with every distribution.

``lhs`` (Latin hypercube) and ``sobol`` (scrambled) spread few samples well; ``mc`` is plain
Monte Carlo; ``factorial`` is a full grid: each discrete uncertainty at each of its values,
each event happening and not, each continuous one at ``k`` levels (the quantiles (j + 1/2)/k),
with ``k`` the largest that keeps the grid within the samples asked for (at least 2).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.stats import qmc

from evacuate.scenario.uncertain import Resolved

__all__ = ["SAMPLERS", "Sample", "Sampler", "draw", "sample_points", "to_values"]

log = logging.getLogger(__name__)

Sampler = Literal["lhs", "sobol", "mc", "factorial"]
SAMPLERS: tuple[Sampler, ...] = ("lhs", "sobol", "mc", "factorial")
_EPS = 1e-12
Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Sample:
    """One point of a sweep: drawn numbers by uncertainty name, and which uncertain events
    happen."""

    index: int
    values: dict[str, float]
    happens: dict[str, bool]


def _levels(r: Resolved) -> list[float] | None:
    """Fixed unit-cube levels of a dimension in a factorial design (None: continuous)."""
    if r.event is not None:
        return [0.0, 1.0 - 1e-9]  # u < p: happens (when p > 0); then does not (when p < 1)
    if r.distribution == "discrete":
        n = len(r.params["values"])
        w = np.asarray(r.params.get("weights") or [1.0] * n, dtype=float)
        cum = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
        return [float((cum[i] + cum[i + 1]) / 2) for i in range(n) if w[i] > 0]
    return None


def sample_points(uncertainties: Sequence[Resolved], n: int, sampler: Sampler, seed: int) -> Array:
    """An ``(samples, len(uncertainties))`` array of points in [0, 1)."""
    d = len(uncertainties)
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLERS)}")
    if n < 1:
        raise ValueError("expected at least one sample")
    if sampler == "factorial":
        return _factorial(uncertainties, n)
    if d == 0:
        return np.zeros((n, 0))
    rng = np.random.default_rng(seed)
    if sampler == "mc":
        return rng.random((n, d))
    if sampler == "lhs":
        return np.asarray(qmc.LatinHypercube(d, rng=rng).random(n), dtype=float)
    m = max(0, math.ceil(math.log2(n)))
    if 2**m != n:
        log.info("sobol: %d samples are the first of 2^%d; powers of two balance best", n, m)
    return np.asarray(qmc.Sobol(d, scramble=True, rng=rng).random_base2(m)[:n], dtype=float)


def _factorial(uncertainties: Sequence[Resolved], n: int) -> Array:
    fixed = [_levels(r) for r in uncertainties]
    n_fixed = math.prod(len(lv) for lv in fixed if lv is not None)
    n_cont = sum(lv is None for lv in fixed)
    k = 2
    if n_cont:
        k = max(2, math.floor((n / max(n_fixed, 1)) ** (1 / n_cont) + 1e-9))
    axes = [lv if lv is not None else [(j + 0.5) / k for j in range(k)] for lv in fixed]
    if not axes:
        return np.zeros((n, 0))
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))
    if len(grid) != n:
        log.info("factorial: %d grid points (asked for %d samples)", len(grid), n)
    return np.asarray(grid, dtype=float)


def _ppf(r: Resolved, u: Array) -> Array:
    """The values at ``u``: inside the distribution's support, never NaN, whatever finite
    parameters validation let through (a uniform from -1e308 to 1e308 drew inf, a normal of
    sd 5e-324 truncated at 0 drew NaN, a lognormal of sigma 1,000 warned of an overflow)."""
    u = np.clip(u, _EPS, 1 - _EPS)
    with np.errstate(all="ignore"):  # extreme parameters: handled below, not warned of
        v = _raw_ppf(r, u)
    low, high, centre = _support(r)
    v = np.where(np.isnan(v), min(max(centre, low), high), v)
    return np.asarray(np.clip(v, low, high), dtype=float)


def _support(r: Resolved) -> tuple[float, float, float]:
    """Lowest and highest value the distribution takes, and a value inside (for NaN)."""
    p = r.params
    if r.distribution in ("uniform", "triangular"):
        return p["low"], p["high"], p["low"] / 2 + p["high"] / 2
    if r.distribution == "normal":
        return p.get("low", -math.inf), p.get("high", math.inf), p["mean"]
    if r.distribution == "lognormal":
        return 0.0, math.inf, p["median"]
    values = [float(x) for x in p["values"]]
    return min(values), max(values), values[0]


def _raw_ppf(r: Resolved, u: Array) -> Array:
    p = r.params
    if r.distribution == "uniform":
        v = np.asarray(p["low"] + u * (p["high"] - p["low"]), dtype=float)
        if not math.isfinite(p["high"] - p["low"]):  # a width past 1.8e308: no overflow
            v = np.asarray(p["low"] * (1 - u) + p["high"] * u, dtype=float)
        return v
    if r.distribution == "normal":
        if "low" in p or "high" in p:
            lo = (p.get("low", -math.inf) - p["mean"]) / p["sd"]
            hi = (p.get("high", math.inf) - p["mean"]) / p["sd"]
            return np.asarray(stats.truncnorm.ppf(u, lo, hi, loc=p["mean"], scale=p["sd"]))
        return np.asarray(stats.norm.ppf(u, loc=p["mean"], scale=p["sd"]), dtype=float)
    if r.distribution == "lognormal":
        return np.asarray(p["median"] * np.exp(p["sigma"] * stats.norm.ppf(u)), dtype=float)
    if r.distribution == "triangular":
        # a width past 1.8e308 (low -1e308, high 1e308): scaled to at most 1 to stay finite
        k = 1.0 if math.isfinite(p["high"] - p["low"]) else max(abs(p["low"]), abs(p["high"]))
        low, mode, high = p["low"] / k, p["mode"] / k, p["high"] / k
        width = high - low
        c = (mode - low) / width
        return np.asarray(stats.triang.ppf(u, c, loc=low, scale=width), dtype=float) * k
    if r.distribution == "discrete":
        values = np.asarray(p["values"], dtype=float)
        w = np.asarray(p.get("weights") or [1.0] * len(values), dtype=float)
        cum = np.cumsum(w) / w.sum()
        idx = np.minimum(np.searchsorted(cum, u, side="right"), len(values) - 1)
        return np.asarray(values[idx], dtype=float)
    raise ValueError(f"unknown distribution {r.distribution!r}")


def to_values(uncertainties: Sequence[Resolved], points: Array) -> list[Sample]:
    """The samples at ``points`` (rows of ``sample_points``)."""
    columns: list[Array] = []
    for j, r in enumerate(uncertainties):
        u = points[:, j]
        if r.event is not None:
            columns.append((u < r.params["probability"]).astype(float))
        else:
            v = _ppf(r, u)
            columns.append(np.round(v) if r.integer else v)
    out = []
    for i in range(points.shape[0]):
        values = {
            r.name: float(columns[j][i]) for j, r in enumerate(uncertainties) if r.event is None
        }
        happens = {
            str(r.event): bool(columns[j][i]) for j, r in enumerate(uncertainties) if r.event
        }
        out.append(Sample(i, values, happens))
    return out


def draw(
    uncertainties: Sequence[Resolved], n: int, sampler: Sampler = "lhs", seed: int = 0
) -> list[Sample]:
    """``n`` samples (a factorial design may give a different count: its grid's)."""
    return to_values(uncertainties, sample_points(uncertainties, n, sampler, seed))
