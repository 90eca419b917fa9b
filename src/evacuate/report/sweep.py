"""The sweep section of a report: what thousands of what-ifs say, drawn from a sweep's stored
results and its analysis (nothing is recomputed here).

- a fan chart per variant: people rescued over time, median with 25-75 % and 5-95 % bands;
- a histogram of people rescued per sample, per variant, with the target marked;
- the drivers (extra-trees feature scores) and the PRIM box of inputs where the target is
  missed (coverage, density), as a table.

``sweep_sections`` gives ``page.Section``s any page can include; ``build_sweep_report`` writes
a self-contained ``sweep.html``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

import evacuate
from evacuate.files import atomic_write
from evacuate.report import page
from evacuate.report.style import OKABE_ITO, variant_colour
from evacuate.sweep.analysis import VariantAnalysis
from evacuate.sweep.run import SweepResult

__all__ = ["build_sweep_report", "sweep_sections"]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        height=420,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def fan_chart(result: SweepResult, analyses: Sequence[VariantAnalysis]) -> go.Figure:
    fig = go.Figure()
    for k, a in enumerate(analyses):
        if not a.fan:
            continue
        colour = variant_colour(k)
        t = list(a.fan_t)
        for lo, hi, alpha, label in ((0.05, 0.95, 0.15, "5-95%"), (0.25, 0.75, 0.3, "25-75%")):
            fig.add_trace(
                go.Scatter(
                    x=t + t[::-1],
                    y=list(a.fan[hi]) + list(a.fan[lo])[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, alpha),
                    line={"width": 0},
                    hoverinfo="skip",
                    name=f"{a.variant} {label}",
                )
            )
        fig.add_trace(
            go.Scatter(x=t, y=list(a.fan[0.5]), line={"color": colour}, name=f"{a.variant} median")
        )
    unit = result.scenario.time_unit
    return _layout(fig, "People rescued over time (fan of all samples)", f"{unit}s", "people")


def histogram(result: SweepResult, analyses: Sequence[VariantAnalysis]) -> go.Figure:
    fig = go.Figure()
    for k, a in enumerate(analyses):
        values = [
            float(r.metrics["rescued"] or 0)
            for r in result.results
            if r.variant == a.variant and r.status == "finished"
        ]
        fig.add_trace(
            go.Histogram(
                x=values,
                name=a.variant,
                opacity=0.6,
                marker={"color": variant_colour(k)},
                nbinsx=40,
            )
        )
        fig.add_vline(
            x=a.target, line={"color": OKABE_ITO["black"], "dash": "dash"}, annotation_text="target"
        )
    fig.update_layout(barmode="overlay")
    return _layout(fig, "People rescued per sample", "people rescued", "samples")


def _table(analyses: Sequence[VariantAnalysis]) -> str:
    e = html.escape
    rows = []
    for a in analyses:
        top = sorted(a.scores.items(), key=lambda kv: -kv[1])[:5]
        drivers = ", ".join(f"{e(k)} {v:.2f}" for k, v in top) or "none"
        if a.prim is None:
            box = "no box: every sample reached the target, or none did"
        else:
            b = a.prim.box
            limits = "; ".join(
                f"{e(k)} in [{lo:.4g}, {hi:.4g}]" for k, (lo, hi) in b.limits.items()
            )
            box = (
                f"{limits or 'anywhere'} (coverage {b.coverage:.2f}, density {b.density:.2f}, "
                f"base rate {a.prim.base_density:.2f})"
            )
        q = a.rescued
        rows.append(
            f"<tr><td>{e(a.variant)}</td><td>{a.samples:,}</td><td>{a.p_target:.3f}</td>"
            f"<td>{q.get(0.05, 0):,.0f} / {q.get(0.5, 0):,.0f} / {q.get(0.95, 0):,.0f}</td>"
            f"<td>{drivers}</td><td>{box}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Variant</th><th>Samples</th><th>P(target)</th>"
        "<th>Rescued 5% / 50% / 95%</th><th>Drivers (feature scores)</th>"
        "<th>Where the target is missed (PRIM box)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def sweep_sections(result: SweepResult, analyses: Sequence[VariantAnalysis]) -> list[page.Section]:
    """The sweep's part of a report: fan chart, histogram, drivers and PRIM boxes."""
    n = len({r.sample for r in result.results})
    target = analyses[0].target if analyses else 0.0
    return [
        page.Section(
            "sweep-fan",
            "Robustness: the evacuation curve",
            f"{n:,} sampled what-ifs per variant; the band holds 90 % of them.",
            (fan_chart(result, analyses),),
        ),
        page.Section(
            "sweep-outcomes",
            "Robustness: outcomes and what drives them",
            f"How often the target ({target:,.0f} people) is reached, which uncertainties "
            "matter most, and which ranges of them lead to missing it.",
            (histogram(result, analyses),),
            html=_table(analyses),
        ),
    ]


def build_sweep_report(
    result: SweepResult, analyses: Sequence[VariantAnalysis], folder: str | os.PathLike[str]
) -> Path:
    """Write ``folder/sweep.html`` (self-contained) and return its path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    sections = sweep_sections(result, analyses)
    s = result.settings
    subtitle = (
        f"{result.scenario.name}: {s.get('samples')} samples ({s.get('sampler')}, seed "
        f"{s.get('seed')}), policy {s.get('policy')}, {s.get('plan_time')} s per plan"
    )
    footer = (
        f"Made by evacuate {evacuate.__version__} from sweep {result.run_id or '(not stored)'}."
    )
    text = page.page_html("Robustness sweep", subtitle, sections, [], footer=footer)
    target = out / "sweep.html"
    atomic_write(target, text)
    return target
