"""Benchmark: the sabotage search against brute force, on a generated instance.

A generated instance (``bench/generate.py``, seed 3: 8 threatened places, 4 havens, 2 depots,
a shipyard, 40 vehicles, 48 hourly steps) with a menu of 50 attack options (destroy all or
half the vehicles at a depot, stop the yard, close a haven or a threatened place for 4 or 12
hours, move a place's deadline to the instant of the attack; each in an early and a late
window). Two comparisons, each reporting planner calls, simulations and wall seconds:

- budget 1, every option on its window's grid: the search (pruned by the bound, no
  refinement) against evaluating every (option, instant);
- budget 2, each option at one fixed instant (its window's start): the search (greedy plus
  exact exchange) against evaluating every affordable pair.

"Same answer" means the same worst lowest damage. Seconds are wall time on whatever machine
runs it (a shared, loaded one gives larger figures). Results: ``bench/results/DATE-sabotage.md``.
Usage: ``python -m bench.sabotage [--out DIR] [--time-limit S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.generate import generate
from evacuate.sabotage.follower import plan_state
from evacuate.sabotage.menu import Strike, strike_scenario
from evacuate.sabotage.search import Attack, Search
from evacuate.scenario.load import from_dict
from evacuate.scenario.model import AttackMenu
from evacuate.scenario.scenario import Scenario

__all__ = ["instance", "main"]


def instance(fixed: bool) -> Scenario:
    """The generated scenario with its 50-option menu (``fixed``: one instant per option)."""
    data = generate(3, places=8, vehicles=40, steps=48, classes=1, havens=4, depots=2)
    s = from_dict(data)
    threatened = [p.id for p in s.places if p.population > 0]
    depots = sorted({st.place for st in s.fleet.stock})
    windows = {"early": (0, 10), "late": (10, 24)}
    opts: list[dict[str, Any]] = []

    def add(oid: str, effects: list[dict[str, Any]], lasts: float | None = None) -> None:
        for wname, (a, b) in windows.items():
            o: dict[str, Any] = {
                "id": f"{oid}_{wname}",
                "effects": effects,
                "window": {"start": a, "end": a if fixed else b},
            }
            if lasts is not None:
                o["lasts"] = lasts
            opts.append(o)

    for d in depots:
        add(f"destroy_{d}", [{"type": "destroy_vehicles", "place": d}])
        n = sum(st.count for st in s.fleet.stock if st.place == d) // 2
        add(f"half_{d}", [{"type": "destroy_vehicles", "place": d, "count": n}])
    for y in s.fleet.shipyards:
        add(f"stop_{y.id}", [{"type": "stop_production", "shipyard": y.id}])
    for h in s.havens:
        for hours in (4, 12):
            add(f"close_{h.id}_{hours}h", [{"type": "close_place", "place": h.id}], hours)
    for p in threatened:
        add(f"close_{p}", [{"type": "close_place", "place": p}], 4)
        add(f"doom_{p}", [{"type": "move_deadline", "place": p, "to": 0}])
    data["attacks"] = {"budget": 2, "options": opts[:50]}
    return from_dict(data)


def _search(s: Scenario, time_limit: float, points: int) -> Search:
    planner = partial(plan_state, time_limit=time_limit, seed=0)
    menu = s.attacks
    assert isinstance(menu, AttackMenu)
    base = planner(strike_scenario(s, menu, ()))
    return Search(
        s,
        menu,
        planner,
        list(base.plan.trips),
        base.bound,
        points=points,
        departures=0,
        refine=0,
    )


_CPU = [0.0]


def _brute(search: Search, keys: list[tuple[Strike, ...]]) -> Attack:
    best = search.nothing()
    for k in keys:
        a = search.full(k)
        if a.better_than(best):
            best = a
    return best


def _row(name: str, search: Search, seconds: float, a: Attack) -> dict[str, Any]:
    cpu = time.process_time() - _CPU[0]
    _CPU[0] = time.process_time()
    return {
        "cpu_seconds": round(cpu, 2),
        "method": name,
        "planner_calls": search.planner_calls,
        "simulations": search.simulations,
        "seconds": round(seconds, 2),
        "worst": ", ".join(f"{x.option}@{x.at:g}" for x in a.strikes),
        "damage_low": a.damage_low,
        "damage_high": a.damage_high,
    }


def run(time_limit: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    _CPU[0] = time.process_time()
    # budget 1: windows with a grid of instants
    s = instance(fixed=False)
    t0 = time.perf_counter()
    fast = _search(s, time_limit, points=4)
    row, _ = fast.single(1.0, fast.nothing())
    rows.append({"budget": 1, **_row("search", fast, time.perf_counter() - t0, row.attack)})
    _CPU[0] = time.process_time()
    t0 = time.perf_counter()
    brute = _search(s, time_limit, points=4)
    best = _brute(brute, [(x,) for x in brute.singles])
    rows.append({"budget": 1, **_row("brute force", brute, time.perf_counter() - t0, best)})
    rows[-2]["options"] = rows[-1]["options"] = len(s.attacks.options) if s.attacks else 0
    rows[-2]["candidates"] = rows[-1]["candidates"] = len(brute.singles)
    # budget 2: one instant per option
    s = instance(fixed=True)
    _CPU[0] = time.process_time()
    t0 = time.perf_counter()
    fast = _search(s, time_limit, points=1)
    one, _ = fast.single(1.0, fast.nothing())
    ceiling = float(s.population)
    two = fast.greedy(2.0, one.attack, ceiling)
    rows.append({"budget": 2, **_row("search", fast, time.perf_counter() - t0, two.attack)})
    _CPU[0] = time.process_time()
    t0 = time.perf_counter()
    brute = _search(s, time_limit, points=1)
    keys: list[tuple[Strike, ...]] = [(x,) for x in brute.singles]
    keys += [(a, b) for a, b in itertools.combinations(brute.singles, 2) if a.option != b.option]
    best = _brute(brute, keys)
    rows.append({"budget": 2, **_row("brute force", brute, time.perf_counter() - t0, best)})
    rows[-2]["candidates"] = rows[-1]["candidates"] = len(keys)
    rows[-2]["options"] = rows[-1]["options"] = len(s.attacks.options) if s.attacks else 0
    return rows


def _markdown(rows: list[dict[str, Any]], command: str) -> str:
    cols = ["budget", "method", "options", "candidates", "planner_calls", "simulations"]
    cols += ["seconds", "cpu_seconds", "worst", "damage_low", "damage_high"]
    out = [f"# Sabotage search against brute force ({dt.date.today()})", ""]
    out += [
        f"- command: `{command}`",
        "- seconds: wall time on a shared, loaded machine; cpu_seconds: this process's CPU",
        "",
    ]
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + "---|" * len(cols))
    for r in rows:
        out.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    for b in (1, 2):
        fast, brute = (r for r in rows if r["budget"] == b)
        ratio = brute["planner_calls"] / max(1, fast["planner_calls"])
        same = fast["damage_low"] == brute["damage_low"]
        out.append("")
        out.append(
            f"Budget {b}: {ratio:.1f}x fewer planner calls than brute force; "
            f"{'same' if same else 'DIFFERENT'} worst damage."
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.sabotage", description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("bench/results"))
    ap.add_argument("--time-limit", type=float, default=30.0, help="safety stop per plan")
    args = ap.parse_args(argv)
    rows = run(args.time_limit)
    command = "python -m bench.sabotage" + (f" --time-limit {args.time_limit:g}")
    text = _markdown(rows, command)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{dt.date.today()}-sabotage"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
