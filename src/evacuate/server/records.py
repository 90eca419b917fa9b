"""What the server keeps: scenarios, jobs and runs, in one data folder.

Every name the server writes is one it made itself (a content hash, a random id, a fixed file
name), checked against a strict pattern before use: nothing a request says reaches the file
system unchecked. Records are written whole (temporary file, then rename), so a crash leaves
the old record or the new one. A run's folder appears only when its job is done (a rename of
the worker's scratch folder), so a failed job leaves no run. Jobs that were queued or running
when a previous server stopped are marked failed when the next one opens the folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from evacuate.scenario.load import ROMULAN, builtin_path

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
    id: str
    job_id: str
    kind: str
    scenario_id: str | None
    label: str
    created: str
    headline: dict[str, Any] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


class Records:
    """The server's data folder: ``scenarios/``, ``jobs/``, ``runs/``, ``scratch/``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser().resolve()
        for sub in ("scenarios", "jobs", "runs", "scratch"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._recover()

    def _recover(self) -> None:
        for path in (self.folder / "jobs").glob("*.json"):
            rec = JobRecord(**json.loads(path.read_text(encoding="utf-8")))
            if rec.state in ("queued", "running"):
                log.warning("job %s was %s when the server stopped: failed", rec.id, rec.state)
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
            if path.is_dir():
                for f in path.iterdir():
                    f.unlink()
                path.rmdir()

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
    def save_result(self, job: JobRecord, result: dict[str, Any], scratch: Path) -> RunRecord:
        """Move a finished job's scratch folder into ``runs/`` and record the run."""
        files = tuple(sorted(p.name for p in scratch.iterdir() if _FILE.match(p.name)))
        rec = RunRecord(
            id=job.id,
            job_id=job.id,
            kind=job.kind,
            scenario_id=job.scenario_id,
            label=str(result.get("label") or job.kind),
            created=_now(),
            headline=dict(result.get("headline", {})),
            artifacts=files,
        )
        _write_json(scratch / "result.json", result)
        target = self.folder / "runs" / job.id
        with self._lock:
            os.replace(scratch, target)
            _write_json(self._path("jobs", job.id), asdict(replace(job, run_id=job.id)))
        return rec

    def run(self, run_id: str) -> RunRecord | None:
        result = self.result(run_id)
        job = self.job(run_id)
        if result is None or job is None:
            return None
        return RunRecord(
            id=run_id,
            job_id=run_id,
            kind=job.kind,
            scenario_id=job.scenario_id,
            label=str(result.get("label") or job.kind),
            created=job.finished or job.created,
            headline=dict(result.get("headline", {})),
            artifacts=tuple(a for a in self.artifacts(run_id) if a != "result.json"),
        )

    def runs(self) -> list[RunRecord]:
        out = []
        for path in (self.folder / "runs").iterdir():
            rec = self.run(path.name) if valid_id(path.name) else None
            if rec is not None:
                out.append(rec)
        return sorted(out, key=lambda r: (r.created, r.id), reverse=True)

    def result(self, run_id: str) -> dict[str, Any] | None:
        if not valid_id(run_id):
            return None
        path = self.folder / "runs" / run_id / "result.json"
        if not path.exists():
            return None
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def artifacts(self, run_id: str) -> list[str]:
        if not valid_id(run_id):
            return []
        folder = self.folder / "runs" / run_id
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_file() and _FILE.match(p.name))

    def artifact(self, run_id: str, name: str) -> Path | None:
        """The file of a run's artifact, only if ``name`` is one the run lists."""
        if name not in self.artifacts(run_id):
            return None
        return self.folder / "runs" / run_id / name
