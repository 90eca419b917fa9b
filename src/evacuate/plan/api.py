"""``plan``: a feasible plan, an upper bound no plan can beat, and the gap between them.

Max rescued: search.py; min makespan: makespan.py. Both are budgeted in work units, so the
same scenario, options and seed give the same plan; the time limit is a safety stop
(budget.py) and the result says when it bound.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from evacuate.arguments import need_scenario
from evacuate.options import OPTIONS, check_option
from evacuate.periods import PeriodRow, per_period, steps_from_trips
from evacuate.plan.budget import SafetyStop
from evacuate.plan.dispatch_kernel import compile_kernel
from evacuate.plan.makespan import WORK_PER_SECOND, min_makespan
from evacuate.plan.problem import Problem, compile_problem
from evacuate.plan.search import DISPATCH_RUNS, max_rescued, rescued_by_trips
from evacuate.plan.sweep import compile_sweep
from evacuate.plan.walk_makespan import min_makespan_with_walks
from evacuate.plan.walks import plan_with_walks
from evacuate.planio import Plan, Trip, Walk
from evacuate.results import ResultTables
from evacuate.scenario.scenario import Scenario

__all__ = [
    "DISPATCH_RUNS",
    "WORK_PER_SECOND",
    "PlaceRow",
    "PlanResult",
    "plan",
    "rescued_by_trips",
    "reveal_surprises",
    "vehicles_lost_by_place",
]

log = logging.getLogger(__name__)

Objective = Literal["max-rescued", "min-makespan"]


@dataclass(frozen=True)
class PlaceRow:
    """One place's line in a plan's table."""

    place: str
    population: int
    deadline: float | None
    picked_up: int
    left_behind: int
    received: int
    capacity: int
    last_pickup: float | None
    vehicles_lost: int = 0
    """Vehicles idle at the place when its deadline strikes (in the plan)."""
    walked_out: int = 0
    """People who walked away from the place (``travel.walkways``)."""
    walked_in: int = 0
    """People who walked to the place."""


@dataclass(frozen=True)
class PlanResult(ResultTables):
    """What ``plan`` returns: the plan, how good it is, and how long it took.

    ``to_dict()``, ``to_dataframe("places" | "trips")`` and ``date(t)``: see
    ``evacuate.results``.
    """

    plan: Plan
    rescued: int
    bound: float
    gap: float
    """(bound - rescued) / bound; 0 when the bound is 0."""
    seconds: float
    objective: str
    population: int
    makespan: float | None = None
    makespan_lower_bound: float | None = None
    places: tuple[PlaceRow, ...] = ()
    vehicles_lost: int = 0
    """Vehicles the plan leaves at places when their deadlines strike (the fleet counts
    after people: the planner moves idle vehicles out when they can leave)."""
    stats: dict[str, Any] = field(default_factory=dict)
    start_date: dt.datetime | None = None
    """The scenario's calendar (``scenario.start_date``), for ``date`` and ``dates=True``."""
    per_period: tuple[PeriodRow, ...] = ()
    """People rescued per period beside the observed series (``evacuate.periods``)."""

    def _calendar(self) -> tuple[dt.datetime | None, str]:
        return self.start_date, self.plan.time_unit

    def _records(self) -> dict[str, Any]:
        pl = self.plan
        return {
            "scenario": pl.scenario_id,
            "variant": pl.variant,
            "objective": self.objective,
            "time_unit": pl.time_unit,
            "start_date": self.start_date,
            "population": self.population,
            "rescued": self.rescued,
            "bound": self.bound,
            "gap": self.gap,
            "makespan": self.makespan,
            "makespan_lower_bound": self.makespan_lower_bound,
            "vehicles_lost": self.vehicles_lost,
            "seconds": self.seconds,
            "places": self.places,
            "trips": pl.trips,
            "walks": pl.walks,
            "stats": self.stats,
            "per_period": self.per_period,
        }

    def _tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "places": [asdict(r) for r in self.places],
            "trips": [asdict(t) for t in self.plan.trips],
            "walks": [asdict(w) for w in self.plan.walks],
            "per_period": [asdict(r) for r in self.per_period],
        }

    @property
    def makespan_gap(self) -> float | None:
        if self.makespan is None or not self.makespan_lower_bound:
            return None
        return (self.makespan - self.makespan_lower_bound) / self.makespan

    def summary(self) -> str:
        lines = [
            f"rescued {self.rescued:,.0f} of {self.population:,} "
            f"(bound {self.bound:,.0f}, gap {100 * self.gap:.2f}%) in {self.seconds:.2f} s"
        ]
        if self.makespan is not None:
            lb = self.makespan_lower_bound
            lines.append(
                f"makespan {self.makespan:.4g} (lower bound {lb:.4g})"
                if lb is not None
                else f"makespan {self.makespan:.4g}"
            )
        return "\n".join(lines)


