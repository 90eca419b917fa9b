"""Sabotage and sweep jobs: what a worker process does for them.

Each runs the library's analysis (``evacuate.sabotage``, ``evacuate.sweep.sweep``) in the
worker, writes its files to the scratch folder, and returns a JSON-ready result whose
``sections`` are the report's own sections for that analysis (``report.sabotage``,
``report.sweep``), figures as plotly JSON: the page draws exactly what the report draws.
A sweep also returns its samples, which the server writes to the run store as the sweep's
children (so ``evacuate runs`` and ``load_sweep`` read a sweep made by the server like any).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["sabotage_job", "sections_json", "sweep_job"]

Send = Callable[[dict[str, Any]], None]


def _progress(send: Send, fraction: float, message: str) -> None:
    send(
        {"type": "progress", "progress": round(min(max(fraction, 0.0), 1.0), 4), "message": message}
    )


def sections_json(sections: Sequence[Any]) -> list[dict[str, Any]]:
    """``page.Section``s as JSON: text, escaped HTML, figures as plotly JSON."""
    return [
        {
            "id": sec.id,
            "title": sec.title,
            "lede": sec.lede,
            "note": sec.note,
            "html": sec.html,
            "figures": [json.loads(fig.to_json()) for fig in sec.figures],
        }
        for sec in sections
    ]


class _SabotageProgress:
    """The search says ``budget B`` as it starts each budget and ``n/m candidates`` within one:
    progress is the share of budgets done plus the share of the current one."""

    CANDIDATES = re.compile(r"^(\d+)/(\d+) candidates")

    def __init__(self, send: Send, steps: Sequence[float], defences: bool) -> None:
        self.send = send
        self.steps = [f"budget {b:g}" for b in steps[1:]]
        self.total = len(self.steps) + (1 if defences else 0)
        self.stage = 0

    def __call__(self, msg: str) -> None:
        if msg in self.steps:
            self.stage = self.steps.index(msg)
        elif msg.startswith("defence"):
            self.stage = len(self.steps)
        part = 0.0
        m = self.CANDIDATES.match(msg)
        if m is not None and int(m.group(2)) > 0:
            part = int(m.group(1)) / int(m.group(2))
        frac = 0.02 + 0.93 * (self.stage + part) / max(1, self.total)
        _progress(self.send, frac, f"sabotage: {msg}")


def sabotage_job(base: Any, params: dict[str, Any], scratch: Path, send: Send) -> dict[str, Any]:
    from evacuate.planio import write_plan
    from evacuate.report.sabotage import sabotage_sections
    from evacuate.sabotage import sabotage
    from evacuate.sabotage.menu import attack_menu
    from evacuate.sabotage.search import budgets

    name = params.get("variant")
    s = base.variant(name) if name else base
    menu, _ = attack_menu(s)
    budget = params.get("budget")
    b = menu.budget if budget is None else float(budget)
    steps = budgets(b, [o.cost for o in menu.options])
    _progress(send, 0.0, "sabotage: planning the undisturbed operation")
    r = sabotage(
        s,
        budget=b,
        defend=params.get("defend"),
        time_limit=float(params.get("time_limit", 10.0)),
        seed=int(params.get("seed", 0)),
        progress=_SabotageProgress(send, steps, params.get("defend") is not None),
    )
    data = r.to_data()
    (scratch / "sabotage.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    for bud, pl in r.plans.items():
        if pl is not None:
            write_plan(pl, scratch / f"plan_budget_{bud:g}.csv")
    _progress(send, 0.97, "drawing")
    worst = r.worst
    label = s.applied_variant or s.id
    return {
        "label": f"sabotage {label} (budget {b:g})",
        "kind": "sabotage",
        "variant": s.applied_variant,
        "message": f"worst attack: {worst.attack.damage_low:,.0f} to "
        f"{worst.attack.damage_high:,.0f} people not rescued (budget {worst.budget:g})",
        "headline": {
            "population": r.population,
            "undisturbed": r.base.rescued,
            "budget": worst.budget,
            "damage_low": worst.attack.damage_low,
            "damage_high": worst.attack.damage_high,
            "proven": worst.proven,
            "planner_calls": r.stats["planner_calls"],
            "simulations": r.stats["simulations"],
            "seconds": r.stats["seconds"],
        },
        "sabotage": data,
        "sections": sections_json(sabotage_sections(s, data)),
    }


def sweep_job(base: Any, params: dict[str, Any], scratch: Path, send: Send) -> dict[str, Any]:
    from evacuate.report.sweep import sweep_sections
    from evacuate.sweep.run import sweep

    def progress(done: int, total: int, text: str) -> None:
        _progress(send, 0.02 + 0.9 * done / max(1, total), f"{done}/{total} tasks; {text}")

    variants = params.get("variants") or None
    r = sweep(
        base,
        samples=int(params.get("samples", 20)),
        sampler=params.get("sampler", "lhs"),
        variants=variants,
        policy=params.get("policy", "replan"),
        seed=int(params.get("seed", 0)),
        plan_time=float(params.get("plan_time", 2.0)),
        workers=1,
        progress=progress,
    )
    _progress(send, 0.93, "analysing")
    from evacuate.server.options import target_of

    people, share = target_of(str(params.get("target", "95%")))
    analyses = r.analyse(target=people, target_share=share)
    samples = [
        {
            "key": x.key,
            "variant": x.variant,
            "seed": x.seed,
            "params": x.params(),
            "metrics": dict(x.metrics),
            "curve": [list(p) for p in x.curve],
            "status": x.status,
            "seconds": x.seconds,
            "error": x.error,
        }
        for x in r.results
    ]
    (scratch / "samples.json").write_text(json.dumps(samples) + "\n", encoding="utf-8")
    failed = sum(1 for x in r.results if x.status != "finished")
    first = analyses[0] if analyses else None
    return {
        "label": f"sweep {base.id} ({r.settings['samples']} samples)",
        "kind": "sweep",
        "message": r.summary(),
        "settings": r.settings,
        "headline": {
            "samples": int(r.settings["samples"]),
            "tasks": len(r.results),
            "failed": failed,
            "target": None if first is None else first.target,
            "p_target": None if first is None else first.p_target,
            "rescued_median": None if first is None else first.rescued.get(0.5),
            "seconds": round(r.seconds, 3),
        },
        "samples": samples,
        "sections": sections_json(sweep_sections(r, analyses)),
    }
