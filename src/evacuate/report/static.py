"""The report's still figures (PNG, matplotlib with the Agg backend) for READMEs and slides.

Same content and colours as the interactive figures, at 16:9 so they drop onto a slide.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from evacuate.report.data import MAX_POINTS, Panel, RunSeries
from evacuate.report.figures import (
    map_run,
    place_roles,
    ring_legend,
    utilization_rows,
    utilization_text,
)
from evacuate.report.geometry import Layout, hazard_rings
from evacuate.report.labels import place_labels, unique_titles, wrap
from evacuate.report.series import Mark, Step
from evacuate.report.style import (
    OKABE_ITO,
    ROLE_COLOURS,
    STATE_COLOURS,
    TimeAxis,
    variant_colour,
)

__all__ = [
    "THOUSANDS",
    "figure",
    "fleet_png",
    "map_png",
    "new",
    "people_png",
    "save",
    "step",
    "time_axis",
    "vline",
    "x",
]

SIZE = (12.8, 7.2)
DPI = 125
_DASH = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-."}
THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}")


def new(rows: int = 1, cols: int = 1, **kw: Any) -> tuple[Figure, Any]:
    fig = figure()
    axes = fig.subplots(rows, cols, squeeze=False, **kw)
    return fig, axes


def figure() -> Figure:
    # no pyplot: no global state, no window, the Agg canvas whatever the configured backend
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path) -> None:
    fig.savefig(path, format="png", metadata={"Software": None})


def time_axis(ax: Any, axis: TimeAxis, label: bool = True) -> None:
    if axis.dated:
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
    if label:
        ax.set_xlabel(axis.title)


def x(axis: TimeAxis, times: tuple[float, ...] | list[float]) -> list[Any]:
    return [
        mdates.date2num(v) if isinstance(v, dt.datetime) else v  # type: ignore[no-untyped-call]
        for v in axis.xs(times)
    ]


def step(ax: Any, axis: TimeAxis, st: Step, **kw: Any) -> None:
    ax.step(x(axis, st.times), st.values, where="post", **kw)


def vline(ax: Any, axis: TimeAxis, t: float, **kw: Any) -> None:
    ax.axvline(x(axis, [t])[0], **kw)


def people_png(runs: list[RunSeries], panels: list[Panel], path: Path) -> None:
    """Small multiples of people waiting per place, one line per run, deadlines dotted."""
    axis = TimeAxis(runs[0].run.scenario)
    cols = 3 if len(panels) > 4 else max(1, min(2, len(panels)))
    rows = max(1, math.ceil(len(panels) / cols))
    fig, axes = new(rows, cols, sharex=True)
    names = unique_titles([p.title for p in panels], [", ".join(p.places) for p in panels])
    for k in range(rows * cols):
        ax = axes[k // cols][k % cols]
        if k >= len(panels):
            ax.set_visible(False)
            continue
        panel = panels[k]
        for i, (r, st) in enumerate(zip(runs, panel.steps, strict=True)):
            step(ax, axis, st, color=variant_colour(i), lw=1.8, label=r.label)
        if panel.deadline is not None:
            vline(ax, axis, panel.deadline, color=OKABE_ITO["vermillion"], ls=":", lw=1.2)
        title = wrap(names[k], 40, "\n")
        if panel.deadline is not None:
            title += f"\nlost {axis.short(panel.deadline)}"
        ax.set_title(title, fontsize=10, loc="left")
        ax.yaxis.set_major_formatter(THOUSANDS)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel("People")
        time_axis(ax, axis, label=k // cols == rows - 1 or k + cols >= len(panels))
    fig.suptitle("People waiting per place (dotted red: deadline)", x=0.01, ha="left")
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower left", ncol=min(len(runs), 6), frameon=False)
    save(fig, path)


def map_png(runs: list[RunSeries], lay: Layout, path: Path) -> None:
    """Places, hazard reach and the routes (width: people carried) of the run that carried
    the most people (the first such run on a tie): the busiest picture of the map."""
    first = runs[map_run(runs)]
    scenario = first.run.scenario
    axis = TimeAxis(scenario)
    fig, axes = new()
    ax = axes[0][0]
    rings = hazard_rings(scenario, lay)
    for k, ring in enumerate(rings):
        ax.plot(
            [p[0] for p in ring.points],
            [p[1] for p in ring.points],
            ls=":",
            color=OKABE_ITO["vermillion"],
            lw=1.2,
            label=ring_legend(axis, rings) if k == 0 else None,
        )
    biggest = max((n for n, _ in first.routes.values()), default=0)
    for (a, b), (people, _trips) in sorted(first.routes.items(), key=lambda kv: kv[1][0]):
        if a in lay.points and b in lay.points and biggest:
            (x0, y0), (x1, y1) = lay.points[a], lay.points[b]
            ax.plot(
                [x0, x1],
                [y0, y1],
                color=variant_colour(0),
                alpha=0.5,
                lw=0.8 + 8 * math.sqrt(people / biggest),
                solid_capstyle="round",
            )
    roles = place_roles(scenario)
    sizes = {
        # an unlimited haven is drawn as big as everyone it could take
        p.id: scenario.people_at(p) or min(p.capacity, scenario.population)
        for p in scenario.places
    }
    big = max(sizes.values(), default=0) or 1
    names = {
        "people": "threatened place",
        "staging": "staging place",
        "haven": "haven",
        "depot": "depot / shipyard",
        "other": "other place",
    }
    texts: list[Any] = []
    anchors: list[tuple[float, float]] = []
    radii: list[float] = []
    for role, label in names.items():
        members = [p for p in scenario.places if roles[p.id] == role and p.id in lay.points]
        if not members:
            continue
        ax.scatter(
            [lay.points[p.id][0] for p in members],
            [lay.points[p.id][1] for p in members],
            s=[(7 + 20 * math.sqrt(sizes[p.id] / big)) ** 2 for p in members],
            c=ROLE_COLOURS[role],
            marker="s" if role == "depot" else "o",
            edgecolors="white",
            linewidths=1,
            zorder=3,
            label=label,
        )
        for p in members:
            texts.append(
                ax.text(*lay.points[p.id], p.name or p.id, fontsize=8, ha="center", va="center")
            )
            anchors.append(lay.points[p.id])
            radii.append((7 + 20 * math.sqrt(sizes[p.id] / big)) / 2)
    if lay.kind == "circle":
        ax.set_axis_off()
        ax.set_aspect("equal")
        # the whole circle, whatever the places: two places lie on one vertical line, and
        # limits fitted to them would give the axes no width
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
    else:
        ax.set_xlabel(lay.x_title)
        ax.set_ylabel(lay.y_title)
        ax.set_aspect(lay.aspect, adjustable="datalim")
        ax.grid(alpha=0.3)
    title = f"Map: places, hazard reach and routes of {first.label} (width: people carried)"
    ax.set_title(title, loc="left")
    if lay.note:
        ax.text(0, -0.04, lay.note, transform=ax.transAxes, fontsize=9, va="top", wrap=True)
    fig.legend(loc="outside lower center", ncol=5, frameon=False, markerscale=0.5)
    _spread_labels(fig, ax, texts, anchors, radii)
    save(fig, path)


def _spread_labels(
    fig: Figure, ax: Any, texts: list[Any], anchors: list[tuple[float, float]], radii: list[float]
) -> None:
    """Put each place name on a side of its marker where it touches no other name and no
    marker (measured in pixels once the layout is settled), the largest places first."""
    if not texts:
        return
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    points = [tuple(ax.transData.transform(a)) for a in anchors]
    sizes = []
    for t in texts:
        box = t.get_window_extent(renderer)
        sizes.append((box.width, box.height))
    px = fig.dpi / 72
    order = sorted(range(len(texts)), key=lambda i: -radii[i])
    placed = place_labels(
        [points[i] for i in order],
        [radii[i] * px for i in order],
        [sizes[i] for i in order],
        frame=(frame.x0, frame.y0, frame.x1, frame.y1),
    )
    back = ax.transData.inverted()
    for i, p in zip(order, placed, strict=True):
        cx, cy = (p.box[0] + p.box[2]) / 2, (p.box[1] + p.box[3]) / 2
        texts[i].set_position(tuple(back.transform((cx, cy))))


def fleet_png(runs: list[RunSeries], events: list[Mark], path: Path) -> None:
    """Per run: vehicles in trips and idle (stacked), lost and retired, entered; utilization."""
    axis = TimeAxis(runs[0].run.scenario)
    n = len(runs)
    fig = figure()
    grid = fig.add_gridspec(n, 2, width_ratios=(3, 1))
    first_ax = None
    for i, r in enumerate(runs):
        ax = fig.add_subplot(grid[i, 0], sharex=first_ax)
        first_ax = first_ax or ax
        fs = r.fleet[""]
        trip = fs.in_trip.sampled(MAX_POINTS, r.end)
        idle = fs.idle.sampled(MAX_POINTS, r.end)
        times = sorted(set(trip.times) | set(idle.times))
        xs = x(axis, times)
        a = [trip.at(t) for t in times]
        b = [trip.at(t) + idle.at(t) for t in times]
        ax.fill_between(xs, 0, a, step="post", color=STATE_COLOURS["in_trip"], label="in a trip")
        ax.fill_between(xs, a, b, step="post", color=STATE_COLOURS["idle"], label="idle")
        if fs.lost.peak > 0:
            step(ax, axis, fs.lost, color=STATE_COLOURS["lost"], lw=2, label="lost (cumulative)")
        if fs.retired.peak > 0:
            step(
                ax,
                axis,
                fs.retired,
                color=STATE_COLOURS["retired"],
                lw=2,
                label="broken down or withdrawn",
            )
        step(ax, axis, fs.entered, color="black", ls="--", lw=1.2, label="entered (cumulative)")
        for m in events:
            vline(ax, axis, m.time, color="black", ls="--", lw=0.8)
        ax.set_title(r.label, fontsize=10, loc="left")
        ax.set_ylabel("Vehicles")
        ax.yaxis.set_major_formatter(THOUSANDS)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        time_axis(ax, axis, label=i == n - 1)
        if i == 0:
            ax.legend(loc="upper left", fontsize=8, frameon=False)
    ux = fig.add_subplot(grid[:, 1])
    labels, values = utilization_rows(runs)
    width = 0.8 / max(n, 1)
    for i, r in enumerate(runs):
        bars = ux.barh(
            [k + i * width for k in range(len(labels))],
            [v or 0.0 for v in values[i]],
            height=width,
            color=variant_colour(i),
            label=r.label,
        )
        ux.bar_label(bars, [utilization_text(v) for v in values[i]], fontsize=7, padding=2)
    ux.set_yticks([k + 0.4 - width / 2 for k in range(len(labels))])
    ux.set_yticklabels([wrap(name, 24, "\n") for name in labels], fontsize=8)
    ux.invert_yaxis()
    ux.set_xlim(0, 118)
    ux.set_xlabel("% of service time in trips")
    ux.set_title("Utilization per class", fontsize=10, loc="left")
    ux.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.09), ncol=2)
    fig.suptitle("Fleet over time (dashed lines: events)", x=0.01, ha="left")
    save(fig, path)
