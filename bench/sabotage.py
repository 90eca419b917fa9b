"""Benchmark: the sabotage search against brute force, on a generated instance.

A generated instance (``bench/generate.py``, seed 3: 4 havens, 2 depots, a shipyard, 20
vehicles, 24 hourly steps) with a menu of 50 attack options (destroy all or half the vehicles
at a depot, stop the yard, close a haven for 4 or 12 hours; close a threatened place for 4
hours or move its deadline to the instant of the attack; each in an early and a late window).
Every option costs 1 for budget 1; for budget 2 the closures and deadline moves cost 2 and
the 10 options on the depots and the yard cost 1 (so 50 single options and 45 pairs are
affordable; each pair's answer replans twice). Two comparisons (``--part 1``, ``--part 2``, or
both), each reporting planner calls, simulations, wall and CPU seconds:

- budget 1, every option on its window's grid (``--points`` evenly spaced instants plus the
  scenario's breakpoints): the search (pruned by the bound, no refinement) against evaluating
  every (option, instant);
- budget 2, each option at one fixed instant (its window's start): the search (greedy plus
  exact exchange, then every affordable set bounded: the proof) against evaluating every
  affordable single option and pair.

"Same answer" means the same worst lowest damage. Both sides use the same planner: the
operator's, with a gap target of 1% (``--gap-target``; on this instance it plans the same as the
default 1e-4 in about a third of the time). Seconds are wall time on whatever machine runs it
(a shared, loaded one gives larger figures). Results, rewritten as each row finishes:
``bench/results/DATE-sabotage.md`` and ``.json``.
Part 3 runs ``evacuate.sabotage`` on the Romulan scenario (``no_sabotage``, derived menu,
budgets 1, 2 and 3, ranked, on ``--workers`` processes with ``--romulan-time-limit`` as the
safety stop) and reports wall and CPU seconds (the main process and each worker), work
counts, the planner calls the stop cut short, and the load average around each run.
Usage: ``python -m bench.sabotage [--part 1|2|3] [--out DIR] [--time-limit S] [--gap-target G]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.generate import generate
from evacuate.plan.api import PlanResult, plan
from evacuate.sabotage.menu import Strike, strike_scenario
from evacuate.sabotage.search import Attack, Search
from evacuate.scenario.load import from_dict
from evacuate.scenario.model import AttackMenu
from evacuate.scenario.scenario import Scenario

__all__ = ["instance", "main"]


def instance(fixed: bool) -> Scenario:
    """The generated scenario with its 50-option menu (``fixed``: one instant per option)."""
    data = generate(3, places=8, vehicles=20, steps=24, classes=1, havens=4, depots=2)
    s = from_dict(data)
    threatened = [p.id for p in s.places if p.population > 0]
    depots = sorted({st.place for st in s.fleet.stock})
    windows = {"early": (0, 10), "late": (10, 24)}
    opts: list[dict[str, Any]] = []

    def add(
        oid: str, effects: list[dict[str, Any]], lasts: float | None = None, cost: float = 1
    ) -> None:
        for wname, (a, b) in windows.items():
            o: dict[str, Any] = {
                "id": f"{oid}_{wname}",
                "effects": effects,
                "window": {"start": a, "end": a if fixed else b},
                "cost": cost if fixed else 1,
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
            add(f"close_{h.id}_{hours}h", [{"type": "close_place", "place": h.id}], hours, 2)
    for p in threatened:
        add(f"close_{p}", [{"type": "close_place", "place": p}], 4, cost=2)
        add(f"doom_{p}", [{"type": "move_deadline", "place": p, "to": 0}], cost=2)
    data["attacks"] = {"budget": 2, "options": opts[:50]}
    return from_dict(data)


def _plan(s: Scenario, *, time_limit: float, gap_target: float) -> PlanResult:
    return plan(s, time_limit=time_limit, seed=0, gap_target=gap_target)


def _search(s: Scenario, time_limit: float, points: int, gap_target: float = 0.01) -> Search:
    planner = partial(_plan, time_limit=time_limit, gap_target=gap_target)
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
    for n, k in enumerate(keys):
        if n % 50 == 0:
            log(f"brute force: {n}/{len(keys)} candidates, {search.planner_calls} planner calls")
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


def run(
    time_limit: float,
    gap_target: float,
    save: Callable[[list[dict[str, Any]]], None],
    parts: tuple[int, ...] = (1, 2),
    points: int = 2,
    brute_force: bool = True,
    workers: int = 2,
    romulan_time_limit: float = 60.0,
) -> list[dict[str, Any]]:
    """Search and brute force for each budget of ``parts``; ``save`` after each row."""
    rows: list[dict[str, Any]] = []

    def add(row: dict[str, Any], options: int, candidates: int) -> None:
        rows.append({**row, "options": options, "candidates": candidates})
        log(f"{row['method']} budget {row['budget']}: {row['planner_calls']} planner calls")
        save(rows)

    if 1 in parts:  # windows with a grid of instants
        s = instance(fixed=False)
        n = len(s.attacks.options) if s.attacks else 0
        _CPU[0] = time.process_time()
        t0 = time.perf_counter()
        fast = _search(s, time_limit, points, gap_target)
        row, _ = fast.single(1.0, fast.nothing())
        singles = [(x,) for x in fast.singles if fast.cost((x,)) <= 1]
        add(
            {
                "budget": 1,
                **_row("search", fast, time.perf_counter() - t0, row.attack),
                "proven": row.proven,
                "gap": row.gap,
            },
            n,
            len(singles),
        )
        _CPU[0] = time.process_time()
        t0 = time.perf_counter()
        brute = _search(s, time_limit, points, gap_target)
        best = _brute(brute, singles if brute_force else [])
        if brute_force:
            add(
                {"budget": 1, **_row("brute force", brute, time.perf_counter() - t0, best)},
                n,
                len(singles),
            )
    if 2 in parts:  # one instant per option
        s = instance(fixed=True)
        n = len(s.attacks.options) if s.attacks else 0
        _CPU[0] = time.process_time()
        t0 = time.perf_counter()
        fast = _search(s, time_limit, 1, gap_target)
        one, _ = fast.single(1.0, fast.nothing())
        two = fast.greedy(2.0, one.attack, float(s.population))
        keys: list[tuple[Strike, ...]] = [(x,) for x in fast.singles if fast.cost((x,)) <= 2]
        keys += [
            (a, b)
            for a, b in itertools.combinations(fast.singles, 2)
            if a.option != b.option and fast.cost((a, b)) <= 2
        ]
        add(
            {
                "budget": 2,
                **_row("search", fast, time.perf_counter() - t0, two.attack),
                "proven": two.proven,
                "gap": two.gap,
            },
            n,
            len(keys),
        )
        _CPU[0] = time.process_time()
        t0 = time.perf_counter()
        brute = _search(s, time_limit, 1, gap_target)
        best = _brute(brute, keys if brute_force else [])
        if brute_force:
            add(
                {"budget": 2, **_row("brute force", brute, time.perf_counter() - t0, best)},
                n,
                len(keys),
            )
    if 3 in parts:  # the Romulan scenario, budgets 1 to 3, derived menu, as the command runs it
        import evacuate
        from evacuate.sabotage import sabotage

        s = evacuate.load().variant("no_sabotage")
        for b in (1, 2, 3):
            load0 = os.getloadavg()[0]
            c0, t0 = time.process_time(), time.perf_counter()
            res = sabotage(s, budget=b, time_limit=romulan_time_limit, workers=workers)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            worst = res.worst
            st = res.stats
            rows.append(
                {
                    "budget": b,
                    "method": "search, Romulan no_sabotage (derived menu, ranked)",
                    "options": st["options"],
                    "candidates": st["instants"],
                    "planner_calls": st["planner_calls"],
                    "search_calls": st["search_calls"],
                    "ranking_calls": st["ranking_calls"],
                    "simulations": st["simulations"],
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "worker_cpu_seconds": st["worker_cpu_seconds"],
                    "workers": workers,
                    "time_limit": romulan_time_limit,
                    "load_before": round(load0, 2),
                    "load_after": round(os.getloadavg()[0], 2),
                    "worst": ", ".join(f"{x.option}@{x.at:g}" for x in worst.attack.strikes),
                    "damage_low": worst.attack.damage_low,
                    "damage_high": worst.attack.damage_high,
                    "proven": worst.proven,
                    "gap": worst.gap,
                    "stopped_by_time": st["planner_stopped_by_time"],
                }
            )
            log(
                f"Romulan budget {b}: {seconds:.1f} s wall, {cpu:.1f} s CPU here, "
                f"{sum(st['worker_cpu_seconds']):.1f} s CPU in {workers} workers, "
                f"{st['planner_stopped_by_time']} calls cut"
            )
            save(rows)
    return rows


def log(msg: str) -> None:
    print(f"[bench.sabotage {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _markdown(rows: list[dict[str, Any]], command: str) -> str:
    cols = ["budget", "method", "options", "candidates", "planner_calls", "simulations"]
    cols += ["seconds", "cpu_seconds", "worst", "damage_low", "damage_high", "proven", "gap"]
    out = [f"# Sabotage search against brute force ({dt.date.today()})", ""]
    out += [
        f"- command: `{command}`",
        "- seconds: wall time on a shared, loaded machine; cpu_seconds: this process's CPU",
        f"- load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs",
        "",
    ]
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + "---|" * len(cols))
    for r in rows:
        if not r["method"].startswith("search, Romulan"):
            out.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    romulan = [r for r in rows if r["method"].startswith("search, Romulan")]
    if romulan:
        rcols = ["budget", "seconds", "cpu_seconds", "worker_cpu_seconds", "planner_calls"]
        rcols += ["search_calls", "ranking_calls", "stopped_by_time", "simulations"]
        rcols += ["load_before", "load_after", "worst", "proven"]
        out.append("")
        out.append(
            "Romulan `no_sabotage`, derived menu, as `evacuate sabotage --budget B` runs it "
            f"(workers {romulan[0]['workers']}, time limit {romulan[0]['time_limit']:g} s a "
            "safety stop; stopped_by_time: planner calls it cut short; cpu_seconds: the main "
            "process; worker_cpu_seconds: each worker process; load: 1-minute load average):"
        )
        out += ["", "| " + " | ".join(rcols) + " |", "|" + "---|" * len(rcols)]
        for r in romulan:
            out.append("| " + " | ".join(str(r.get(c, "")) for c in rcols) + " |")
    for b in (1, 2):
        pair = [r for r in rows if r["budget"] == b and not r["method"].startswith("search, R")]
        if len(pair) < 2:
            continue
        fast, brute = pair
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
    ap.add_argument("--gap-target", type=float, default=0.01, help="the planner's gap target")
    ap.add_argument("--points", type=int, default=2, help="evenly spaced instants per window")
    ap.add_argument("--workers", type=int, default=2, help="part 3: worker processes")
    ap.add_argument(
        "--romulan-time-limit",
        type=float,
        default=60.0,
        help="part 3: the planner's safety stop (its work budgets should end every call first)",
    )
    ap.add_argument(
        "--part",
        type=int,
        choices=(1, 2, 3),
        help="only this part: 1, 2 (search against brute force for that budget) or 3 (the "
        "Romulan scenario, budget 3, derived menu: wall and CPU seconds)",
    )
    ap.add_argument(
        "--search-only",
        action="store_true",
        help="rerun the search rows only, keeping the brute-force rows of the results file "
        "(brute force does not depend on the search's code)",
    )
    args = ap.parse_args(argv)
    parts = (1, 2, 3) if args.part is None else (args.part,)
    command = f"python -m bench.sabotage --time-limit {args.time_limit:g}"
    command += f" --gap-target {args.gap_target:g} --points {args.points}"
    command += "" if args.part is None else f" --part {args.part}"
    command += " --search-only" if args.search_only else ""
    if 3 in parts:
        command += f" --workers {args.workers} --romulan-time-limit {args.romulan_time_limit:g}"
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.part is None else f"-budget{args.part}"
    stem = args.out / f"{dt.date.today()}-sabotage{suffix}"

    kept: list[dict[str, Any]] = []
    if args.search_only:
        old = json.loads(stem.with_suffix(".json").read_text())
        kept = [r for r in old if r["method"] == "brute force"]

    def save(rows: list[dict[str, Any]]) -> None:
        rows = sorted(rows + kept, key=lambda r: (r["budget"], r["method"] != "search"))
        stem.with_suffix(".md").write_text(_markdown(rows, command))
        stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")

    rows = run(
        args.time_limit,
        args.gap_target,
        save,
        parts,
        args.points,
        not args.search_only,
        workers=args.workers,
        romulan_time_limit=args.romulan_time_limit,
    )
    rows = sorted(rows + kept, key=lambda r: (r["budget"], r["method"] != "search"))
    print(_markdown(rows, command))


if __name__ == "__main__":
    main()
