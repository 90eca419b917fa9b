"""The sabotage section of a report: the worst attack found for each budget, the single attacks
ranked, and the places they hit on the map. Drawn from a sabotage analysis's stored results
(``SabotageResult.to_data()``, plain JSON) and the scenario's geometry; nothing is recomputed.

- the damage-budget curve: for each budget, the certified damage interval of the worst attack
  found (people not rescued because of it: low is achieved, high is a bound), proven or not;
- the ranked single attacks as a table (option, instant, cost, success, damage, share);
- the targets on the map: every place an attack option hits, sized by the worst damage of the
  single attacks that hit it.

``sabotage_sections`` gives ``page.Section``s (the report, the server's page); each figure is
a plotly figure. They are registered in ``evacuate.report.sections`` under ``sabotage``, so
``build_report`` draws them when ``extras["sabotage"]`` is present; ``build_sabotage_report``
writes them alone as ``sabotage.html`` (``evacuate runs report`` on a stored analysis).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

import evacuate
from evacuate.files import atomic_write
from evacuate.report import page, sections
from evacuate.report.data import RunSeries
from evacuate.report.geometry import layout
from evacuate.report.style import OKABE_ITO, panel_layout
from evacuate.sabotage.menu import targets
from evacuate.scenario import summary
from evacuate.scenario.model import AttackMenu
from evacuate.scenario.scenario import Scenario

__all__ = [
    "build_sabotage_report",
    "damage_figure",
    "holds_html",
    "option_targets",
    "ranked_html",
    "sabotage_sections",
    "targets_figure",
]

RANKED_ROWS = 20
"""Single attacks listed in the table (the worst first)."""


def _strikes(s: Scenario, attack: Mapping[str, Any]) -> str:
    return (
        ", ".join(
            f"{st['option']} at {summary.format_time(s, float(st['at']))}"
            for st in attack["strikes"]
        )
        or "no attack"
    )


def damage_figure(s: Scenario, data: Mapping[str, Any]) -> go.Figure:
    """People not rescued because of the worst attack found, for each budget: the interval
    [achieved, bound] as a band, the achieved damage as a line; open markers where the
    worst attack is not proven."""
    rows = data["curve"]
    budgets = [float(r["budget"]) for r in rows]
    low = [float(r["attack"]["damage_low"]) for r in rows]
    high = [float(r["attack"]["damage_high"]) for r in rows]
    hover = [
        f"budget {b:g}: {html.escape(_strikes(s, r['attack']))}<br>damage {lo:,.0f} to "
        f"{hi:,.0f}" + (" (proven)" if r["proven"] else f" (gap {float(r['gap']):,.0f})")
        for b, lo, hi, r in zip(budgets, low, high, rows, strict=True)
    ]
    colour = OKABE_ITO["vermillion"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=budgets + budgets[::-1],
            y=high + low[::-1],
            mode="lines",
            fill="toself",
            fillcolor="rgba(213,94,0,0.15)",
            line={"width": 0},
            hoverinfo="skip",
            name="certified interval",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=budgets,
            y=low,
            mode="lines+markers",
            line={"color": colour},
            marker={
                "color": [colour if r["proven"] else "white" for r in rows],
                "line": {"color": colour, "width": 2},
                "size": 10,
            },
            hovertext=hover,
            hoverinfo="text",
            name="worst attack found (filled: proven)",
        )
    )
    fig = panel_layout(
        fig,
        f"Damage of the worst attack for each budget (of {int(data['population']):,} people)",
        "attacker's budget",
        "people not rescued",
    )
    fig.update_xaxes(tickvals=budgets)  # only the budgets analysed
    return fig


def _damage(a: Mapping[str, Any]) -> str:
    """A certified damage interval in whole people (widened outwards); only its top when
    the attack was pruned unplanned."""
    lo = math.floor(float(a["damage_low"]) + 1e-9)
    hi = math.ceil(float(a["damage_high"]) - 1e-9)
    if not a.get("evaluated", True):
        return f"at most {hi:,}"
    return f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"


def holds_html(data: Mapping[str, Any]) -> str:
    """Each defence struck by the worst attack found: the people it would have saved."""
    holds = data.get("holds") or []
    if not holds:
        return ""
    e = html.escape
    rows = []
    for h in holds:
        a = h["attack"]
        lo = math.floor(float(h["saved_low"]) + 1e-9)
        saved = f"at least {lo:,}"
        if a.get("evaluated", True):
            hi = math.ceil(float(h["saved_high"]) - 1e-9)
            saved = f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"
        rows.append(
            f"<tr><td>{e(' + '.join(h['measures']))}</td><td>{float(h['cost']):g}</td>"
            f"<td>{_damage(a)}</td><td>{saved}</td><td>{float(h['price']):,.0f}</td></tr>"
        )
    return (
        "<p>Each defence struck by the same attack (not searched again; "
        "<code>--defend</code> searches each defence's own worst attack):</p>"
        '<table class="ranked"><thead><tr><th>Defence</th><th>Cost</th><th>Damage</th>'
        "<th>People saved</th><th>Price (no attack)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def ranked_html(s: Scenario, data: Mapping[str, Any], limit: int = RANKED_ROWS) -> str:
    """The single attacks, worst first, as an HTML table (escaped)."""
    e = html.escape
    pop = max(1.0, float(data["population"]))
    ranked = data.get("ranked") or []
    rows = []
    for k, a in enumerate(ranked[:limit], start=1):
        rows.append(
            f"<tr><td>{k}</td><td>{e(_strikes(s, a))}</td><td>{float(a['cost']):g}</td>"
            f"<td>{float(a['success']):g}</td>"
            f"<td>{_damage(a)}</td>"
            f"<td>{100 * float(a['damage_high']) / pop:.1f}%</td></tr>"
        )
    more = len(ranked) - limit
    tail = f"<p>{more:,} more single attacks are not listed.</p>" if more > 0 else ""
    if not rows:
        return "<p>No single attack was ranked.</p>"
    return (
        '<table class="ranked"><thead><tr><th>#</th><th>Attack</th><th>Cost</th>'
        "<th>Success</th><th>Damage (people)</th><th>Share</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + tail
    )


def option_targets(s: Scenario, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The places each option of the analysed attack menu hits."""
    menu = AttackMenu.model_validate(data["menu"])
    return {o.id: sorted(targets(s, o)) for o in menu.options}


