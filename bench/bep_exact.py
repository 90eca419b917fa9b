"""Tiny random bus evacuation problems against their exact optimum.

Each seed draws one instance (1-3 yards, 2-5 points with 0-3 people, 1-3 shelters with room
1-10 stretched until they hold everyone, 1-4 buses of 1, 2 or 3 seats, distances 1-10: the
published random sets' ranges at tiny sizes), plans it as a user does (``min-makespan``,
``--time-limit`` 30 by default, so the default work budget) and checks the plan, then finds
the exact optimum: the time-expanded MIP on a grid of one time unit, solved to optimality by
bisection on the horizon (exact here: whole units and no move that takes no time). One JSON
line per instance; instances where the makespan is not the optimum, the lower bound is above
it, or the checker refuses the plan, are written to OUT as BEP text.

Usage: ``python -m bench.bep_exact [--start 0] [--count 100] [--time-limit 30] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from evacuate.bep import BepInstance, bep_to_scenario, format_bep
from evacuate.plan.problem import Problem

__all__ = ["draw", "main", "mip_makespan"]


def mip_makespan(problem: Problem, high: int) -> int:
    """The least whole horizon by which the MIP (no node or time limit) rescues everyone."""
    from evacuate.plan.ten import ten_mip

    everyone = int(problem.population.sum())
    low = 0
    while low < high:
        mid = (low + high) // 2
        found = ten_mip(replace(problem, end=float(mid)), 1.0)
        if found.status != "optimal":
            raise RuntimeError(f"the MIP oracle ended {found.status} at horizon {mid}")
        if found.rescued >= everyone:
            high = mid
        else:
            low = mid + 1
    return low


def draw(rng: random.Random) -> BepInstance:
    """One tiny instance (see the module docstring)."""
    y, p, s, b = rng.randint(1, 3), rng.randint(2, 5), rng.randint(1, 3), rng.randint(1, 4)
    cap = rng.choice([1, 1, 2, 3])
    dem = [rng.randint(0, 3) for _ in range(p)]
    if sum(dem) == 0:
        dem[0] = 1
    people = sum(dem)
    while True:
        room = [rng.randint(1, max(10, -(-2 * people // s))) for _ in range(s)]
        if sum(room) >= people:
            break
    yard_buses = [0] * y
    for k in range(b):
        yard_buses[rng.randrange(y) if k >= 1 else 0] += 1
    return BepInstance(
        cap,
        tuple(yard_buses),
        tuple(dem),
        tuple(room),
        tuple(tuple(float(rng.randint(1, 10)) for _ in range(p)) for _ in range(y)),
        tuple(tuple(float(rng.randint(1, 10)) for _ in range(s)) for _ in range(p)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    import evacuate
    from evacuate.check import check
    from evacuate.plan.api import plan
    from evacuate.plan.problem import compile_problem

    ap = argparse.ArgumentParser(prog="python -m bench.bep_exact", description=__doc__)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--out", type=Path, default=Path("bep-exact-failures"))
    args = ap.parse_args(argv)
    failed = 0
    for seed in range(args.start, args.start + args.count):
        inst = draw(random.Random(seed))
        sc = evacuate.scenario.from_dict(bep_to_scenario(inst, f"tiny{seed}"))
        cpu = time.process_time()
        res = plan(sc, objective="min-makespan", time_limit=args.time_limit)
        cpu = time.process_time() - cpu
        report = check(sc, res.plan)
        best = mip_makespan(compile_problem(sc), int(sc.end))
        lb = res.makespan_lower_bound
        ok = res.makespan == best and report.feasible and report.rescued == sc.population
        ok = ok and lb is not None and lb <= best + 1e-9
        row = {
            "seed": seed,
            "makespan": res.makespan,
            "optimum": best,
            "lower_bound": lb,
            "cpu_seconds": round(cpu, 2),
            "stopped_by_time": bool(res.stats.get("stopped_by_time")),
            "ok": ok,
        }
        print(json.dumps(row), flush=True)
        if not ok:
            failed += 1
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"tiny{seed}.txt").write_text(format_bep(inst))
    print(f"{args.count - failed} of {args.count} at the exact optimum")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
