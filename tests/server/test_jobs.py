"""Jobs in warm worker processes: the queue, the limits, cancelling, a worker killed mid-job,
and workers reused from job to job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from evacuate.server.jobs import JobRunner, Limits
from evacuate.server.records import Records
from tests.server.conftest import TINY, wait_job


class _Direct:
    """``wait_job``'s view of a runner without HTTP."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner

    def get(self, path: str) -> _Direct:
        self.last = path.rsplit("/", 1)[-1]
        return self

    def json(self) -> dict[str, object]:
        v = self.runner.view(self.last)
        assert v is not None
        return vars(v.record)


def _runner(tmp_path: Path, **kw: float) -> tuple[Records, JobRunner, str]:
    records = Records(tmp_path / "data")
    sid = records.add_scenario("tiny.yaml", TINY, True).id
    return records, JobRunner(records, Limits(**kw)), sid  # type: ignore[arg-type]


def _wait_running(runner: JobRunner, job_id: str, timeout: float = 60) -> int:
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        v = runner.view(job_id)
        pid = runner.pid(job_id)
        if v is not None and v.record.state == "running" and pid is not None:
            return pid
        time.sleep(0.05)
    raise AssertionError("the job never started")


@pytest.mark.slow
def test_at_most_k_jobs_run_the_rest_queue(tmp_path: Path) -> None:
    """With K=1, three jobs run one after another in the order they came."""
    records, runner, sid = _runner(tmp_path, max_jobs=1)
    try:
        ids = [runner.submit("plan", {"time_limit": 1}, sid).id for _ in range(3)]
        positions = [runner.view(i).position for i in ids]  # type: ignore[union-attr]
        assert positions[1:] == [0, 1] or positions == [0, 1, 2]
        most = 0
        while any(runner.view(i).record.state not in ("done", "failed") for i in ids):  # type: ignore[union-attr]
            most = max(most, len(runner.running()))
            time.sleep(0.02)
        assert most == 1
        jobs = [records.job(i) for i in ids]
        assert [j.state for j in jobs] == ["done"] * 3  # type: ignore[union-attr]
        starts = [j.started for j in jobs]  # type: ignore[union-attr]
        assert starts == sorted(starts)  # type: ignore[type-var]
    finally:
        runner.close()


@pytest.mark.slow
def test_worker_killed_mid_job_leaves_it_failed(tmp_path: Path) -> None:
    """SIGKILL to a worker mid-job: the job is failed, no run appears, no scratch is left,
    and the next job still runs."""
    records, runner, _ = _runner(tmp_path, max_jobs=1)
    try:
        # a report simulates every variant and draws them (10-30 s): a simulation of one
        # took under 2 s on a fast idle machine and was done before the kill
        job = runner.submit("report", {"time_limit": 60}, "romulan")
        pid = _wait_running(runner, job.id)
        time.sleep(1.0)  # let it get into the work
        os.kill(pid, signal.SIGKILL)
        done = wait_job(_Direct(runner), job.id, timeout=30)
        assert done["state"] == "failed"
        assert "killed (SIGKILL)" in str(done["error"])
        assert records.job(job.id).run_id is None  # type: ignore[union-attr]
        assert records.store.count_runs() == 0
        assert not (records.folder / "scratch" / job.id).exists()
        assert records.job(job.id).state == "failed"  # type: ignore[union-attr]
        sid = records.add_scenario("tiny.yaml", TINY, True).id
        nxt = runner.submit("plan", {"time_limit": 1}, sid)
        assert wait_job(_Direct(runner), nxt.id)["state"] == "done"
        assert [r.kind for r in records.store.list_runs()] == ["plan"]
        assert pid not in runner.workers() and len(runner.workers()) == 1  # replaced
    finally:
        runner.close()


