"""One sweep task: apply a sample to a variant of the scenario, plan, simulate, measure.

Tasks run in worker processes (a process pool or Dask workers) and return plain data; the
coordinator writes it to the run store. A task's randomness comes only from its seed, derived
from (sweep seed, sample, variant), so the number of workers never changes a result.
"""

from __future__ import annotations

import logging
import time
import traceback
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evacuate.errors import EvacuateError
from evacuate.scenario import uncertain
from evacuate.scenario.scenario import Scenario
from evacuate.sweep.sampling import Sample

__all__ = ["Job", "SampleResult", "Task", "rescued_curve", "run_batch", "task_key", "task_seed"]

log = logging.getLogger(__name__)

BASE = "base"
"""The variant name used for the scenario as written (no variant applied)."""


def task_seed(seed: int, sample: int, variant: str) -> int:
    """The seed of one task: the same (seed, sample, variant) always gives the same number."""
    ss = np.random.SeedSequence([seed, sample, zlib.crc32(variant.encode())])
    return int(ss.generate_state(1)[0])


def task_key(sample: int, variant: str) -> str:
    """The task's key in the store (sorts by sample): ``000042/base``."""
    return f"{sample:06d}/{variant}"


@dataclass(frozen=True)
class Job:
    """What every task of a sweep shares (sent once per batch)."""

    scenario: Scenario
    uncertainties: tuple[uncertain.Resolved, ...]
    policy: str = "replan"
    plan_time: float = 2.0


@dataclass(frozen=True)
class Task:
    sample: Sample
    variant: str
    seed: int

    @property
    def key(self) -> str:
        return task_key(self.sample.index, self.variant)


@dataclass(frozen=True)
class SampleResult:
    """What one task found (``status`` ``failed``: ``error`` says why; no metrics)."""

    key: str
    sample: int
    variant: str
    seed: int
    values: dict[str, float]
    happens: dict[str, bool]
    status: str = "finished"
    metrics: dict[str, float | None] = field(default_factory=dict)
    curve: list[tuple[float, float]] = field(default_factory=list)
    """People rescued (in havens) over time."""
    seconds: float = 0.0
    error: str | None = None

    def params(self) -> dict[str, Any]:
        """The task's inputs as stored: sample index and the drawn values (``u.<name>``)."""
        out: dict[str, Any] = {"sample": self.sample}
        out.update({f"u.{k}": v for k, v in self.values.items()})
        out.update({f"u.event.{k}": v for k, v in self.happens.items()})
        return out


def rescued_curve(scenario: Scenario, events: Sequence[Any]) -> list[tuple[float, float]]:
    """People in havens over time, as the steps of the simulation's log."""
    havens = {p.id for p in scenario.havens}
    points: list[tuple[float, float]] = [(0.0, 0.0)]
    total = 0.0
    for e in events:
        delta = 0.0
        if e.kind == "arrive" and e.place in havens:
            delta = e.people
        elif e.kind == "depart" and e.place in havens:
            delta = -e.people
        if delta:
            total += delta
            if points[-1][0] == e.time:
                points[-1] = (e.time, total)
            else:
                points.append((float(e.time), total))
    return points


def _result(task: Task, seconds: float, **kwargs: Any) -> SampleResult:
    return SampleResult(
        key=task.key,
        sample=task.sample.index,
        variant=task.variant,
        seed=task.seed,
        values=task.sample.values,
        happens=task.sample.happens,
        seconds=seconds,
        **kwargs,
    )


def _run_one(job: Job, task: Task) -> SampleResult:
    from evacuate.simulation.api import simulate

    t0 = time.perf_counter()
    try:
        scenario = job.scenario if task.variant == BASE else job.scenario.variant(task.variant)
        scenario = uncertain.apply(
            scenario, task.sample.values, task.sample.happens, job.uncertainties
        )
        r = simulate(
            scenario,
            policy="follow" if job.policy == "follow" else "replan",
            seed=task.seed,
            time_limit=job.plan_time,
        )
    except EvacuateError as exc:  # e.g. a drawn value the scenario cannot take
        return _result(task, time.perf_counter() - t0, status="failed", error=str(exc))
    except Exception:
        tb = traceback.format_exc(limit=8)
        log.error("task %s failed:\n%s", task.key, tb)
        return _result(task, time.perf_counter() - t0, status="failed", error=tb)
    metrics: dict[str, float | None] = {
        "population": r.population,
        "rescued": r.rescued,
        "rescued_fraction": r.rescued / r.population if r.population else 1.0,
        "lost": r.lost_people,
        "waiting": r.waiting_at_end,
        "last_rescue": r.last_rescue,
        "planned_rescued": r.planned_rescued,
        "planned_bound": r.planned_bound,
        "vehicles_lost": r.vehicles_lost,
        "vehicles_broken": r.vehicles_broken,
        "replans": len(r.replans),
        "trips": r.trips,
    }
    curve = rescued_curve(scenario, r.events)
    return _result(task, time.perf_counter() - t0, metrics=metrics, curve=curve)


def run_batch(job: Job, tasks: Sequence[Task]) -> list[SampleResult]:
    """Run tasks one after another (a batch is the unit a worker receives)."""
    return [_run_one(job, t) for t in tasks]
