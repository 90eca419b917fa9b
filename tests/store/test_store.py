"""The run store against SQLite and a real PostgreSQL server: writes, reads, migrations."""

from __future__ import annotations

import doctest
import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

import evacuate
import evacuate.store
from evacuate.store import StoreError, content_hash, open_store, resolve_url
from evacuate.store.export import runs_table, write_table


def test_doctest_in_package_docstring() -> None:
    """The usage shown in the package docstring runs as written."""
    result = doctest.testmod(evacuate.store, raise_on_error=False, verbose=False)
    assert result.attempted > 5 and result.failed == 0


def test_migrations_create_every_table(store_url: str) -> None:
    """Opening an empty database runs the shipped migrations; opening again is a no-op."""
    store = open_store(store_url, artifacts="unused")
    tables = set(inspect(store.engine).get_table_names())
    assert {"scenarios", "runs", "params", "metrics", "series", "artifacts"} <= tables
    assert "alembic_version" in tables
    store.close()
    open_store(store_url, artifacts="unused").close()


def test_scenario_by_content_hash(store_url: str) -> None:
    """A scenario is stored once per content; reading it back gives the same data."""
    scenario = evacuate.load("examples/hurricane_bus.yaml")
    with open_store(store_url, artifacts="unused") as store:
        h1 = store.put_scenario(scenario)
        h2 = store.put_scenario(scenario)
        other = store.put_scenario(scenario.variant(scenario.variant_names[0]))
        assert h1 == h2 != other
        assert h1 == content_hash(scenario.to_data())
        assert store.get_scenario(h1) == scenario.to_data()
        assert [h for h, _, _ in store.scenarios()].count(h1) == 1
        loaded = evacuate.scenario.from_dict(store.get_scenario(h1))
        assert loaded == scenario


def test_run_life_cycle(store_url: str, tmp_path: Path) -> None:
    """Params, metrics, series and artifacts written step by step read back unchanged."""
    with open_store(store_url, artifacts=tmp_path / "art") as store:
        run = store.start_run("plan", params={"time_limit": 2.5, "objective": "max-rescued"})
        assert store.get_run(run).status == "running"
        store.log_metrics(run, {"rescued": 17000, "gap": 0.0125, "makespan": float("nan")})
        store.log_metrics(run, {"rescued": 17001})
        store.log_series(run, "rescued", [(0, 0), (1.5, 10), (3, 25)])
        art = store.log_artifact(
            run, "plan.json", data='{"trips": []}', media_type="application/json"
        )
        store.finish_run(run, seconds=1.25)
        r = store.get_run(run[:8])
        assert r.id == run and r.status == "finished" and r.seconds == 1.25
        assert r.params == {"objective": "max-rescued", "time_limit": 2.5}
        assert r.metrics == {"gap": 0.0125, "makespan": None, "rescued": 17001.0}
        assert store.series(run) == {"rescued": [(0.0, 0.0), (1.5, 10.0), (3.0, 25.0)]}
        assert r.artifacts == (art,)
        assert art.path is not None and art.path.read_text() == '{"trips": []}'
        assert r.versions["evacuate"] == evacuate.__version__
        with pytest.raises(StoreError, match="no run"):
            store.get_run("nonexistent")
        with pytest.raises(ValueError, match="run kind"):
            store.start_run("dance")


