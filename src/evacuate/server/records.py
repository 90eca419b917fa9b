"""What the server keeps: scenarios and jobs in its data folder, runs in the run store.

Every name the server writes is one it made itself (a content hash, a random id, a fixed file
name), checked against a strict pattern before use: nothing a request says reaches the file
system unchecked. Records are written whole (temporary file, then rename), so a crash leaves
the old record or the new one. Runs go to the run store (``evacuate.store``: SQLite in the
data folder by default, PostgreSQL by URL) only when their job is done, so a failed job leaves
no run. Jobs that were queued or running when a previous server stopped are marked failed when
the next one opens the folder (and a run it was recording, failed too).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from evacuate.files import atomic_write
from evacuate.scenario.load import ROMULAN, builtin_path
from evacuate.store import RunRecord as StoredRun
from evacuate.store import StoreError, open_store

__all__ = ["ID", "JobRecord", "Records", "RunRecord", "ScenarioRecord", "valid_id"]

log = logging.getLogger(__name__)

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Scenario, job and run ids: lower-case letters, digits, ``_`` and ``-``."""
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def valid_id(text: str) -> bool:
    return bool(ID.match(text))


@dataclass(frozen=True)
class ScenarioRecord:
    id: str
    name: str
    """The file name it was uploaded as (for messages only; never a path)."""
    created: str
    valid: bool
    builtin: bool = False


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str
    params: dict[str, Any]
    scenario_id: str | None
    state: str = "queued"
    progress: float = 0.0
    message: str = ""
    created: str = ""
    started: str | None = None
    finished: str | None = None
    error: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class RunRecord:
    """A run in the store, as the API lists it."""

    id: str
    kind: str
    status: str
    scenario_hash: str | None
    variant: str | None
    label: str
    created: str
    headline: dict[str, Any] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()
    error: str | None = None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=1))


