"""The report's interactive figures (plotly), one function per figure.

Every figure has a title and titled axes with units; times are dates when the scenario has a
calendar; colours are Okabe–Ito; numbers use thousands separators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evacuate.report.data import MAX_POINTS, Panel, RunSeries
from evacuate.report.geometry import HazardRing, Layout, hazard_rings
from evacuate.report.labels import place_labels, text_width, unique_titles, wrap
from evacuate.report.series import Mark, Step
from evacuate.report.style import (
    OKABE_ITO,
    ROLE_COLOURS,
    STATE_COLOURS,
    TimeAxis,
    variant_colour,
    variant_dash,
)
from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario

__all__ = [
    "fleet_figure",
    "layout_figure",
    "map_figure",
    "map_run",
    "people_figure",
    "place_roles",
    "ring_legend",
    "utilization_figure",
    "utilization_rows",
    "utilization_text",
    "vline",
]

_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def layout_figure(
    fig: Any, title: str, height: int, *, bottom: int = 60, titles_px: int = 32
) -> None:
    """Title, font, size and a horizontal legend above the plot area and any subplot titles
    (``titles_px``: the height they take above the plots)."""
    top = 94 + titles_px // 2
    plot = max(height - top - bottom, 100)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 1 - 12 / height, "yanchor": "top"},
        template="plotly_white",
        font=_FONT,
        height=height,
        margin={"l": 70, "r": 30, "t": top, "b": bottom},
        # above the plot area and any subplot titles (those sit just above y = 1)
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1 + titles_px / plot,
            "x": 0,
            "xanchor": "left",
        },
        hovermode="closest",
    )


def _xy(axis: TimeAxis, st: Step) -> tuple[list[Any], list[float]]:
    return axis.xs(list(st.times)), list(st.values)


def _x_title(axis: TimeAxis) -> str:
    return axis.title


def vline(fig: Any, axis: TimeAxis, t: float, colour: str, dash: str, **ref: str) -> None:
    xref = ref.get("xref", "x")
    yref = ref.get("yref", "y domain")
    fig.add_shape(
        type="line",
        x0=axis.x(t),
        x1=axis.x(t),
        y0=0,
        y1=1,
        xref=xref,
        yref=yref,
        line={"color": colour, "width": 1.2, "dash": dash},
        layer="below",
    )


# ---------------------------------------------------------------------------- people per place
def people_figure(runs: list[RunSeries], panels: list[Panel]) -> Any:
    """Small multiples: people waiting at each place over time, one line per run, deadline
    marked."""
    scenario = runs[0].run.scenario
    axis = TimeAxis(scenario)
    cols = 3 if len(panels) > 4 else max(1, min(2, len(panels)))
    rows = max(1, math.ceil(len(panels) / cols))
    names = unique_titles([p.title for p in panels], [", ".join(p.places) for p in panels])
    titles = [
        wrap(name, 44)
        + (
            f"<br><span style='font-size:11px'>lost {axis.short(p.deadline)}</span>"
            if p.deadline is not None
            else ""
        )
        for name, p in zip(names, panels, strict=True)
    ] or ["no place held people"]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        shared_xaxes=True,
        vertical_spacing=min(0.35 / rows + 0.05, 0.16),
        horizontal_spacing=0.08,
    )
    for k, panel in enumerate(panels):
        row, col = k // cols + 1, k % cols + 1
        for i, (r, st) in enumerate(zip(runs, panel.steps, strict=True)):
            x, y = _xy(axis, st)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    name=r.label,
                    mode="lines",
                    line={"color": variant_colour(i), "dash": variant_dash(i), "width": 2},
                    line_shape="hv",
                    legendgroup=r.label,
                    showlegend=k == 0,
                    hovertemplate=(
                        f"{panel.title}, {r.label}<br>%{{x}}<br>%{{y:,.0f}} people<extra></extra>"
                    ),
                ),
                row=row,
                col=col,
            )
        if panel.deadline is not None and panel.deadline <= scenario.end:
            n = (row - 1) * cols + col
            suffix = "" if n == 1 else str(n)
            vline(
                fig,
                axis,
                panel.deadline,
                OKABE_ITO["vermillion"],
                "dot",
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
            )
    layout_figure(
        fig,
        "People waiting per place over time (dotted red: the place's deadline)",
        max(360, 250 * rows + 120),
        titles_px=56,
    )
    # short ticks (120M) so small multiples keep their room; hover gives every digit
    fig.update_yaxes(tickformat="~s", rangemode="tozero")
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text="People", row=row, col=1)
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text=_x_title(axis), row=rows, col=col)
    return fig


# ---------------------------------------------------------------------------- map
def place_roles(scenario: Scenario) -> dict[str, str]:
    """``people``, ``haven``, ``staging``, ``depot`` or ``other`` for each place."""
    roles = {}
    for row in summary.place_rows(scenario):
        if "people" in row.roles:
            roles[row.id] = "people"
        elif "haven" in row.roles:
            roles[row.id] = "haven"
        elif "staging" in row.roles:
            roles[row.id] = "staging"
        elif "depot" in row.roles or "yard" in row.roles:
            roles[row.id] = "depot"
        else:
            roles[row.id] = "other"
    return roles


_ROLE_NAMES = {
    "people": "threatened place",
    "haven": "haven",
    "staging": "staging place",
    "depot": "depot / shipyard",
    "other": "other place",
}
MAX_ROUTES = 40
"""Routes drawn per run at most (the busiest)."""


def _size(people: float, biggest: float) -> float:
    return 9 + 26 * math.sqrt(people / biggest) if biggest > 0 else 10


def map_run(runs: list[RunSeries]) -> int:
    """The run the map shows first, on the page and in the still figure: the one that carried
    the most people (the first such on a tie), so the busiest routes are seen."""
    carried = [sum(n for n, _ in r.routes.values()) for r in runs]
    return carried.index(max(carried))


def ring_legend(axis: TimeAxis, rings: list[HazardRing]) -> str:
    """One legend entry for the hazard rings, their dates from the inside out."""
    when = [axis.short(r.time) for r in rings]
    if len(when) > 1:
        return f"hazard front: {when[0]} (inner) to {when[-1]}"
    return f"hazard front: {when[0]}" if when else "hazard front"


MAP_PLOT_PX = (900.0, 460.0)
"""The plot area the page's label placement allows for (narrower than at 1280 px wide)."""


