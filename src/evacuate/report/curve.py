"""The evacuation curve, interactive (plotly) and still (matplotlib): people rescued over time.

When some runs rescue far fewer than others (the Romulan ``historical``: 15 M of 900 M), a
second panel zooms on them, so the comparison that matters is not flat on the floor; the page
adds a log-scale toggle. Events are marked by dashed lines; their labels are never cut and never
touch: numbered badges packed into rows (the page lists the numbers), or on the still figure
the whole labels, measured and packed into rows.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evacuate.report import static
from evacuate.report.data import MAX_POINTS, RunSeries
from evacuate.report.figures import layout_figure, vline
from evacuate.report.labels import pack_rows
from evacuate.report.series import Mark
from evacuate.report.style import OKABE_ITO, TimeAxis, variant_colour, variant_dash

__all__ = ["ASSUMED_PLOT_PX", "ZOOM_SHARE", "curve_figure", "curve_png", "event_badges", "zoom_top"]

ZOOM_SHARE = 0.2
"""Runs are zoomed on when the next run up rescued more than 1 / ZOOM_SHARE times as many."""
ASSUMED_PLOT_PX = 600.0
"""The narrowest plot width the page's badge packing allows for (a small laptop window)."""
_BADGE_PX = 12.0
_ROW_PX = 20


def zoom_top(runs: list[RunSeries]) -> float | None:
    """The top of a panel zoomed on the low runs, or None when every run reads on one scale.

    The low runs are those below the first jump of ``1 / ZOOM_SHARE`` (5×) or more between
    successive runs' rescued, from the smallest (Romulan: 15 M and 29 M, then 156 M): the
    comparison of the runs that rescued least, readable. Their bounds are drawn in the zoom
    when they are below the next run's rescued; a weak bound does not stretch it.
    """
    values = sorted({float(r.run.rescued) for r in runs})
    for low_top, above in itertools.pairwise(values):
        if above >= low_top / ZOOM_SHARE and above > 0:
            low = [r for r in runs if r.run.rescued <= low_top]
            heights = [float(r.run.rescued) for r in low]
            heights += [b for r in low if (b := r.run.bound) is not None and b < above]
            top = max(heights)
            return 1.1 * top if top > 0 else None
    return None


def event_badges(events: list[Mark], start: float, end: float) -> list[tuple[str, float, int]]:
    """Badges (text, time, row) for the events: events at one time share a badge ("1, 2");
    rows so that no two badges touch on a plot ``ASSUMED_PLOT_PX`` wide (or wider)."""
    groups: list[tuple[float, list[int]]] = []
    for k, m in enumerate(events, start=1):
        if groups and groups[-1][0] == m.time:
            groups[-1][1].append(k)
        else:
            groups.append((m.time, [k]))
    span = max(end - start, 1e-9)
    spans = []
    texts = []
    for t, ks in groups:
        text = ", ".join(str(k) for k in ks)
        x = (t - start) / span * ASSUMED_PLOT_PX
        w = _BADGE_PX + 7.5 * len(text)
        spans.append((x - w / 2, x + w / 2))
        texts.append(text)
    rows = pack_rows(spans, gap=4.0)
    return [(text, t, row) for text, (t, _), row in zip(texts, groups, rows, strict=True)]


