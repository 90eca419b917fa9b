"""Benchmark: evacuate's min-makespan planner on published bus evacuation problem instances.

For every ``*.txt`` instance in DIR (default ``../shared/bep/instances``): import it
(``evacuate.bep``), plan it with ``objective="min-makespan"``, re-verify the plan with
``evacuate.check`` (complete, no violation, same makespan), and set the makespan and its lower
bound beside the study's CPLEX and GRASP values from ``best-known.tsv`` (DIR or its parent).
Per set: wins, ties and losses against the best known value, and the mean gap to it. Results
go to a markdown table and a JSON file in ``bench/results/``.

Usage: ``python -m bench.bep [DIR] [--time-limit S] [--work N] [--only SUBSTRING] [--out F]``.
The planner's search is budgeted in work units (``--work``), so the makespans are the same
on any machine; the time limit is a safety stop, and a row says when it bound.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import math
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["load_best_known", "main", "run_instance", "summarise"]

log = logging.getLogger("bench.bep")

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DIR = Path("../shared/bep/instances")


def load_best_known(directory: Path) -> dict[str, dict[str, str]]:
    """Rows of ``best-known.tsv`` (in DIR or its parent) by instance name; {} if absent."""
    for path in (directory / "best-known.tsv", directory.parent / "best-known.tsv"):
        if path.is_file():
            with path.open(newline="") as fh:
                return {r["instance"]: r for r in csv.DictReader(fh, delimiter="\t")}
    return {}


def _num(text: str | None) -> float | None:
    if text is None or text in ("", "NA"):
        return None
    return float(text)


def run_instance(path: Path, time_limit: float, work: int | None, seed: int) -> dict[str, Any]:
    """Plan one instance for min makespan and check the plan; a dict of figures, with
    ``problems``: what is wrong (a crash, an incomplete plan, a plan the checker refuses, a
    lower bound above the makespan, a makespan above the importer's simple schedule's, a
    run far over the time limit)."""
    from evacuate.bep import bep_to_scenario, greedy_makespan, read_bep
    from evacuate.check import check
    from evacuate.plan.api import plan
    from evacuate.scenario.load import from_dict

    inst = read_bep(path)
    scenario = from_dict(bep_to_scenario(inst, path.stem))
    simple = greedy_makespan(inst)
    start, cpu_start = time.perf_counter(), time.process_time()
    kwargs: dict[str, Any] = {"objective": "min-makespan", "time_limit": time_limit, "seed": seed}
    if work is not None:
        kwargs["work"] = work
    try:
        result = plan(scenario, **kwargs)
    except Exception as exc:  # a crash is a finding of the benchmark, not its end
        log.exception("%s: the planner crashed", path.stem)
        return {
            "instance": path.stem,
            "makespan": None,
            "lower_bound": None,
            "lower_bound_up": None,
            "simple": simple,
            "checked_ok": False,
            "seconds": round(time.perf_counter() - start, 2),
            "stopped_by_time": False,
            "problems": [f"crash: {type(exc).__name__}: {exc}"],
        }
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    report = check(scenario, result.plan)
    lb = result.makespan_lower_bound
    ms = result.makespan
    row = {
        "instance": path.stem,
        "makespan": ms,
        "lower_bound": lb,
        "lower_bound_up": None if lb is None else math.ceil(lb - 1e-9),
        "simple": simple,
        "rescued": result.rescued,
        "population": result.population,
        "complete": result.rescued >= result.population,
        "checked_ok": report.feasible and report.rescued == result.population,
        "checked_makespan": report.makespan,
        "violations": dict(report.violation_counts),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "stopped_by_time": bool(result.stats.get("stopped_by_time", False)),
        "work": result.stats.get("work"),
        "proven": ms is not None and lb is not None and math.ceil(lb - 1e-9) >= ms - 1e-9,
    }
    problems = []
    if not row["complete"] or ms is None:
        problems.append("incomplete plan")
    if not row["checked_ok"]:
        problems.append("checker refuses the plan")
    elif ms is not None and report.makespan is not None and abs(report.makespan - ms) > 1e-6:
        problems.append(f"checker's makespan {report.makespan:g} differs")
    if ms is not None and lb is not None and lb > ms + 1e-6:
        problems.append(f"lower bound {lb:g} above the makespan (unsound)")
    if ms is not None and ms > simple + 1e-6:
        problems.append(f"makespan above the simple schedule's {simple:g}")
    if cpu > 1.5 * time_limit:  # the safety stop counts processor time (plan/budget.py)
        problems.append(f"{cpu:.0f} s of processor time, over 1.5x the time limit")
    row["problems"] = problems
    return row


def _verdict(makespan: float | None, best: float | None) -> str:
    if makespan is None:
        return "fail"
    if best is None:
        return "-"
    if makespan < best - 1e-6:
        return "win"
    return "tie" if makespan <= best + 1e-6 else "loss"


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per set: instances, wins / ties / losses against the best known, mean gap to it."""
    sets: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        sets.setdefault(r["set"] or "?", []).append(r)
    out = []
    for name, rs in sets.items():
        gaps = [r["gap_best"] for r in rs if r["gap_best"] is not None]
        out.append(
            {
                "set": name,
                "instances": len(rs),
                "wins": sum(r["verdict"] == "win" for r in rs),
                "ties": sum(r["verdict"] == "tie" for r in rs),
                "losses": sum(r["verdict"] in ("loss", "fail") for r in rs),
                "mean_gap_best": sum(gaps) / len(gaps) if gaps else None,
                "checked_ok": sum(bool(r["checked_ok"]) for r in rs),
                "proven": sum(bool(r.get("proven")) for r in rs),
                "problems": sum(bool(r.get("problems")) for r in rs),
                "max_seconds": max(r["seconds"] for r in rs),
                "max_cpu_seconds": max(r.get("cpu_seconds", 0.0) for r in rs),
            }
        )
    return out


def _fmt(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def _markdown(rows: list[dict[str, Any]], sums: list[dict[str, Any]], head: str) -> str:
    lines = [head, ""]
    lines.append(
        "| instance | set | evacuate | lower bound | simple schedule | CPLEX (status) "
        "| GRASP best | GRASP mean | best known | vs best | gap to best | check | s | CPU s |"
    )
    lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|--:|--:|")
    for r in rows:
        status = f" ({r['cplex_status']})" if r["cplex"] is not None else ""
        gap = "-" if r["gap_best"] is None else f"{100 * r['gap_best']:+.2f}%"
        time_note = " (time limit bound)" if r["stopped_by_time"] else ""
        lines.append(
            f"| {r['instance']} | {r['set'] or '-'} | {_fmt(r['makespan'])} "
            f"| {_fmt(r['lower_bound_up'])} | {_fmt(r['simple'])} | {_fmt(r['cplex'])}{status} "
            f"| {_fmt(r['grasp_best'])} "
            f"| {_fmt(r['grasp_mean'], 1)} | {_fmt(r['best_known'])} | {r['verdict']} | {gap} "
            f"| {'ok' if r['checked_ok'] else 'FAILED'} | {r['seconds']:.1f}{time_note} "
            f"| {r.get('cpu_seconds', 0.0):.1f} |"
        )
    bad = [r for r in rows if r.get("problems")]
    if bad:
        lines += ["", "Problems found:", ""]
        lines += [f"- {r['instance']}: {'; '.join(r['problems'])}" for r in bad]
    lines += [
        "",
        "| set | instances | wins | ties | losses | mean gap to best | checked | proven optimal "
        "| with problems | max s | max CPU s |",
    ]
    lines.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in sums:
        gap = "-" if s["mean_gap_best"] is None else f"{100 * s['mean_gap_best']:+.2f}%"
        lines.append(
            f"| {s['set']} | {s['instances']} | {s['wins']} | {s['ties']} | {s['losses']} "
            f"| {gap} | {s['checked_ok']}/{s['instances']} | {s['proven']} | {s['problems']} "
            f"| {s['max_seconds']:.1f} | {s['max_cpu_seconds']:.1f} |"
        )
    lines.append("")
    lines.append(
        "Gap to best: (evacuate - best known) / best known; negative is better. CPLEX status "
        "1 or 102: proven optimal; 11: an incumbent at the study's time limit. Lower bound: "
        "evacuate's makespan lower bound, rounded up."
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bep", description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--time-limit", type=float, default=30.0, help="safety stop, s per instance")
    ap.add_argument("--work", type=int, default=None, help="search budget in work units")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None, help="instances whose name contains this")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    directory: Path = args.dir
    files = sorted(directory.glob("*.txt"))
    if args.only:
        files = [f for f in files if args.only in f.stem]
    if not files:
        print(f"{directory}: no *.txt instance found", file=sys.stderr)
        return 2
    best = load_best_known(directory)

    def natural(p: Path) -> tuple[Any, ...]:
        return tuple(int(t) if t.isdigit() else t for t in p.stem.replace("-i", "-").split("-"))

    # one untimed run first: imports and compiled kernels (numba) load on the first plan
    # and would otherwise count in the first instance's seconds
    run_instance(min(files, key=lambda p: (p.stat().st_size, p.name)), 5.0, None, args.seed)
    rows = []
    for path in sorted(files, key=natural):
        row = run_instance(path, args.time_limit, args.work, args.seed)
        ref = best.get(path.stem, {})
        row["set"] = ref.get("set") or re.sub(r"-(i|g)[0-9].*$", "", path.stem)
        row["cplex"] = _num(ref.get("cplex"))
        row["cplex_status"] = ref.get("cplex_status")
        row["grasp_best"] = _num(ref.get("grasp_best"))
        row["grasp_mean"] = _num(ref.get("grasp_mean"))
        row["best_known"] = _num(ref.get("best_known"))
        row["verdict"] = _verdict(row["makespan"], row["best_known"])
        bk, ms = row["best_known"], row["makespan"]
        row["gap_best"] = None if bk is None or ms is None else (ms - bk) / bk
        rows.append(row)
        print(
            f"{row['instance']}: makespan {_fmt(ms)} (lower bound {_fmt(row['lower_bound_up'])}, "
            f"best known {_fmt(bk)}: {row['verdict']}), "
            f"{'checked' if row['checked_ok'] else 'CHECK FAILED'}, {row['seconds']:.1f} s "
            f"({row.get('cpu_seconds', 0.0):.1f} s CPU)"
            + "".join(f"; PROBLEM: {p}" for p in row["problems"]),
            flush=True,
        )
    sums = summarise(rows)
    stamp = dt.date.today().isoformat()
    out: Path = args.out or RESULTS / f"{stamp}-bep.md"
    head = (
        f"# evacuate on the BEP instances ({stamp})\n\n"
        f"`python -m bench.bep {' '.join(argv if argv is not None else sys.argv[1:])}`; "
        f"time limit {args.time_limit:g} s per instance (safety stop), work budget "
        f"{args.work if args.work is not None else 'default'}, seed {args.seed}; "
        f"{platform.node()}, {platform.python_version()}. Seconds are wall-clock on a "
        "shared machine (CPU s: the planner's processor time, which the safety stop counts), "
        "after one untimed warm-up run (imports, compiled kernels)."
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_markdown(rows, sums, head))
    out.with_suffix(".json").write_text(json.dumps({"rows": rows, "sets": sums}, indent=1))
    print(_markdown([], sums, "").split("\n\n", 2)[-1] if sums else "", end="")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
