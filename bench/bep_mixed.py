"""Min makespan with mixed fleets: BEP instances whose buses have two capacities.

Each instance is a BEP instance (random ones of the published sets' shape, bench/bep_generate,
and Valparaiso with other fleets) with half of each yard's buses (rounded down) made
``extra`` seats larger, as a second vehicle class (``mixed_fleet``). Every instance is
planned as a user does (``min-makespan``, ``--time-limit``, seed 0), checked, and listed with
its makespan, lower bound, gap, processor and wall seconds.

Usage: ``python -m bench.bep_mixed [--seeds 0,1,2] [--points 8,12,20] [--capacity 3]
[--extra 2] [--valparaiso FILE --fleets 10,20 --valparaiso-extra 15] [--time-limit 30]
[--json OUT]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "mixed_fleet"]


def mixed_fleet(data: dict[str, Any], extra: int) -> dict[str, Any]:
    """The converted BEP scenario ``data`` with half of each yard's buses (rounded down)
    ``extra`` seats larger, as a second class ``big``."""
    d = copy.deepcopy(data)
    base = d["fleet"]["classes"][0]
    d["fleet"]["classes"].append({"id": "big", "capacity": base["capacity"] + extra})
    stock = []
    for s in d["fleet"]["stock"]:
        big = s["count"] // 2
        if s["count"] - big:
            stock.append({**s, "count": s["count"] - big})
        if big:
            stock.append({**s, "id": s["id"] + "_big", "class": "big", "count": big})
    d["fleet"]["stock"] = stock
    return d


def _row(name: str, data: dict[str, Any], time_limit: float) -> dict[str, Any]:
    import evacuate
    from evacuate.check import check
    from evacuate.plan.api import plan

    sc = evacuate.scenario.from_dict(data)
    cpu, wall = time.process_time(), time.perf_counter()
    res = plan(sc, objective="min-makespan", time_limit=time_limit)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    report = check(sc, res.plan)
    ok = report.feasible and report.rescued == sc.population
    mk, lb = res.makespan, res.makespan_lower_bound
    gap = (mk - lb) / mk if mk and lb is not None else None
    return {
        "instance": name,
        "makespan": mk,
        "lower_bound": lb,
        "gap": None if gap is None else round(gap, 4),
        "checked": ok,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "stopped_by_time": bool(res.stats.get("stopped_by_time")),
    }


def main(argv: Sequence[str] | None = None) -> int:
    from bench.bep_generate import random_bep, with_fleet
    from evacuate.bep import bep_to_scenario, read_bep

    ap = argparse.ArgumentParser(prog="python -m bench.bep_mixed", description=__doc__)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--points", default="8,12,20")
    ap.add_argument("--capacity", type=int, default=3, help="seats of the smaller buses")
    ap.add_argument("--extra", type=int, default=2, help="seats the larger buses have more")
    ap.add_argument("--yards", type=int, default=2)
    ap.add_argument("--valparaiso", type=Path, default=None)
    ap.add_argument("--fleets", default="10,20")
    ap.add_argument("--valparaiso-extra", type=int, default=15)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    cases: list[tuple[str, dict[str, Any]]] = []
    for pts in (int(x) for x in args.points.split(",") if x):
        for seed in (int(x) for x in args.seeds.split(",") if x):
            inst = random_bep(seed, pts, yards=args.yards, capacity=args.capacity)
            name = f"r{pts}-s{seed}-c{args.capacity}+{args.extra}"
            cases.append((name, mixed_fleet(bep_to_scenario(inst, "m"), args.extra)))
    if args.valparaiso is not None:
        base = read_bep(args.valparaiso)
        for n in (int(x) for x in args.fleets.split(",") if x):
            inst = with_fleet(base, n)
            name = f"valparaiso-{n}-c{inst.bus_capacity}+{args.valparaiso_extra}"
            cases.append((name, mixed_fleet(bep_to_scenario(inst, "v"), args.valparaiso_extra)))
    rows = []
    for name, data in cases:
        row = _row(name, data, args.time_limit)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(r["checked"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
