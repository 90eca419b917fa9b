"""compile_problem: travel times for all pairs at once agree with the scenario's rules."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from bench.generate import generate

import evacuate
from evacuate.plan.problem import compile_problem
from evacuate.scenario import derive
from evacuate.scenario.load import from_dict

ROOT = Path(__file__).resolve().parents[2]


def _scenarios() -> list[evacuate.Scenario]:
    files = sorted((ROOT / "examples").glob("*.yaml"))
    out = [evacuate.load(p) for p in files if not p.stem.startswith("broken")]
    out.append(evacuate.load())
    out.append(from_dict(generate(3, places=8, vehicles=60, extras=True), source="<gen>"))
    return out


def test_travel_and_routes_follow_derive() -> None:
    """Every pair's fastest time is derive's (direct route unless a lane replaces it, then the
    lanes), and each pair's routes are exactly those options with their closures."""
    for sc in _scenarios():
        pb = compile_problem(sc)
        for ci, cid in enumerate(pb.classes):
            vc = sc.vehicle_class(cid)
            for i, a in enumerate(pb.places):
                for j, b in enumerate(pb.places):
                    times = []
                    if i != j and derive.direct_route_allowed(sc, a, b):
                        t = derive.route_time(sc, vc, a, b, None)
                        if t is not None:
                            times.append(t)
                    for lane in derive.lanes_between(sc, a, b) if i != j else []:
                        t = derive.route_time(sc, vc, a, b, lane)
                        if t is not None:
                            times.append(t)
                    got = float(pb.travel[ci, i, j])
                    if not times:
                        assert math.isinf(got) and (ci, i, j) not in pb.routes
                        continue
                    assert math.isclose(got, min(times), rel_tol=1e-12), (sc.id, a, b)
                    routes = pb.routes[(ci, i, j)]
                    assert sorted(r.time for r in routes) == sorted(
                        np.float64(t) for t in routes_times(times, routes)
                    )


def routes_times(times: list[float], routes: list[object]) -> list[float]:
    """derive's times matched to the routes (same count, each within rounding)."""
    assert len(times) == len(routes)
    got = sorted(float(r.time) for r in routes)  # type: ignore[attr-defined]
    for x, y in zip(sorted(times), got, strict=True):
        assert math.isclose(x, y, rel_tol=1e-12)
    return got


def test_routes_mapping_lists_every_pair_once() -> None:
    """Iterating the routes gives each connected (class, i, j) once, in sorted order."""
    sc = from_dict(generate(3, places=8, vehicles=60, extras=True), source="<gen>")
    pb = compile_problem(sc)
    keys = list(pb.routes)
    assert keys == sorted(set(keys))
    assert len(pb.routes) == int(np.isfinite(pb.travel).sum())
    assert all(pb.routes[k] for k in keys)
