"""The report's HTML page: headline, figures (plotly.js embedded once), per-place tables.

The page is one self-contained file: no network access, no external script or style sheet.
A small script at the end marks ``<body data-charts="N" data-charts-drawn="M">`` once the
charts are drawn, so a browser test (or a person) can tell every chart rendered.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import plotly.io as pio

import evacuate
from evacuate.report.data import RunSeries
from evacuate.report.series import Mark, PlaceStats
from evacuate.report.style import OKABE_ITO, TimeAxis, number, percent, variant_colour
from evacuate.scenario import summary

__all__ = [
    "PlaceRow",
    "Section",
    "apportion",
    "events_key_html",
    "page_html",
    "place_table",
]

_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}

_CSS = """
:root { --ink: #1a1a1a; --muted: #5b5b5b; --rule: #d9d9d9; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px 28px 60px; color: var(--ink);
  background: var(--bg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-bottom: 4px;
  border-bottom: 1px solid var(--rule); }
p.sub, p.lede, p.note, footer { color: var(--muted); margin: 4px 0 10px; }
p.note { font-style: italic; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 250px; border: 1px solid var(--rule); border-left: 6px solid var(--c);
  border-radius: 4px; padding: 10px 14px; }
.card h3 { margin: 0 0 4px; font-size: 16px; }
.card .big { font-size: 24px; font-weight: 650; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0 10px; margin: 6px 0 0; }
.card dt { color: var(--muted); } .card dd { margin: 0; text-align: right;
  font-variant-numeric: tabular-nums; }
.chart { margin: 6px 0 18px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); }
th { text-align: left; vertical-align: bottom; }
td.n, th.n { text-align: right; }
tr.total td { font-weight: 650; border-top: 2px solid var(--ink); }
th.run { border-bottom: 3px solid var(--c); text-align: center; }
nav a { margin-right: 14px; }
ol.events { list-style: none; padding: 0; margin: -6px 0 18px; columns: 2 320px; }
ol.events li { break-inside: avoid; margin: 2px 0; }
.badge { display: inline-block; min-width: 1.6em; padding: 0 4px; border: 1px solid var(--ink);
  font-weight: 650; font-size: 12px; text-align: center; }
.when { color: var(--muted); white-space: nowrap; }
"""

_SCRIPT = """
(function () {
  function check() {
    var divs = document.querySelectorAll('.plotly-graph-div');
    var drawn = 0;
    divs.forEach(function (d) { if (d.querySelector('svg.main-svg')) { drawn += 1; } });
    document.body.setAttribute('data-charts', String(divs.length));
    document.body.setAttribute('data-charts-drawn', String(drawn));
    if (drawn < divs.length) { window.setTimeout(check, 50); }
  }
  check();
})();
"""


@dataclass(frozen=True)
class Section:
    """One part of the page: an anchor id, a heading, a sentence on what to read in it,
    figures (plotly) and extra HTML (already escaped)."""

    id: str
    title: str
    lede: str
    figures: tuple[Any, ...] = ()
    note: str = ""
    html: str = ""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def apportion(values: list[float], total: int) -> list[int]:
    """Whole numbers summing to ``total``, each within one of its value (largest remainders)."""
    if not values:
        return []
    floors = [math.floor(v) for v in values]
    short = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for k in range(max(0, min(short, len(values)))):
        floors[order[k]] += 1
    return floors


# ---------------------------------------------------------------------------- headline
def _card(i: int, r: RunSeries) -> str:
    res = r.run
    rows = [
        ("rescued", f"{res.rescued:,}"),
        ("of", f"{res.population:,}"),
    ]
    if r.run.bound is not None:
        rows.append(("bound", number(r.run.bound)))
        rows.append(("gap to bound", f"{100 * (r.gap or 0.0):.2f}%"))
    rows.append(("lost", f"{res.lost_people:,}"))
    if res.waiting_at_end:
        rows.append(("still waiting at the end", f"{res.waiting_at_end:,}"))
    rows.append(("vehicles lost", f"{res.vehicles_lost:,}"))
    if res.last_rescue is not None:
        rows.append(("last rescue", TimeAxis(res.scenario).label(res.last_rescue)))
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return (
        f'<div class="card" style="--c: {variant_colour(i)}">'
        f"<h3>{_e(r.label)}</h3>"
        f'<div class="big">{_e(percent(res.rescued, res.population))} rescued</div>'
        f"<dl>{dl}</dl></div>"
    )


def headline_html(runs: list[RunSeries]) -> str:
    cards = "".join(_card(i, r) for i, r in enumerate(runs))
    text = ""
    if len(runs) > 1:
        best = max(runs, key=lambda r: r.run.rescued)
        worst = min(runs, key=lambda r: r.run.rescued)
        diff = best.run.rescued - worst.run.rescued
        text = (
            f"<p class='lede'>{_e(best.label)} rescues the most ({best.run.rescued:,}); "
            f"{_e(worst.label)} the fewest ({worst.run.rescued:,}), {diff:,} fewer.</p>"
        )
    return f'{text}<div class="cards">{cards}</div>'


def events_key_html(events: list[Mark], axis: TimeAxis) -> str:
    """The events the curve's numbered badges stand for, in full."""
    if not events:
        return ""
    items = "".join(
        f"<li><span class='badge'>{k}</span> {_e(m.label)} "
        f"<span class='when'>{_e(axis.label(m.time))}</span></li>"
        for k, m in enumerate(events, start=1)
    )
    return f"<ol class='events' aria-label='Events'>{items}</ol>"