class Records:
    """The server's data folder: ``scenarios/``, ``jobs/``, ``runs/``, ``scratch/``."""

    def __init__(self, folder: str | Path, store: str | None = None) -> None:
        self.folder = Path(folder).expanduser().resolve()
        for sub in ("scenarios", "jobs", "scratch"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        url = store or f"sqlite:///{self.folder / 'runs.db'}"
        self.store = open_store(url, artifacts=self.folder / "artifacts")
        self._recover()

    def close(self) -> None:
        self.store.close()

    def _recover(self) -> None:
        for path in (self.folder / "jobs").glob("*.json"):
            rec = JobRecord(**json.loads(path.read_text(encoding="utf-8")))
            if rec.state in ("queued", "running"):
                log.warning("job %s was %s when the server stopped: failed", rec.id, rec.state)
                run = None if rec.run_id is None else self._stored(rec.run_id)
                if run is not None and run.status == "running":
                    self.store.finish_run(
                        run.id, "failed", error="the server stopped while recording it"
                    )
                _write_json(
                    path,
                    asdict(
                        replace(
                            rec,
                            state="failed",
                            error="the server stopped while the job was " + rec.state,
                            message="the server stopped while the job was " + rec.state,
                            finished=_now(),
                        )
                    ),
                )
        for path in (self.folder / "scratch").iterdir():
            shutil.rmtree(path, ignore_errors=True)

    def _path(self, sub: str, ident: str, suffix: str = ".json") -> Path:
        if not valid_id(ident):
            raise KeyError(ident)
        return self.folder / sub / f"{ident}{suffix}"

    # ----------------------------------------------------------------- scenarios
    def add_scenario(self, name: str, text: str, valid: bool) -> ScenarioRecord:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        rec = ScenarioRecord(digest, name, _now(), valid)
        with self._lock:
            old = self.scenario(digest)
            if old is not None:
                return old
            self._path("scenarios", digest, ".txt").write_text(text, encoding="utf-8")
            _write_json(self._path("scenarios", digest), asdict(rec))
        return rec

    def scenario(self, ident: str) -> ScenarioRecord | None:
        if ident == ROMULAN:
            return ScenarioRecord(ROMULAN, "romulan.yaml", "", True, builtin=True)
        try:
            path = self._path("scenarios", ident)
        except KeyError:
            return None
        if not path.exists():
            return None
        return ScenarioRecord(**json.loads(path.read_text(encoding="utf-8")))

    def scenario_source(self, ident: str) -> str:
        if ident == ROMULAN:
            return builtin_path().read_text(encoding="utf-8")
        return self._path("scenarios", ident, ".txt").read_text(encoding="utf-8")

    def scenarios(self) -> list[ScenarioRecord]:
        recs = [self.scenario(ROMULAN)]
        for path in sorted((self.folder / "scenarios").glob("*.json")):
            recs.append(ScenarioRecord(**json.loads(path.read_text(encoding="utf-8"))))
        return sorted((r for r in recs if r is not None), key=lambda r: (not r.builtin, r.created))

    # ----------------------------------------------------------------- jobs
    def new_job(self, kind: str, params: dict[str, Any], scenario_id: str | None) -> JobRecord:
        rec = JobRecord(secrets.token_hex(6), kind, params, scenario_id, created=_now())
        with self._lock:
            _write_json(self._path("jobs", rec.id), asdict(rec))
        return rec

    def update(self, job_id: str, **fields: Any) -> JobRecord:
        with self._lock:
            path = self._path("jobs", job_id)
            rec = replace(JobRecord(**json.loads(path.read_text(encoding="utf-8"))), **fields)
            _write_json(path, asdict(rec))
        return rec

    def job(self, job_id: str) -> JobRecord | None:
        try:
            path = self._path("jobs", job_id)
        except KeyError:
            return None
        if not path.exists():
            return None
        return JobRecord(**json.loads(path.read_text(encoding="utf-8")))

    def jobs(self) -> list[JobRecord]:
        recs = [
            JobRecord(**json.loads(p.read_text(encoding="utf-8")))
            for p in (self.folder / "jobs").glob("*.json")
        ]
        return sorted(recs, key=lambda r: (r.created, r.id), reverse=True)

    def scenario_text(self, rec: JobRecord) -> str | None:
        return None if rec.scenario_id is None else self.scenario_source(rec.scenario_id)

    def scratch(self, job_id: str) -> Path:
        if not valid_id(job_id):
            raise KeyError(job_id)
        return self.folder / "scratch" / job_id

    # ----------------------------------------------------------------- runs
    def save_result(
        self, job: JobRecord, result: dict[str, Any], scratch: Path, scenario: Any
    ) -> str:
        """Record a finished job as a run in the store: its scenario, parameters, headline
        figures as metrics, curves as series, a sweep's samples as its children, and the
        worker's files (and the result itself,
        ``result.json``) as artifacts. The run is ``running`` until everything is written, and
        the job knows its id from the start, so a server that dies half-way leaves a run the
        next server marks failed."""
        digest = None if scenario is None else self.store.put_scenario(scenario)
        result = dict(result)
        samples = result.pop("samples", None) or []
        # a sweep's run holds the sweep's settings, as ``evacuate sweep`` stores them
        params = dict(result.get("settings") or job.params)
        run_id = self.store.start_run(
            job.kind,
            scenario=digest,
            params=params,
            seed=params.get("seed"),
            variant=params.get("variant"),
            name=str(result.get("label") or job.kind),
        )
        self.update(job.id, run_id=run_id)
        for sample in samples:  # a sweep's tasks: its children, as the sweep writes them
            self.store.record(
                "sample",
                scenario=digest,
                parent=run_id,
                key=sample["key"],
                variant=sample["variant"],
                seed=sample["seed"],
                params=sample["params"],
                metrics=sample["metrics"],
                series={"rescued": [tuple(p) for p in sample["curve"]]}
                if sample["curve"]
                else None,
                status=sample["status"],
                seconds=sample["seconds"],
                error=sample["error"],
            )
        for path in sorted(scratch.iterdir()):
            if path.is_file() and _FILE.match(path.name):
                self.store.log_artifact(run_id, path.name, path=path, media_type=_media(path.name))
        self.store.log_artifact(
            run_id, "result.json", data=json.dumps(result), media_type="application/json"
        )
        headline = result.get("headline", {})
        self.store.log_metrics(
            run_id,
            {
                k: v
                for k, v in headline.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            },
        )
        for key in ("curve", "lost_curve"):
            if result.get(key):
                points = zip(result[key]["times"], result[key]["values"], strict=True)
                self.store.log_series(run_id, "rescued" if key == "curve" else "lost", points)
        self.store.finish_run(run_id, "finished", seconds=headline.get("seconds"))
        return run_id

    def _stored(self, run_id: str) -> StoredRun | None:
        if not valid_id(run_id):
            return None
        try:
            return self.store.get_run(run_id)
        except StoreError:
            return None

    def run(self, run_id: str) -> RunRecord | None:
        rec = self._stored(run_id)
        return None if rec is None else _run_record(rec)

    def runs(self, limit: int = 500) -> list[RunRecord]:
        """Runs in the store (every kind, not a sweep's samples), newest first."""
        return [_run_record(r) for r in self.store.list_runs(top_level=True, limit=limit)]

    def result(self, run_id: str) -> dict[str, Any] | None:
        """The page's view of a run: the worker's result for runs the server made, else what
        the store holds (metrics as the headline, the rescued series as the curve)."""
        rec = self._stored(run_id)
        if rec is None:
            return None
        path = self.artifact(run_id, "result.json")
        if path is not None:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return data
        series = self.store.series(run_id)
        out: dict[str, Any] = {
            "label": rec.name or rec.kind,
            "kind": rec.kind,
            "headline": dict(rec.metrics),
        }
        if "rescued" in series:
            out["curve"] = {
                "times": [t for t, _ in series["rescued"]],
                "values": [v for _, v in series["rescued"]],
            }
        return out

    def artifacts(self, run_id: str) -> list[str]:
        rec = self._stored(run_id)
        return [] if rec is None else sorted(a.name for a in rec.artifacts)

    def artifact(self, run_id: str, name: str) -> Path | None:
        """The local file of a run's artifact, only if ``name`` is one the run lists."""
        rec = self._stored(run_id)
        if rec is None:
            return None
        for a in rec.artifacts:
            if a.name == name and a.path is not None and a.path.is_file():
                return a.path
        return None


def _media(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _run_record(rec: StoredRun) -> RunRecord:
    return RunRecord(
        id=rec.id,
        kind=rec.kind,
        status=rec.status,
        scenario_hash=rec.scenario_hash,
        variant=rec.variant,
        label=rec.name or rec.kind,
        created=rec.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        headline=dict(rec.metrics),
        artifacts=tuple(sorted(a.name for a in rec.artifacts if a.name != "result.json")),
        error=rec.error,
    )
