"""The "against history" section: people rescued per period in each run beside the scenario's
observed series (``observed:``), as a cumulative curve, per-period bars and a table.

Drawn from ``ReportResults.extras["observed"]`` (``evacuate.runs`` stores it when the scenario
has an observed series): ``{"period": p, "runs": {label: [row, ...]}}`` where a row is an
``evacuate.periods.PeriodRow`` as a dict. The observed points are the scenario's own. Nothing is
recomputed here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from evacuate.report import sections
from evacuate.report.data import RunSeries
from evacuate.report.page import Section
from evacuate.report.style import OKABE_ITO, TimeAxis, number, variant_colour, variant_dash

__all__ = ["observed_section"]

_HISTORY = OKABE_ITO["black"]


def _rows(data: Mapping[str, Any], label: str) -> list[Mapping[str, Any]]:
    runs = data.get("runs", {})
    rows = runs.get(label, []) if isinstance(runs, Mapping) else []
    return [r for r in rows if isinstance(r, Mapping)]


def _layout(fig: go.Figure, title: str, axis: TimeAxis, y: str, **extra: Any) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=axis.title,
        yaxis_title=y,
        template="plotly_white",
        height=400,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.22},
        **extra,
    )
    return fig


def _cumulative(data: Mapping[str, Any], runs: Sequence[RunSeries], axis: TimeAxis) -> go.Figure:
    fig = go.Figure()
    for i, r in enumerate(runs):
        rows = _rows(data, r.label)
        if not rows:
            continue
        xs = [axis.x(0.0), *(axis.x(float(row["end"])) for row in rows)]
        ys = [0, *(int(row["total"]) for row in rows)]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                name=f"{r.label} (simulated)",
                mode="lines",
                line={"color": variant_colour(i), "dash": variant_dash(i), "width": 2},
            )
        )
    observed = runs[0].run.scenario.observed
    if observed is not None:
        points = observed.totals()
        fig.add_trace(
            go.Scatter(
                x=[axis.x(at) for at, _ in points],
                y=[total for _, total in points],
                name="observed",
                mode="lines+markers",
                line={"color": _HISTORY, "dash": "dot", "width": 1},
                marker={"color": _HISTORY, "size": 7, "symbol": "diamond"},
                text=[p.source for p in observed.points],
                hovertemplate="%{y:,} so far<br>%{text}<extra>observed</extra>",
            )
        )
    return _layout(fig, "People rescued so far: simulated and observed", axis, "people")


def _bars(data: Mapping[str, Any], runs: Sequence[RunSeries], axis: TimeAxis) -> go.Figure:
    fig = go.Figure()
    first = _rows(data, runs[0].label)
    for i, r in enumerate(runs):
        rows = _rows(data, r.label)
        fig.add_trace(
            go.Bar(
                x=[axis.x(float(row["start"])) for row in rows],
                y=[int(row["rescued"]) for row in rows],
                name=f"{r.label} (simulated)",
                marker={"color": variant_colour(i)},
            )
        )
    seen = [row for row in first if row.get("observed") is not None]
    fig.add_trace(
        go.Bar(
            x=[axis.x(float(row["start"])) for row in seen],
            y=[int(row["observed"]) for row in seen],
            name="observed",
            marker={"color": _HISTORY, "opacity": 0.55},
        )
    )
    return _layout(fig, "People rescued per period", axis, "people", barmode="group")


def _table(data: Mapping[str, Any], runs: Sequence[RunSeries], axis: TimeAxis) -> str:
    labels = [r.label for r in runs]
    per_run = [_rows(data, label) for label in labels]
    n = max((len(rows) for rows in per_run), default=0)
    head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
    out = [
        "<table class='tbl'><thead><tr><th>from</th>"
        + head
        + "<th>observed</th><th>simulated so far</th><th>observed so far</th></tr></thead><tbody>"
    ]
    for k in range(n):
        row0 = per_run[0][k] if k < len(per_run[0]) else None
        if row0 is None:
            continue
        cells = "".join(
            f"<td class='n'>{number(rows[k]['rescued']) if k < len(rows) else ''}</td>"
            for rows in per_run
        )
        seen, seen_total = row0.get("observed"), row0.get("observed_total")
        out.append(
            f"<tr><td>{html.escape(axis.short(float(row0['start'])))}</td>{cells}"
            f"<td class='n'>{number(seen)}</td><td class='n'>{number(row0['total'])}</td>"
            f"<td class='n'>{number(seen_total)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


@sections.register("observed")
def observed_section(data: Any, runs: list[RunSeries]) -> Section:
    """The section for ``extras["observed"]``."""
    data = data if isinstance(data, Mapping) else {}
    axis = TimeAxis(runs[0].run.scenario)
    observed = runs[0].run.scenario.observed
    described = (
        f" ({observed.description})" if observed is not None and observed.description else ""
    )
    return Section(
        "observed",
        "Against history",
        "People rescued in each run beside what history recorded" + described + ": the "
        "cumulative curve with each recorded count (hover for its source), then per period. "
        'A recorded count falls in the period it was made in; "so far" columns are the first '
        "run's. Sources and figures: docs/operations.md.",
        figures=(_cumulative(data, runs, axis), _bars(data, runs, axis)),
        html=_table(data, runs, axis),
    )
