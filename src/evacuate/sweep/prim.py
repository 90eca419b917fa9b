"""PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999): scenario discovery.

Given the sampled inputs ``x`` (one row per sample) and which samples are *of interest* (e.g.
failed to rescue a target), find a box of input ranges where such samples are dense. Peeling
starts from the box holding every sample and repeatedly cuts off the ``alpha`` share of the
remaining samples at one end of one input, choosing the cut that leaves the highest share of
interesting samples, until fewer than ``min_mass`` of all samples would remain. Each step is
one box of the *peeling trajectory*, with

- coverage: the share of all interesting samples that the box holds;
- density: the share of the samples in the box that are interesting;
- mass: the share of all samples that the box holds.

The box returned is the densest one whose coverage is at least ``min_coverage``. Written here
(about a hundred lines) rather than taken from a package: the maintained implementation is
inside the EMA Workbench, a large dependency; the standalone ``prim`` package is not kept up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Box", "PrimResult", "prim"]


@dataclass(frozen=True)
class Box:
    """Input ranges: ``limits[name] = (low, high)``, inclusive, for the inputs it restricts."""

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    count: int
    """Samples inside the box."""

    def contains(self, names: Sequence[str], x: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        inside = np.ones(len(x), dtype=bool)
        for j, name in enumerate(names):
            if name in self.limits:
                lo, hi = self.limits[name]
                inside &= (x[:, j] >= lo) & (x[:, j] <= hi)
        return inside


@dataclass(frozen=True)
class PrimResult:
    trajectory: tuple[Box, ...]
    """Every box of the peeling, from the whole space (coverage 1) to the last peel."""
    box: Box
    """The densest box with coverage >= ``min_coverage``."""
    base_density: float
    """The share of interesting samples among all: what a box must beat to say anything."""


def prim(
    x: npt.ArrayLike,
    interesting: npt.ArrayLike,
    names: Sequence[str],
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> PrimResult:
    """Peel ``x`` (samples by inputs) towards the samples where ``interesting`` is true."""
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(interesting, dtype=bool)
    n = len(ya)
    if xa.shape != (n, len(names)):
        raise ValueError(f"x has shape {xa.shape}; expected ({n}, {len(names)})")
    if n == 0:
        raise ValueError("PRIM needs at least one sample")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    total = int(ya.sum())
    lo = xa.min(axis=0) if len(xa) else np.zeros(len(names))
    hi = xa.max(axis=0) if len(xa) else np.zeros(len(names))
    inside = np.ones(n, dtype=bool)

    def box() -> Box:
        k = int(inside.sum())
        hits = int(ya[inside].sum())
        limits = {
            name: (float(lo[j]), float(hi[j]))
            for j, name in enumerate(names)
            if lo[j] > xa[:, j].min() or hi[j] < xa[:, j].max()
        }
        return Box(
            limits,
            coverage=hits / total if total else 0.0,
            density=hits / k if k else 0.0,
            mass=k / n,
            count=k,
        )

    trajectory = [box()]
    while total:
        best: tuple[float, int, int, float] | None = None  # (density, -count, j, side...)
        best_keep: npt.NDArray[np.bool_] | None = None
        best_cut: tuple[int, int, float] | None = None
        for j in range(len(names)):
            col = xa[inside, j]
            if col.min() == col.max():
                continue
            for side in (0, 1):
                q = np.quantile(col, alpha if side == 0 else 1 - alpha, method="linear")
                keep = inside & ((xa[:, j] > q) if side == 0 else (xa[:, j] < q))
                if side == 0 and not keep.sum() < inside.sum():
                    continue
                k = int(keep.sum())
                if k < min_mass * n or k == int(inside.sum()) or k == 0:
                    continue
                density = float(ya[keep].sum()) / k
                key = (density, k, -j, -side)
                if best is None or key > best:
                    best, best_keep, best_cut = key, keep, (j, side, float(q))
        if best is None or best_keep is None or best_cut is None:
            break
        if best[0] <= trajectory[-1].density and trajectory[-1].density == 1.0:
            break
        inside = best_keep
        j, side, _ = best_cut
        # the box's edge: the extreme remaining value on the peeled side
        if side == 0:
            lo[j] = xa[inside, j].min()
        else:
            hi[j] = xa[inside, j].max()
        trajectory.append(box())
    eligible = [b for b in trajectory if b.coverage >= min_coverage] or trajectory[:1]
    chosen = max(eligible, key=lambda b: (b.density, b.coverage))
    return PrimResult(tuple(trajectory), chosen, total / n)