# ---------------------------------------------------------------------------- per-place tables
@dataclass(frozen=True)
class PlaceRow:
    """A place's row in the per-place table: scenario figures, then one ``PlaceStats`` per run
    with its rescued count apportioned to whole people."""

    place: str
    name: str
    population: int
    deadline: float | None
    capacity: int
    haven: bool
    runs: tuple[PlaceStats, ...]
    rescued: tuple[int, ...]


def place_table(runs: list[RunSeries]) -> list[PlaceRow]:
    """Every place with people, capacity or activity, in file order; rescued counts per run
    sum exactly to the run's ``rescued``."""
    scenario = runs[0].run.scenario
    per_run = [{st.place: st for st in r.flow.places} for r in runs]
    whole = []
    ids = [p.id for p in scenario.places]
    for r, by_id in zip(runs, per_run, strict=True):
        counts = apportion([by_id[i].rescued if i in by_id else 0.0 for i in ids], r.run.rescued)
        whole.append(dict(zip(ids, counts, strict=True)))
    rows = []
    for p in scenario.places:
        people = p.population + sum(a.people for a in p.arrivals)
        stats = tuple(by_place[p.id] for by_place in per_run)
        if not (people or p.capacity or any(s.picked_up or s.received or s.lost for s in stats)):
            continue
        rows.append(
            PlaceRow(
                place=p.id,
                name=p.name or p.id,
                population=people,
                deadline=summary.effective_deadline(scenario, p.id),
                capacity=p.capacity,
                haven=summary.is_haven(scenario, p.id),
                runs=stats,
                rescued=tuple(w[p.id] for w in whole),
            )
        )
    return rows


def _run_heads(runs: list[RunSeries], span: int) -> str:
    return "".join(
        f'<th class="run" colspan="{span}" style="--c: {variant_colour(i)}">{_e(r.label)}</th>'
        for i, r in enumerate(runs)
    )