def targets_figure(s: Scenario, data: Mapping[str, Any]) -> go.Figure:
    """Every place; those an attack option hits in colour, sized by the worst damage of the
    single attacks that hit them."""
    lay = layout(s)
    hits = option_targets(s, data)
    worst: dict[str, float] = {}
    for a in data.get("ranked") or []:
        for st in a["strikes"]:
            for place in hits.get(st["option"], ()):
                worst[place] = max(worst.get(place, 0.0), float(a["damage_high"]))
    by_place: dict[str, list[str]] = {}
    for option, places in hits.items():
        for place in places:
            by_place.setdefault(place, []).append(option)
    biggest = max([1.0, *worst.values()])
    names = {p.id: p.name or p.id for p in s.places}
    fig = go.Figure()
    others = [p.id for p in s.places if p.id not in by_place]
    hit = [p.id for p in s.places if p.id in by_place]
    fig.add_trace(
        go.Scatter(
            x=[lay.points[p][0] for p in others],
            y=[lay.points[p][1] for p in others],
            mode="markers",
            marker={"color": OKABE_ITO["grey"], "size": 8},
            hovertext=[names[p] for p in others],
            hoverinfo="text",
            name="other places",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[lay.points[p][0] for p in hit],
            y=[lay.points[p][1] for p in hit],
            mode="markers+text",
            text=[names[p] for p in hit],
            textposition="top center",
            marker={
                "color": OKABE_ITO["vermillion"],
                "symbol": "x",
                "size": [10 + 20 * (worst.get(p, 0.0) / biggest) ** 0.5 for p in hit],
            },
            hovertext=[
                f"{html.escape(names[p])}: hit by {html.escape(', '.join(by_place[p]))}; worst "
                f"single attack {worst.get(p, 0.0):,.0f} people"
                for p in hit
            ],
            hoverinfo="text",
            name="attack targets",
        )
    )
    fig = panel_layout(fig, "Where the attacks strike", lay.x_title, lay.y_title)
    fig.update_yaxes(scaleanchor="x", scaleratio=lay.aspect)
    if lay.kind == "circle":
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    return fig


def sabotage_sections(s: Scenario, data: Mapping[str, Any]) -> list[page.Section]:
    """The sabotage analysis's part of a report: the damage-budget curve, the ranked single
    attacks and their targets on the map."""
    rows = data["curve"]
    worst = rows[-1]
    a = worst["attack"]
    undisturbed = float(data["undisturbed"]["rescued"])
    lede = (
        f"With no attack the plan rescues {undisturbed:,.0f} people. The worst attack found "
        f"for a budget of {float(worst['budget']):g} ({_strikes(s, a)}) costs "
        f"{_damage(a)} of them" + (" (proven)." if worst["proven"] else " (not proven).")
    )
    if data.get("menu_derived"):
        lede += " The scenario has no attacks section: the menu was derived."
    return [
        page.Section(
            "sabotage-curve", "Sabotage: damage for each budget", lede, (damage_figure(s, data),)
        ),
        page.Section(
            "sabotage-attacks",
            "Sabotage: the single attacks, worst first, and where they strike",
            "Each option at its worst instant; damage is people not rescued (a certified "
            'interval; "at most": pruned by the bound, never planned for).',
            (targets_figure(s, data),),
            html=ranked_html(s, data) + holds_html(data),
        ),
    ]


@sections.register("sabotage")
def _drawn(data: Any, runs: Sequence[RunSeries]) -> list[page.Section]:
    return sabotage_sections(runs[0].run.scenario, data)


def build_sabotage_report(
    data: Mapping[str, Any], scenario: Scenario, folder: str | os.PathLike[str]
) -> Path:
    """Write ``folder/sabotage.html`` (self-contained) from stored results; return its path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    variant = data.get("variant")
    subtitle = scenario.name + (f", variant {variant}" if variant else "")
    footer = f"Made by evacuate {evacuate.__version__} from stored sabotage results."
    parts = sabotage_sections(scenario, data)
    text = page.page_html("Sabotage analysis", subtitle, parts, [], footer=footer)
    target = out / "sabotage.html"
    atomic_write(target, text)
    return target
