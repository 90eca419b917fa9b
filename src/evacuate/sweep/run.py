"""``sweep``: sample the uncertainties, plan and simulate every sample for every variant,
store each result as it finishes, and resume a stopped sweep where it stopped.

The coordinator (this process) draws the samples, hands batches to an executor, and is the
only writer to the run store. A sweep is identified in the store by its scenario and its
settings; ``resume=True`` finds the newest such sweep and runs only the tasks it lacks.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evacuate.scenario import uncertain
from evacuate.scenario.scenario import Scenario
from evacuate.store import RunRecord, Store, StoreError, open_store
from evacuate.sweep.analysis import VariantAnalysis, analyse
from evacuate.sweep.executors import Executor, make_executor
from evacuate.sweep.sampling import Sampler, draw
from evacuate.sweep.tasks import BASE, Job, SampleResult, Task, run_batch, task_seed

__all__ = ["Progress", "SweepResult", "load_sweep", "sweep"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
"""Called after each batch: (tasks done, tasks in all, running summary)."""
_TARGET_BATCH_SECONDS = 0.1


@dataclass(frozen=True)
class SweepResult:
    """A finished (or resumed and finished) sweep: every task's result, by key."""

    scenario: Scenario
    uncertainties: tuple[uncertain.Resolved, ...]
    variants: tuple[str, ...]
    results: tuple[SampleResult, ...]
    settings: dict[str, Any]
    run_id: str | None = None
    store_url: str | None = None
    executor: str = "sequential"
    ran: int = 0
    """Tasks run by this call (the others were found in the store)."""
    seconds: float = 0.0
    stats: dict[str, float] = field(default_factory=dict)

    def analyse(
        self, *, target: float | None = None, target_share: float | None = None
    ) -> list[VariantAnalysis]:
        """Per-variant analysis (see ``evacuate.sweep.analysis.analyse``)."""
        return analyse(
            self.results,
            end=self.scenario.end,
            target=target,
            target_share=target_share,
            seed=int(self.settings.get("seed", 0)),
        )

    def summary(self) -> str:
        return summarize(self.results)


def summarize(results: Sequence[SampleResult]) -> str:
    """One line per variant: median and 5-95 % of people rescued, failed tasks."""
    lines = []
    for v in dict.fromkeys(r.variant for r in results):
        ok = [float(r.metrics["rescued"] or 0) for r in results if r.variant == v and r.metrics]
        failed = sum(1 for r in results if r.variant == v and r.status != "finished")
        if ok:
            q5, q50, q95 = np.quantile(ok, [0.05, 0.5, 0.95])
            text = f"{v}: rescued median {q50:,.0f} (5-95%: {q5:,.0f}-{q95:,.0f})"
        else:
            text = f"{v}: no finished sample"
        lines.append(text + (f", {failed} failed" if failed else "") + f", n={len(ok)}")
    return "; ".join(lines)


def _from_record(run: RunRecord, curve: list[tuple[float, float]]) -> SampleResult:
    values = {
        k[2:]: float(v)
        for k, v in run.params.items()
        if k.startswith("u.") and not k.startswith("u.event.")
    }
    happens = {k[8:]: bool(v) for k, v in run.params.items() if k.startswith("u.event.")}
    return SampleResult(
        key=run.key or "",
        sample=int(run.params.get("sample", 0)),
        variant=run.variant or BASE,
        seed=run.seed or 0,
        values=values,
        happens=happens,
        status=run.status,
        metrics=dict(run.metrics),
        curve=curve,
        seconds=run.seconds or 0.0,
        error=run.error,
    )


def _store_result(store: Store, sweep_id: str, scenario_hash: str, r: SampleResult) -> None:
    store.record(
        "sample",
        scenario=scenario_hash,
        parent=sweep_id,
        key=r.key,
        variant=r.variant,
        seed=r.seed,
        params=r.params(),
        metrics=r.metrics,
        series={"rescued": r.curve} if r.curve else None,
        status=r.status,
        seconds=r.seconds,
        error=r.error,
    )


def _find_sweep(store: Store, scenario_hash: str, settings: dict[str, Any]) -> str | None:
    for run in store.list_runs(kind="sweep", scenario=scenario_hash):
        if dict(run.params) == settings:
            return run.id
    return None