def tables_html(runs: list[RunSeries]) -> str:
    axis = TimeAxis(runs[0].run.scenario)
    rows = place_table(runs)
    sources = [r for r in rows if not r.haven]
    havens = [r for r in rows if r.haven]
    out = []
    if sources:
        head = (
            "<tr><th rowspan='2'>Place</th><th rowspan='2' class='n'>Population</th>"
            "<th rowspan='2'>Deadline</th>"
            + _run_heads(runs, 3)
            + "</tr><tr>"
            + "".join(
                "<th class='n'>Rescued</th><th class='n'>Lost</th><th>Last pickup</th>"
                for _ in runs
            )
            + "</tr>"
        )
        body = []
        for row in sources:
            cells = "".join(
                f"<td class='n'>{number(resc)}</td><td class='n'>{number(st.lost)}</td>"
                f"<td>{_e(axis.label(st.last_pickup))}</td>"
                for st, resc in zip(row.runs, row.rescued, strict=True)
            )
            body.append(
                f"<tr><td>{_e(row.name)}</td><td class='n'>{number(row.population)}</td>"
                f"<td>{_e(axis.label(row.deadline))}</td>{cells}</tr>"
            )
        totals = "".join(
            f"<td class='n'>{r.run.rescued - sum(h.rescued[i] for h in havens):,}</td>"
            f"<td class='n'>{sum(row.runs[i].lost for row in sources):,}</td><td></td>"
            for i, r in enumerate(runs)
        )
        body.append(
            f"<tr class='total'><td>Total</td>"
            f"<td class='n'>{sum(r.population for r in sources):,}</td><td></td>{totals}</tr>"
        )
        out.append(
            "<h3>Places with people to evacuate, and staging places</h3>"
            "<p class='lede'>Rescued: people from this place who reached a haven (through staging "
            "places too). Lost: people lost at this place (its deadline struck, or vehicles lost "
            "there). Last pickup: the last loaded departure from it.</p>"
            f"<div class='table-wrap'><table><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    if havens:
        head = (
            "<tr><th>Haven</th><th class='n'>Capacity</th>"
            + "".join(
                f"<th class='n run' style='--c: {variant_colour(i)}'>{_e(r.label)}: received</th>"
                for i, r in enumerate(runs)
            )
            + "</tr>"
        )
        body = [
            f"<tr><td>{_e(row.name)}</td><td class='n'>{number(row.capacity)}</td>"
            + "".join(f"<td class='n'>{number(st.received)}</td>" for st in row.runs)
            + "</tr>"
            for row in havens
        ]
        body.append(
            "<tr class='total'><td>Total</td>"
            f"<td class='n'>{sum(h.capacity for h in havens):,}</td>"
            + "".join(
                f"<td class='n'>{sum(h.runs[i].received for h in havens):,}</td>"
                for i in range(len(runs))
            )
            + "</tr>"
        )
        out.append(
            "<h3>Havens</h3><p class='lede'>Received: people delivered to the haven and not "
            "moved on; their sum is the number rescued.</p>"
            f"<div class='table-wrap'><table><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    return "".join(out)


# ---------------------------------------------------------------------------- the page
def _figure_html(fig: Any, div_id: str, first: bool) -> str:
    text: str = pio.to_html(
        fig,
        include_plotlyjs=first,
        full_html=False,
        div_id=div_id,
        config=_CONFIG,
        default_width="100%",
    )
    return text


def page_html(
    title: str, subtitle: str, sections: list[Section], runs: list[RunSeries], footer: str = ""
) -> str:
    """The whole page as text (deterministic: same input, same bytes)."""
    parts = []
    first = True
    nav = " ".join(f'<a href="#{_e(s.id)}">{_e(s.title)}</a>' for s in sections)
    for s in sections:
        figs = []
        for k, fig in enumerate(s.figures):
            figs.append(f'<div class="chart">{_figure_html(fig, f"fig-{s.id}-{k}", first)}</div>')
            first = False
        note = f'<p class="note">{_e(s.note)}</p>' if s.note else ""
        parts.append(
            f'<section id="{_e(s.id)}"><h2>{_e(s.title)}</h2>'
            f'<p class="lede">{_e(s.lede)}</p>{note}{"".join(figs)}{s.html}</section>'
        )
    runs_text = "; ".join(f"{r.label}: policy {r.run.policy}, seed {r.run.seed}" for r in runs)
    foot = footer or f"Made by evacuate {evacuate.__version__}. Runs: {runs_text}."
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n"
        f'<body style="--accent: {OKABE_ITO["blue"]}">'
        f"<header><h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p><nav>{nav}</nav></header>\n"
        + "\n".join(parts)
        + f"\n<footer><p>{_e(foot)}</p></footer>\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )
