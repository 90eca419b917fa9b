"""evacuate's bound against HiGHS's time-expanded LP on the same time grid.

``python -m bench.bound_vs_lp small medium --dt 1 --lp-time-limit 600``

For each ladder rung: the column-generation bound of ``evacuate.plan.lagrange`` on a grid of
step ``dt`` (after one short warm-up call, so numba's compilation is not timed) and the LP
optimum of the relaxed time-expanded network (``evacuate.plan.ten.ten_bound``) on the same
step, with their values and seconds. Both are upper bounds on the people any plan rescues;
the smaller is the tighter. Prints one JSON line per rung.
"""

from __future__ import annotations

import argparse
import json
import logging
import time

from bench.generate import LADDER
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.problem import compile_problem
from evacuate.plan.ten import ten_bound
from evacuate.scenario.load import from_dict


def compare(rung: str, dt: float, lp_time_limit: float) -> dict[str, object]:
    size = {s.name: s for s in LADDER}[rung]
    problem = compile_problem(from_dict(size.generate()))
    column_generation_bound(problem, dt, iterations=3, time_limit=10)  # compile (numba)
    t0 = time.perf_counter()
    cg = column_generation_bound(problem, dt, iterations=1000, time_limit=120)
    cg_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp = ten_bound(problem, dt, time_limit=lp_time_limit)
    lp_s = time.perf_counter() - t0
    return {
        "rung": rung,
        "dt": dt,
        "evacuate_bound": cg.bound,
        "evacuate_s": round(cg_s, 4),
        "lp_bound": lp.bound,
        "lp_s": round(lp_s, 3),
        "lp_status": lp.status,
        "lp_s_over_evacuate_s": round(lp_s / cg_s, 1) if cg_s > 0 else None,
        "evacuate_below_lp": (lp.bound - cg.bound) / lp.bound if lp.bound else None,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rungs", nargs="+", choices=[s.name for s in LADDER])
    ap.add_argument("--dt", type=float, default=1.0, help="grid step (hours)")
    ap.add_argument("--lp-time-limit", type=float, default=600.0)
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    for rung in args.rungs:
        print(json.dumps(compare(rung, args.dt, args.lp_time_limit)), flush=True)


if __name__ == "__main__":
    main()
