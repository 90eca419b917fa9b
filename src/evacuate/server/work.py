"""What a worker process does: jobs, from the scenario's text to a result and its files.

``serve`` runs in a spawned process kept warm by the server's pool. It caps its own address
space first, imports the library once (the cost a fresh process per job used to pay), says
``ready``, then takes one job at a time from its pipe. For each job it sends ``progress``
messages, ``events`` (the simulation's log as it is written, in batches) and finally ``done``
with a JSON-ready result, or ``error``. Files (plan, event log, report) go to the scratch
folder the server gave the job; the server moves them into the run store only after ``done``.
"""

from __future__ import annotations

import importlib
import logging
import math
import resource
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evacuate.server import analyses

__all__ = ["KINDS", "WARM", "run_job", "serve"]

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], None]

BATCH_EVENTS = 400
BATCH_SECONDS = 0.25

WARM = (
    "evacuate",
    "evacuate.plan.api",
    "evacuate.simulation",
    "evacuate.report",
    "evacuate.report.sabotage",
    "evacuate.report.sweep",
    "evacuate.runs",
    "evacuate.sabotage",
    "evacuate.sweep",
)
"""Modules a warm worker imports before its first job."""


def serve(conn: Any, *, memory_mb: int) -> None:
    """Worker entry point (see the module docstring): jobs until the pipe closes."""
    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    logging.basicConfig(level=logging.WARNING)
    for name in WARM:
        try:
            importlib.import_module(name)
        except (MemoryError, OSError, ImportError):
            # too little memory to warm up: each job then says so when it imports
            log.warning("could not import %s in a worker (memory limit %d MiB)", name, memory_mb)
            break
    conn.send({"type": "ready"})
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        _one(conn, job["kind"], job["params"], job["text"], job["scratch"], memory_mb)


def _one(
    conn: Any, kind: str, params: dict[str, Any], text: str | None, scratch: str, memory_mb: int
) -> None:
    try:
        Path(scratch).mkdir(parents=True, exist_ok=True)
        result = run_job(kind, params, text, Path(scratch), conn.send)
        conn.send({"type": "done", "result": result, "message": result.get("message", "done")})
    except MemoryError:
        conn.send({"type": "error", "message": f"out of memory (limit {memory_mb} MiB per job)"})
    except (OSError, ImportError) as exc:  # mapping a library fails first when memory is short
        conn.send(
            {
                "type": "error",
                "message": f"{type(exc).__name__}: {exc} (the worker's memory limit is "
                f"{memory_mb} MiB per job)",
            }
        )
    except Exception as exc:
        from evacuate.errors import EvacuateError

        if isinstance(exc, EvacuateError):
            conn.send({"type": "error", "message": str(exc)})
        else:
            conn.send(
                {
                    "type": "error",
                    "message": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                }
            )


def run_job(
    kind: str, params: dict[str, Any], text: str | None, scratch: Path, send: Send
) -> dict[str, Any]:
    """Run one job in this process; ``send`` receives its progress and live events."""
    import evacuate

    if text is None:
        raise ValueError("a job needs a scenario")
    base = evacuate.loads(text, source="scenario.yaml")
    fn = KINDS.get(kind)
    if fn is None:
        raise ValueError(f"unknown job kind {kind!r}")
    return fn(base, params, scratch, send)


def _progress(send: Send, fraction: float, message: str) -> None:
    send(
        {"type": "progress", "progress": round(min(max(fraction, 0.0), 1.0), 4), "message": message}
    )


def _variant(base: Any, params: dict[str, Any]) -> Any:
    name = params.get("variant")
    return base.variant(name) if name else base


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def plan_job(base: Any, params: dict[str, Any], scratch: Path, send: Send) -> dict[str, Any]:
    from evacuate.plan.api import plan, reveal_surprises
    from evacuate.planio import write_plan

    s = _variant(base, params)
    if params.get("hindsight"):
        s = reveal_surprises(s)
    _progress(send, 0.0, "planning")
    r = plan(
        s,
        objective=params.get("objective", "max-rescued"),
        time_limit=float(params.get("time_limit", 10.0)),
        seed=int(params.get("seed", 0)),
    )
    write_plan(r.plan, scratch / "plan.csv")
    label = params.get("variant") or base.id
    return {
        "label": f"plan {label}",
        "kind": "plan",
        "message": f"rescued {r.rescued:,.0f} of {r.population:,}; gap {100 * r.gap:.2f}%",
        "headline": {
            "population": r.population,
            "rescued": r.rescued,
            "bound": r.bound,
            "gap": r.gap,
            "trips": len(r.plan.trips),
            "walks": len(r.plan.walks),
            "seconds": round(r.seconds, 3),
            "makespan": _num(r.makespan),
        },
        "places": [
            {
                "place": p.place,
                "population": p.population,
                "deadline": p.deadline,
                "rescued": p.picked_up,
                "lost": p.left_behind,
                "received": p.received,
                "capacity": p.capacity,
            }
            for p in r.places
        ],
    }


