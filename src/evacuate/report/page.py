"""The report's HTML page: headline, figures (plotly.js embedded once), per-place tables.

The page is one self-contained file: no network access, no external script or style sheet.
plotly.js is embedded once, gzipped (the browser inflates it: 1.9 MB instead of 4.8 MB); each
chart is its figure as JSON, drawn by the loader at the end. The loader then marks
``<body data-charts="N" data-charts-drawn="M">`` once the charts are drawn, so a browser test
(or a person) can tell every chart rendered.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import math
from dataclasses import dataclass
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs

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
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { margin: 6px 0 18px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); }
th { text-align: left; vertical-align: bottom; }
td.n, th.n { text-align: right; }
td.n, td.d { white-space: nowrap; }
th.run { max-width: 9em; }
tr.total td { font-weight: 650; border-top: 2px solid var(--ink); }
th.run { border-bottom: 3px solid var(--c); }
nav a { margin-right: 14px; }
ol.events { list-style: none; padding: 0; margin: -6px 0 18px; columns: 2 320px; }
ol.events li { break-inside: avoid; margin: 2px 0; }
.badge { display: inline-block; min-width: 1.6em; padding: 0 4px; border: 1px solid var(--ink);
  font-weight: 650; font-size: 12px; text-align: center; }
.when { color: var(--muted); white-space: nowrap; }
"""

_SCRIPT = """
(async function () {
  function check() {
    var divs = document.querySelectorAll('.plotly-graph-div');
    var drawn = 0;
    divs.forEach(function (d) { if (d.querySelector('svg.main-svg')) { drawn += 1; } });
    document.body.setAttribute('data-charts', String(divs.length));
    document.body.setAttribute('data-charts-drawn', String(drawn));
    if (drawn < divs.length) { window.setTimeout(check, 50); }
  }
  var packed = document.getElementById('plotly-js-gz').textContent;
  var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  var code = await new Response(stream).text();
  var lib = document.createElement('script');
  lib.textContent = code;
  document.head.appendChild(lib);
  document.querySelectorAll('script.figure').forEach(function (s) {
    var fig = JSON.parse(s.textContent);
    Plotly.newPlot(s.dataset.target, fig.data, fig.layout, CONFIG);
  });
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
        rows.append(("last rescue", TimeAxis(res.scenario).short(res.last_rescue)))
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
        people = scenario.people_at(p)
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


def _run_heads(runs: list[RunSeries]) -> str:
    return "".join(
        f'<th class="n run" style="--c: {variant_colour(i)}">{_breakable(r.label)}</th>'
        for i, r in enumerate(runs)
    )


def _breakable(label: str) -> str:
    """A run label that may wrap after its underscores (never inside a word)."""
    return _e(label).replace("_", "_<wbr>")


def _when(axis: TimeAxis, t: float | None) -> str:
    """A date (or time) on one line; the full label on hover."""
    if t is None:
        return "<td></td>"
    return f"<td class='d' title='{_e(axis.label(t))}'>{_e(axis.short(t))}</td>"


def _source_table(
    runs: list[RunSeries], sources: list[PlaceRow], axis: TimeAxis, measure: str, total: str
) -> str:
    head = (
        "<tr><th>Place</th><th class='n'>Population</th><th>Deadline</th>"
        + _run_heads(runs)
        + "</tr>"
    )
    body = []
    for row in sources:
        if measure == "rescued":
            cells = "".join(f"<td class='n'>{number(v)}</td>" for v in row.rescued)
        elif measure == "lost":
            cells = "".join(f"<td class='n'>{number(st.lost)}</td>" for st in row.runs)
        else:
            cells = "".join(_when(axis, st.last_pickup) for st in row.runs)
        body.append(
            f"<tr><td>{_e(row.name)}</td><td class='n'>{number(row.population)}</td>"
            f"{_when(axis, row.deadline)}{cells}</tr>"
        )
    if total:
        body.append(
            f"<tr class='total'><td>Total</td>"
            f"<td class='n'>{sum(r.population for r in sources):,}</td><td></td>{total}</tr>"
        )
    return (
        f"<div class='table-wrap'><table class='places {measure}'><thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def tables_html(runs: list[RunSeries]) -> str:
    """Per place: one narrow table per measure (rescued, lost, last pickup) with a column per
    run, so the page needs no horizontal scroll and dates stay on one line; then the havens."""
    axis = TimeAxis(runs[0].run.scenario)
    rows = place_table(runs)
    sources = [r for r in rows if not r.haven]
    havens = [r for r in rows if r.haven]
    out = []
    if sources:
        rescued_total = "".join(
            f"<td class='n'>{r.run.rescued - sum(h.rescued[i] for h in havens):,}</td>"
            for i, r in enumerate(runs)
        )
        lost_total = "".join(
            f"<td class='n'>{sum(row.runs[i].lost for row in sources):,}</td>"
            for i in range(len(runs))
        )
        out.append(
            "<h3>Rescued, by place of origin</h3>"
            "<p class='lede'>People from each place who reached a haven (through staging places "
            "too), per run. Hover a date for its day number.</p>"
            + _source_table(runs, sources, axis, "rescued", rescued_total)
            + "<h3>Lost, by place</h3>"
            "<p class='lede'>People lost at each place: its deadline struck, or vehicles were "
            "lost there with people on board.</p>"
            + _source_table(runs, sources, axis, "lost", lost_total)
            + "<h3>Last pickup</h3>"
            "<p class='lede'>The last loaded departure from each place; empty: nobody was "
            "picked up there.</p>" + _source_table(runs, sources, axis, "pickup", "")
        )
    if havens:
        head = "<tr><th>Haven</th><th class='n'>Capacity</th>" + _run_heads(runs) + "</tr>"
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
            "<h3>Received, by haven</h3><p class='lede'>People delivered to each haven and not "
            "moved on, per run; their sum is the number rescued.</p>"
            f"<div class='table-wrap'><table class='havens'><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    return "".join(out)


# ---------------------------------------------------------------------------- the page
@functools.cache
def _plotly_js_gz() -> str:
    """plotly.js (as the plotly package ships it), gzipped and in base64: a third of its size.
    The page inflates it with the browser's DecompressionStream (no network access)."""
    js = get_plotlyjs().encode("utf-8")
    return base64.b64encode(gzip.compress(js, compresslevel=9, mtime=0)).decode("ascii")