def _label_sides(
    scenario: Scenario, lay: Layout, sizes: Mapping[str, float], biggest: float
) -> dict[str, str]:
    """A side of its marker for each place's name, so that names neither touch one another
    nor cover a marker, on a plot at least ``MAP_PLOT_PX`` large (plotly cannot do this)."""
    ids = [p.id for p in scenario.places if p.id in lay.points]
    if not ids:
        return {}
    xs = [lay.points[i][0] for i in ids]
    ys = [lay.points[i][1] for i in ids]
    dx = (max(xs) - min(xs)) * 1.1 or 1.0
    dy = (max(ys) - min(ys)) * 1.1 * lay.aspect or 1.0
    scale = min(MAP_PLOT_PX[0] / dx, MAP_PLOT_PX[1] / dy)
    names = {p.id: p.name or p.id for p in scenario.places}
    order = sorted(ids, key=lambda i: (-sizes[i], ids.index(i)))
    x0, y0 = min(xs) - 0.05 * dx, (min(ys) - 0.05 * dy / lay.aspect) * lay.aspect
    x1, y1 = max(xs) + 0.05 * dx, (max(ys) + 0.05 * dy / lay.aspect) * lay.aspect
    placed = place_labels(
        [(lay.points[i][0] * scale, lay.points[i][1] * lay.aspect * scale) for i in order],
        [_size(sizes[i], biggest) / 2 for i in order],
        [(text_width(names[i], 11), 14.0) for i in order],
        frame=(x0 * scale, y0 * scale, x1 * scale, y1 * scale),
    )
    return {i: p.side for i, p in zip(order, placed, strict=True)}


def map_figure(runs: list[RunSeries], lay: Layout) -> Any:
    """Places at their positions, the hazard's reach, and routes drawn by people carried."""
    scenario = runs[0].run.scenario
    axis = TimeAxis(scenario)
    fig = go.Figure()
    rings = hazard_rings(scenario, lay)
    for k, ring in enumerate(rings):
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in ring.points],
                y=[p[1] for p in ring.points],
                mode="lines",
                name=ring_legend(axis, rings),
                legendgroup="hazard",
                showlegend=k == 0,
                line={"color": OKABE_ITO["vermillion"], "dash": "dot", "width": 1.2},
                hoverinfo="text",
                text=f"hazard front at {axis.label(ring.time)}",
            )
        )
    shown = map_run(runs)
    biggest = max((n for r in runs for n, _ in r.routes.values()), default=0)
    route_traces: list[list[int]] = []
    for i, r in enumerate(runs):
        ids = []
        busiest = sorted(r.routes.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_ROUTES]
        for j, ((a, b), (people, trips)) in enumerate(busiest):
            if a not in lay.points or b not in lay.points:
                continue
            (x0, y0), (x1, y1) = lay.points[a], lay.points[b]
            width = 1 + 11 * math.sqrt(people / biggest) if biggest else 1
            ids.append(len(fig.data))
            fig.add_trace(
                go.Scatter(
                    x=[x0, (x0 + x1) / 2, x1],
                    y=[y0, (y0 + y1) / 2, y1],
                    mode="lines",
                    name=f"routes: {r.label}",
                    legendgroup=f"routes {r.label}",
                    showlegend=j == 0,
                    visible=i == shown,
                    opacity=0.55,
                    line={"color": variant_colour(i), "width": width},
                    hoverinfo="text",
                    text=f"{r.label}: {a} → {b}: {people:,} people in {trips:,} loaded trips",
                )
            )
        route_traces.append(ids)
    roles = place_roles(scenario)
    sizes = {
        # an unlimited haven is drawn as big as everyone it could take
        p.id: scenario.people_at(p) or min(p.capacity, scenario.population)
        for p in scenario.places
    }
    biggest_place = max(sizes.values(), default=0)
    sides = _label_sides(scenario, lay, sizes, biggest_place)
    for role in ("people", "staging", "haven", "depot", "other"):
        members = [p for p in scenario.places if roles[p.id] == role and p.id in lay.points]
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[lay.points[p.id][0] for p in members],
                y=[lay.points[p.id][1] for p in members],
                mode="markers+text",
                name=_ROLE_NAMES[role],
                text=[p.name or p.id for p in members],
                textposition=[sides[p.id] for p in members],
                textfont={"size": 11},
                marker={
                    "size": [_size(sizes[p.id], biggest_place) for p in members],
                    "color": ROLE_COLOURS[role],
                    "line": {"color": "white", "width": 1},
                    "symbol": "square" if role == "depot" else "circle",
                },
                customdata=[
                    [
                        f"{scenario.people_at(p):,}",
                        f"{p.capacity:,}",
                        axis.label(summary.effective_deadline(scenario, p.id)) or "none",
                    ]
                    for p in members
                ],
                hovertemplate=(
                    "%{text}<br>people %{customdata[0]}<br>capacity %{customdata[1]}"
                    "<br>deadline %{customdata[2]}<extra></extra>"
                ),
            )
        )
    if len(runs) > 1:
        n = len(fig.data)
        buttons = []
        for i, r in enumerate(runs):
            visible = [True] * n
            for j, ids in enumerate(route_traces):
                for t in ids:
                    visible[t] = i == j
            buttons.append({"label": r.label, "method": "restyle", "args": [{"visible": visible}]})
        fig.update_layout(
            updatemenus=[
                {
                    "type": "buttons",
                    "direction": "right",
                    "buttons": buttons,
                    "x": 0,
                    "xanchor": "left",
                    "y": -0.12,
                    "yanchor": "top",
                    "showactive": True,
                    "active": shown,
                }
            ]
        )
    title = "Map: places, hazard reach and routes (line width: people carried)"
    if lay.kind == "circle":
        title = "Places and routes (no positions: drawn on a circle; width: people carried)"
    layout_figure(fig, title, 680, bottom=110)
    if lay.kind == "circle":
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    else:
        fig.update_xaxes(title_text=lay.x_title, zeroline=False)
        fig.update_yaxes(
            title_text=lay.y_title, scaleanchor="x", scaleratio=lay.aspect, zeroline=False
        )
    return fig