class _Batcher:
    """Collect log records and send them in batches, with the simulated time as progress."""

    def __init__(self, send: Send, end: float, start: float) -> None:
        self.send, self.end, self.start = send, end, start
        self.buf: list[dict[str, Any]] = []
        self.last = time.monotonic()
        self.now = start

    def __call__(self, event: Any) -> None:
        row = event.row()
        self.buf.append(row)
        self.now = max(self.now, float(event.time))
        if len(self.buf) >= BATCH_EVENTS or time.monotonic() - self.last > BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.buf:
            return
        span = self.end - self.start
        frac = (self.now - self.start) / span if span > 0 else 1.0
        self.send({"type": "events", "events": self.buf, "time": self.now})
        _progress(self.send, 0.05 + 0.9 * frac, f"simulating: time {self.now:,.2f}")
        self.buf = []
        self.last = time.monotonic()


def simulate_job(base: Any, params: dict[str, Any], scratch: Path, send: Send) -> dict[str, Any]:
    from evacuate.report.data import ReportRun, analyse
    from evacuate.report.page import place_table
    from evacuate.simulation import simulate
    from evacuate.simulation.log import write_log

    s = _variant(base, params)
    pert = s.perturbations
    names = {"travel_cv": "travel_time_cv", "breakdowns": "breakdowns_per_trip"}
    changes = {field: params[k] for k, field in names.items() if params.get(k) is not None}
    if changes:
        pert = pert.model_copy(update=changes)
    batch = _Batcher(send, float(s.end), 0.0)
    r = simulate(
        s,
        policy=params.get("policy", "replan"),
        seed=int(params.get("seed", 0)),
        perturbations=pert,
        time_limit=float(params.get("time_limit", 10.0)),
        progress=lambda msg: _progress(send, 0.02, msg) if msg == "planning" else None,
        on_event=batch,
    )
    batch.flush()
    write_log(r.events, scratch / "events.jsonl")
    series = analyse(ReportRun.from_sim(s.applied_variant or s.id, r))
    rows = place_table([series])
    curve = series.flow.rescued
    label = s.applied_variant or s.id
    return {
        "label": f"simulate {label}",
        "kind": "simulate",
        "variant": s.applied_variant,
        "message": f"rescued {r.rescued:,} of {r.population:,}",
        "headline": {
            "population": r.population,
            "rescued": r.rescued,
            "lost": r.lost_people,
            "waiting": r.waiting_at_end,
            "vehicles_lost": r.vehicles_lost,
            "trips": r.trips,
            "replans": len(r.replans),
            "planned_rescued": _num(r.planned_rescued),
            "planned_bound": _num(r.planned_bound),
            "seconds": round(r.seconds, 3),
        },
        "curve": {"times": list(curve.times), "values": list(curve.values)},
        "lost_curve": {
            "times": list(series.flow.lost.times),
            "values": list(series.flow.lost.values),
        },
        "replans": [
            {
                "time": rp.time,
                "events": list(rp.events),
                "adopted": rp.adopted,
                "planned_more": rp.planned_more,
                "bound_more": _num(rp.bound_more),
            }
            for rp in r.replans
        ],
        "places": [
            {
                "place": row.place,
                "name": row.name,
                "population": row.population,
                "deadline": row.deadline,
                "capacity": row.capacity,
                "haven": row.haven,
                "rescued": row.rescued[0],
                "lost": row.runs[0].lost,
                "picked_up": row.runs[0].picked_up,
                "received": row.runs[0].received,
            }
            for row in rows
        ],
    }


def report_job(base: Any, params: dict[str, Any], scratch: Path, send: Send) -> dict[str, Any]:
    from evacuate.report import build_report
    from evacuate.report.results import ReportResults
    from evacuate.runs import simulate_variants

    names: list[str | None] = list(params.get("variants") or base.variant_names) or [None]
    runs = []
    for k, name in enumerate(names):
        _progress(send, k / (len(names) + 1), f"simulating {name or base.id}")
        runs += simulate_variants(
            base,
            [name] if name else None,
            time_limit=float(params.get("time_limit", 10.0)),
            seed=int(params.get("seed", 0)),
        )
    _progress(send, len(names) / (len(names) + 1), "drawing the report")
    build_report(ReportResults(tuple(d.record() for d in runs)), scratch)
    return {
        "label": f"report {base.id}",
        "kind": "report",
        "message": f"report of {len(runs)} run(s)",
        "headline": {
            "runs": len(runs),
            "rescued": {d.label: d.result.rescued for d in runs},
        },
    }


KINDS: dict[str, Callable[[Any, dict[str, Any], Path, Send], dict[str, Any]]] = {
    "plan": plan_job,
    "simulate": simulate_job,
    "report": report_job,
    "sabotage": analyses.sabotage_job,
    "sweep": analyses.sweep_job,
}
"""Job kinds by name."""