def _traces(fig: Any, runs: list[RunSeries], axis: TimeAxis, row: int) -> None:
    for i, r in enumerate(runs):
        st = r.flow.rescued.sampled(MAX_POINTS, r.end)
        fig.add_trace(
            go.Scatter(
                x=axis.xs(list(st.times)),
                y=list(st.values),
                name=r.label,
                mode="lines",
                line={"color": variant_colour(i), "dash": variant_dash(i), "width": 2.5},
                line_shape="hv",
                legendgroup=r.label,
                showlegend=row == 1,
                hovertemplate=f"{r.label}<br>%{{x}}<br>%{{y:,.0f}} rescued<extra></extra>",
            ),
            row=row,
            col=1,
        )
        if r.run.bound is not None:
            fig.add_trace(
                go.Scatter(
                    x=[axis.x(0.0), axis.x(r.end)],
                    y=[r.run.bound, r.run.bound],
                    name=f"bound: {r.label}",
                    mode="lines",
                    line={"color": variant_colour(i), "dash": "dot", "width": 1.2},
                    legendgroup=r.label,
                    showlegend=False,
                    hovertemplate=(
                        f"bound for {r.label}: no plan rescues more than "
                        f"{r.run.bound:,.0f}<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )


def curve_figure(runs: list[RunSeries], events: list[Mark], deadlines: list[Mark]) -> Any:
    """Cumulative people rescued per run; events (numbered badges), hazard arrivals marked; a
    panel zoomed on the low runs when there are any; a linear / log toggle."""
    axis = TimeAxis(runs[0].run.scenario)
    zoom = zoom_top(runs)
    rows = 2 if zoom is not None else 1
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[0.55, 0.45] if zoom is not None else None,
        subplot_titles=(
            ["All runs", f"Zoomed on the runs that rescued fewest (up to {zoom:,.0f})"]
            if zoom is not None
            else None
        ),
    )
    for row in range(1, rows + 1):
        _traces(fig, runs, axis, row)
        suffix = "" if row == 1 else str(row)
        for m in events:
            ref = {"xref": f"x{suffix}", "yref": f"y{suffix} domain"}
            vline(fig, axis, m.time, OKABE_ITO["black"], "dash", **ref)
        for m in deadlines:
            ref = {"xref": f"x{suffix}", "yref": f"y{suffix} domain"}
            vline(fig, axis, m.time, OKABE_ITO["vermillion"], "dot", **ref)
    if deadlines:
        fig.add_trace(
            go.Scatter(
                x=[axis.x(m.time) for m in deadlines],
                y=[0] * len(deadlines),
                mode="markers",
                name="hazard reaches a place",
                marker={"symbol": "triangle-up", "size": 11, "color": OKABE_ITO["vermillion"]},
                text=[f"{m.label}: lost at {axis.label(m.time)}" for m in deadlines],
                hovertemplate="%{text}<extra></extra>",
            ),
            row=rows,
            col=1,
        )
    start, end = 0.0, max(r.end for r in runs)
    names = {k: m for k, m in enumerate(events, start=1)}
    for text, t, row in event_badges(events, start, end):
        ks = [int(k) for k in text.split(", ")]
        fig.add_annotation(
            x=axis.x(t),
            y=1.0,
            xref="x",
            yref="y domain",
            yanchor="top",
            xanchor="center",
            yshift=-4 - _ROW_PX * row,
            text=f"<b>{text}</b>",
            hovertext="<br>".join(
                f"{k}: {names[k].label} ({axis.label(names[k].time)})" for k in ks
            ),
            showarrow=False,
            font={"size": 11},
            bgcolor="white",
            bordercolor=OKABE_ITO["black"],
            borderwidth=1,
            borderpad=2,
            name="event",
        )
    title = "Evacuation curve: people rescued over time (dotted: bound; numbers: events)"
    layout_figure(fig, title, 740 if zoom is not None else 540, bottom=90)
    fig.update_xaxes(title_text=axis.title, row=rows, col=1)
    linear: dict[str, object] = {}
    log: dict[str, object] = {}
    for row in range(1, rows + 1):
        key = "yaxis" if row == 1 else f"yaxis{row}"
        fig.update_yaxes(
            title_text="People rescued", tickformat=",", rangemode="tozero", row=row, col=1
        )
        top = zoom if row == 2 else None
        if top is not None:
            fig.update_yaxes(range=[0, top], row=row, col=1)
        linear[f"{key}.type"] = "linear"
        linear[f"{key}.autorange"] = top is None
        if top is not None:
            linear[f"{key}.range"] = [0, top]
        log[f"{key}.type"] = "log"
        log[f"{key}.autorange"] = True
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": [
                    {"label": "Linear scale", "method": "relayout", "args": [linear]},
                    {"label": "Log scale", "method": "relayout", "args": [log]},
                ],
                "x": 1,
                "xanchor": "right",
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 36},
                "showactive": True,
                "active": 0,
            }
        ]
    )
    return fig


def curve_png(runs: list[RunSeries], events: list[Mark], deadlines: list[Mark], path: Path) -> None:
    """Cumulative people rescued per run, bounds dotted, events labelled in full (packed into
    rows), hazard arrivals marked; a panel zoomed on the low runs when there are any."""
    axis = TimeAxis(runs[0].run.scenario)
    zoom = zoom_top(runs)
    fig = static.figure()
    if zoom is not None:
        axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    else:
        axes = [fig.subplots()]
    for row, ax in enumerate(axes):
        for i, r in enumerate(runs):
            colour = variant_colour(i)
            st = r.flow.rescued.sampled(MAX_POINTS, r.end)
            static.step(ax, axis, st, color=colour, lw=2.5, label=r.label)
            if r.run.bound is not None:
                ax.axhline(r.run.bound, color=colour, ls=":", lw=1.2)
        for m in events:
            static.vline(ax, axis, m.time, color=OKABE_ITO["black"], ls="--", lw=1)
        for m in deadlines:
            static.vline(ax, axis, m.time, color=OKABE_ITO["vermillion"], ls=":", lw=1)
        ax.set_ylabel("People rescued")
        ax.yaxis.set_major_formatter(static.THOUSANDS)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        static.time_axis(ax, axis, label=row == len(axes) - 1)
    if zoom is not None:
        axes[1].set_ylim(0, zoom)
        axes[1].set_title(
            f"Zoomed on the runs that rescued fewest (up to {zoom:,.0f})", loc="left", fontsize=10
        )
    bottom = axes[-1]
    if deadlines:
        bottom.plot(
            static.x(axis, [m.time for m in deadlines]),
            [0] * len(deadlines),
            "^",
            color=OKABE_ITO["vermillion"],
            ms=9,
            clip_on=False,
            label="hazard reaches a place",
        )
    axes[0].set_title(
        "Evacuation curve: people rescued over time (dotted: bound)", loc="left", fontsize=12
    )
    bottom.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=5, frameon=False)
    _label_events(fig, axes[0], axis, events)
    static.save(fig, path)


def _label_events(fig: Any, ax: Any, axis: TimeAxis, events: list[Mark]) -> None:
    """Whole event labels beside their lines, packed into rows by their measured widths."""
    if not events:
        return
    fig.draw_without_rendering()  # settle the layout, then freeze it so sizes hold
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72
    notes = []
    spans = []
    for m in events:
        xd = static.x(axis, [m.time])[0]
        note = ax.annotate(
            f"{m.label} ({axis.short(m.time)})",
            xy=(xd, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            ha="left",
            fontsize=9,
            bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
        )
        width = note.get_window_extent(renderer).width
        x_px = ax.transData.transform((xd, 0))[0]
        if x_px + 3 * px_per_pt + width > frame.x1:
            note.set_ha("right")
            note.xyann = (-3, -12)
            spans.append((x_px - 3 * px_per_pt - width, x_px))
        else:
            spans.append((x_px, x_px + 3 * px_per_pt + width))
        notes.append(note)
    for note, row in zip(notes, pack_rows(spans, gap=4 * px_per_pt), strict=True):
        note.xyann = (note.xyann[0], -12 - 14 * row)
