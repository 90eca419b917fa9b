"""Run the analyses a report compares: simulate variants and plan their hindsight bounds.

This is the orchestration layer above ``report/`` (which only draws stored results) and below
the commands (``evacuate report``, ``evacuate demo``) and the server. It plans and simulates;
its output, ``ReportResults``, is plain data that can be stored and drawn later.

```python
import evacuate
from evacuate.report import build_report
from evacuate.runs import simulate_runs

results = simulate_runs(evacuate.load(), ["historical", "no_sabotage"], time_limit=10)
results.save("results.json")              # JSON; ReportResults.load("results.json") reads it back
build_report(results, "report")           # report/report.html and report/*.png
```
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from evacuate.plan.api import plan, reveal_surprises
from evacuate.report.results import ReportResults, ReportRun
from evacuate.scenario.scenario import Scenario
from evacuate.simulation import simulate
from evacuate.simulation.result import SimResult

__all__ = ["Simulated", "observed_extra", "simulate_runs", "simulate_variants"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Simulated:
    """One variant simulated, with the planner's bound planned with hindsight of its surprises."""

    label: str
    result: SimResult
    bound: float | None
    """No plan rescues more, even one knowing every surprise in advance (None: not computed)."""
    seconds: float
    """Planning and simulation time, both (wall clock: depends on the machine's load)."""
    plans: int = 0
    """Planner calls made (the simulation's plans and replans, the hindsight plan)."""
    plans_stopped_by_time: int = 0
    """Of those, the ones the time limit (a safety stop) cut short: not 0 means another run
    may give other figures."""

    def record(self) -> ReportRun:
        return ReportRun.from_sim(self.label, self.result, self.bound)


def simulate_variants(
    scenario: Scenario,
    variants: Sequence[str] | None = None,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    bounds: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Simulated]:
    """Simulate each variant (default: every variant, or the scenario itself without any) with
    the default replanning policy; the bound of each run is the planner's with hindsight.

    ``progress`` receives short messages (``"historical: replanning at ..."``) as work goes on.
    """
    names: list[str | None] = list(variants) if variants else list(scenario.variant_names)
    if not names:
        names = [None]
    out = []
    for name in names:
        s = scenario.variant(name) if name is not None else scenario
        label = name or scenario.id

        def say(msg: str, label: str = label) -> None:
            if progress is not None:
                progress(f"{label}: {msg}")

        log.info("simulating %s", label)
        result = simulate(s, time_limit=time_limit, seed=seed, progress=say)
        bound: float | None = None
        seconds = result.seconds
        plans = 1 + len(result.replans)  # the first plan (simulate made it) and the replans
        stopped = result.plans_stopped_by_time
        if bounds:
            say("planning with hindsight (for the bound)")
            known = plan(reveal_surprises(s), time_limit=time_limit, seed=seed)
            # the planner's bound is certified; rescued above it would be a rounding artefact
            bound = max(known.bound, float(result.rescued))
            seconds += known.seconds
            plans += 1
            stopped += bool(known.stats.get("stopped_by_time"))
        out.append(Simulated(label, result, bound, seconds, plans, stopped))
    return out


def simulate_runs(
    scenario: Scenario,
    variants: Sequence[str] | None = None,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    bounds: bool = True,
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportResults:
    """``simulate_variants``, as the results a report draws (and a store keeps)."""
    done = simulate_variants(
        scenario, variants, time_limit=time_limit, seed=seed, bounds=bounds, progress=progress
    )
    extras: dict[str, Any] = {}
    if scenario.observed is not None:
        extras["observed"] = observed_extra(done)
    return ReportResults(tuple(d.record() for d in done), title=title, extras=extras)


def observed_extra(done: Sequence[Simulated]) -> dict[str, Any]:
    """What the report's "against history" section draws: each run's rescued per period
    (``SimResult.per_period``, the observed series' period) as plain data."""
    rows = {d.label: [asdict(r) for r in d.result.per_period()] for d in done}
    first = next(iter(rows.values()), [])
    period = first[0]["end"] - first[0]["start"] if first else None
    return {"period": period, "runs": rows}
