"""Benchmark: sweep throughput on each executor, Dask's overhead per task, identical results.

The same sweep (``--samples`` samples of ``examples/hurricane_bus.yaml``, ``--plan-time``
seconds per plan) runs sequentially (in this process), on 2 local processes, and on a Dask
``LocalCluster`` with 2 single-threaded workers. Reported: wall seconds (including starting
the workers), samples per second, and Dask's overhead per task, measured with a task that
does nothing (round trips of an empty batch through the scheduler). The results of the three
runs are compared task by task; the benchmark fails if they differ.

Results go to the terminal and to ``bench/results/DATE-sweep.md`` and ``.json``.
Usage: ``python -m bench.sweep [--samples N] [--plan-time S] [--out DIR]``.
Figures are wall-clock on whatever machine runs it: say how loaded it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "measure", "noop", "render"]

RESULTS = Path(__file__).resolve().parent / "results"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hurricane_bus.yaml"


def noop(_shared: object, batch: Sequence[int]) -> list[int]:
    """A task that does nothing: what remains of its time is the executor's overhead."""
    return list(batch)


def _fingerprint(result: Any) -> list[Any]:
    return [(r.key, r.status, sorted(r.metrics.items()), r.curve) for r in result.results]


def measure(samples: int, plan_time: float, seed: int = 0) -> dict[str, Any]:
    import evacuate
    from evacuate.sweep import DaskExecutor, LocalExecutor, sweep

    scenario = evacuate.load(EXAMPLE)
    rows: list[dict[str, Any]] = []
    prints = []
    overhead = None
    for label, make in (
        ("sequential", lambda: LocalExecutor(1)),
        ("2 local processes", lambda: LocalExecutor(2)),
        ("Dask LocalCluster, 2 workers", lambda: DaskExecutor("local", workers=2)),
    ):
        t0 = time.perf_counter()
        ex = make()
        try:
            result = sweep(scenario, samples=samples, plan_time=plan_time, seed=seed, executor=ex)
            seconds = time.perf_counter() - t0
            if isinstance(ex, DaskExecutor):
                n = 200
                list(ex.run(noop, None, [[0]] * 20))  # warm up
                t1 = time.perf_counter()
                list(ex.run(noop, None, [[i] for i in range(n)]))
                overhead = (time.perf_counter() - t1) / n
        finally:
            ex.close()
        failed = sum(r.status != "finished" for r in result.results)
        rows.append(
            {
                "executor": label,
                "samples": len(result.results),
                "failed": failed,
                "seconds": round(seconds, 2),
                "samples_per_second": round(len(result.results) / seconds, 3),
                "task_seconds_mean": round(
                    sum(r.seconds for r in result.results) / len(result.results), 3
                ),
            }
        )
        prints.append(_fingerprint(result))
    identical = all(p == prints[0] for p in prints[1:])
    return {
        "date": dt.date.today().isoformat(),
        "scenario": str(EXAMPLE.name),
        "samples": samples,
        "plan_time": plan_time,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
        "dask_overhead_seconds_per_task": None if overhead is None else round(overhead, 4),
        "identical_results": identical,
    }


def render(data: dict[str, Any]) -> str:
    lines = [
        f"# Sweep throughput ({data['date']})",
        "",
        f"{data['samples']} samples of {data['scenario']}, {data['plan_time']} s per plan; "
        f"{data['cpus']} CPUs, load average at the end {data['load_average']} "
        "(a shared machine: wall-clock figures are loaded ones).",
        "",
        "| executor | samples | failed | wall s | samples/s | mean task s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in data["rows"]:
        lines.append(
            f"| {r['executor']} | {r['samples']} | {r['failed']} | {r['seconds']} | "
            f"{r['samples_per_second']} | {r['task_seconds_mean']} |"
        )
    lines += [
        "",
        f"Dask overhead per task (empty task, 200 round trips): "
        f"{data['dask_overhead_seconds_per_task']} s.",
        f"Identical results on all three: {data['identical_results']}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--plan-time", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    data = measure(args.samples, args.plan_time, args.seed)
    text = render(data)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{data['date']}-sweep"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    return 0 if data["identical_results"] else 1


if __name__ == "__main__":
    sys.exit(main())