# ---------------------------------------------------------------------------- fleet
def fleet_figure(runs: list[RunSeries], events: list[Mark]) -> Any:
    """Per run: vehicles in trips and idle (stacked), lost and retired (cumulative), entered."""
    scenario = runs[0].run.scenario
    axis = TimeAxis(scenario)
    fig = make_subplots(
        rows=len(runs),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[r.label for r in runs],
        vertical_spacing=min(0.08, 0.3 / len(runs)),
    )
    names = {
        "in_trip": "in a trip",
        "idle": "idle (waiting at a place)",
        "lost": "lost (cumulative)",
        "retired": "broken down or withdrawn (cumulative)",
        "entered": "entered service (cumulative)",
    }
    shown: set[str] = set()
    for i, r in enumerate(runs):
        fs = r.fleet[""]
        for key in ("in_trip", "idle", "lost", "retired", "entered"):
            st: Step = getattr(fs, key).sampled(MAX_POINTS, r.end)
            if key in ("lost", "retired") and st.peak == 0:
                continue
            x, y = _xy(axis, st)
            stacked = key in ("in_trip", "idle")
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    name=names[key],
                    legendgroup=key,
                    showlegend=key not in shown,
                    mode="lines",
                    line_shape="hv",
                    stackgroup=f"service{i}" if stacked else None,
                    line={
                        "color": STATE_COLOURS[key],
                        "width": 1 if stacked else 2,
                        "dash": "dash" if key == "entered" else "solid",
                    },
                    hovertemplate=(
                        f"{r.label}: {names[key]}<br>%{{x}}<br>%{{y:,.0f}} vehicles<extra></extra>"
                    ),
                ),
                row=i + 1,
                col=1,
            )
            shown.add(key)
        fig.update_yaxes(title_text="Vehicles", tickformat=",", row=i + 1, col=1)
        suffix = "" if i == 0 else str(i + 1)
        for m in events:
            vline(
                fig,
                axis,
                m.time,
                OKABE_ITO["black"],
                "dash",
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
            )
    layout_figure(
        fig, "Fleet over time: vehicles by state (dashed lines: events)", 180 + 230 * len(runs)
    )
    fig.update_xaxes(title_text=_x_title(axis), row=len(runs), col=1)
    return fig


ALL_VEHICLES = "all vehicles (weighted by time in service)"
"""The utilization of the whole fleet: vehicle-time in trips over vehicle-time in service, so
a large class that sat idle (e.g. ships held at a yard until destroyed) pulls it down."""


def utilization_rows(runs: list[RunSeries]) -> tuple[list[str], list[list[float | None]]]:
    """Row labels (classes that entered service in some run, then all vehicles) and, per run,
    the utilization in percent (None for a class that run never put in service)."""
    scenario = runs[0].run.scenario
    classes = [c for c in scenario.fleet.classes if any(c.id in r.utilization for r in runs)]
    labels = [c.name or c.id for c in classes] + [ALL_VEHICLES]
    keys = [c.id for c in classes] + [""]
    return labels, [
        [100 * r.utilization[k] if k in r.utilization else None for k in keys] for r in runs
    ]


def utilization_text(value: float | None) -> str:
    return "not in service" if value is None else f"{value:.1f}%"


def utilization_figure(runs: list[RunSeries]) -> Any:
    """Per class and run: the share of vehicle-time in service spent in trips, figures on the
    bars (a 0% bar is still read), whole class names."""
    labels, values = utilization_rows(runs)
    wrapped = [wrap(name, 34) for name in labels]
    fig = go.Figure()
    for i, r in enumerate(runs):
        fig.add_trace(
            go.Bar(
                y=wrapped,
                x=[v or 0.0 for v in values[i]],
                orientation="h",
                name=r.label,
                marker={"color": variant_colour(i)},
                text=[utilization_text(v) for v in values[i]],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [name, utilization_text(v)] for name, v in zip(labels, values[i], strict=True)
                ],
                hovertemplate=f"{r.label}<br>%{{customdata[0]}}: %{{customdata[1]}} of service "
                "time in trips<extra></extra>",
            )
        )
    height = 150 + 22 * len(labels) * len(runs) + 16 * len(labels)
    layout_figure(fig, "Utilization per vehicle class: time in trips / time in service", height)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="Utilization (% of service time in trips)", range=[0, 112])
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig
