"""Benchmark: does the default safety stop bind? The CPU seconds of each plan's full work budget.

For every example in ``examples/``, the Romulan scenario (as planned, and with hindsight) and
the ladder's rungs, and for each objective that applies, it plans twice, each in a fresh
process: once with a safety stop far out of reach (``--long``, 600 s: the work budget alone
ends the search) and once with the default stop (10 s) beside a process that spins on a core
(load about 2 more on the machine). It reports the CPU seconds of the first (user + system,
all threads of the planning process), the work it did, whether the stop bound the second, and
whether the two plan files are byte for byte the same. Min makespan's route search gets the
work of the default stop in both runs (``WORK_PER_SECOND`` x 10 s), as the CLI gives it.

Usage: ``python -m bench.budgets [--only NAME,...] [--no-burner] [--out FILE.md]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["CASES", "main", "run_one"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
EXAMPLES = (
    "airlift",
    "boarding",
    "embassy_helicopters",
    "hurricane_bus",
    "lebanon_2006",
    "libya_2011",
)
RUNGS = ("tiny", "small", "medium", "proto", "large", "xlarge")
CASES = (
    [f"example:{e}" for e in EXAMPLES]
    + ["romulan", "romulan:hindsight"]
    + [f"ladder:{r}" for r in RUNGS]
)
OBJECTIVES = ("max-rescued", "min-makespan")
DEFAULT_STOP = 10.0


def _scenario(name: str) -> Any:
    import evacuate
    from evacuate.plan.api import reveal_surprises
    from evacuate.scenario.load import from_dict

    kind, _, key = name.partition(":")
    if kind == "example":
        return evacuate.load(ROOT / "examples" / f"{key}.yaml")
    if kind == "romulan":
        sc = evacuate.load()
        return reveal_surprises(sc) if key == "hindsight" else sc
    from bench.generate import LADDER

    rung = next(s for s in LADDER if s.name == key)
    return from_dict(rung.generate(), source=f"<bench:{key}>")


def run_one(name: str, objective: str, time_limit: float) -> dict[str, Any]:
    """Plan one case in this process: CPU seconds of the call, its work and the plan's digest."""
    from evacuate.plan.api import plan
    from evacuate.plan.dispatch_kernel import compile_kernel
    from evacuate.plan.makespan import WORK_PER_SECOND
    from evacuate.plan.sweep import compile_sweep
    from evacuate.planio import write_plan

    scenario = _scenario(name)
    compile_sweep()  # one-time compilation, not the search's work
    compile_kernel()
    before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        res = plan(
            scenario,
            objective=objective,  # type: ignore[arg-type]
            time_limit=time_limit,
            seed=0,
            work=round(WORK_PER_SECOND * DEFAULT_STOP),
        )
    except Exception as exc:  # a case where the objective does not apply (min makespan)
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.csv"
        write_plan(res.plan, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    st = res.stats
    return {
        "cpu": round(cpu, 2),
        "wall": round(res.seconds, 2),
        "rescued": res.rescued,
        "bound": res.bound,
        "gap": res.gap,
        "makespan": res.makespan,
        "makespan_lb": res.makespan_lower_bound,
        "stopped_by_time": bool(st.get("stopped_by_time")),
        "dispatch_runs": st.get("dispatch_runs"),
        "lp_solves": st.get("lp_solves"),
        "lb_lp_solves": st.get("lb_lp_solves"),
        "work": st.get("work"),
        "improve": st.get("improve"),
        "digest": digest,
    }


def _child(name: str, objective: str, time_limit: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.budgets", "--one", name, objective, str(time_limit)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:200]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _row(name: str, objective: str, long: dict[str, Any], short: dict[str, Any] | None) -> str:
    if "error" in long:
        return f"| {name} | {objective} | n/a: {long['error']} |||||||"
    if objective == "min-makespan" and long.get("makespan") is None:
        return f"| {name} | {objective} | n/a: not everyone can be rescued |||||||"
    quality = (
        f"{long['makespan']:g} / {long['makespan_lb']:g}"
        if long.get("makespan") is not None
        else f"{long['rescued']:,} / {long['bound']:,.0f} ({100 * long['gap']:.2f}%)"
    )
    work = ", ".join(
        f"{k} {long[k]:,}"
        for k in ("dispatch_runs", "lp_solves", "lb_lp_solves", "work")
        if long.get(k)
    )
    if short is None or "error" in short:
        cut = same = "—"
    else:
        cut = "yes" if short["stopped_by_time"] else "no"
        same = "yes" if short["digest"] == long["digest"] else "no"
    return (
        f"| {name} | {objective} | {quality} | {long['cpu']:.1f} | {long['wall']:.1f} | "
        f"{'yes' if long['stopped_by_time'] else 'no'} | {work} | {cut} | {same} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one", nargs=3, metavar=("CASE", "OBJECTIVE", "SECONDS"))
    ap.add_argument("--only", default="", help="comma-separated cases (default: all)")
    ap.add_argument("--objectives", default=",".join(OBJECTIVES))
    ap.add_argument("--long", type=float, default=600.0)
    ap.add_argument("--no-burner", action="store_true", help="skip the default-stop run")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.one:
        name, objective, seconds = args.one
        print(json.dumps(run_one(name, objective, float(seconds))))
        return 0
    cases = [c for c in CASES if not args.only or c in args.only.split(",")]
    lines = [
        f"# evacuate: full work budgets and the default safety stop — "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `python -m bench.budgets {' '.join(argv or sys.argv[1:])}`",
        f"- load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| case | objective | rescued / bound (gap) or makespan / lower bound | CPU s | "
        f"wall s | cut at {args.long:g} s | work | cut at 10 s beside a burner | same plan |",
        "|---|---|---|--:|--:|---|---|---|---|",
    ]
    for name in cases:
        for objective in args.objectives.split(","):
            long = _child(name, objective, args.long)
            short = None
            applies = "error" not in long and (
                objective != "min-makespan" or long.get("makespan") is not None
            )
            if not args.no_burner and applies:
                burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
                try:
                    short = _child(name, objective, DEFAULT_STOP)
                finally:
                    burner.kill()
                    burner.wait()
            row = _row(name, objective, long, short)
            print(row, flush=True)
            lines.append(row)
    lines.append("")
    lines.append(f"- load average at end: {os.getloadavg()[0]:.1f}")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