def test_sweep_children_resume_keys(store_url: str) -> None:
    """Children recorded under a parent are keyed; re-recording a key replaces the old one."""
    with open_store(store_url, artifacts="unused") as store:
        sweep = store.start_run("sweep", params={"samples": 3})
        for i in range(3):
            store.record(
                "sample",
                parent=sweep,
                key=f"{i}/base",
                metrics={"rescued": float(i)},
                series={"rescued": [(0.0, 0.0), (1.0, float(i))]},
                seed=i,
            )
        store.record("sample", parent=sweep, key="1/base", metrics={"rescued": 10.0})
        store.record("sample", parent=sweep, key="3/base", status="failed", error="boom")
        assert store.child_keys(sweep) == {"0/base", "1/base", "2/base"}
        assert store.count_runs(parent=sweep) == 4
        children = store.list_runs(parent=sweep)
        assert [c.key for c in children] == ["0/base", "1/base", "2/base", "3/base"]
        assert children[1].metrics == {"rescued": 10.0}
        assert store.children_series(sweep, "rescued") == {
            "0/base": [(0.0, 0.0), (1.0, 0.0)],
            "2/base": [(0.0, 0.0), (1.0, 2.0)],
        }
        rows = dict(store.compare([children[0].id, children[2].id]))
        assert rows["metric.rescued"] == [0.0, 2.0]
        store.delete_run(sweep)
        assert store.count_runs() == 0


def test_export_csv_and_parquet(tmp_path: Path) -> None:
    """Exported tables have one row per run and the params and metrics as columns."""
    import pyarrow.parquet as pq

    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        for i in range(3):
            store.record("simulate", params={"policy": "follow", "n": i}, metrics={"rescued": i})
        runs = store.list_runs()
    columns, rows = runs_table(runs)
    assert "param.policy" in columns and "metric.rescued" in columns and len(rows) == 3
    write_table(runs, tmp_path / "runs.csv")
    lines = (tmp_path / "runs.csv").read_text().splitlines()
    assert lines[0].split(",") == columns and len(lines) == 4
    write_table(runs, tmp_path / "runs.parquet")
    table = pq.read_table(tmp_path / "runs.parquet")
    assert table.num_rows == 3 and sorted(table.column("metric.rescued").to_pylist()) == [0, 1, 2]
    assert not list(tmp_path.glob(".*.part"))


def test_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare path is a SQLite file; postgresql:// uses psycopg 3; EVACUATE_STORE is the default."""
    monkeypatch.delenv("EVACUATE_STORE", raising=False)
    assert resolve_url("runs.db") == "sqlite:///runs.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url() == "sqlite:///evacuate-runs.db"
    monkeypatch.setenv("EVACUATE_STORE", "sqlite:////tmp/x.db")
    assert resolve_url() == "sqlite:////tmp/x.db"


def test_unreachable_store_is_a_clear_error() -> None:
    """A store that cannot be opened raises StoreError naming the URL, password hidden."""
    with pytest.raises(StoreError, match=r"cannot open the run store at .*\*\*\*"):
        open_store("postgresql://me:secret@127.0.0.1:1/none")


def _writer(url: str, worker: int) -> None:
    with open_store(url) as store:
        parent = store.list_runs(kind="sweep")[0].id
        for i in range(20):
            store.record("sample", parent=parent, key=f"{worker}/{i}", metrics={"i": i})


def test_sqlite_concurrent_writers_wait_instead_of_failing(tmp_path: Path) -> None:
    """Several processes writing to one SQLite file at once all succeed (busy timeout, WAL)."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with open_store(url) as store:
        sweep = store.start_run("sweep")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with open_store(url) as store:
        assert len(store.child_keys(sweep)) == 60


def test_sqlite_readers_read_alongside_an_open_write(tmp_path: Path) -> None:
    """On SQLite a read does not queue behind a transaction holding the write lock: it sees the
    last commit at once (WAL), while a write still takes the lock first."""
    with open_store(f"sqlite:///{tmp_path / 'read.db'}") as store:
        run = store.record("plan", metrics={"rescued": 1})
        writer = store.engine.connect().execution_options(immediate=True)
        # the pool is shut down after the write ends, so a reader that waits fails, not hangs
        with writer, ThreadPoolExecutor(1) as pool, writer.begin():
            writer.execute(text("UPDATE metrics SET value = 2 WHERE run_id = :r"), {"r": run})
            # a reader that took the write lock would wait out the 60 s busy timeout
            read = pool.submit(lambda: store.get_run(run).metrics)
            assert read.result(timeout=30) == {"rescued": 1.0}
        assert store.get_run(run).metrics == {"rescued": 2.0}
