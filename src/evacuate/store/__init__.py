"""The run store: every plan, simulation and sweep sample, with its inputs and results.

SQLAlchemy 2 models with Alembic migrations shipped in the package (applied on opening). A
SQLite file by default (``evacuate-runs.db``); PostgreSQL or any SQLAlchemy URL with ``url=``
or the ``EVACUATE_STORE`` environment variable. Shaped like MLflow's tracking store: scenarios
by content hash; runs (kind, parameters, seed, status, timings, versions) with metrics, series
and artifacts (files under the artifact root, ``<file>.artifacts/`` beside a SQLite file or
``EVACUATE_ARTIFACTS``, or any URI). This package stores results; it runs no algorithm.

>>> from evacuate.store import open_store
>>> store = open_store("sqlite:///:memory:")          # or "postgresql://user@host/db"
>>> h = store.put_scenario({"scenario": {"id": "demo", "end": 10}})
>>> run = store.start_run("simulate", scenario=h, params={"policy": "replan"}, seed=7)
>>> store.log_metrics(run, {"rescued": 1200, "lost": 30})
>>> store.log_series(run, "rescued", [(0.0, 0.0), (4.5, 800.0), (9.0, 1200.0)])
>>> art = store.log_artifact(run, "note.txt", uri="https://example.org/note.txt")
>>> store.finish_run(run)
>>> r = store.get_run(run)
>>> (r.kind, r.status, r.seed, r.params["policy"], r.metrics["rescued"])
('simulate', 'finished', 7, 'replan', 1200.0)
>>> store.series(run)["rescued"][-1]
(9.0, 1200.0)
>>> [row for row in store.compare([run]) if row[0] == "metric.lost"]
[('metric.lost', [30.0])]
>>> done = store.record("sample", parent=run, key="0/base", metrics={"rescued": 1.0})
>>> store.child_keys(run)
{'0/base'}
>>> len(store.list_runs(kind="simulate"))
1

``record`` writes a whole finished run (metrics and series) in one transaction, so a sweep
killed half-way keeps exactly the samples it finished. ``evacuate.store.export.write_table``
writes runs to CSV or Parquet.
"""

from evacuate.store.store import (
    DEFAULT_URL,
    KINDS,
    STATUSES,
    Artifact,
    RunRecord,
    Store,
    StoreError,
    content_hash,
    open_store,
    resolve_url,
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