@pytest.mark.slow
def test_warm_workers_take_job_after_job(tmp_path: Path) -> None:
    """The pool's processes outlive their jobs: with K=1, consecutive jobs run in the same
    worker; a job that fails has its worker replaced, and the pool never exceeds K."""
    records, runner, sid = _runner(tmp_path, max_jobs=1)
    try:
        first = runner.submit("plan", {"time_limit": 1}, sid)
        assert wait_job(_Direct(runner), first.id)["state"] == "done"
        pool = runner.workers()
        assert len(pool) == 1
        second = runner.submit("simulate", {"time_limit": 1}, sid)
        assert wait_job(_Direct(runner), second.id)["state"] == "done"
        assert runner.workers() == pool
        bad = runner.submit("plan", {"variant": "no_such_variant"}, sid)
        done = wait_job(_Direct(runner), bad.id)
        assert done["state"] == "failed" and "no_such_variant" in str(done["error"])
        stop = time.monotonic() + 30
        while runner.workers() in ([], pool) and time.monotonic() < stop:
            time.sleep(0.05)
        assert len(runner.workers()) == 1 and runner.workers() != pool
        assert [r.kind for r in records.store.list_runs()] == ["simulate", "plan"]
    finally:
        runner.close()


@pytest.mark.slow
def test_time_limit_stops_a_job(tmp_path: Path) -> None:
    """The per-job safety stop kills a worker that runs too long; the job says why."""
    records, runner, _ = _runner(tmp_path, max_jobs=1, seconds=4)
    try:
        job = runner.submit("report", {"time_limit": 120}, "romulan")  # minutes of work
        done = wait_job(_Direct(runner), job.id, timeout=60)
        assert done["state"] == "failed"
        assert done["error"] == "time limit of 4 s reached"
        assert records.store.count_runs() == 0
    finally:
        runner.close()


@pytest.mark.slow
def test_memory_ceiling(tmp_path: Path) -> None:
    """A worker that needs more memory than its ceiling fails; the server does not."""
    records, runner, sid = _runner(tmp_path, max_jobs=1, memory_mb=300)
    try:
        job = runner.submit("plan", {"time_limit": 1}, sid)
        done = wait_job(_Direct(runner), job.id, timeout=60)
        assert done["state"] == "failed"
        assert "memory" in str(done["error"]), done["error"]
        assert records.store.count_runs() == 0
    finally:
        runner.close()


@pytest.mark.slow
def test_cancel_running_and_queued(tmp_path: Path) -> None:
    records, runner, sid = _runner(tmp_path, max_jobs=1)
    try:
        first = runner.submit("plan", {"time_limit": 60}, "romulan")
        second = runner.submit("plan", {"time_limit": 1}, sid)
        _wait_running(runner, first.id)
        runner.cancel(second.id)
        assert records.job(second.id).state == "cancelled"  # type: ignore[union-attr]
        runner.cancel(first.id)
        done = wait_job(_Direct(runner), first.id, timeout=30)
        assert done["state"] == "cancelled"
        assert records.store.count_runs() == 0
    finally:
        runner.close()


def test_jobs_of_a_stopped_server_are_failed_on_restart(tmp_path: Path) -> None:
    """A job left queued or running by a server that died is marked failed by the next one,
    and so is the run it was recording."""
    records = Records(tmp_path)
    rec = records.new_job("plan", {}, "romulan")
    run_id = records.store.start_run("plan")
    records.update(rec.id, state="running", run_id=run_id)
    records.close()
    again = Records(tmp_path)
    job = again.job(rec.id)
    assert job is not None and job.state == "failed"
    assert job.error == "the server stopped while the job was running"
    assert again.store.get_run(run_id).status == "failed"
    again.close()


@pytest.mark.slow
def test_workers_that_cannot_start_fail_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes that die as they start (here: Python exits before it runs anything)
    are tried a few times, then the queued jobs fail saying why, instead of processes being
    started in a loop."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import os\nos._exit(3)\n", encoding="utf-8")
    records, runner, sid = _runner(tmp_path, max_jobs=1)
    try:
        monkeypatch.setenv("PYTHONPATH", str(site))
        job = runner.submit("plan", {"time_limit": 1}, sid)
        done = wait_job(_Direct(runner), job.id, timeout=60)
        assert done["state"] == "failed"
        assert done["error"] == (
            "no worker process could start (3 tried; the last: the worker exited (code 3) as "
            "it started)"
        )
        assert runner.workers() == [] and records.store.count_runs() == 0
        monkeypatch.delenv("PYTHONPATH")
        again = runner.submit("plan", {"time_limit": 1}, sid)  # fixed: the next job runs
        assert wait_job(_Direct(runner), again.id)["state"] == "done"
    finally:
        runner.close()
