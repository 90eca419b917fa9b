"""The fleet bound (``evacuate.plan.fleet_bound``) on the city-scale rungs, alone.

``python -m bench.fleet_bound RUNG [--near-havens K] [--far-groups G] [--near-groups N]
[--near-back B] [--near-pickups P] [--warm N]`` prints the bound beside the population, the
LP's size, CPU seconds (``time.process_time``) and the peak resident memory; with
``--warm N``, the column generation's L at the bound's duals and after ``N`` LP solves from
them (the multipliers of ``column_generation_bound``). The machine may be loaded: wall
seconds are given beside the CPU seconds.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time

from bench.generate import LADDER, SCALE


def main(argv: list[str] | None = None) -> None:
    from evacuate.plan import fleet_bound as fb
    from evacuate.plan.problem import compile_problem
    from evacuate.scenario.load import from_dict

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rung")
    ap.add_argument("--near-havens", type=int, default=fb.NEAR_HAVENS)
    ap.add_argument("--far-groups", type=int, default=fb.FAR_GROUPS)
    ap.add_argument("--near-groups", type=int, default=fb.NEAR_GROUPS)
    ap.add_argument("--near-back", type=int, default=fb.NEAR_BACK)
    ap.add_argument("--near-pickups", type=int, default=None, help="default: the module's")
    ap.add_argument("--warm", type=int, default=None, help="LP solves from the duals")
    args = ap.parse_args(argv)
    rung = {s.name: s for s in LADDER + SCALE}[args.rung]
    problem = compile_problem(from_dict(rung.generate(), source=f"<bench:{args.rung}>"))
    people = float(problem.population.sum())
    cpu, wall = time.process_time(), time.perf_counter()
    res = fb.fleet_bound(
        problem,
        near_havens=args.near_havens,
        far_groups=args.far_groups,
        near_groups=args.near_groups,
        near_back=args.near_back,
        near_pickups=args.near_pickups,
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.rung}: fleet bound {res.bound:,.0f} ({res.bound / people:.2%} of {people:,.0f});"
        f" {res.columns:,} columns, {res.rows:,} rows; {cpu:.1f} CPU s, {wall:.1f} wall s;"
        f" peak {peak:.0f} MB"
    )
    if args.warm is not None:
        from evacuate.plan.grid import choose_dt
        from evacuate.plan.lagrange import column_generation_bound

        first: list[float] = []

        class _Start(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "start multipliers" in record.getMessage():
                    first.append(float(record.getMessage().split()[-1]))

        lg = logging.getLogger("evacuate.plan.lagrange")
        lg.addHandler(_Start())
        lg.setLevel(logging.DEBUG)
        cpu = time.process_time()
        cg = column_generation_bound(
            problem, choose_dt(problem), iterations=args.warm, multipliers=(res.people, res.room)
        )
        at = f"{first[0]:,.0f} ({first[0] / people:.2%})" if first else "?"
        print(
            f"  column generation from its duals: L {at} at them; {cg.bound:,.0f}"
            f" ({cg.bound / people:.2%}) after {cg.iterations} LP solves,"
            f" {time.process_time() - cpu:.1f} CPU s"
        )


if __name__ == "__main__":
    main()
