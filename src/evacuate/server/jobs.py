"""Jobs run in worker processes, never in the web server's process.

A ``JobRunner`` keeps a queue and a pool of at most ``max_jobs`` warm workers: spawned
processes (nothing of the server's threads is copied) that imported the library once and then
take one job at a time, in the order the jobs came. Each worker has a memory ceiling
(``RLIMIT_AS``) and each job a wall-clock safety stop; a worker talks to the server through one
pipe (ready, then per job: progress, live events, then its result or its error). The server
alone writes job records, so a worker that dies mid-job (killed, out of memory, stopped for its
time limit, cancelled) leaves its job marked failed (or cancelled) and nothing half-written:
results are written to a temporary folder by the worker and moved into place by the server only
when the worker says it is done. A worker that dies is replaced by a fresh one; so is a worker
whose job failed (its state is not trusted), and one that served ``recycle`` jobs.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import multiprocessing.connection as mpc
import shutil
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import evacuate
from evacuate.options import OPTIONS
from evacuate.server import work
from evacuate.server.records import JobRecord, Records

__all__ = ["JobRunner", "JobView", "Limits"]

log = logging.getLogger(__name__)

State = Literal["queued", "running", "done", "failed", "cancelled"]
FINAL: frozenset[str] = frozenset({"done", "failed", "cancelled"})

STARTS = 3
"""Workers in a row that die before they are ready, after which queued jobs fail (rather than
the pool starting processes in a loop)."""

MAX_STREAM = 20_000
"""Live messages kept per job for late listeners; beyond it, vehicle moves are not kept."""


@dataclass(frozen=True)
class Limits:
    """What one job may use."""

    max_jobs: int = OPTIONS["max_jobs"].default
    """Jobs running at once (warm workers in the pool); the rest are queued."""
    seconds: float = OPTIONS["job_seconds"].default
    """Wall-clock safety stop per job (the job's own work is budgeted by its options)."""
    memory_mb: int = OPTIONS["job_memory"].default
    """Address-space ceiling of a worker process."""
    recycle: int = 100
    """Jobs a worker serves before it is replaced (bounds what a long-lived process keeps)."""


@dataclass
class _Worker:
    """One warm process of the pool."""

    process: Any
    conn: mpc.Connection
    ready: bool = False
    job: str | None = None
    served: int = 0


@dataclass
class _Live:
    record: JobRecord
    worker: _Worker | None = None
    started: float = 0.0
    stream: list[dict[str, Any]] = field(default_factory=list)
    cancel: bool = False


@dataclass(frozen=True)
class JobView:
    """A job as the API shows it."""

    record: JobRecord
    position: int | None
    """Place in the queue (0: next to start), or None when not queued."""


class JobRunner:
    """Start, watch, cancel and finish jobs; ``records`` is where their outcome is kept."""

    def __init__(self, records: Records, limits: Limits | None = None) -> None:
        self.records = records
        self.limits = limits or Limits()
        self._ctx = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: dict[str, _Live] = {}
        self._queue: list[str] = []
        self._pool: list[_Worker] = []
        self._warm = False
        self._broken = 0
        self._stop = threading.Event()
        self._seq = itertools.count(1)
        self._thread = threading.Thread(target=self._loop, name="evacuate-jobs", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- API
    def warm(self) -> None:
        """Start the pool's workers now (else at the first job) so the first job is quick."""
        with self._lock:
            self._warm = True
            self._fill()

    def submit(self, kind: str, params: dict[str, Any], scenario_id: str | None) -> JobRecord:
        rec = self.records.new_job(kind, params, scenario_id)
        with self._lock:
            self._jobs[rec.id] = _Live(rec)
            self._queue.append(rec.id)
            self._message(rec.id, {"type": "state", "state": "queued"})
            self._warm = True
            if not self._pool and self._broken >= STARTS:
                self._broken = 0  # a new job: try starting workers again
            self._fill()
        log.info("queued job %s (%s)", rec.id, kind)
        return rec

    def view(self, job_id: str) -> JobView | None:
        with self._lock:
            live = self._jobs.get(job_id)
            if live is not None:
                pos = self._queue.index(job_id) if job_id in self._queue else None
                return JobView(live.record, pos)
        rec = self.records.job(job_id)
        return None if rec is None else JobView(rec, None)

    def stream(self, job_id: str, start: int) -> tuple[list[dict[str, Any]], bool]:
        """Messages from index ``start`` on, and whether the job is over."""
        with self._lock:
            live = self._jobs.get(job_id)
            if live is None:
                return [], True
            return live.stream[start:], live.record.state in FINAL

    def cancel(self, job_id: str) -> JobRecord | None:
        with self._lock:
            live = self._jobs.get(job_id)
            if live is None or live.record.state in FINAL:
                return None if live is None else live.record
            if job_id in self._queue:
                self._queue.remove(job_id)
                self._finish(live, "cancelled", "cancelled before it started")
            else:
                live.cancel = True
                if live.worker is not None:
                    live.worker.process.terminate()
            return live.record

    def running(self) -> list[str]:
        with self._lock:
            return [j for j, lv in self._jobs.items() if lv.record.state == "running"]

    def pid(self, job_id: str) -> int | None:
        """The process id of the worker running the job (for tests that kill workers)."""
        with self._lock:
            live = self._jobs.get(job_id)
            if live is None or live.worker is None:
                return None
            return int(live.worker.process.pid)

    def workers(self) -> list[int]:
        """Process ids of the pool's live workers."""
        with self._lock:
            return [int(w.process.pid) for w in self._pool if w.process.is_alive()]

    def close(self) -> None:
        """Stop every worker (their jobs fail: the server stopped) and the supervisor."""
        self._stop.set()
        self._thread.join(timeout=10)
        with self._lock:
            for live in self._jobs.values():
                if live.record.state == "running" and live.worker is not None:
                    live.worker.process.kill()
                    live.worker.process.join(5)
                    self._finish(live, "failed", "the server stopped while the job ran")
                elif live.record.state == "queued":
                    self._finish(live, "cancelled", "the server stopped before it started")
            for w in self._pool:
                w.process.kill()
                w.process.join(5)
                w.conn.close()
            self._pool = []

    # ----------------------------------------------------------------- pool
    def _fill(self) -> None:
        """Start workers until the pool has ``max_jobs`` (once warm)."""
        while (
            self._warm
            and not self._stop.is_set()
            and self._broken < STARTS
            and len(self._pool) < self.limits.max_jobs
        ):
            parent, child = self._ctx.Pipe(duplex=True)
            proc = self._ctx.Process(
                target=work.serve,
                args=(child,),
                kwargs={"memory_mb": self.limits.memory_mb},
                name="evacuate-worker",
                daemon=True,
            )
            proc.start()
            child.close()
            self._pool.append(_Worker(proc, parent))
            log.info("started worker process %s", proc.pid)

    def _retire(self, w: _Worker) -> None:
        """Take a worker out of the pool (killed if still alive); a fresh one replaces it."""
        if w in self._pool:
            self._pool.remove(w)
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5)
        w.conn.close()
        self._fill()

    # ----------------------------------------------------------------- supervisor
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # the supervisor must outlive any one job's trouble
                log.exception("job supervisor")
                time.sleep(0.5)

    def _tick(self) -> None:
        with self._lock:
            self._start_queued()
            conns = {w.conn: w for w in self._pool}
        ready = mpc.wait(list(conns), timeout=0.2) if conns else []
        if not conns:
            time.sleep(0.1)
        with self._lock:
            for conn in ready:
                w = conns[conn]  # type: ignore[index]
                if w in self._pool:
                    self._drain(w)
            now = time.monotonic()
            for w in list(self._pool):
                live = None if w.job is None else self._jobs[w.job]
                if live is not None and now - live.started > self.limits.seconds:
                    self._finish(live, "failed", f"time limit of {self.limits.seconds:g} s reached")
                    self._retire(w)
                elif not w.process.is_alive() and not w.conn.poll():
                    self._died(w)

    def _died(self, w: _Worker) -> None:
        """A worker that is gone: its job (if any) is over, and it is replaced."""
        w.process.join(5)
        live = None if w.job is None else self._jobs[w.job]
        if live is not None:
            if live.cancel:
                self._finish(live, "cancelled", "cancelled while running")
            else:
                self._finish(live, "failed", _exit_text(w.process.exitcode))
        elif not w.ready:
            self._broken += 1
            why = _exit_text(w.process.exitcode).replace("before it finished", "as it started")
            log.error("worker %s: %s", w.process.pid, why)
            if self._broken >= STARTS:
                for job_id in self._queue:
                    self._finish(
                        self._jobs[job_id],
                        "failed",
                        f"no worker process could start ({STARTS} tried; the last: {why})",
                    )
                self._queue.clear()
        self._retire(w)

    def _start_queued(self) -> None:
        for w in self._pool:
            if not self._queue:
                return
            if not w.ready or w.job is not None:
                continue
            job_id = self._queue.pop(0)
            live = self._jobs[job_id]
            rec = live.record
            tmp = self.records.scratch(rec.id)
            tmp.mkdir(parents=True, exist_ok=True)
            w.conn.send(
                {
                    "kind": rec.kind,
                    "params": rec.params,
                    "text": self.records.scenario_text(rec),
                    "scratch": str(tmp),
                }
            )
            w.job, live.worker, live.started = job_id, w, time.monotonic()
            live.record = self.records.update(rec.id, state="running", started=_now())
            self._message(job_id, {"type": "state", "state": "running"})
            log.info("started job %s in worker %s", rec.id, w.process.pid)

    def _drain(self, w: _Worker) -> None:
        while w in self._pool and w.conn.poll():
            try:
                msg = w.conn.recv()
            except (EOFError, OSError):  # the worker is gone without saying it was done
                self._died(w)
                return
            kind = msg.get("type")
            if kind == "ready":
                w.ready = True
                self._broken = 0
                continue
            live = None if w.job is None else self._jobs[w.job]
            if live is None:
                continue
            if kind == "progress":
                live.record = self.records.update(
                    live.record.id, progress=float(msg["progress"]), message=str(msg["message"])
                )
                self._message(live.record.id, msg)
            elif kind == "events":
                self._message(live.record.id, msg)
            elif kind in ("done", "error"):
                w.job, live.worker = None, None
                w.served += 1
                if kind == "done" and not live.cancel:
                    self._complete(live, msg)
                elif live.cancel:
                    self._finish(live, "cancelled", "cancelled while running")
                else:
                    self._finish(live, "failed", str(msg["message"]))
                if kind == "error" or live.cancel or w.served >= self.limits.recycle:
                    self._retire(w)  # a failed job's worker is not trusted with the next one
                self._start_queued()

    def _complete(self, live: _Live, msg: dict[str, Any]) -> None:
        try:
            text = self.records.scenario_text(live.record)
            data = None if text is None else evacuate.loads(text).to_data()
            self.records.save_result(
                live.record, msg["result"], self.records.scratch(live.record.id), data
            )
        except Exception as exc:  # a result the server cannot keep is a failed job
            log.exception("keeping the result of job %s", live.record.id)
            self._finish(live, "failed", f"could not keep the result: {exc}")
            return
        self._finish(live, "done", msg.get("message", "done"), progress=1.0)

    def _finish(
        self, live: _Live, state: State, message: str, progress: float | None = None
    ) -> None:
        if live.record.state in FINAL:
            return
        fields: dict[str, Any] = {"state": state, "message": message, "finished": _now()}
        if progress is not None:
            fields["progress"] = progress
        if state != "done":
            fields["error"] = message if state == "failed" else None
        live.record = self.records.update(live.record.id, **fields)
        if live.worker is not None:
            live.worker.job = None
            live.worker = None
        shutil.rmtree(self.records.scratch(live.record.id), ignore_errors=True)
        self._message(
            live.record.id,
            {"type": "state", "state": state, "message": message, "run": live.record.run_id},
        )
        log.info("job %s %s: %s", live.record.id, state, message)

    def _message(self, job_id: str, msg: dict[str, Any]) -> None:
        live = self._jobs[job_id]
        if msg.get("type") == "events" and len(live.stream) >= MAX_STREAM:
            return
        live.stream.append({"seq": len(live.stream), **msg})


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker was killed ({name}) before it finished"
    return f"the worker exited (code {code}) before it finished"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
