"""How ``show`` (and ``demo``) draw a scenario: places, havens, hazard, lanes, fleet, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text

import evacuate
from evacuate.cli.common import (
    fmt_capacity,
    fmt_date,
    fmt_dur,
    fmt_num,
    plural,
    print_issues,
    stderr,
    stdout,
)
from evacuate.cli.tables import Fitted, Row
from evacuate.scenario import summary
from evacuate.scenario.model import Lane, Shipyard
from evacuate.scenario.scenario import Scenario


def show_scenario(path: Path | None, variant: str | None) -> None:
    base = evacuate.load(path)
    s = base.variant(variant) if variant is not None else base
    print_issues(stderr(), s.warnings)
    stdout().print(render(s, base), soft_wrap=False)


def render(s: Scenario, base: Scenario) -> Group:
    parts: list[Any] = [_header(s), _places(s), _havens(s)]
    if s.hazard is not None:
        parts.append(_hazard(s))
    if s.travel.lanes:
        parts.append(_lanes(s))
    parts += [_classes(s), _stock(s)]
    if s.fleet.shipyards:
        parts.append(_shipyards(s))
    parts.append(_fleet_over_time(s))
    if s.events:
        parts.append(_events(s))
    if base.variants:
        parts.append(_variants(base, s.applied_variant))
    spaced: list[Any] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])


def _header(s: Scenario) -> Text:
    meta = s.scenario
    t = Text()
    t.append(s.name, style="bold")
    t.append(f"  [{s.id}]\n", style="dim")
    if meta.description:
        t.append(" ".join(meta.description.split()) + "\n", style="italic")
    t.append(f"source: {s.source}")
    t.append(f"   variant: {s.applied_variant or '(none)'}\n")
    start = f" from {fmt_date(s, 0.0)}" if meta.start_date is not None else " from time zero"
    t.append(f"time: {s.time_unit}s{start}; horizon ends {summary.format_time(s, s.end)}\n")
    t.append(
        f"map: {s.map.kind}, distances in {_distance_unit(s)}; routes: {s.travel.routes}, "
        f"{plural(len(s.travel.lanes), 'declared lane')}\n"
    )
    cap = sum(p.capacity for p in summary.havens(s))
    t.append(
        f"{s.population:,} people to evacuate; {plural(len(summary.havens(s)), 'haven')} "
        f"hold {cap:,}; {plural(len(s.enabled_classes), 'vehicle class')} in use"
    )
    return t


def _distance_unit(s: Scenario) -> str:
    return s.map.unit if s.map.kind == "plane" else "km"


def _places(s: Scenario) -> Fitted:
    u = s.time_unit
    rows: list[Row] = []
    places = summary.place_rows(s)
    for r in places:
        people = fmt_num(r.population) if r.population else ""
        if r.later_arrivals:
            people += f" ({r.later_arrivals:,} later)"
        deadline = Text(fmt_num(r.deadline))
        if r.deadline_source in ("hazard", "event"):
            deadline.append(" hz" if r.deadline_source == "hazard" else " ev", style="dim")
        limits = []
        if r.load_per_hour is not None:
            limits.append(f"load {fmt_num(r.load_per_hour)}/h")
        if r.unload_per_hour is not None:
            limits.append(f"unload {fmt_num(r.unload_per_hour)}/h")
        if r.berths is not None:
            limits.append(plural(r.berths, "berth"))
        cells: list[Any] = [r.id, r.name, ", ".join(r.roles), people, deadline]
        cells += [fmt_date(s, r.deadline), fmt_capacity(r.capacity) if r.capacity else ""]
        cells += [fmt_num(r.open_from), ", ".join(limits)]
        rows.append((cells, None))
    notes = []
    if any(r.deadline_source == "hazard" for r in places):
        notes.append("hz: deadline set by the hazard front")
    if any(r.deadline_source == "event" for r in places):
        notes.append("ev: deadline moved by a known event")
    return Fitted(
        "Places",
        [
            "Place",
            "?@Name",
            "Role",
            "#People",
            f"#Deadline\n({u})",
            "?#Date",
            "#Capacity",
            f"#Open from\n({u})",
            "Throughput",
        ],
        rows,
        caption="; ".join(notes) or None,
    )


def _havens(s: Scenario) -> Fitted:
    havens = summary.havens(s)
    total = sum(p.capacity for p in havens)
    rows: list[Row] = [
        ([p.id, fmt_capacity(p.capacity), f"{p.capacity / total:.0%}" if total else ""], None)
        for p in havens
    ]
    ratio = f"{s.population / total:.0%}" if total else "no haven"
    footer: list[Row] = [
        (
            [
                Text("total haven capacity", style="bold"),
                Text(fmt_capacity(total), style="bold"),
                "",
            ],
            None,
        ),
        (["people to evacuate", fmt_num(s.population), ratio], None),
    ]
    return Fitted(
        "Havens (safe through the horizon)",
        ["Haven", "#Capacity", "#Share"],
        rows or [(["(none)", "", ""], None)],
        footer=footer,
    )


def _position(pos: object) -> str:
    if isinstance(pos, tuple):
        return "(" + ", ".join(fmt_num(c) for c in pos) + ")"
    return f"(lat {getattr(pos, 'lat', '?')}, lon {getattr(pos, 'lon', '?')})"


def _hazard(s: Scenario) -> Text:
    hz = s.hazard
    assert hz is not None
    unit = _distance_unit(s)
    reach = "no limit" if hz.max_radius is None else f"up to {fmt_num(hz.max_radius)} {unit}"
    by_front = [p for p in s.places if p.deadline is None and s.deadline(p.id) is not None]
    t = Text()
    t.append("Hazard", style="bold")
    t.append(f"  {hz.id}" + (f": {hz.name}" if hz.name else "") + "\n")
    t.append(
        f"a front from {_position(hz.origin)} starting {summary.format_time(s, hz.start)}, "
        f"moving {fmt_num(hz.speed)} {unit} per {s.time_unit}, {reach}; it sets the deadline of "
        f"{plural(len(by_front), 'place')}"
    )
    return t


def _window_text(s: Scenario, lane: Lane) -> str:
    parts = []
    for w in lane.windows:
        end = "on" if w.end is None else f"to {fmt_num(w.end)}"
        parts.append(f"from {fmt_num(w.start)} {end}")
    pw = lane.periodic
    if pw is not None:
        text = f"{fmt_dur(s, pw.open_for)} every {fmt_dur(s, pw.every)}"
        if pw.offset:
            text += f", offset {fmt_dur(s, pw.offset)}"
        if pw.start is not None:
            text += f", from {fmt_num(pw.start)}"
        if pw.end is not None:
            text += f", to {fmt_num(pw.end)}"
        parts.append(text)
    return "; ".join(parts) or "always"


def _lanes(s: Scenario) -> Fitted:
    u = s.time_unit
    rows: list[Row] = []
    for ln in s.travel.lanes:
        times = [fmt_num(ln.time)] if ln.time is not None else []
        times += [f"{k}: {fmt_num(v)}" for k, v in ln.class_times.items()]
        cells: list[Any] = [
            ln.id,
            ln.start,
            "<->" if ln.bidirectional else "->",
            ln.end,
            "\n".join(times) or "by speed",
            fmt_num(ln.distance),
            fmt_num(ln.speed_factor) if ln.speed_factor != 1 else "",
            _window_text(s, ln),
        ]
        rows.append((cells, None))
    caption = f"routes: {s.travel.routes}"
    if s.travel.routes == "all":
        caption += "; places with positions and no lane between them are also joined directly"
    return Fitted(
        "Lanes",
        [
            "Lane",
            "From",
            "",
            "To",
            f"Time\n({u})",
            f"#Distance\n({s.map.unit})",
            "#Speed\nx",
            f"Open\n({u})",
        ],
        rows,
        caption=caption,
    )


def _classes(s: Scenario) -> Fitted:
    speed_unit = f"{_distance_unit(s)}/{s.time_unit}"
    tired = any(c.turnaround > 0 for c in s.fleet.classes)
    rows: list[Row] = []
    for c in s.fleet.classes:
        cells: list[Any] = [
            c.id,
            c.name,
            fmt_num(c.capacity),
            fmt_num(c.speed) if c.speed is not None else "by lane",
            fmt_dur(s, c.load_time),
            fmt_dur(s, c.unload_time),
            *([fmt_dur(s, c.turnaround)] if tired else []),
            c.operator,
            "yes" if c.enabled else "no",
        ]
        rows.append((cells, None if c.enabled else "dim"))
    return Fitted(
        "Vehicle classes",
        [
            "Class",
            "?@Name",
            "#Capacity",
            f"#Speed\n({speed_unit})",
            "#Load",
            "#Unload",
            *(["#Turnaround"] if tired else []),
            "Operator",
            "Enabled",
        ],
        rows,
    )


def _stock(s: Scenario) -> Fitted:
    rows: list[Row] = []
    for st in s.fleet.stock:
        enabled = s.vehicle_class(st.vehicle_class).enabled
        cells: list[Any] = [
            st.id or "",
            st.vehicle_class,
            st.place,
            fmt_num(st.count),
            summary.format_time(s, st.available_from),
        ]
        rows.append((cells, None if enabled else "dim"))
    if not rows:
        rows.append((["(none)", "", "", "", ""], None))
    return Fitted("Stock", ["Stock", "Class", "Place", "#Vehicles", "Available from"], rows)


def _schedule_text(s: Scenario, y: Shipyard) -> str:
    lines = []
    for p in y.schedule:
        end = "on" if p.end is None else f"to {fmt_num(p.end)}"
        per = s.time_unit if p.per == 1 else f"{fmt_num(p.per)} {s.time_unit}s"
        lines.append(f"{fmt_num(p.rate)} per {per} from {fmt_num(p.start)} {end}")
    return "\n".join(lines)


def _shipyards(s: Scenario) -> Fitted:
    rows: list[Row] = []
    for y in s.fleet.shipyards:
        stop = summary.production_stop(s, y.id)
        done = summary.completion_time(y, stop=stop)
        enabled = s.vehicle_class(y.vehicle_class).enabled
        cells: list[Any] = [
            y.id,
            y.vehicle_class,
            y.place,
            _schedule_text(s, y),
            fmt_num(y.max_total) if y.max_total is not None else "no cap",
            summary.format_time(s, y.available_from) if y.available_from is not None else "at once",
            summary.format_time(s, done) if done is not None else "never",
        ]
        rows.append((cells, None if enabled else "dim"))
    return Fitted(
        "Shipyards",
        [
            "Yard",
            "Class",
            "Place",
            f"Schedule\n({s.time_unit})",
            "#Max\ntotal",
            "Output may\nleave",
            "Reaches\nmax",
        ],
        rows,
    )


def _fleet_over_time(s: Scenario) -> Fitted:
    classes = [c.id for c in s.enabled_classes]
    rows: list[Row] = []
    for snap in summary.fleet_over_time(s):
        cells: list[Any] = [fmt_num(snap.time), fmt_date(s, snap.time)]
        for cid in classes:
            count = snap.counts[cid]
            cell = Text(fmt_num(count.ready))
            if count.held:
                cell.append(f" +{count.held:,} held", style="dim")
            cells.append(cell)
        cells += [fmt_num(snap.seats_ready), "; ".join(snap.reasons)]
        rows.append((cells, None))
    return Fitted(
        "Fleet over time",
        [
            f"#Time\n({s.time_unit})",
            "?#Date",
            *("%" + c.replace("_", " ") for c in classes),
            "#Seats\nready",
            "What happens",
        ],
        rows,
        caption=(
            "Vehicles ready to leave by the schedule (stock + production), before any event; "
            "'+N held': in stock or built, but not yet allowed to leave."
        ),
    )


def _events(s: Scenario) -> Fitted:
    rows: list[Row] = []
    for e in sorted(s.events, key=lambda e: e.at):
        effects = [summary.describe_effect(s, fx) for fx in e.effects]
        if e.reported_casualties is not None:
            effects.append(f"reported casualties: {e.reported_casualties:,}")
        name = Text(e.id)
        if e.name:
            name.append(f"\n{e.name}", style="dim")
        mode = e.mode if e.enabled else f"{e.mode} (disabled)"
        cells: list[Any] = [fmt_num(e.at), fmt_date(s, e.at), name, mode, "\n".join(effects)]
        rows.append((cells, None if e.enabled else "dim"))
    return Fitted(
        "Events",
        [f"#At\n({s.time_unit})", "?#Date", "Event", "Mode", "Effects"],
        rows,
        caption="known: planned for; surprise: revealed only when it happens (simulation)",
    )


def _variants(base: Scenario, applied: str | None) -> Fitted:
    rows: list[Row] = []
    for name, v in base.variants.items():
        label = Text(name, style="bold" if name == applied else "")
        if name == applied:
            label.append(" (applied)", style="green")
        rows.append(([label, v.description, "\n".join(summary.describe_variant(base, name))], None))
    return Fitted("Variants", ["Variant", "Description", "Switches"], rows)