def sweep(
    scenario: Scenario,
    *,
    samples: int = 100,
    sampler: Sampler = "lhs",
    variants: Sequence[str] | None = None,
    policy: str = "replan",
    seed: int = 0,
    plan_time: float = 2.0,
    workers: int = 1,
    dask: str | None = None,
    executor: Executor | None = None,
    store: Store | str | None = None,
    resume: bool | str = False,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """Run a robustness sweep of ``scenario`` over its ``uncertainties``.

    Parameters
    ----------
    samples, sampler, seed
        How many points to draw, how (``lhs``, ``sobol``, ``mc``, ``factorial``), from which
        seed. Each task's noise is seeded from (seed, sample, variant): results do not depend
        on the executor or the number of workers.
    variants
        Variants to run every sample on (``"base"``: the scenario as written; default).
    policy
        ``replan`` or ``follow`` at surprises (see ``evacuate.simulate``).
    plan_time
        Seconds for each call of the planner (its safety stop; keep it small in big sweeps).
    workers, dask, executor
        Local processes (1: in this process), or ``dask="local"`` / a scheduler address, or
        an ``Executor`` you made (left open).
    store, resume
        A run store (or its URL) to write each result to as it finishes; ``resume=True``
        continues the newest sweep with the same scenario and settings (or ``resume=<run
        id>``), running only the tasks it lacks.
    batch_size
        Tasks per batch sent to a worker; default: enough for about 0.1 s of work each.
    """
    t0 = time.perf_counter()
    if policy not in ("replan", "follow"):
        raise ValueError(f"unknown policy {policy!r}; expected replan or follow")
    names = tuple(variants) if variants else (BASE,)
    for v in names:
        if v != BASE:
            scenario.variant(v)  # raises ScenarioError naming the known variants
    resolved = tuple(uncertain.resolve(scenario))
    drawn = draw(resolved, samples, sampler, seed)
    settings: dict[str, Any] = {
        "samples": samples,
        "sampler": sampler,
        "seed": seed,
        "variants": list(names),
        "policy": policy,
        "plan_time": plan_time,
        "uncertainties": [r.name for r in resolved],
    }
    tasks = [Task(s, v, task_seed(seed, s.index, v)) for s in drawn for v in names]
    job = Job(scenario, resolved, policy, plan_time)

    st = open_store(store) if isinstance(store, str) else store
    sweep_id: str | None = None
    scenario_hash = ""
    done: dict[str, SampleResult] = {}
    if st is not None:
        scenario_hash = st.put_scenario(scenario)
        if resume:
            sweep_id = (
                resume if isinstance(resume, str) else _find_sweep(st, scenario_hash, settings)
            )
            if sweep_id is None:
                log.info("no earlier sweep with these settings in the store: starting one")
        if sweep_id is not None:
            series = st.children_series(sweep_id, "rescued")
            for run in st.list_runs(parent=sweep_id, status="finished"):
                done[run.key or ""] = _from_record(run, series.get(run.key or "", []))
            log.info("resuming sweep %s: %d of %d tasks stored", sweep_id, len(done), len(tasks))
        else:
            sweep_id = st.start_run(
                "sweep",
                scenario=scenario_hash,
                params=settings,
                seed=seed,
                name=f"sweep of {scenario.id}",
            )
    todo = [t for t in tasks if t.key not in done]
    results = dict(done)
    say = progress or (lambda _d, _t, _s: None)
    own = executor is None
    ex = executor or make_executor(workers, dask)
    ran = 0
    try:
        if todo and batch_size is None and ex.workers > 1:
            # a pilot task in this process sizes the batches: about 0.1 s of work each
            first = run_batch(job, todo[:1])
            ran += 1
            for r in first:
                results[r.key] = r
                if st is not None and sweep_id is not None:
                    _store_result(st, sweep_id, scenario_hash, r)
            todo = todo[1:]
            per_task = max(first[0].seconds, 1e-3)
            most = max(1, math.ceil(len(todo) / (4 * ex.workers)))
            batch_size = max(1, min(most, math.ceil(_TARGET_BATCH_SECONDS / per_task)))
        size = batch_size or 1
        batches = [todo[i : i + size] for i in range(0, len(todo), size)]
        say(len(results), len(tasks), summarize(list(results.values())))
        for _batch, out in ex.run(run_batch, job, batches):
            for r in out:
                results[r.key] = r
                if st is not None and sweep_id is not None:
                    _store_result(st, sweep_id, scenario_hash, r)
            ran += len(out)
            say(len(results), len(tasks), summarize(list(results.values())))
    except BaseException:
        if st is not None and sweep_id is not None:
            st.finish_run(sweep_id, "killed", error="stopped before every task ran")
        raise
    finally:
        if own:
            ex.close()
    ordered = tuple(results[t.key] for t in tasks)
    seconds = time.perf_counter() - t0
    if st is not None and sweep_id is not None:
        failed = sum(1 for r in ordered if r.status != "finished")
        st.log_metrics(sweep_id, {"tasks": len(ordered), "failed": failed, "ran": ran})
        st.finish_run(sweep_id, "finished")
    return SweepResult(
        scenario=scenario,
        uncertainties=resolved,
        variants=names,
        results=ordered,
        settings=settings,
        run_id=sweep_id,
        store_url=st.url if st is not None else None,
        executor=ex.name,
        ran=ran,
        seconds=seconds,
    )


def load_sweep(store: Store | str | None, run_id: str) -> SweepResult:
    """A stored sweep read back (for analysis and reports); runs nothing."""
    from evacuate.scenario.load import from_dict

    st = store if isinstance(store, Store) else open_store(store)
    run = st.get_run(run_id)
    if run.kind != "sweep" or run.scenario_hash is None:
        raise StoreError(f"run {run.id} is a {run.kind} run, not a sweep")
    data = st.get_scenario(run.scenario_hash)
    scenario = from_dict(data, source=f"<store scenario {run.scenario_hash[:12]}>")
    series = st.children_series(run.id, "rescued")
    children = st.list_runs(parent=run.id)
    results = tuple(_from_record(c, series.get(c.key or "", [])) for c in children)
    return SweepResult(
        scenario=scenario,
        uncertainties=tuple(uncertain.resolve(scenario)),
        variants=tuple(run.params.get("variants") or (BASE,)),
        results=results,
        settings=dict(run.params),
        run_id=run.id,
        store_url=st.url,
        executor="(read from the store)",
        seconds=run.seconds or 0.0,
    )
