"""What the run store holds, as Python sees it: ``RunRecord`` and ``Artifact`` read back, the
run kinds and statuses, content hashes, and the conversions between rows and records that
``Store`` uses on both ways in and out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.orm import selectinload

from evacuate.errors import EvacuateError
from evacuate.store.models import RunRow, SeriesRow

__all__ = [
    "KINDS",
    "STATUSES",
    "Artifact",
    "RunRecord",
    "StoreError",
    "canonical",
    "content_hash",
    "full_load",
    "json_param",
    "metric_value",
    "record_of",
    "series_rows",
    "utc_now",
    "versions",
]

KINDS = ("plan", "simulate", "sweep", "sample", "sabotage", "report")
STATUSES = ("running", "finished", "failed", "killed")
PACKAGES = ("evacuate", "numpy", "scipy", "highspy", "ortools", "sqlalchemy")


class StoreError(EvacuateError):
    """The store cannot be opened or a run asked for does not exist."""


@dataclass(frozen=True)
class Artifact:
    name: str
    uri: str
    media_type: str
    size: int | None = None
    sha256: str | None = None

    @property
    def path(self) -> Path | None:
        """The local file, when the URI is a ``file://`` URI."""
        return Path(self.uri.removeprefix("file://")) if self.uri.startswith("file://") else None


@dataclass(frozen=True)
class RunRecord:
    """One stored run, as read back (series are read separately: ``Store.series``)."""

    id: str
    kind: str
    status: str
    started_at: dt.datetime
    name: str = ""
    parent_id: str | None = None
    key: str | None = None
    scenario_hash: str | None = None
    variant: str | None = None
    seed: int | None = None
    ended_at: dt.datetime | None = None
    seconds: float | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    artifacts: tuple[Artifact, ...] = ()
    error: str | None = None


def versions() -> dict[str, str]:
    """The software a run ran with: Python and the packages that shape results."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of canonical JSON (sorted keys, no spaces): equal content, equal hash."""
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def json_param(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def metric_value(value: float | int | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if v == v else None  # NaN is stored as missing


def series_rows(run_id: str, key: str, points: Iterable[tuple[float, float]]) -> list[SeriesRow]:
    return [
        SeriesRow(run_id=run_id, key=key, step=i, t=float(t), value=float(v))
        for i, (t, v) in enumerate(points)
    ]


def full_load() -> list[Any]:
    return [
        selectinload(RunRow.params),
        selectinload(RunRow.metrics),
        selectinload(RunRow.artifacts),
    ]


def record_of(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        name=row.name,
        parent_id=row.parent_id,
        key=row.key,
        scenario_hash=row.scenario_hash,
        variant=row.variant,
        seed=row.seed,
        ended_at=row.ended_at,
        seconds=row.seconds,
        versions=dict(row.versions or {}),
        params={p.key: json.loads(p.value) for p in row.params},
        metrics={m.key: m.value for m in row.metrics},
        artifacts=tuple(
            Artifact(a.name, a.uri, a.media_type, a.size, a.sha256) for a in row.artifacts
        ),
        error=row.error,
    )