def reveal_surprises(scenario: Scenario) -> Scenario:
    """The same scenario with every surprise event made known: planning with hindsight."""
    events = tuple(e.model_copy(update={"mode": "known"}) for e in scenario.events)
    return scenario.model_copy(update={"events": events, "digest": scenario.digest})


def vehicles_lost_by_place(problem: Problem, trips: list[Trip]) -> NDArray[np.int64]:
    """Per place, vehicles there when its deadline strikes within the horizon (made or
    arrived by then, not left before it): the plan loses them."""
    n_p = problem.n_places
    dl = problem.deadline
    struck = dl <= problem.end
    here = np.zeros(n_p, dtype=np.int64)
    for s in problem.supply:
        if struck[s.p] and s.made <= dl[s.p]:
            here[s.p] += s.count
    idx = problem.pindex
    for tr in trips:
        i, j = idx[tr.origin], idx[tr.destination]
        if struck[i] and tr.depart <= dl[i]:
            here[i] -= tr.count
        if struck[j] and tr.arrive <= dl[j]:
            here[j] += tr.count
    return np.maximum(here, 0)


def _place_rows(
    problem: Problem, trips: list[Trip], walks: Sequence[Walk] = ()
) -> tuple[PlaceRow, ...]:
    lost = vehicles_lost_by_place(problem, trips)
    n_p = problem.n_places
    picked = np.zeros(n_p, dtype=np.int64)
    received = np.zeros(n_p, dtype=np.int64)
    walked_out = np.zeros(n_p, dtype=np.int64)
    walked_in = np.zeros(n_p, dtype=np.int64)
    for w in walks:
        walked_out[problem.pindex[w.origin]] += w.people
        walked_in[problem.pindex[w.destination]] += w.people
    last: list[float | None] = [None] * n_p
    for tr in trips:
        if tr.people:
            i, j = problem.pindex[tr.origin], problem.pindex[tr.destination]
            picked[i] += tr.people
            received[j] += tr.people
            last[i] = tr.depart if last[i] is None else max(last[i] or 0.0, tr.depart)
    rows = []
    for p, pid in enumerate(problem.places):
        d = problem.deadline[p]
        rows.append(
            PlaceRow(
                place=pid,
                population=int(problem.population[p]),
                deadline=None if not math.isfinite(d) else float(d),
                picked_up=int(picked[p]),
                left_behind=max(
                    0,
                    int(
                        problem.population[p]
                        + received[p]
                        + walked_in[p]
                        - picked[p]
                        - walked_out[p]
                    ),
                )
                if not problem.is_haven[p]
                else 0,
                received=int(received[p]),
                capacity=problem.scenario.places[p].capacity,
                last_pickup=last[p],
                vehicles_lost=int(lost[p]),
                walked_out=int(walked_out[p]),
                walked_in=int(walked_in[p]),
            )
        )
    return tuple(rows)