def _figure_html(fig: Any, div_id: str) -> str:
    """A chart's place and its figure as JSON; the loader at the end of the page draws it."""
    height = fig.layout.height
    style = f"height:{int(height)}px;width:100%" if height else "width:100%"
    spec = pio.to_json(fig, validate=False, pretty=False, engine="json")
    spec = spec.replace("</", "<\\/")  # never close the script element early
    return (
        f'<div id="{_e(div_id)}" class="plotly-graph-div" style="{style}"></div>'
        f'<script type="application/json" class="figure" data-target="{_e(div_id)}">'
        f"{spec}</script>"
    )


def page_html(
    title: str, subtitle: str, sections: list[Section], runs: list[RunSeries], footer: str = ""
) -> str:
    """The whole page as text (deterministic: same input, same bytes)."""
    parts = []
    nav = " ".join(f'<a href="#{_e(s.id)}">{_e(s.title)}</a>' for s in sections)
    for s in sections:
        figs = []
        for k, fig in enumerate(s.figures):
            figs.append(f'<div class="chart">{_figure_html(fig, f"fig-{s.id}-{k}")}</div>')
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
        + f"\n<footer><p>{_e(foot)}</p></footer>\n"
        f'<script type="application/octet-stream" id="plotly-js-gz">{_plotly_js_gz()}</script>\n'
        f"<script>{_SCRIPT.replace('CONFIG', json.dumps(_CONFIG, sort_keys=True))}</script>\n"
        "</body></html>\n"
    )
