"""The sweep section of a report: what thousands of what-ifs say, drawn from a sweep's stored
results and its analysis (nothing is recomputed here).

- a fan chart per variant: people rescued over time, median with 25-75 % and 5-95 % bands;
- a histogram of people rescued per sample, per variant, with the target marked;
- the drivers (extra-trees feature scores) and the PRIM box of inputs where the target is
  missed (coverage, density), as a table.

``sweep_data`` turns a sweep and its analysis into plain, JSON-ready data (what a report's
``extras["sweep"]`` holds); ``sweep_sections`` draws ``page.Section``s from it (registered in
``evacuate.report.sections``, so ``build_report`` draws them when the data is present);
``build_sweep_report`` writes a self-contained ``sweep.html``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

import evacuate
from evacuate.files import atomic_write
from evacuate.report import page, sections
from evacuate.report.data import RunSeries
from evacuate.report.style import OKABE_ITO, panel_layout, variant_colour
from evacuate.sweep.analysis import VariantAnalysis
from evacuate.sweep.run import SweepResult

__all__ = ["build_sweep_report", "sweep_data", "sweep_sections"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _q(x: float) -> str:
    return f"{x:g}"


def sweep_data(result: SweepResult, analyses: Sequence[VariantAnalysis]) -> dict[str, Any]:
    """The sweep and its analysis as plain, JSON-ready data (quantile keys as text)."""
    variants = []
    for a in analyses:
        values = [
            float(r.metrics["rescued"] or 0)
            for r in result.results
            if r.variant == a.variant and r.status == "finished"
        ]
        prim = None
        if a.prim is not None:
            b = a.prim.box
            prim = {
                "limits": {k: [lo, hi] for k, (lo, hi) in b.limits.items()},
                "coverage": b.coverage,
                "density": b.density,
                "base_density": a.prim.base_density,
            }
        variants.append(
            {
                "variant": a.variant,
                "samples": a.samples,
                "failed": a.failed,
                "population": a.population,
                "target": a.target,
                "p_target": a.p_target,
                "rescued_quantiles": {_q(k): v for k, v in a.rescued.items()},
                "last_rescue_quantiles": {_q(k): v for k, v in a.last_rescue.items()},
                "scores": dict(a.scores),
                "prim": prim,
                "fan_t": list(a.fan_t),
                "fan": {_q(k): list(v) for k, v in a.fan.items()},
                "rescued": values,
            }
        )
    return {
        "scenario": result.scenario.name,
        "time_unit": result.scenario.time_unit,
        "run_id": result.run_id,
        "settings": dict(result.settings),
        "samples": len({r.sample for r in result.results}),
        "variants": variants,
    }


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def fan_chart(data: Mapping[str, Any]) -> go.Figure:
    fig = go.Figure()
    for k, a in enumerate(data["variants"]):
        if not a["fan"]:
            continue
        colour = variant_colour(k)
        t = list(a["fan_t"])
        for lo, hi, alpha, label in ((0.05, 0.95, 0.15, "5-95%"), (0.25, 0.75, 0.3, "25-75%")):
            fig.add_trace(
                go.Scatter(
                    x=t + t[::-1],
                    y=list(a["fan"][_q(hi)]) + list(a["fan"][_q(lo)])[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, alpha),
                    line={"width": 0},
                    hoverinfo="skip",
                    name=f"{a['variant']} {label}",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=t,
                y=list(a["fan"][_q(0.5)]),
                line={"color": colour},
                name=f"{a['variant']} median",
            )
        )
    unit = data["time_unit"]
    return panel_layout(fig, "People rescued over time (fan of all samples)", f"{unit}s", "people")


def histogram(data: Mapping[str, Any]) -> go.Figure:
    fig = go.Figure()
    for k, a in enumerate(data["variants"]):
        fig.add_trace(
            go.Histogram(
                x=list(a["rescued"]),
                name=a["variant"],
                opacity=0.6,
                marker={"color": variant_colour(k)},
                nbinsx=40,
            )
        )
        fig.add_vline(
            x=a["target"],
            line={"color": OKABE_ITO["black"], "dash": "dash"},
            annotation_text="target",
        )
    fig.update_layout(barmode="overlay")
    return panel_layout(fig, "People rescued per sample", "people rescued", "samples")


def _table(data: Mapping[str, Any]) -> str:
    e = html.escape
    rows = []
    for a in data["variants"]:
        top = sorted(a["scores"].items(), key=lambda kv: -kv[1])[:5]
        drivers = ", ".join(f"{e(k)} {v:.2f}" for k, v in top) or "none"
        prim = a["prim"]
        if prim is None:
            box = "no box: every sample reached the target, or none did"
        else:
            limits = "; ".join(
                f"{e(k)} in [{lo:.4g}, {hi:.4g}]" for k, (lo, hi) in prim["limits"].items()
            )
            box = (
                f"{limits or 'anywhere'} (coverage {prim['coverage']:.2f}, density "
                f"{prim['density']:.2f}, base rate {prim['base_density']:.2f})"
            )
        q = a["rescued_quantiles"]
        rows.append(
            f"<tr><td>{e(a['variant'])}</td><td>{a['samples']:,}</td>"
            f"<td>{a['p_target']:.3f}</td><td>{q.get(_q(0.05), 0):,.0f} / "
            f"{q.get(_q(0.5), 0):,.0f} / {q.get(_q(0.95), 0):,.0f}</td>"
            f"<td>{drivers}</td><td>{box}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Variant</th><th>Samples</th><th>P(target)</th>"
        "<th>Rescued 5% / 50% / 95%</th><th>Drivers (feature scores)</th>"
        "<th>Where the target is missed (PRIM box)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def sweep_sections(
    result: SweepResult | Mapping[str, Any], analyses: Sequence[VariantAnalysis] = ()
) -> list[page.Section]:
    """The sweep's part of a report (fan chart, histogram, drivers and PRIM boxes), from a
    sweep and its analyses or from ``sweep_data``'s plain data."""
    data = result if isinstance(result, Mapping) else sweep_data(result, analyses)
    target = data["variants"][0]["target"] if data["variants"] else 0.0
    return [
        page.Section(
            "sweep-fan",
            "Robustness: the evacuation curve",
            f"{data['samples']:,} sampled what-ifs per variant; the band holds 90 % of them.",
            (fan_chart(data),),
        ),
        page.Section(
            "sweep-outcomes",
            "Robustness: outcomes and what drives them",
            f"How often the target ({target:,.0f} people) is reached, which uncertainties "
            "matter most, and which ranges of them lead to missing it.",
            (histogram(data),),
            html=_table(data),
        ),
    ]


@sections.register("sweep")
def _drawn(data: Any, runs: Sequence[RunSeries]) -> list[page.Section]:
    return sweep_sections(data)


def build_sweep_report(
    result: SweepResult, analyses: Sequence[VariantAnalysis], folder: str | os.PathLike[str]
) -> Path:
    """Write ``folder/sweep.html`` (self-contained) and return its path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    parts = sweep_sections(result, analyses)
    s = result.settings
    subtitle = (
        f"{result.scenario.name}: {s.get('samples')} samples ({s.get('sampler')}, seed "
        f"{s.get('seed')}), policy {s.get('policy')}, {s.get('plan_time')} s per plan"
    )
    footer = (
        f"Made by evacuate {evacuate.__version__} from sweep {result.run_id or '(not stored)'}."
    )
    text = page.page_html("Robustness sweep", subtitle, parts, [], footer=footer)
    target = out / "sweep.html"
    atomic_write(target, text)
    return target
