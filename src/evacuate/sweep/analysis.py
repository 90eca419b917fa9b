"""What a sweep found, per variant: quantiles, the chance of reaching a target, which
uncertainties drive the outcome (extra-trees feature scores) and which ranges lead to failure
(PRIM boxes), and the fan of evacuation curves. Computed from stored results only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evacuate.sweep.prim import PrimResult, prim
from evacuate.sweep.tasks import SampleResult

__all__ = ["QUANTILES", "VariantAnalysis", "analyse", "curve_fan", "feature_scores", "inputs"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class VariantAnalysis:
    variant: str
    samples: int
    """Samples that finished (failed tasks are counted in ``failed`` and left out)."""
    failed: int
    population: float
    """Median population (uncertain populations make it vary)."""
    target: float
    """People counted as success (fixed, or a share of each sample's population)."""
    p_target: float
    """Share of samples that rescued at least ``target``."""
    rescued: dict[float, float]
    """Quantiles of people rescued."""
    last_rescue: dict[float, float]
    """Quantiles of the time of the last rescue (samples with at least one rescue)."""
    scores: dict[str, float]
    """Extra-trees feature importance of each uncertainty for people rescued (sums to 1)."""
    prim: PrimResult | None
    """Where failure (below target) concentrates; None when every or no sample failed."""
    fan_t: tuple[float, ...]
    fan: dict[float, tuple[float, ...]]
    """Quantiles (5, 25, 50, 75, 95 %) of people rescued at each time of ``fan_t``."""


def inputs(results: Sequence[SampleResult]) -> tuple[list[str], Array]:
    """Input names and the matrix of drawn values (events: 1 happens, 0 not)."""
    names = sorted({k for r in results for k in r.values})
    events = sorted({k for r in results for k in r.happens})
    x = np.array(
        [
            [r.values.get(k, math.nan) for k in names]
            + [1.0 if r.happens.get(e) else 0.0 for e in events]
            for r in results
        ],
        dtype=float,
    ).reshape(len(results), len(names) + len(events))
    return names + [f"event.{e}" for e in events], x


def feature_scores(names: Sequence[str], x: Array, y: Array, seed: int = 0) -> dict[str, float]:
    """Importance of each input for ``y`` from an extra-trees regressor (deterministic for a
    seed; empty when nothing varies)."""
    if not names or len(y) < 4 or np.ptp(y) == 0:
        return {name: 0.0 for name in names}
    from sklearn.ensemble import ExtraTreesRegressor

    model = ExtraTreesRegressor(
        n_estimators=200, min_samples_leaf=max(1, len(y) // 100), random_state=seed, n_jobs=1
    )
    model.fit(x, y)
    return {n: float(s) for n, s in zip(names, model.feature_importances_, strict=True)}


def _step_at(curve: Sequence[tuple[float, float]], grid: Array) -> Array:
    t = np.array([p[0] for p in curve], dtype=float)
    v = np.array([p[1] for p in curve], dtype=float)
    idx = np.searchsorted(t, grid, side="right") - 1
    return np.where(idx >= 0, v[np.maximum(idx, 0)], 0.0)


def curve_fan(
    results: Sequence[SampleResult], end: float, points: int = 121
) -> tuple[tuple[float, ...], dict[float, tuple[float, ...]]]:
    """Quantiles over samples of people rescued by each time of a grid over [0, end]."""
    grid = np.linspace(0.0, end, points)
    curves = [r.curve for r in results if r.curve]
    if not curves:
        return tuple(grid.tolist()), {}
    values = np.vstack([_step_at(c, grid) for c in curves])
    fan = {q: tuple(np.quantile(values, q, axis=0).tolist()) for q in QUANTILES}
    return tuple(grid.tolist()), fan


def _quantiles(values: Sequence[float]) -> dict[float, float]:
    if not values:
        return {}
    arr = np.asarray(values, dtype=float)
    return {q: float(np.quantile(arr, q)) for q in QUANTILES}


def analyse(
    results: Sequence[SampleResult],
    *,
    end: float,
    target: float | None = None,
    target_share: float | None = None,
    seed: int = 0,
) -> list[VariantAnalysis]:
    """Analyse a sweep's results per variant (in order of first appearance). Success is
    rescuing at least ``target`` people, or ``target_share`` of each sample's population
    (default: everyone)."""
    variants = list(dict.fromkeys(r.variant for r in results))
    out = []
    for v in variants:
        mine = [r for r in results if r.variant == v]
        ok = sorted((r for r in mine if r.status == "finished"), key=lambda r: r.sample)
        rescued = np.array([float(r.metrics["rescued"] or 0.0) for r in ok])
        population = np.array([float(r.metrics["population"] or 0.0) for r in ok])
        if target is not None:
            need = np.full(len(ok), float(target))
        else:
            need = population * (1.0 if target_share is None else target_share)
        success = rescued >= need - 1e-9
        names, x = inputs(ok)
        box = None
        if ok and names and 0 < success.sum() < len(ok):
            box = prim(x, ~success, names)
        last = [float(t) for r in ok if (t := r.metrics.get("last_rescue")) is not None]
        fan_t, fan = curve_fan(ok, end)
        out.append(
            VariantAnalysis(
                variant=v,
                samples=len(ok),
                failed=len(mine) - len(ok),
                population=float(np.median(population)) if len(ok) else 0.0,
                target=float(target)
                if target is not None
                else float(np.median(need) if len(ok) else 0.0),
                p_target=float(success.mean()) if len(ok) else math.nan,
                rescued=_quantiles(rescued.tolist()),
                last_rescue=_quantiles(last),
                scores=feature_scores(names, x, rescued, seed) if ok else {},
                prim=box,
                fan_t=fan_t,
                fan=fan,
            )
        )
    return out
