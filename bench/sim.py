"""Benchmark: the simulator against the project's targets.

Three measurements, all in this one process (planning and simulating the same scenario object):

- ``romulan:no_sabotage``, ``follow``: plan once, then time ``simulate(s, plan,
  policy="follow")`` alone over a few repeats (target: under 5 s), without noise and with
  noise (``--cv`` travel-time coefficient of variation, ``--breakdowns`` per vehicle-trip);
- ``romulan:historical``, ``replan``: ``simulate(s, policy="replan")`` end to end, planning
  first and replanning at each surprise (target: under 30 s in all), planning seconds and
  simulation seconds reported apart;
- a generated instance of 100,000 vehicles (``bench/generate.py``): plan it within
  ``--time-limit``, then time the simulation of that plan (``follow``, without and with
  noise): trips simulated per second, events logged, peak memory of the simulation.

Every noise-free ``follow`` run is also a check: it must rescue exactly what the plan claims.
Results go to a table on the terminal and to ``bench/results/DATE-sim.md`` and ``.json``.
Usage: ``python -m bench.sim [--quick] [--time-limit S] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMNS",
    "Knobs",
    "cells",
    "generated",
    "main",
    "measure",
    "render",
    "romulan_follow",
    "romulan_replan",
]

RESULTS = Path(__file__).resolve().parent / "results"
ROMULAN_SIM_TARGET = 5.0
"""Seconds: simulating the Romulan ``no_sabotage`` plan (simulation alone)."""
ROMULAN_REPLAN_TARGET = 30.0
"""Seconds: the Romulan ``historical`` operation with replanning, end to end."""


class Knobs(argparse.Namespace):
    """The options (typed, for readers and mypy)."""

    quick: bool
    out: Path
    time_limit: float
    replan_time_limit: float
    repeats: int
    vehicles: int
    places: int
    steps: int
    classes: int
    seed: int
    cv: float
    breakdowns: float
    argv: list[str]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m bench.sim", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smaller generated instance (10,000 vehicles, 20 places, 200 steps), 3 repeats, "
        "5 s planning; results go to DATE-sim-quick.md",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="directory for the results files")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds to plan the generated instance (default 30; --quick: 5)",
    )
    ap.add_argument(
        "--replan-time-limit",
        type=float,
        default=10.0,
        help="seconds per planner call in the Romulan replan run (default 10)",
    )
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5; quick 3)")
    ap.add_argument("--vehicles", type=int, default=None, help="generated: vehicles (100,000)")
    ap.add_argument("--places", type=int, default=None, help="generated: threatened places (50)")
    ap.add_argument("--steps", type=int, default=None, help="generated: horizon in hours (1000)")
    ap.add_argument("--classes", type=int, default=3, help="generated: vehicle classes (3)")
    ap.add_argument("--seed", type=int, default=1, help="generated: seed (1)")
    ap.add_argument("--cv", type=float, default=0.2, help="noise: travel-time CV (0.2)")
    ap.add_argument(
        "--breakdowns", type=float, default=0.001, help="noise: breakdowns per vehicle-trip"
    )
    return ap


def _defaults(k: Knobs) -> Knobs:
    quick = k.quick
    if k.time_limit is None:
        k.time_limit = 5.0 if quick else 30.0
    if k.repeats is None:
        k.repeats = 3 if quick else 5
    if k.vehicles is None:
        k.vehicles = 10_000 if quick else 100_000
    if k.places is None:
        k.places = 20 if quick else 50
    if k.steps is None:
        k.steps = 200 if quick else 1000
    k.repeats = max(1, k.repeats)
    return k


# ------------------------------------------------------------------------------ measuring
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _timed_sims(
    scenario: Any, plan: Any, repeats: int, perturbations: Any, policy: str = "follow"
) -> tuple[list[float], list[Any]]:
    """``simulate`` ``repeats`` times (seeds 0, 1, ...): wall seconds of each call, results."""
    from evacuate.simulation import simulate

    secs, results = [], []
    for seed in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        res = simulate(scenario, plan, policy=policy, seed=seed, perturbations=perturbations)
        secs.append(time.perf_counter() - t0)
        results.append(res)
    return secs, results


def _peak_mb(scenario: Any, plan: Any, perturbations: Any) -> float:
    """Peak Python memory (tracemalloc) allocated by one ``simulate`` call (a run of its own,
    not timed: tracing slows Python down), the returned result and its log included."""
    from evacuate.simulation import simulate

    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        res = simulate(scenario, plan, policy="follow", seed=0, perturbations=perturbations)
        peak = tracemalloc.get_traced_memory()[1]
        del res
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _vehicle_trips(res: Any) -> int:
    """Vehicle-trips: a group move of n vehicles counts n."""
    return sum(e.vehicles for e in res.events if e.kind == "depart")


def _follow_rows(
    instance: str,
    scenario: Any,
    planned: Any,
    plan_seconds: float,
    k: Knobs,
    target: float | None,
) -> list[dict[str, Any]]:
    """Two rows: following the plan without noise, and with noise."""
    from evacuate.scenario.model import Perturbations

    rows = []
    vehicles = sum(st.count for st in scenario.fleet.stock) + sum(
        (y.max_total or 0) for y in scenario.fleet.shipyards
    )
    for noisy in (False, True):
        pert = Perturbations(travel_cv=k.cv, breakdowns=k.breakdowns) if noisy else Perturbations()
        rss0 = _rss_mb()
        secs, results = _timed_sims(scenario, planned.plan, k.repeats, pert)
        rss1 = _rss_mb()
        med = statistics.median(secs)
        first = results[0]
        rescued = [r.rescued for r in results]
        trips = [r.trips for r in results]
        cancelled = [sum(1 for e in r.events if e.kind == "cancelled") for r in results]
        med_trips = statistics.median(trips)
        row: dict[str, Any] = {
            "instance": instance,
            "run": "follow+noise" if noisy else "follow",
            "vehicles": vehicles,
            "population": first.population,
            "plan_trips": len(planned.plan.trips),
            "plan_seconds": plan_seconds,
            "plan_rescued": planned.rescued,
            "plan_bound": planned.bound,
            "repeats": len(secs),
            "sim_seconds": med,
            "sim_seconds_all": secs,
            "trips": med_trips,
            "trips_all": trips,
            "vehicle_trips": statistics.median(_vehicle_trips(r) for r in results),
            "trips_per_s": med_trips / med if med > 0 else None,
            "events": statistics.median(len(r.events) for r in results),
            "rescued": statistics.median(rescued),
            "rescued_all": rescued,
            "cancelled": statistics.median(cancelled),
            "lost_people": statistics.median(r.lost_people for r in results),
            "vehicles_broken": statistics.median(r.vehicles_broken for r in results),
            "peak_mb": _peak_mb(scenario, planned.plan, pert),
            "rss_before_mb": rss0,
            "rss_after_mb": rss1,
        }
        row["vehicle_trips_per_s"] = row["vehicle_trips"] / med if med > 0 else None
        if not noisy:
            row["equal"] = all(r == planned.rescued for r in rescued)
        if target is not None:
            row["target"] = f"sim < {target:g} s"
            row["met"] = med < target
        rows.append(row)
    return rows


def romulan_follow(k: Knobs) -> list[dict[str, Any]]:
    """Plan Romulan ``no_sabotage`` once, then time following it (without and with noise)."""
    import evacuate
    from evacuate.plan.api import plan

    s = evacuate.load().variant("no_sabotage")
    t0 = time.perf_counter()
    planned = plan(s, time_limit=k.replan_time_limit)
    plan_s = time.perf_counter() - t0
    return _follow_rows("romulan:no_sabotage", s, planned, plan_s, k, ROMULAN_SIM_TARGET)


def romulan_replan(k: Knobs) -> dict[str, Any]:
    """Romulan ``historical`` end to end with replanning at the surprises, and (for scale)
    following the blind plan through them."""
    import evacuate
    from evacuate.simulation import simulate

    s = evacuate.load().variant("historical")
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    res = simulate(s, policy="replan", time_limit=k.replan_time_limit)
    total = time.perf_counter() - t0
    follow = simulate(s, policy="follow", time_limit=k.replan_time_limit)
    sim_s = res.seconds - res.plan_seconds
    return {
        "instance": "romulan:historical",
        "run": "replan",
        "vehicles": sum(st.count for st in s.fleet.stock)
        + sum((y.max_total or 0) for y in s.fleet.shipyards),
        "population": res.population,
        "plan_seconds": res.plan_seconds,
        "plan_rescued": res.planned_rescued,
        "plan_bound": res.planned_bound,
        "repeats": 1,
        "sim_seconds": sim_s,
        "total_seconds": total,
        "trips": res.trips,
        "vehicle_trips": _vehicle_trips(res),
        "trips_per_s": res.trips / sim_s if sim_s > 0 else None,
        "events": len(res.events),
        "rescued": res.rescued,
        "cancelled": sum(1 for e in res.events if e.kind == "cancelled"),
        "lost_people": res.lost_people,
        "replans": [
            {
                "time": r.time,
                "events": list(r.events),
                "adopted": r.adopted,
                "rescued_so_far": r.rescued_so_far,
                "planned_more": r.planned_more,
                "follow_more": r.follow_more,
                "bound_more": r.bound_more,
                "seconds": r.seconds,
            }
            for r in res.replans
        ],
        "follow_rescued": follow.rescued,
        "rss_before_mb": rss0,
        "rss_after_mb": _rss_mb(),
        "target": f"total < {ROMULAN_REPLAN_TARGET:g} s",
        "met": total < ROMULAN_REPLAN_TARGET,
    }


def generated(k: Knobs) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Generate, plan (``--time-limit``) and simulate the large instance."""
    from bench.generate import generate
    from evacuate.plan.api import plan
    from evacuate.scenario.load import from_dict

    data = generate(k.seed, places=k.places, vehicles=k.vehicles, steps=k.steps, classes=k.classes)
    s = from_dict(data, source="<bench.sim>")
    t0 = time.perf_counter()
    planned = plan(s, time_limit=k.time_limit)
    plan_s = time.perf_counter() - t0
    name = f"gen:{k.vehicles:,}v"
    info = {
        "instance": name,
        "knobs": {
            "seed": k.seed,
            "places": k.places,
            "vehicles": k.vehicles,
            "steps": k.steps,
            "classes": k.classes,
        },
        "scenario_id": s.id,
        "all_places": len(s.places),
        "plan_gap": planned.gap,
        "plan_time_limit": k.time_limit,
    }
    return _follow_rows(name, s, planned, plan_s, k, None), info


