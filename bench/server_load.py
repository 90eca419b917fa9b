"""Load test of ``evacuate serve`` on 127.0.0.1: jobs queued while people load the page.

Starts the server (uvicorn, in this process; jobs in its pool of warm worker processes, started
with the server as ``evacuate serve`` does) on a free loopback port over a fresh data folder,
then, at once:

- submits ``--jobs`` plan jobs of a small scenario (at most ``--max-jobs`` run, the rest queue);
- makes ``--pages`` page loads from ``--clients`` threads, each load being what a browser asks
  for: ``/``, ``/static/app.js``, ``/static/app.css``, ``/api/scenarios``, ``/api/options``,
  ``/api/scenarios/romulan`` (the plotly bundle is cached by browsers and left out);

and waits for every job to end (``--timeout`` is the safety stop; the result says if it bound).
It reports latency percentiles per request kind and for a whole page load, the jobs' queue
waits and run times, and whether every job finished ``done``. The request loops are bounded in
count; nothing is sent anywhere but 127.0.0.1. Results go to ``bench/results/`` (markdown and
JSON). Usage: ``python -m bench.server_load [--jobs 20] [--pages 200]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["main", "percentiles"]

PAGE = [
    "/",
    "/static/app.js",
    "/static/app.css",
    "/api/scenarios",
    "/api/options",
    "/api/scenarios/romulan",
]
SMALL = """\
scenario: {id: load_test, name: Load test town, end: 48h}
hazard: {origin: [0, 0], speed: 5 km/h, max_radius: 20 km}
places:
  - {id: town, position: [5, 0], population: 400}
  - {id: shelter, position: [40, 0], capacity: 1000}
  - {id: depot, position: [40, 10]}
fleet:
  classes: [{id: bus, capacity: 50, speed: 60 km/h, load_time: 20min, unload_time: 10min}]
  stock: [{id: buses, class: bus, place: depot, count: 4}]
"""


def percentiles(xs: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of ``xs`` (milliseconds in, milliseconds out)."""
    if not xs:
        return {}
    q = statistics.quantiles(xs, n=100, method="inclusive") if len(xs) > 1 else [xs[0]] * 99
    return {
        "n": len(xs),
        "p50": round(q[49], 1),
        "p90": round(q[89], 1),
        "p99": round(q[98], 1),
        "max": round(max(xs), 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, body: dict[str, Any] | None = None) -> tuple[int, bytes, float]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        payload = r.read()
        status = r.status
    return status, payload, 1000 * (time.perf_counter() - t0)


def run(jobs: int, pages: int, clients: int, max_jobs: int, timeout: float) -> dict[str, Any]:
    import uvicorn

    from evacuate.server import Limits, create_app

    folder = Path(tempfile.mkdtemp(prefix="evacuate-load-"))
    app = create_app(folder / "data", limits=Limits(max_jobs=max_jobs, seconds=timeout))
    app.state.runner.warm()  # as ``evacuate serve`` does: the pool starts with the server
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        status, payload, _ = _request(base + "/api/scenarios", {"name": "load.yaml", "text": SMALL})
        sid = json.loads(payload)["id"]
        submit_ms: list[float] = []
        ids = []
        for _ in range(jobs):
            status, payload, ms = _request(
                base + "/api/jobs",
                {"kind": "plan", "scenario": sid, "options": {"time_limit": 1}},
            )
            assert status == 202
            ids.append(json.loads(payload)["id"])
            submit_ms.append(ms)
        by_path: dict[str, list[float]] = {p: [] for p in PAGE}
        loads: list[float] = []
        errors = 0
        lock = threading.Lock()

        def page_load(_: int) -> None:
            nonlocal errors
            total = 0.0
            for p in PAGE:
                try:
                    st, _, ms = _request(base + p)
                except OSError:
                    st, ms = 0, 0.0
                with lock:
                    by_path[p].append(ms)
                    errors += st != 200
                total += ms
            with lock:
                loads.append(total)

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(page_load, range(pages)))
        pages_done = time.perf_counter() - started
        stop = time.monotonic() + timeout
        final: list[dict[str, Any]] = []
        while time.monotonic() < stop:
            final = [json.loads(_request(f"{base}/api/jobs/{i}")[1]) for i in ids]
            if all(j["state"] in ("done", "failed", "cancelled") for j in final):
                break
            time.sleep(0.5)
        timed_out = not all(j["state"] in ("done", "failed", "cancelled") for j in final)
        waits, runs = [], []
        for j in final:
            if j["started"] and j["finished"]:
                c, s, f = (
                    dt.datetime.fromisoformat(j[k].replace("Z", "+00:00"))
                    for k in ("created", "started", "finished")
                )
                waits.append(1000 * (s - c).total_seconds())
                runs.append(1000 * (f - s).total_seconds())
        return {
            "jobs": jobs,
            "pages": pages,
            "clients": clients,
            "max_jobs": max_jobs,
            "jobs_done": sum(j["state"] == "done" for j in final),
            "jobs_failed": [j["error"] for j in final if j["state"] != "done"],
            "timed_out": timed_out,
            "http_errors": errors,
            "seconds_pages": round(pages_done, 2),
            "seconds_total": round(time.perf_counter() - started, 2),
            "latency_ms": {
                "page_load": percentiles(loads),
                "job_submit": percentiles(submit_ms),
                **{p: percentiles(v) for p, v in by_path.items()},
            },
            "job_queue_wait_ms": percentiles(waits),
            "job_run_ms": percentiles(runs),
        }
    finally:
        server.should_exit = True
        thread.join(15)
        app.state.runner.close()


def _markdown(r: dict[str, Any], when: str) -> str:
    lines = [
        f"# evacuate serve: load test on 127.0.0.1 ({when})",
        "",
        f"{r['jobs']} plan jobs submitted ({r['max_jobs']} warm workers, the rest queued) "
        f"while {r['clients']} clients made {r['pages']} page loads. Machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, shared and "
        "loaded: timings vary from run to run.",
        "",
        f"Jobs done: {r['jobs_done']} of {r['jobs']}; HTTP errors: {r['http_errors']}; "
        f"safety stop reached: {'yes' if r['timed_out'] else 'no'}; "
        f"page loads took {r['seconds_pages']} s, everything {r['seconds_total']} s.",
        "",
        "| latency (ms) | n | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = {**r["latency_ms"], "job queue wait": r["job_queue_wait_ms"], "job run": r["job_run_ms"]}
    for name, p in rows.items():
        if p:
            lines.append(
                f"| {name} | {p['n']} | {p['p50']} | {p['p90']} | {p['p99']} | {p['max']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--max-jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=600.0, help="Safety stop, seconds.")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    result = run(args.jobs, args.pages, args.clients, args.max_jobs, args.timeout)
    when = f"{dt.date.today():%Y-%m-%d}"
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{when}-server-load"
    text = _markdown(result, when)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(text)
    return 0 if result["jobs_done"] == args.jobs and not result["http_errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
