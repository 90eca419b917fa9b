"""Sweeps on the real engine: the same results sequentially, on 2 processes and on a Dask
LocalCluster; stored as they finish; a killed sweep resumed equals an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import evacuate
from evacuate.store import open_store
from evacuate.sweep import DaskExecutor, sweep
from evacuate.sweep.run import SweepResult

SETTINGS = dict(samples=6, variants=["base", "more_buses"], seed=11, plan_time=600.0)


def _fingerprint(result: SweepResult) -> list[tuple[object, ...]]:
    return [
        (r.key, r.seed, r.status, sorted(r.values.items()), sorted(r.metrics.items()), r.curve)
        for r in result.results
    ]


def _stored(url: str) -> dict[str, tuple[object, ...]]:
    with open_store(url) as store:
        (run,) = store.list_runs(kind="sweep")
        series = store.children_series(run.id, "rescued")
        return {
            c.key or "": (
                c.status,
                c.seed,
                dict(c.params),
                dict(c.metrics),
                series.get(c.key or ""),
            )
            for c in store.list_runs(parent=run.id)
        }


@pytest.mark.slow
def test_same_results_on_every_executor(tiny: evacuate.Scenario) -> None:
    """1 process, 2 processes and a 2-worker Dask LocalCluster give identical results."""
    sequential = sweep(tiny, **SETTINGS)  # type: ignore[arg-type]
    assert len(sequential.results) == 12
    assert all(r.status == "finished" for r in sequential.results), sequential.results
    assert len({r.seed for r in sequential.results}) == 12
    pooled = sweep(tiny, workers=2, **SETTINGS)  # type: ignore[arg-type]
    assert pooled.executor == "2 local processes"
    dask = DaskExecutor("local", workers=2)
    try:
        on_dask = sweep(tiny, executor=dask, batch_size=2, **SETTINGS)  # type: ignore[arg-type]
    finally:
        dask.close()
    assert "Dask" in on_dask.executor
    assert _fingerprint(sequential) == _fingerprint(pooled) == _fingerprint(on_dask)
    # the sampled inputs really vary, and the outcome with them
    assert len({r.values["people"] for r in sequential.results}) == 6
    assert len({r.metrics["rescued"] for r in sequential.results}) > 1


def test_results_are_stored_and_resume_runs_only_what_is_missing(
    tiny: evacuate.Scenario, tmp_path: Path
) -> None:
    """Every task is stored with its inputs, metrics and curve; a resume finds them all."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    first = sweep(tiny, samples=3, seed=2, plan_time=600.0, store=url)
    assert first.ran == 3 and first.run_id is not None
    stored = _stored(url)
    assert sorted(stored) == ["000000/base", "000001/base", "000002/base"]
    status, seed, params, metrics, curve = stored["000001/base"]
    assert status == "finished" and seed == first.results[1].seed
    assert params["u.people"] == first.results[1].values["people"]
    assert metrics["rescued"] == first.results[1].metrics["rescued"]
    assert curve is not None and curve[-1][1] == metrics["rescued"]
    again = sweep(tiny, samples=3, seed=2, plan_time=600.0, store=url, resume=True)
    assert again.ran == 0 and again.run_id == first.run_id
    assert _fingerprint(again) == _fingerprint(first)
    with open_store(url) as store:
        assert store.get_run(first.run_id).status == "finished"


_CHILD = """
import sys
import time
import evacuate
from evacuate.sweep import sweep
from tests.sweep.conftest import TINY
# once 3 samples are stored, dawdle after each one, so the parent kills it half-way whatever
# the machine's speed (the stored results do not depend on it)
slow = lambda done, total, _summary: time.sleep(5) if done >= 3 else None
sweep(
    evacuate.loads(TINY), samples=8, seed=5, plan_time=600.0, store=sys.argv[1], resume=True,
    progress=slow,
)
"""


@pytest.mark.slow
def test_killed_sweep_resumed_equals_uninterrupted(tiny: evacuate.Scenario, tmp_path: Path) -> None:
    """SIGKILL a sweep half-way; resuming it stores exactly what an uninterrupted sweep stores."""
    killed = f"sqlite:///{tmp_path / 'killed.db'}"
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, killed], env=env)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if (tmp_path / "killed.db").exists():
                with open_store(killed) as store:
                    if store.count_runs(status="finished") >= 3:  # 1 scenario... 3 samples
                        break
            time.sleep(0.2)
        assert child.poll() is None, "the sweep finished before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    partial = _stored(killed)
    assert 3 <= len(partial) < 8
    resumed = sweep(tiny, samples=8, seed=5, plan_time=600.0, store=killed, resume=True)
    assert resumed.ran == 8 - len(partial)
    whole = f"sqlite:///{tmp_path / 'whole.db'}"
    sweep(tiny, samples=8, seed=5, plan_time=600.0, store=whole)
    assert _stored(killed) == _stored(whole)


def test_analysis_of_a_sweep(tiny: evacuate.Scenario) -> None:
    """Quantiles are ordered, shares are probabilities, scores cover the inputs."""
    result = sweep(tiny, samples=8, seed=1, plan_time=600.0)
    (a,) = result.analyse(target_share=0.95)
    qs = list(a.rescued.values())
    assert qs == sorted(qs) and a.samples == 8 and a.failed == 0
    assert 0.0 <= a.p_target <= 1.0
    rescued = [r.metrics["rescued"] for r in result.results]
    population = [r.metrics["population"] for r in result.results]
    expected = sum(r >= 0.95 * p - 1e-9 for r, p in zip(rescued, population, strict=True)) / 8  # type: ignore[operator]
    assert a.p_target == expected
    assert set(a.scores) == {"people", "speed", "spread", "event.bridge_out"}
    assert abs(sum(a.scores.values()) - 1.0) < 1e-9 or sum(a.scores.values()) == 0
    for lo, hi in zip(a.fan[0.05], a.fan[0.95], strict=True):
        assert lo <= hi
    assert a.fan[0.5][-1] == pytest.approx(a.rescued[0.5])


def test_bad_sweep_requests(tiny: evacuate.Scenario) -> None:
    with pytest.raises(evacuate.ScenarioError, match="unknown variant"):
        sweep(tiny, samples=2, variants=["nope"])
    with pytest.raises(ValueError, match="policy"):
        sweep(tiny, samples=2, policy="panic")
