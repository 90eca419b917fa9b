"""What the page shows, as JSON: a scenario laid out for the map, and runs compared.

Positions and the hazard's reach come from the report's geometry, so the page and the report
draw the same map; nothing here plans or simulates.
"""

from __future__ import annotations

import math
from typing import Any

from evacuate.errors import Issue
from evacuate.report.geometry import _circle, layout
from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario

__all__ = ["compare", "issue_json", "scenario_view"]

RING_STEPS = 24
"""Hazard reach drawn at this many times for the time slider (plus the start)."""


def issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "line": issue.line,
        "path": issue.path,
        "message": issue.message,
        "severity": issue.severity,
        "text": str(issue),
    }


def _hazard(s: Scenario, kind: str) -> list[dict[str, Any]]:
    hz = s.hazard
    if hz is None or kind == "circle":
        return []
    stop = s.end
    if hz.max_radius is not None and hz.speed > 0:
        stop = min(stop, hz.start + hz.max_radius / hz.speed)
    out = []
    for k in range(RING_STEPS + 1):
        t = hz.start + (stop - hz.start) * k / RING_STEPS
        r = max(0.0, (t - hz.start) * hz.speed)
        if hz.max_radius is not None:
            r = min(r, hz.max_radius)
        pts = _circle(s, r, 72) if r > 0 else ()
        out.append(
            {
                "time": t,
                "label": summary.format_time(s, t),
                "radius": r,
                "x": [p[0] for p in pts],
                "y": [p[1] for p in pts],
            }
        )
    return out


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def scenario_view(base: Scenario, variant: str | None = None) -> dict[str, Any]:
    """Places with positions and roles, hazard reach over time, fleet over time, events,
    variants: everything the scenario view draws."""
    s = base.variant(variant) if variant else base
    lay = layout(s)
    places = []
    for p in s.places:
        x, y = lay.points[p.id]
        people = s.people_at(p)
        haven = summary.is_haven(s, p.id)
        places.append(
            {
                "id": p.id,
                "name": p.name or p.id,
                "x": x,
                "y": y,
                "people": people,
                "capacity": p.capacity,
                "deadline": _finite(summary.effective_deadline(s, p.id)),
                "haven": haven,
                "role": "haven" if haven else ("people" if people else "other"),
            }
        )
    fleet = [
        {
            "time": snap.time,
            "label": summary.format_time(s, snap.time),
            "reasons": list(snap.reasons),
            "counts": {k: {"total": c.total, "ready": c.ready} for k, c in snap.counts.items()},
            "seats_ready": snap.seats_ready,
        }
        for snap in summary.fleet_over_time(s, limit=40)
    ]
    events = [
        {
            "id": e.id,
            "name": e.name or e.id,
            "time": e.at,
            "label": summary.format_time(s, e.at),
            "mode": e.mode,
            "enabled": e.enabled,
            "effects": [summary.describe_effect(s, fx) for fx in e.effects],
        }
        for e in s.events
    ]
    variants = [
        {
            "name": name,
            "description": base.variants[name].description,
            "changes": summary.describe_variant(base, name),
        }
        for name in base.variant_names
    ]
    return {
        "id": s.id,
        "name": s.name,
        "variant": s.applied_variant,
        "time_unit": s.time_unit,
        "end": s.end,
        "end_label": summary.format_time(s, s.end),
        "population": s.population,
        "map": {
            "kind": lay.kind,
            "x_title": lay.x_title,
            "y_title": lay.y_title,
            "aspect": lay.aspect,
            "note": lay.note,
        },
        "places": places,
        "hazard": _hazard(s, lay.kind),
        "fleet": fleet,
        "classes": [c.id for c in s.enabled_classes],
        "events": events,
        "variants": variants,
        "warnings": [issue_json(i) for i in s.warnings],
    }


def compare(results: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Runs side by side: headlines, curves, a per-place table and the differences from the
    first run (the reference)."""
    if not results:
        return {"runs": [], "headline": [], "places": [], "differences": []}
    keys: list[str] = []
    for _, r in results:
        for k, v in r.get("headline", {}).items():
            if k not in keys and isinstance(v, int | float) and not isinstance(v, bool):
                keys.append(k)
    headline = []
    for k in keys:
        values = [r.get("headline", {}).get(k) for _, r in results]
        ref = values[0]
        headline.append(
            {
                "name": k,
                "values": values,
                "differences": [None if v is None or ref is None else v - ref for v in values],
            }
        )
    place_ids: list[str] = []
    by_run: list[dict[str, dict[str, Any]]] = []
    for _, r in results:
        rows = {row["place"]: row for row in r.get("places", [])}
        by_run.append(rows)
        place_ids += [p for p in rows if p not in place_ids]
    places = []
    for pid in place_ids:
        rescued = [rows.get(pid, {}).get("rescued") for rows in by_run]
        lost = [rows.get(pid, {}).get("lost") for rows in by_run]
        places.append({"place": pid, "rescued": rescued, "lost": lost})
    differences = []
    for h in headline:
        for i, d in enumerate(h["differences"][1:], start=1):
            if d:
                differences.append({"run": results[i][0], "name": h["name"], "difference": d})
    return {
        "runs": [
            {
                "id": rid,
                "label": r.get("label", rid),
                "kind": r.get("kind"),
                "curve": r.get("curve"),
            }
            for rid, r in results
        ],
        "headline": headline,
        "places": places,
        "differences": differences,
    }
