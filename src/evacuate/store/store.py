"""``Store``: open a run store by URL, write runs as they finish, read and compare them.

SQLite (a file; the default) and PostgreSQL are tested. SQLite runs in WAL mode with a busy
timeout, and the sweep funnels every write through its coordinator process, so there is one
writer at a time and no "database is locked". A run is written in one transaction by
``record`` (a finished piece of work, all or nothing) or step by step (``start_run``,
``log_*``, ``finish_run``) for long work that should be visible while it runs. What a run
looks like read back (``RunRecord``) and the row conversions are in ``evacuate.store.records``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from evacuate.files import atomic_write
from evacuate.store.models import (
    ArtifactRow,
    MetricRow,
    ParamRow,
    RunRow,
    ScenarioRow,
    SeriesRow,
)
from evacuate.store.records import (
    KINDS,
    STATUSES,
    Artifact,
    RunRecord,
    StoreError,
    canonical,
    content_hash,
    full_load,
    json_param,
    metric_value,
    record_of,
    series_rows,
    utc_now,
    versions,
)

__all__ = [
    "DEFAULT_URL",
    "KINDS",
    "STATUSES",
    "Artifact",
    "RunRecord",
    "Store",
    "StoreError",
    "content_hash",
    "open_store",
    "resolve_url",
    "versions",
]

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///evacuate-runs.db"
"""Used when neither a URL nor ``EVACUATE_STORE`` is given: a file in the working directory."""
_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x65766163  # "evac": the advisory lock PostgreSQL migrations hold


def resolve_url(url: str | None = None) -> str:
    """The store URL to use: ``url``, else ``EVACUATE_STORE``, else ``DEFAULT_URL``. A bare file
    path means a SQLite file; ``postgresql://`` means the psycopg (3) driver."""
    url = url or os.environ.get("EVACUATE_STORE") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Store:
    """A run store at ``url`` (see ``open_store``)."""

    def __init__(
        self, url: str | None = None, *, artifacts: str | Path | None = None, create: bool = True
    ) -> None:
        self.url = resolve_url(url)
        try:
            parsed = make_url(self.url)
        except Exception as exc:
            raise StoreError(f"cannot read store URL {self.url!r}: {exc}") from exc
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(
                f"cannot open a run store at {parsed.render_as_string(hide_password=True)!r}:"
                " expected sqlite:///FILE, a file path or postgresql://USER@HOST/DATABASE"
            )
        self.is_sqlite = backend == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            db = parsed.database
            if db and db != ":memory:":
                path = Path(db).expanduser()
                if not create and not path.exists():
                    raise StoreError(self._nothing_stored("no such file"))
                if not create and path.is_file() and path.stat().st_size == 0:
                    raise StoreError(self._nothing_stored("the file is empty"))
                path.parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 60}
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except Exception as exc:  # a driver that is not installed, options it refuses
            raise StoreError(f"cannot open the run store at {self.safe_url}: {exc}") from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        # on SQLite a session that writes takes the write lock when it begins (BEGIN
        # IMMEDIATE), so one that reads and then writes waits (busy timeout) instead of failing
        # at once with "database is locked" when another process wrote in between; a session
        # that only reads begins deferred and, under WAL, reads alongside a writer
        writer = self.engine.execution_options(immediate=True) if self.is_sqlite else self.engine
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(writer, expire_on_commit=False)
        self.artifact_root = Path(artifacts) if artifacts else self._default_artifacts(parsed)
        try:
            found = create or inspect(self.engine).has_table("alembic_version")
            if found:
                self.upgrade()
        except Exception as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open the run store at {self.safe_url}: {exc}") from exc
        if not found:
            self.engine.dispose()
            raise StoreError(self._nothing_stored("the database holds no run store"))

    # ------------------------------------------------------------------ set-up
    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def _nothing_stored(self, why: str) -> str:
        return (
            f"no run store at {self.safe_url} ({why}): nothing was recorded there; plan,"
            " simulate, sweep and sabotage record runs with --store URL"
        )

    def _default_artifacts(self, parsed: Any) -> Path:
        env = os.environ.get("EVACUATE_ARTIFACTS")
        if env:
            return Path(env)
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            return Path(parsed.database + ".artifacts")
        return Path("evacuate-artifacts")

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent; done on opening)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        # one process migrates at a time: the others wait, then find the schema up to date
        with (
            self.engine.connect().execution_options(immediate=True) as connection,
            connection.begin(),
        ):
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """A transaction, committed on leaving; ``write`` for one that may write (on SQLite it
        takes the write lock up front; a reader takes none)."""
        with (self._writers if write else self._readers).begin() as session:
            yield session

    # ------------------------------------------------------------------ scenarios
    def put_scenario(self, scenario: Any) -> str:
        """Store a scenario (an ``evacuate.Scenario`` or its file data) once; its hash."""
        data = scenario.to_data() if hasattr(scenario, "to_data") else dict(scenario)
        digest = content_hash(data)
        meta = data.get("scenario", {}) if isinstance(data.get("scenario"), dict) else {}
        with self._session(write=True) as s:
            if s.get(ScenarioRow, digest) is None:
                s.add(
                    ScenarioRow(
                        hash=digest,
                        scenario_id=str(meta.get("id", "")),
                        name=str(meta.get("name", "")),
                        content=canonical(data),
                        created_at=utc_now(),
                    )
                )
        return digest

    def get_scenario(self, digest: str) -> dict[str, Any]:
        """A stored scenario's data (load it with ``evacuate.scenario.from_dict``)."""
        with self._session() as s:
            row = s.get(ScenarioRow, digest)
            if row is None:
                raise StoreError(f"no scenario with hash {digest} in {self.safe_url}")
            data: dict[str, Any] = json.loads(row.content)
            return data

    def scenarios(self) -> list[tuple[str, str, str]]:
        """``(hash, scenario id, name)`` of every stored scenario, oldest first."""
        with self._session() as s:
            rows = s.scalars(select(ScenarioRow).order_by(ScenarioRow.created_at)).all()
            return [(r.hash, r.scenario_id, r.name) for r in rows]

    # ------------------------------------------------------------------ writing
    def start_run(
        self,
        kind: str,
        *,
        scenario: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: int | None = None,
        variant: str | None = None,
        parent: str | None = None,
        key: str | None = None,
        name: str = "",
    ) -> str:
        """Open a run (status ``running``); its id. ``scenario`` is a hash from
        ``put_scenario``; ``parent`` and ``key`` place it in a sweep."""
        if kind not in KINDS:
            raise ValueError(f"unknown run kind {kind!r}; expected one of {', '.join(KINDS)}")
        run_id = uuid.uuid4().hex
        with self._session(write=True) as s:
            s.add(
                RunRow(
                    id=run_id,
                    kind=kind,
                    name=name,
                    parent_id=parent,
                    key=key,
                    scenario_hash=scenario,
                    variant=variant,
                    seed=seed,
                    status="running",
                    started_at=utc_now(),
                    versions=versions(),
                    params=[
                        ParamRow(key=k, value=json_param(v)) for k, v in (params or {}).items()
                    ],
                )
            )
        return run_id

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        with self._session(write=True) as s:
            for k, v in params.items():
                s.merge(ParamRow(run_id=run_id, key=k, value=json_param(v)))

    def log_metrics(self, run_id: str, metrics: Mapping[str, float | int | None]) -> None:
        with self._session(write=True) as s:
            for k, v in metrics.items():
                s.merge(MetricRow(run_id=run_id, key=k, value=metric_value(v)))

    def log_series(self, run_id: str, key: str, points: Iterable[tuple[float, float]]) -> None:
        """Store (replace) the series ``key`` of a run: ``(t, value)`` points in order."""
        with self._session(write=True) as s:
            s.execute(delete(SeriesRow).where(SeriesRow.run_id == run_id, SeriesRow.key == key))
            s.add_all(series_rows(run_id, key, points))

    def log_artifact(
        self,
        run_id: str,
        name: str,
        *,
        data: bytes | str | None = None,
        path: str | Path | None = None,
        uri: str | None = None,
        media_type: str = "application/octet-stream",
    ) -> Artifact:
        """Attach a file to a run: ``data`` or a local ``path`` is copied under the artifact
        root (``<root>/<run id>/<name>``); a ``uri`` is recorded as it is."""
        if sum(x is not None for x in (data, path, uri)) != 1:
            raise ValueError("give exactly one of data, path or uri")
        size = digest = None
        if uri is None:
            if "/" in name or "\\" in name or name in ("", ".", ".."):
                raise ValueError(f"artifact name {name!r} must be a plain file name")
            target = self.artifact_root / run_id / name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = path
            if source is not None:
                atomic_write(target, lambda tmp: shutil.copyfile(source, tmp))
            else:
                atomic_write(target, data.encode() if isinstance(data, str) else data or b"")
            content = target.read_bytes()
            size, digest = len(content), hashlib.sha256(content).hexdigest()
            uri = "file://" + str(target.resolve())
        art = Artifact(name, uri, media_type, size, digest)
        with self._session(write=True) as s:
            s.merge(
                ArtifactRow(
                    run_id=run_id,
                    name=name,
                    uri=uri,
                    media_type=media_type,
                    size=size,
                    sha256=digest,
                )
            )
        return art

    def finish_run(
        self,
        run_id: str,
        status: str = "finished",
        *,
        seconds: float | None = None,
        error: str | None = None,
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        with self._session(write=True) as s:
            row = s.get(RunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id} in {self.safe_url}")
            row.status = status
            row.ended_at = utc_now()
            row.error = error
            if seconds is None:
                seconds = (row.ended_at - row.started_at).total_seconds()
            row.seconds = seconds

    def record(
        self,
        kind: str,
        *,
        scenario: str | None = None,
        params: Mapping[str, Any] | None = None,
        metrics: Mapping[str, float | int | None] | None = None,
        series: Mapping[str, Sequence[tuple[float, float]]] | None = None,
        seed: int | None = None,
        variant: str | None = None,
        parent: str | None = None,
        key: str | None = None,
        name: str = "",
        status: str = "finished",
        seconds: float | None = None,
        error: str | None = None,
    ) -> str:
        """Write a finished run with its metrics and series in one transaction; its id.
        A run already stored under the same ``parent`` and ``key`` is replaced."""
        run_id = uuid.uuid4().hex
        now = utc_now()
        with self._session(write=True) as s:
            if parent is not None and key is not None:
                s.execute(delete(RunRow).where(RunRow.parent_id == parent, RunRow.key == key))
            s.add(
                RunRow(
                    id=run_id,
                    kind=kind,
                    name=name,
                    parent_id=parent,
                    key=key,
                    scenario_hash=scenario,
                    variant=variant,
                    seed=seed,
                    status=status,
                    started_at=now - dt.timedelta(seconds=seconds or 0.0),
                    ended_at=now,
                    seconds=seconds,
                    versions=versions(),
                    error=error,
                    params=[
                        ParamRow(key=k, value=json_param(v)) for k, v in (params or {}).items()
                    ],
                    metrics=[
                        MetricRow(key=k, value=metric_value(v)) for k, v in (metrics or {}).items()
                    ],
                )
            )
            s.flush()
            for k, points in (series or {}).items():
                s.add_all(series_rows(run_id, k, points))
        return run_id

    def delete_run(self, run_id: str) -> None:
        """Delete a run, its children and everything they logged (artifact files stay)."""
        with self._session(write=True) as s:
            children = s.scalars(select(RunRow.id).where(RunRow.parent_id == run_id)).all()
            ids = [run_id, *children]
            for table in (ParamRow, MetricRow, SeriesRow, ArtifactRow):
                s.execute(delete(table).where(table.run_id.in_(ids)))
            s.execute(delete(RunRow).where(RunRow.id.in_(children)))
            s.execute(delete(RunRow).where(RunRow.id == run_id))

    # ------------------------------------------------------------------ reading
    def get_run(self, run_id: str) -> RunRecord:
        """A run by id (or by a unique prefix of at least 6 characters)."""
        with self._session() as s:
            row = s.get(RunRow, run_id, options=full_load())
            if row is None and len(run_id) >= 6:
                rows = s.scalars(
                    select(RunRow)
                    .where(RunRow.id.startswith(run_id))
                    .options(*full_load())
                    .limit(2)
                ).all()
                row = rows[0] if len(rows) == 1 else None
            if row is None:
                raise StoreError(f"no run {run_id!r} in {self.safe_url}")
            return record_of(row)

    def list_runs(
        self,
        *,
        kind: str | None = None,
        parent: str | None = None,
        top_level: bool = False,
        status: str | None = None,
        scenario: str | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first (a sweep's samples: ``parent=``, ordered by key)."""
        q = select(RunRow).options(*full_load())
        if kind is not None:
            q = q.where(RunRow.kind == kind)
        if parent is not None:
            q = q.where(RunRow.parent_id == parent).order_by(RunRow.key)
        elif top_level:
            q = q.where(RunRow.parent_id.is_(None))
        if status is not None:
            q = q.where(RunRow.status == status)
        if scenario is not None:
            q = q.where(RunRow.scenario_hash == scenario)
        q = q.order_by(RunRow.started_at.desc(), RunRow.id)
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            return [record_of(r) for r in s.scalars(q).all()]

    def count_runs(self, *, parent: str | None = None, status: str | None = None) -> int:
        q = select(func.count()).select_from(RunRow)
        if parent is not None:
            q = q.where(RunRow.parent_id == parent)
        if status is not None:
            q = q.where(RunRow.status == status)
        with self._session() as s:
            return int(s.scalar(q) or 0)

    def child_keys(self, parent: str, *, status: str | None = "finished") -> set[str]:
        """Keys of a run's children (by default the finished ones): what a resume skips."""
        q = select(RunRow.key).where(RunRow.parent_id == parent)
        if status is not None:
            q = q.where(RunRow.status == status)
        with self._session() as s:
            return {k for k in s.scalars(q).all() if k is not None}

    def series(self, run_id: str, key: str | None = None) -> dict[str, list[tuple[float, float]]]:
        """A run's series (all, or just ``key``) as ``{key: [(t, value), ...]}``."""
        q = select(SeriesRow).where(SeriesRow.run_id == run_id)
        if key is not None:
            q = q.where(SeriesRow.key == key)
        out: dict[str, list[tuple[float, float]]] = {}
        with self._session() as s:
            for r in s.scalars(q.order_by(SeriesRow.key, SeriesRow.step)).all():
                out.setdefault(r.key, []).append((r.t, r.value))
        return out

    def children_series(self, parent: str, key: str) -> dict[str, list[tuple[float, float]]]:
        """The series ``key`` of every child of ``parent``, by child key, in one query."""
        q = (
            select(RunRow.key, SeriesRow.t, SeriesRow.value)
            .join(SeriesRow, SeriesRow.run_id == RunRow.id)
            .where(RunRow.parent_id == parent, SeriesRow.key == key)
            .order_by(RunRow.key, SeriesRow.step)
        )
        out: dict[str, list[tuple[float, float]]] = {}
        with self._session() as s:
            for k, t, v in s.execute(q).all():
                out.setdefault(str(k), []).append((float(t), float(v)))
        return out

    def compare(self, run_ids: Sequence[str]) -> list[tuple[str, list[Any]]]:
        """Rows ``(name, [value per run])``: identity, then every param and metric any of the
        runs has (missing ones are ``None``)."""
        runs = [self.get_run(r) for r in run_ids]
        rows: list[tuple[str, list[Any]]] = [
            ("id", [r.id for r in runs]),
            ("kind", [r.kind for r in runs]),
            ("status", [r.status for r in runs]),
            ("scenario", [r.scenario_hash[:12] if r.scenario_hash else None for r in runs]),
            ("variant", [r.variant for r in runs]),
            ("seed", [r.seed for r in runs]),
            ("seconds", [r.seconds for r in runs]),
        ]
        for kind, attr in (("param", "params"), ("metric", "metrics")):
            names = sorted({k for r in runs for k in getattr(r, attr)})
            rows += [(f"{kind}.{k}", [getattr(r, attr).get(k) for r in runs]) for k in names]
        return rows


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # transactions are begun by _sqlite_begin, so that schema changes are transactional too
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_store(
    url: str | None = None, *, artifacts: str | Path | None = None, create: bool = True
) -> Store:
    """Open (creating or upgrading) the run store at ``url``; see ``resolve_url``.

    ``create=False`` (commands that only read): a store that does not exist yet is a
    ``StoreError``, and nothing is written (no file, folder or tables made)."""
    return Store(url, artifacts=artifacts, create=create)
