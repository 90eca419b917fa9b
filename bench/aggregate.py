"""The clustered problem (``evacuate.plan.aggregate``) on the ladder and the city-scale rungs.

``python -m bench.aggregate [RUNG ...] [--iterations N] [--guide]`` prints, per rung: the
clustered column generation's bound (valid for the real problem) with its LP solves and
CPU seconds, beside the population; with ``--guide``, the plans the dispatcher makes with
the mapped guide (the three guided settings of ``search``) and with the first two greedy
settings, each checked by the independent checker. CPU seconds come from
``time.process_time`` (the machine may be loaded; wall seconds are given beside them).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from typing import Any

from bench.generate import LADDER, SCALE


def _problem(name: str) -> Any:
    from evacuate.plan.problem import compile_problem
    from evacuate.scenario.load import from_dict

    rung = {s.name: s for s in LADDER + SCALE}[name]
    return compile_problem(from_dict(rung.generate(), source=f"<bench:{name}>"))


def _plan_row(problem: Any, label: str, trips: list[Any], cpu: float, wall: float) -> str:
    from evacuate.check import check
    from evacuate.plan.search import rescued_by_trips
    from evacuate.planio import Plan

    got = rescued_by_trips(problem, trips)
    report = check(problem.scenario, Plan(problem.scenario.id, trips=tuple(trips)))
    ok = "yes" if report.feasible else f"NO ({len(report.violations)})"
    return (
        f"  {label}: rescued {got:,} checked {ok} trips {len(trips)} "
        f"CPU {cpu:.1f} s wall {wall:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    from evacuate.plan.aggregate import (
        AGGREGATE_ITERATIONS,
        aggregate_bound,
        aggregate_guide,
        cluster_places,
    )
    from evacuate.plan.heuristic import DispatchParams, dispatch

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rungs", nargs="*", default=["xlarge", "scale-200", "scale-500"])
    ap.add_argument("--iterations", type=int, default=AGGREGATE_ITERATIONS)
    ap.add_argument("--guide", action="store_true", help="also fly the mapped guide")
    ap.add_argument("--greedy", action="store_true", help="also the first two greedy settings")
    ap.add_argument("--no-bound", action="store_true")
    ap.add_argument("--optimistic", action="store_true", help="guide from the relaxation")
    ap.add_argument("--clusters", default="", help="sources,havens,passes (default: the module's)")
    args = ap.parse_args(argv)
    for name in args.rungs:
        c0, w0 = time.process_time(), time.perf_counter()
        problem = _problem(name)
        counts = [int(x) for x in args.clusters.split(",")] if args.clusters else []
        of = cluster_places(
            problem, **dict(zip(["sources", "havens", "passes"], counts, strict=False))
        )
        people = int(problem.population.sum())
        print(
            f"{name}: {problem.n_places} places -> {int(of.max()) + 1} clusters, "
            f"{people:,} people (set-up {time.process_time() - c0:.1f} CPU s, "
            f"{time.perf_counter() - w0:.1f} wall s)",
            flush=True,
        )
        if not args.no_bound:
            b = aggregate_bound(problem, of=of, iterations=args.iterations)
            print(
                f"  bound {b.bound:,.0f} ({b.bound / people:.2%} of the people), "
                f"{b.lp_solves} LP solves, dt {b.dt:.3g}, {b.n_steps} steps, "
                f"CPU {b.cpu_seconds:.1f} s, wall {b.seconds:.1f} s",
                flush=True,
            )
        if args.guide:
            c0, w0 = time.process_time(), time.perf_counter()
            guide, solves = aggregate_guide(
                problem, of=of, iterations=args.iterations, typical=not args.optimistic
            )
            paths = sum(len(v) for v in guide.values())
            print(
                f"  guide: {solves} LP solves, {paths} real paths, "
                f"CPU {time.process_time() - c0:.1f} s, wall {time.perf_counter() - w0:.1f} s",
                flush=True,
            )
            first = [(0.0, 0.1), (1.0, 0.3), (0.5, 0.3)]
            for k, (u, w) in enumerate(first):
                prm = replace(DispatchParams(urgency=u, urgency_window=w), reserve=k != 1)
                c0, w0 = time.process_time(), time.perf_counter()
                trips = dispatch(problem, prm, guide)
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                print(_plan_row(problem, f"guided {u}/{w}/reserve={k != 1}", trips, cpu, wall))
        if args.greedy:
            for u, w in [(0.0, 0.1), (1.0, 0.3)]:
                c0, w0 = time.process_time(), time.perf_counter()
                trips = dispatch(problem, DispatchParams(urgency=u, urgency_window=w))
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                print(_plan_row(problem, f"greedy {u}/{w}", trips, cpu, wall), flush=True)


if __name__ == "__main__":
    main()