def _source() -> str:
    """The commit, and whether the simulator's sources differ from it (read-only git)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src/evacuate/simulation"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return head + (" (src/evacuate/simulation modified in the working tree)" if dirty else "")


def measure(k: Knobs) -> dict[str, Any]:
    """Every measurement; the raw numbers and the run's metadata."""
    from bench.run import _machine

    now = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    rows += romulan_follow(k)
    print(f"romulan:no_sabotage follow: median {rows[0]['sim_seconds']:.4f} s", flush=True)
    rows.append(romulan_replan(k))
    print(f"romulan:historical replan: {rows[-1]['total_seconds']:.2f} s in all", flush=True)
    gen_rows, gen_info = generated(k)
    rows += gen_rows
    print(f"{gen_info['instance']}: planned in {gen_rows[0]['plan_seconds']:.2f} s", flush=True)
    return {
        "meta": {
            "date": now.strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m bench.sim " + " ".join(k.argv),
            "quick": k.quick,
            "repeats": k.repeats,
            "time_limit": k.time_limit,
            "replan_time_limit": k.replan_time_limit,
            "noise": {"travel_cv": k.cv, "breakdowns": k.breakdowns},
            "generated": gen_info,
            "machine": _machine(),
            "source": _source(),
            "peak_rss_mb": _rss_mb(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "rows": rows,
    }


# ------------------------------------------------------------------------------ reporting
def _int(x: Any) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _s(x: Any) -> str:
    if x is None:
        return "—"
    return f"{x:.4f}" if x < 1 else f"{x:.2f}"


def _yes(x: Any) -> str:
    return "—" if x is None else ("yes" if x else "no")


COLUMNS = (
    "instance",
    "run",
    "plan trips",
    "plan s",
    "sim s",
    "total s",
    "trips",
    "vehicle-trips",
    "trips/s",
    "events",
    "cancelled",
    "peak MB",
    "plan rescued",
    "sim rescued",
    "equal",
    "target",
    "met",
)


def cells(row: dict[str, Any]) -> list[str]:
    """One row of the table, as text, in the order of ``COLUMNS``."""
    total = row.get("total_seconds")
    peak = row.get("peak_mb")
    return [
        row["instance"],
        row["run"],
        _int(row.get("plan_trips")),
        _s(row.get("plan_seconds")),
        _s(row.get("sim_seconds")),
        _s(total),
        _int(row.get("trips")),
        _int(row.get("vehicle_trips")),
        _int(row.get("trips_per_s")),
        _int(row.get("events")),
        _int(row.get("cancelled")),
        "—" if peak is None else f"{peak:,.1f}",
        _int(row.get("plan_rescued")),
        _int(row.get("rescued")),
        _yes(row.get("equal")),
        row.get("target", "—"),
        _yes(row.get("met")),
    ]


def render(report: dict[str, Any]) -> str:
    """The results as markdown."""
    meta, rows = report["meta"], report["rows"]
    m = meta["machine"]
    g = meta["generated"]
    kn = g["knobs"]
    lines = [
        f"# evacuate simulation benchmark — {meta['date']}",
        "",
        f"- machine: {m.get('cores')} cores ({m.get('usable_cores')} usable), "
        f"{m.get('cpu', '?')}, {m.get('memory_gb', '?')} GB RAM; {m.get('platform')}",
        f"- software: Python {m.get('python')}, evacuate {m.get('evacuate')}, "
        f"numpy {m.get('numpy')}",
        f"- command: `{meta['command'].strip()}`; source: {meta.get('source', 'unknown')}",
        "- load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in meta["loadavg_before"])
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in meta["loadavg_after"])
        + f" ({m.get('usable_cores')} usable cores; a higher load means other work shared "
        "the machine)",
        f'- sim s: median wall seconds of `simulate(scenario, plan, policy="follow")` over '
        f"{meta['repeats']} run(s) (seeds 0 to {meta['repeats'] - 1}), planning excluded; for the "
        "replan run: its wall seconds minus the planner's own seconds (forks, trial runs and "
        "state building counted as simulation)",
        f"- noise: travel_cv={meta['noise']['travel_cv']:g}, "
        f"breakdowns={meta['noise']['breakdowns']:g}",
        f"- generated instance: `generate({kn['seed']}, places={kn['places']}, "
        f"vehicles={kn['vehicles']:_}, steps={kn['steps']}, classes={kn['classes']})` "
        f"({g['all_places']} places in all), planned with a {g['plan_time_limit']:g} s limit "
        f"(gap {100 * g['plan_gap']:.2f}%)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "--:|" * 12 + "---|---|---|",
    ]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    lines += [
        "",
        "trips: group moves simulated (loaded or empty; a group is many vehicles); "
        "vehicle-trips: the same weighted by the group's vehicles; trips/s: trips / sim s. "
        "cancelled: planned trips the simulation could not make. peak MB: tracemalloc peak "
        "of one extra, untimed `simulate` call (its result and event log included). equal: "
        "the noise-free run rescued exactly the plan's rescued (every repeat). Noisy rows: "
        "medians over the seeds.",
    ]
    notes = []
    for r in rows:
        if "rescued_all" in r and len(set(r["rescued_all"])) > 1:
            lo, hi = min(r["rescued_all"]), max(r["rescued_all"])
            notes.append(f"- {r['instance']} / {r['run']}: rescued ranges {lo:,} – {hi:,}")
        if r.get("equal") is False:
            notes.append(
                f"- {r['instance']}: the noise-free simulation rescued {r['rescued']:,} but "
                f"the plan claims {r['plan_rescued']:,.0f}"
            )
        for rp in r.get("replans", []):
            notes.append(
                f"- {r['instance']}: replanned at {rp['time']:g} after "
                f"{', '.join(rp['events'])}: {rp['adopted']} plan, "
                f"+{rp['planned_more']:,.0f} from {rp['rescued_so_far']:,} "
                f"(follow +{rp['follow_more']:,.0f}, bound +{rp['bound_more']:,.0f}), "
                f"{rp['seconds']:.2f} s"
            )
        if "follow_rescued" in r:
            notes.append(
                f"- {r['instance']}: following the blind plan through the surprises rescues "
                f"{r['follow_rescued']:,}; replanning {r['rescued']:,}"
            )
    notes.append(f"- peak resident set of the whole run: {meta['peak_rss_mb']:,.0f} MB")
    lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def _print_table(report: dict[str, Any]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a dependency
        print(render(report))
        return
    noise = report["meta"]["noise"]
    table = Table(
        title=f"evacuate simulation benchmark — {report['meta']['date']}",
        caption=f"follow+noise: travel_cv={noise['travel_cv']:g}, "
        f"breakdowns={noise['breakdowns']:g}; sim s: median of "
        f"{report['meta']['repeats']} runs",
    )
    for i, c in enumerate(COLUMNS):
        table.add_column(c, justify="left" if i in (0, 1, 15) else "right", no_wrap=True)
    for r in report["rows"]:
        table.add_row(*cells(r))
    Console(width=max(240, Console().width)).print(table)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    k = _parser().parse_args(args, namespace=Knobs())
    k.argv = args
    _defaults(k)
    report = measure(k)
    _print_table(report)
    text = render(report)
    k.out.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today():%Y-%m-%d}-sim" + ("-quick" if k.quick else "")
    md, raw = k.out / f"{stem}.md", k.out / f"{stem}.json"
    _write(md, text)
    _write(raw, json.dumps(report, indent=1, default=str))
    print(f"written: {md} and {raw.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