def plan(
    scenario: Scenario,
    *,
    objective: Objective = OPTIONS["objective"].default,
    time_limit: float = OPTIONS["time_limit"].default,
    seed: int = OPTIONS["seed"].default,
    gap_target: float = 1e-4,
    work: int | None = None,
) -> PlanResult:
    """Plan the evacuation of ``scenario`` (known events only; see ``reveal_surprises``).

    Parameters
    ----------
    objective
        ``max-rescued`` (ties go to earlier rescue) or ``min-makespan`` (everyone, as early as
        possible; the scenario's end is the latest horizon tried).
    time_limit
        A safety stop in seconds. The search is budgeted in work units (dispatcher runs,
        rounds of the bound, LP solves, MIP nodes, ``work`` move evaluations for min makespan),
        so the same inputs and seed give the same plan whatever the machine's load; when the
        time limit cuts a search short, ``stats["stopped_by_time"]`` (and the plan's header)
        say so.
    seed
        Seeds the dispatcher's extra restarts; the same seed gives the same plan.
    work
        Move evaluations of the route search (min makespan on shuttle problems such as the
        bus evacuation problem); default ``WORK_PER_SECOND`` x ``time_limit``. Its ratio to
        the default's (``WORK_PER_SECOND`` x 10 s) also scales the work done only on larger
        budgets (docs/planner.md, "Determinism"), so a larger ``time_limit`` (or ``work``)
        is a longer budget, and the same options still give the same plan.
    """
    need_scenario(scenario, "plan")
    for name, value in (("objective", objective), ("time_limit", time_limit), ("seed", seed)):
        check_option(name, value)
    compile_sweep()  # a one-time cost, not the search's: before the safety stop starts
    compile_kernel()  # the dispatcher's, likewise
    start = time.perf_counter()
    stop = SafetyStop(time_limit, start)
    problem = compile_problem(scenario)
    population = int(problem.population.sum())
    makespan = makespan_lb = None
    stats: dict[str, Any] = {}
    walks: list[Walk] = []
    units = round(WORK_PER_SECOND * time_limit) if work is None else work
    # the work budget's size against the default one (a number from the options, never a
    # clock): the optional work cut at the default (search.GUIDE_ONLY_CELLS,
    # makespan.PROBE_ROUND_CELLS, makespan.PROBE_TOLERANCE) comes back on larger budgets
    effort = units / (WORK_PER_SECOND * OPTIONS["time_limit"].default)
    if objective == "max-rescued" and scenario.travel.walkways:
        trips, walks, rescued, bound, stats = plan_with_walks(
            problem, seed=seed, stop=stop, gap_target=gap_target
        )
    elif objective == "max-rescued":
        trips, rescued, bound, stats = max_rescued(
            problem, seed=seed, stop=stop, gap_target=gap_target, effort=effort
        )
    elif objective == "min-makespan" and scenario.travel.walkways:
        trips, walks, rescued, bound, makespan, makespan_lb, stats = min_makespan_with_walks(
            problem, scenario, seed=seed, stop=stop
        )
    elif objective == "min-makespan":
        trips, rescued, bound, makespan, makespan_lb, stats = min_makespan(
            problem,
            scenario,
            seed=seed,
            stop=stop,
            work=units,
            effort=effort,
        )
    else:
        raise ValueError(f"unknown objective {objective!r}; expected max-rescued or min-makespan")
    trips.sort(key=lambda t: (t.depart, t.group))
    walks.sort(key=lambda w: (w.depart, w.walkway, w.origin))
    gap = 0.0 if bound <= 0 else max(0.0, (bound - rescued) / bound)
    seconds = time.perf_counter() - start
    # no wall-clock figure in the plan: the same inputs and seed give the same file
    meta: dict[str, object] = {"gap": gap, "population": population}
    if stats.get("stopped_by_time"):
        meta["stopped_by_time"] = True
    if makespan is not None:
        meta["makespan"] = makespan
        meta["makespan_lower_bound"] = makespan_lb
    out = Plan(
        scenario_id=scenario.id,
        variant=scenario.applied_variant,
        scenario_digest=scenario.digest,
        objective=objective,
        rescued=float(rescued),
        bound=float(bound),
        trips=tuple(trips),
        time_unit=scenario.time_unit,
        meta=meta,
        walks=tuple(walks),
    )
    stats["trips"] = len(trips)
    stats["groups"] = len({t.group for t in trips})
    places = _place_rows(problem, trips, walks)
    return PlanResult(
        plan=out,
        rescued=round(rescued),
        bound=float(bound),
        gap=gap,
        seconds=seconds,
        objective=objective,
        population=population,
        makespan=makespan,
        makespan_lower_bound=makespan_lb,
        places=places,
        vehicles_lost=sum(r.vehicles_lost for r in places),
        stats=stats,
        start_date=scenario.scenario.start_date,
        per_period=per_period(scenario, steps_from_trips(scenario, [*out.trips, *out.walks])),
    )
