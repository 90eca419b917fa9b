"""Where to put labels so that none is cut and none touches another: event labels on time
axes (packed into rows) and place names on the map (a side of the marker that is free).

Pure geometry in pixels: the callers measure (matplotlib) or estimate (plotly) text sizes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAP_SIDES", "Box", "pack_rows", "place_labels", "text_width", "unique_titles", "wrap"]

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 (pixels; y grows upwards)."""


def pack_rows(spans: Sequence[tuple[float, float]], gap: float = 4.0) -> list[int]:
    """A row for each span (start, end), first fit in the given order: spans in one row are at
    least ``gap`` apart."""
    ends: list[list[tuple[float, float]]] = []
    rows = []
    for a, b in spans:
        for k, taken in enumerate(ends):
            if all(b + gap <= x0 or a >= x1 + gap for x0, x1 in taken):
                taken.append((a, b))
                rows.append(k)
                break
        else:
            ends.append([(a, b)])
            rows.append(len(ends) - 1)
    return rows


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width in pixels of ``text`` at font ``size`` (sans serif)."""
    longest = max((len(line) for line in text.split("<br>")), default=0)
    return 0.62 * size * longest


MAP_SIDES = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
"""Sides of a marker a label may take, preferred first (plotly's ``textposition`` names)."""


def _box(side: str, x: float, y: float, r: float, w: float, h: float) -> Box:
    vertical, horizontal = side.split()
    pad = 2.0
    if horizontal == "center":
        x0 = x - w / 2
    elif horizontal == "right":
        x0 = x + (r + pad if vertical == "middle" else r * 0.7)
    else:
        x0 = x - (r + pad if vertical == "middle" else r * 0.7) - w
    if vertical == "middle":
        y0 = y - h / 2
    elif vertical == "top":
        y0 = y + (r + pad if horizontal == "center" else r * 0.7)
    else:
        y0 = y - (r + pad if horizontal == "center" else r * 0.7) - h
    return (x0, y0, x0 + w, y0 + h)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


@dataclass(frozen=True)
class Placed:
    side: str
    box: Box
    clear: bool
    """False when every side overlapped something (the least overlapping side was taken)."""


def place_labels(
    points: Sequence[tuple[float, float]],
    radii: Sequence[float],
    sizes: Sequence[tuple[float, float]],
    frame: Box | None = None,
    obstacles: Sequence[Box] = (),
) -> list[Placed]:
    """A side for each label (point in pixels, marker radius, label width and height), in the
    given order (put the most important first): the first side, in ``MAP_SIDES`` order, that
    overlaps no marker, no label placed before and no obstacle, and stays inside ``frame``."""
    markers = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(points, radii, strict=True)]
    taken: list[Box] = list(obstacles)
    out = []
    for i, ((x, y), r, (w, h)) in enumerate(zip(points, radii, sizes, strict=True)):
        best: tuple[float, str, Box] | None = None
        for side in MAP_SIDES:
            box = _box(side, x, y, r, w, h)
            cost = sum(_overlap(box, m) for j, m in enumerate(markers) if j != i)
            cost += sum(_overlap(box, t) for t in taken)
            if frame is not None:
                inside = _overlap(box, frame)
                cost += (w * h - inside) * 4
            if best is None or cost < best[0]:
                best = (cost, side, box)
            if cost == 0:
                break
        assert best is not None
        taken.append(best[2])
        out.append(Placed(best[1], best[2], best[0] == 0))
    return out


def wrap(text: str, width: int, sep: str = "<br>") -> str:
    """``text`` wrapped at word boundaries to lines of about ``width`` characters (never cut)."""
    return sep.join(textwrap.wrap(text, width, break_long_words=False)) or text


def unique_titles(titles: Sequence[str], keys: Sequence[str]) -> list[str]:
    """The titles, with ``(key)`` added to each title that appears more than once."""
    counts: dict[str, int] = {}
    for t in titles:
        counts[t] = counts.get(t, 0) + 1
    return [t if counts[t] == 1 else f"{t} ({k})" for t, k in zip(titles, keys, strict=True)]
