"""Benchmark: evacuate's planner against HiGHS on the time-expanded network and a naive greedy.

For each instance (the generator's ladder, then the Romulan scenario's variants) it runs, each
in a fresh process so that its peak memory is its own:

- ``evacuate``: ``evacuate.plan.plan`` (plan, bound and gap within the time limit);
- ``lp``: HiGHS on the LP of the time-expanded network (``evacuate.plan.ten.ten_bound``): a
  bound only;
- ``mip``: HiGHS on the same network with integer vehicles (``ten_mip``): a plan and a bound;
- ``naive``: the naive greedy dispatcher (``evacuate.plan.naive.naive_plan``): a plan only.

Every plan is re-verified with ``evacuate.check``. The time-expanded network uses the
instance's natural step (1 time unit for generated instances; ``--romulan-dt`` days for the
Romulan scenario). Results go to a markdown table (and a JSON file beside it) in
``bench/results/``. Usage: ``python -m bench.run [--ladder small|full] [--time-limit S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["METHODS", "Spec", "main", "run_method", "specs"]

METHODS = ("evacuate", "lp", "mip", "naive")
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Spec:
    """An instance to run: a ladder rung or a Romulan variant, and its time step."""

    name: str
    kind: str
    """``ladder``, ``romulan`` or ``romulan-known`` (surprise events revealed)."""
    key: str
    """The rung's name, or the variant's."""
    dt: float


def specs(
    ladder_name: str,
    romulan: bool,
    romulan_dt: float,
    only: Sequence[str],
    romulan_events: str = "surprise",
) -> list[Spec]:
    """The instances to run: the ladder's rungs, then the Romulan variants (with the surprise
    events as surprises, and/or revealed to the planner as known events)."""
    from bench.generate import ladder

    out = [Spec(s.name, "ladder", s.name, 1.0) for s in ladder(ladder_name)]
    if romulan:
        import evacuate

        for v in evacuate.load().variant_names:
            if romulan_events in ("surprise", "both"):
                out.append(Spec(f"romulan:{v}", "romulan", v, romulan_dt))
            if romulan_events in ("known", "both"):
                out.append(Spec(f"romulan+known:{v}", "romulan-known", v, romulan_dt))
    if only:
        out = [s for s in out if s.name in only or s.key in only]
    return out


def _scenario(spec: Spec) -> Any:
    from evacuate.scenario.load import from_dict

    if spec.kind == "ladder":
        from bench.generate import LADDER, SCALE

        rung = next(s for s in LADDER + SCALE if s.name == spec.key)
        return from_dict(rung.generate(), source=f"<bench:{spec.name}>")
    import evacuate

    scenario = evacuate.load().variant(spec.key)
    if spec.kind == "romulan-known":
        events = tuple(e.model_copy(update={"mode": "known"}) for e in scenario.events)
        scenario = scenario.model_copy(update={"events": events})
    return scenario


def _planner() -> Callable[..., Any] | None:
    """The lead's planner ``evacuate.plan.plan``, or None if it is not there yet."""
    try:
        mod = importlib.import_module("evacuate.plan")
        fn = getattr(mod, "plan", None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
        api = importlib.import_module("evacuate.plan.api")
        fn = getattr(api, "plan", None)
        return fn if callable(fn) else None
    except ImportError:
        return None


def _ten() -> Any | None:
    try:
        return importlib.import_module("evacuate.plan.ten")
    except ImportError:
        return None


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _cpu_seconds() -> float:
    """CPU seconds of this process, every thread (HiGHS's too), user and system."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _check(scenario: Any, trips: Sequence[Any], plan: Any = None) -> tuple[bool | None, int | None]:
    try:
        from evacuate.check import check
        from evacuate.planio import Plan
    except ImportError:
        return None, None
    if plan is None:
        plan = Plan(
            scenario.id,
            variant=scenario.applied_variant,
            trips=tuple(trips),
            time_unit=scenario.time_unit,
        )
    rep = check(scenario, plan)
    return rep.feasible, rep.rescued


def _plan_hash(plan: Any) -> str:
    """SHA-256 of the plan file as ``evacuate plan -o plan.json`` writes it (no clock in it):
    the same scenario, options and seed must give the same hash whatever the machine's load."""
    import hashlib

    from evacuate.planio.json_form import json_text

    return hashlib.sha256(json_text(plan).encode()).hexdigest()


def _route_pairs(problem: Any) -> int:
    """Ordered pairs of places joined by a route, summed over the classes: counted on the
    array of travel times where the problem has one; with times computed on demand
    (straight-line travel only, no lanes: ``routes.Times``), every pair of places with a
    position, for each class with a speed. Asking ``problem.travel`` there would build the
    whole (classes, places, places) array for a count: 3.6 GB at 12,250 places, which was
    the 4.2 GB "baseline after loading and compiling" of the scale-10000 rung."""
    import numpy as np

    times = problem.times
    if times.built or not times.on_demand:
        return int(np.isfinite(problem.travel).sum())
    scenario = problem.scenario
    if scenario.travel.routes != "all":
        return 0
    known = sum(p.position is not None for p in scenario.places)
    speeds = sum(scenario.vehicle_class(c).speed is not None for c in problem.classes)
    return int(speeds * known * (known - 1))


def _estimate_columns(problem: Any, dt_: float) -> int:
    """Rough size of the time-expanded LP: per class and step, a wait arc per place and an
    empty and a loaded move arc per pair of places joined by a route."""
    steps = math.ceil(problem.end / dt_)
    return int(steps * (problem.n_classes * problem.n_places + 2 * _route_pairs(problem)))


def _run(spec: Spec, method: str, time_limit: float, limits: dict[str, float]) -> dict[str, Any]:
    """One method on one instance, in this process; returns a result row."""
    from evacuate.plan.problem import compile_problem

    scenario = _scenario(spec)
    problem = compile_problem(scenario)
    row: dict[str, Any] = {
        "instance": spec.name,
        "method": method,
        "places": problem.n_places,
        "vehicles": problem.total_vehicles,
        "classes": problem.n_classes,
        "population": int(problem.population.sum()),
        "steps": math.ceil(problem.end / spec.dt),
        "dt": spec.dt,
        "est_columns": _estimate_columns(problem, spec.dt),
    }
    base = _maxrss_mb()
    row["base_mb"] = round(base, 1)
    if method in ("evacuate", "naive"):
        del problem  # each compiles its own: no second copy of its arrays while it runs
    if method == "evacuate":
        plan_fn = _planner()
        if plan_fn is None:
            row["status"] = "skipped: evacuate.plan.plan not available yet"
            return row
        t0, c0 = time.perf_counter(), _cpu_seconds()
        res = plan_fn(scenario, time_limit=time_limit, seed=0)
        row["seconds"] = time.perf_counter() - t0
        row["cpu_seconds"] = _cpu_seconds() - c0
        row.update(rescued=res.rescued, bound=res.bound, gap=res.gap, status="ok")
        stats = res.stats
        row["bound_computed"] = bool(stats.get("bounds")) or res.bound < res.population
        row["stopped_by_time"] = bool(stats.get("stopped_by_time"))
        row["work"] = {k: stats.get(k) for k in ("dispatch_runs", "lp_solves", "decisions")}
        row["trips"] = len(res.plan.trips)
        row["plan_sha256"] = _plan_hash(res.plan)
        row["feasible"], row["checked_rescued"] = _check(scenario, res.plan.trips, res.plan)
    elif method in ("lp", "mip"):
        ten = _ten()
        if ten is None:
            row["status"] = "skipped: evacuate.plan.ten not available yet"
            return row
        cap = limits["mip_columns" if method == "mip" else "lp_columns"]
        if row["est_columns"] > cap:
            row["status"] = f"skipped: ~{row['est_columns']:,} columns > {int(cap):,}"
            return row
        t0 = time.perf_counter()
        if method == "lp":
            bound, secs, status, n_cols, n_rows = ten.ten_bound(problem, spec.dt, time_limit)
            row.update(bound=bound, status=status, n_cols=n_cols, n_rows=n_rows)
        else:
            trips, rescued, bound, secs, status = ten.ten_mip(problem, spec.dt, time_limit)
            row.update(rescued=rescued, bound=bound, status=status, trips=len(trips))
            if bound:
                row["gap"] = max(0.0, (bound - rescued) / bound)
            row["feasible"], row["checked_rescued"] = _check(scenario, trips)
        row["seconds"] = time.perf_counter() - t0
        row["solver_seconds"] = secs
    elif method == "naive":
        from evacuate.plan.naive import naive_plan

        t0 = time.perf_counter()
        trips = naive_plan(compile_problem(scenario))  # compiling is part of the method's time
        row["seconds"] = time.perf_counter() - t0
        row["trips"] = len(trips)
        row["status"] = "ok"
        row["feasible"], row["checked_rescued"] = _check(scenario, trips)
        row["rescued"] = row["checked_rescued"]
        if row["rescued"] is None:
            row["rescued"] = sum(t.people for t in trips)
    else:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    row["peak_mb"] = round(_maxrss_mb(), 1)
    return row


def _worker(
    spec: Spec, method: str, time_limit: float, limits: dict[str, float], conn: Connection
) -> None:
    try:
        row = _run(spec, method, time_limit, limits)
    except BaseException as exc:  # report, never hang the parent
        row = {
            "instance": spec.name,
            "method": method,
            "status": f"error: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    conn.send(row)
    conn.close()


def run_method(
    spec: Spec, method: str, time_limit: float, limits: dict[str, float], wall: float
) -> dict[str, Any]:
    """Run one method in a fresh (spawned) process and return its row; kill it after ``wall``
    seconds."""
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(spec, method, time_limit, limits, send))
    t0 = time.perf_counter()
    proc.start()
    send.close()
    row: dict[str, Any] | None = None
    if recv.poll(wall):
        try:
            row = recv.recv()
        except EOFError:
            row = None
    proc.join(timeout=10)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if row is None:
        why = "killed after wall limit" if time.perf_counter() - t0 >= wall else "crashed"
        row = {
            "instance": spec.name,
            "method": method,
            "status": f"error: {why} (exit {proc.exitcode})",
        }
    row["wall_seconds"] = time.perf_counter() - t0
    return row


# ------------------------------------------------------------------------------ reporting
def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    for pkg in ("evacuate", "numpy", "scipy", "highspy", "ortools", "numba"):
        try:
            info[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            info[pkg] = None
    return info


def _int(x: Any) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


def _sec(row: dict[str, Any] | None) -> str:
    if row is None or row.get("seconds") is None:
        return "—"
    s = f"{row['seconds']:.2f}"
    status = str(row.get("status", ""))
    return f"≥{s}" if "time" in status and "limit" in status else s


def _mark(row: dict[str, Any] | None) -> str:
    if row is None:
        return ""
    f = row.get("feasible")
    return "" if f is None else (" ✓" if f else " ✗")


def _mip_rescued(row: dict[str, Any] | None) -> str:
    if row is None or row.get("rescued") is None:
        return "—"
    if not row.get("trips") and row.get("status") != "optimal":
        return "none"  # stopped before HiGHS found any plan
    return f"{row['rescued']:,.0f}{_mark(row)}"


def _short(status: Any) -> str:
    s = str(status or "—")
    return s if len(s) <= 40 else s[:37] + "..."


@dataclass
class Table:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def get(self, instance: str, method: str) -> dict[str, Any] | None:
        return next(
            (r for r in self.rows if r["instance"] == instance and r["method"] == method), None
        )


def render(table: Table, meta: dict[str, Any]) -> str:
    """The results as markdown."""
    m = meta["machine"]
    lines = [
        f"# evacuate benchmark — {meta['date']}",
        "",
        f"- machine: {m.get('cores')} cores ({m.get('usable_cores')} usable), "
        f"{m.get('cpu', '?')}, {m.get('memory_gb', '?')} GB RAM; {m.get('platform')}",
        f"- software: Python {m.get('python')}, evacuate {m.get('evacuate')}, "
        f"numpy {m.get('numpy')}, scipy {m.get('scipy')}, highspy {m.get('highspy')}",
        f"- command: `{meta['command']}`",
        f"- time limit per method: {meta['time_limit']} s; each method runs in its own "
        "process; seconds are wall time of the call, including compiling the scenario",
        "",
        "## Rescued, bounds and gaps",
        "",
        "| instance | places | vehicles | steps | LP columns | population "
        "| evacuate rescued | evacuate bound | gap | s "
        "| LP bound | LP s | LP status "
        "| MIP rescued | MIP bound | MIP gap | MIP s "
        "| naive rescued | naive s | LP s / evacuate s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    instances = list(dict.fromkeys(r["instance"] for r in table.rows))
    for inst in instances:
        ev, lp, mip, nv = (table.get(inst, k) for k in METHODS)
        any_row = next(r for r in (ev, lp, mip, nv) if r is not None)
        size = next((r for r in (ev, lp, mip, nv) if r and "places" in r), any_row)
        cols = (
            _int(lp["n_cols"])
            if lp and lp.get("n_cols") is not None
            else (f"~{size['est_columns']:,}" if "est_columns" in size else "—")
        )
        ratio = "—"
        if ev and lp and ev.get("seconds") and lp.get("seconds") is not None:
            r = lp["seconds"] / ev["seconds"]
            ratio = ("≥" if _sec(lp).startswith("≥") else "") + f"{r:.1f}×"

        def val(row: dict[str, Any] | None, key: str) -> Any:
            return None if row is None else row.get(key)

        def status(row: dict[str, Any] | None) -> str:
            return "—" if row is None else _short(row.get("status"))

        lines.append(
            f"| {inst} | {_int(size.get('places'))} | {_int(size.get('vehicles'))} "
            f"| {_int(size.get('steps'))} | {cols} | {_int(size.get('population'))} "
            f"| {_int(val(ev, 'rescued'))}{_mark(ev)} | {_int(val(ev, 'bound'))} "
            f"| {_pct(val(ev, 'gap'))} | {_sec(ev)} "
            f"| {_int(val(lp, 'bound'))} | {_sec(lp)} | {status(lp)} "
            f"| {_mip_rescued(mip)} | {_int(val(mip, 'bound'))} "
            f"| {_pct(val(mip, 'gap'))} | {_sec(mip)} "
            f"| {_int(val(nv, 'rescued'))}{_mark(nv)} | {_sec(nv)} | {ratio} |"
        )
    lines += [
        "",
        "✓ / ✗: the plan passed / failed `evacuate.check` (rescued is the planner's claim; the "
        "checker's count is in the JSON file). ≥: stopped by the time limit. none: HiGHS "
        "found no plan in the time limit.",
        "",
        "## Peak memory (MB, maximum resident set of the method's process)",
        "",
        "| instance | baseline | evacuate | LP | MIP | naive |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for inst in instances:
        rows = [table.get(inst, k) for k in METHODS]
        base = min((r["base_mb"] for r in rows if r and "base_mb" in r), default=None)

        def mb(row: dict[str, Any] | None) -> str:
            return "—" if row is None or row.get("peak_mb") is None else f"{row['peak_mb']:,.0f}"

        lines.append(
            f"| {inst} | {'—' if base is None else f'{base:,.0f}'} | "
            + " | ".join(mb(r) for r in rows)
            + " |"
        )
    lines += [
        "",
        "baseline: the process after imports, loading and compiling the scenario, before the "
        "method runs.",
    ]
    lines += _work_table(table, instances)
    notes = [
        f"- {r['instance']} / {r['method']}: {r['status']}"
        for r in table.rows
        if str(r.get("status", "")).startswith(("skipped", "error"))
    ]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def _work_table(table: Table, instances: list[str]) -> list[str]:
    """evacuate's own rows: wall and CPU seconds (wall is inflated on a shared machine, CPU
    is not), peak memory, the work done, and whether the safety stop cut the search short."""
    rows = [r for r in (table.get(i, "evacuate") for i in instances) if r and "seconds" in r]
    if not rows:
        return []
    out = [
        "",
        "## evacuate: time, memory and work",
        "",
        "| instance | places | vehicles | steps | rescued | bound | gap | wall s | CPU s "
        "| peak MB | bound computed | stopped by time | dispatch runs | LP solves | plan sha256 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|--:|--:|---|",
    ]
    for r in rows:
        work = r.get("work") or {}
        out.append(
            f"| {r['instance']} | {_int(r.get('places'))} | {_int(r.get('vehicles'))} "
            f"| {_int(r.get('steps'))} | {_int(r.get('rescued'))}{_mark(r)} "
            f"| {_int(r.get('bound'))} | {_pct(r.get('gap'))} | {r['seconds']:.1f} "
            f"| {r.get('cpu_seconds', 0.0):.1f} | {_int(r.get('peak_mb'))} "
            f"| {'yes' if r.get('bound_computed') else 'no'} "
            f"| {'yes' if r.get('stopped_by_time') else 'no'} "
            f"| {_int(work.get('dispatch_runs'))} | {_int(work.get('lp_solves'))} "
            f"| {str(r.get('plan_sha256', '—'))[:16]} |"
        )
    out += [
        "",
        "bound computed: below the population (the Lagrangian bound or the fleet's working "
        "time), not the trivial one. plan sha256: the first 16 hex digits of the plan file's "
        "(JSON) hash.",
    ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--ladder", default="small", help="small, full, scale, or one rung's name")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per method")
    ap.add_argument("--out", type=Path, default=None, help="markdown file (default: dated)")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset")
    ap.add_argument("--only", default="", help="comma-separated instance names to run")
    ap.add_argument("--no-romulan", action="store_true", help="skip the Romulan variants")
    ap.add_argument("--romulan-dt", type=float, default=5.0, help="step (days) for Romulan")
    ap.add_argument(
        "--romulan-events",
        choices=("surprise", "known", "both"),
        default="surprise",
        help="run the Romulan variants with the attack as a surprise, known, or both",
    )
    ap.add_argument("--max-lp-columns", type=float, default=3e6)
    ap.add_argument("--max-mip-columns", type=float, default=1e6)
    args = ap.parse_args(argv)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in METHODS:
            ap.error(f"unknown method {m!r}; expected some of {', '.join(METHODS)}")
    if "evacuate" in methods and _planner() is None:
        print("note: evacuate.plan.plan is not available yet; the evacuate column is skipped")
    if ({"lp", "mip"} & set(methods)) and _ten() is None:
        print("note: evacuate.plan.ten is not available yet; the HiGHS columns are skipped")
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    todo = specs(args.ladder, not args.no_romulan, args.romulan_dt, only, args.romulan_events)
    limits = {"lp_columns": args.max_lp_columns, "mip_columns": args.max_mip_columns}
    wall = 3 * args.time_limit + 300
    now = dt.datetime.now(dt.UTC)
    meta = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "time_limit": args.time_limit,
        "machine": _machine(),
    }
    table = Table()
    for spec in todo:
        for method in methods:
            row = run_method(spec, method, args.time_limit, limits, wall)
            table.rows.append(row)
            secs = row.get("seconds")
            print(
                f"{spec.name:28s} {method:9s} rescued={_int(row.get('rescued')):>14s} "
                f"bound={_int(row.get('bound')):>14s} "
                f"s={'—' if secs is None else f'{secs:.2f}':>8s} "
                f"peak={row.get('peak_mb', '—')} MB  {row.get('status', '')}",
                flush=True,
            )
    text = render(table, meta)
    out = args.out or RESULTS / f"{now:%Y-%m-%d}-{args.ladder}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    raw = out.with_suffix(".json")
    tmp = raw.with_name(raw.name + ".tmp")
    tmp.write_text(
        json.dumps(
            {"meta": meta, "rows": table.rows, "specs": [asdict(s) for s in todo]},
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    tmp.replace(raw)
    print()
    print(text)
    print(f"written: {out} and {raw.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
