"""``plan``: a feasible plan, an upper bound no plan can beat, and the gap between them.

Max rescued: the dispatcher (heuristic.py) runs with a few settings and keeps the best plan;
the Lagrangian bound (lagrange.py) is driven towards it, on finer time grids while the gap is
above the target and time remains. Min makespan: bisection on a common horizon, with the plan
side from the dispatcher and the lower bound from the Lagrangian bound (a horizon whose bound
is below the population cannot hold everyone's rescue).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np

from evacuate.arguments import need_scenario
from evacuate.options import OPTIONS, check_option
from evacuate.periods import PeriodRow, per_period, steps_from_trips
from evacuate.plan.budget import SafetyStop
from evacuate.plan.fatigue import fleet_work_bound
from evacuate.plan.heuristic import DispatchParams, dispatch
from evacuate.plan.improve import improve_makespan, shuttle_makespan_bound
from evacuate.plan.lagrange import (
    choose_dt,
    column_generation_bound,
    has_instant_trips,
    trivial_bound,
)
from evacuate.plan.problem import Problem, compile_problem
from evacuate.planio import Plan, Trip
from evacuate.results import ResultTables
from evacuate.scenario.scenario import Scenario

__all__ = ["PlaceRow", "PlanResult", "plan", "rescued_by_trips", "reveal_surprises"]

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
            "seconds": self.seconds,
            "places": self.places,
            "trips": pl.trips,
            "stats": self.stats,
            "per_period": self.per_period,
        }

    def _tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "places": [asdict(r) for r in self.places],
            "trips": [asdict(t) for t in self.plan.trips],
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


def rescued_by_trips(problem: Problem, trips: list[Trip]) -> int:
    """Net people delivered into havens by the trips (the planner's own count)."""
    idx = problem.pindex
    haven = problem.is_haven
    total = 0
    for tr in trips:
        if tr.people:
            if haven[idx[tr.destination]] and tr.arrive <= problem.end + 1e-9:
                total += tr.people
            if haven[idx[tr.origin]]:
                total -= tr.people
    return total


def _place_rows(problem: Problem, trips: list[Trip]) -> tuple[PlaceRow, ...]:
    n_p = problem.n_places
    picked = np.zeros(n_p, dtype=np.int64)
    received = np.zeros(n_p, dtype=np.int64)
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
                left_behind=max(0, int(problem.population[p] + received[p] - picked[p]))
                if not problem.is_haven[p]
                else 0,
                received=int(received[p]),
                capacity=problem.scenario.places[p].capacity,
                last_pickup=last[p],
            )
        )
    return tuple(rows)


def _settings(seed: int, runs: int) -> list[DispatchParams]:
    """``runs`` dispatcher settings: six that do best on our examples, then seeded random ones
    (on the ladder and the examples, no run after the sixth greedy one ever improved the
    best plan: guided runs do)."""
    first = [(0.0, 0.1), (1.0, 0.3), (0.5, 0.3), (4.0, 0.1), (8.0, 0.3), (1.0, 0.1)]
    rng = np.random.default_rng(seed)
    extra = [
        (float(rng.uniform(0, 16)), float(rng.uniform(0.02, 0.6)))
        for _ in range(max(0, runs - len(first)))
    ]
    return [DispatchParams(urgency=u, urgency_window=w) for u, w in (first + extra)[:runs]]


class _Best:
    """The best plan found so far by the dispatcher over a list of settings."""

    def __init__(self, problem: Problem, seed: int, stop: SafetyStop, runs: int) -> None:
        self.problem = problem
        self.stop = stop
        self.todo = _settings(seed, runs)
        self.trips: list[Trip] = []
        self.rescued = -1
        self.params: DispatchParams | None = None
        self.runs = 0

    def guided(self, guide: dict[int, list[tuple[int, list[tuple[int, int]]]]]) -> None:
        """Follow the bound's LP paths (with a few greedy settings for what is left; the
        second one does not reserve people and room for the paths' later legs)."""
        for k, prm in enumerate(_settings(0, 3)):
            prm = replace(prm, reserve=k != 1)
            if self.runs > 0 and self.stop.reached():
                return
            trips = dispatch(self.problem, prm, guide, stop=self.stop)
            got = rescued_by_trips(self.problem, trips)
            self.runs += 1
            if got > self.rescued:
                self.trips, self.rescued, self.params = trips, got, prm

    def more(self, n: int) -> None:
        for _ in range(n):
            if not self.todo or (self.runs > 0 and self.stop.reached()):
                return
            prm = self.todo.pop(0)
            trips = dispatch(self.problem, prm, stop=self.stop)
            got = rescued_by_trips(self.problem, trips)
            self.runs += 1
            log.debug("dispatch %s: rescued %d", prm, got)
            if got > self.rescued:
                self.trips, self.rescued, self.params = trips, got, prm


WORK_PER_SECOND = 50_000
"""The route search's default budget (min makespan): this many move evaluations per second of
the time limit, about a sixth of what one core does (320,000 a second of CPU on
tests/data/bep/two_yards.txt), so the budget, not the clock, ends the search on a loaded
machine; the same options still give the same plan."""

_SMALL_FLEET = 500
"""Beyond this many vehicles, one extra greedy run per round of refinement instead of six
(the guided plans are the better ones there, and the bound needs the time)."""


def _exact_is_cheap(problem: Problem) -> bool:
    """Small enough for an exact MIP, with every time a whole number of time units."""
    if problem.total_vehicles > 50 or problem.end > 200 or problem.n_places > 6:
        return False
    if problem.tires or problem.pauses or problem.damages:
        return False  # the MIP's network knows no turnaround and no return
    times = [problem.end, *problem.load, *problem.unload, *(s.t for s in problem.supply)]
    times += [t for _, t, _ in problem.arrivals]
    times += [float(x) for x in problem.travel[np.isfinite(problem.travel)]]
    times += [float(x) for x in problem.deadline[np.isfinite(problem.deadline)]]
    times += [float(x) for x in problem.open_from[np.isfinite(problem.open_from)]]
    return all(abs(t - round(t)) < 1e-9 for t in times)


def _with_end(scenario: Scenario, end: float) -> Scenario:
    return scenario.model_copy(
        update={"scenario": scenario.scenario.model_copy(update={"end": end})}
    )


DISPATCH_RUNS = 12
"""Work budget of max rescued: greedy dispatcher runs (guided runs come on top, three per
guide) ..."""

MAX_BOUND_ROUNDS = 3
"""... and rounds of the bound (each on a grid twice as fine, each up to
``BOUND_ITERATIONS`` LP solves of its master, each guiding three dispatcher runs)."""

BOUND_ITERATIONS = 200
"""LP solves of the column generation per round of the bound."""

EXACT_NODES = 20_000
"""Branch-and-bound nodes of the exact MIP on tiny whole-unit problems."""

_PROBE_ROUNDS = 1
_PROBE_RUNS = 6
"""Budget of each min-makespan probe: one round of the bound and six greedy settings."""


def _max_rescued(
    problem: Problem,
    *,
    seed: int,
    stop: SafetyStop,
    gap_target: float,
    rounds: int = MAX_BOUND_ROUNDS,
    runs: int | None = None,
    need: float | None = None,
) -> tuple[list[Trip], int, float, dict[str, Any]]:
    """Best plan and bound within a budget in work units: ``runs`` dispatcher settings
    (``DISPATCH_RUNS`` by default) and ``rounds`` rounds of the bound; ``stop`` is only a
    safety stop. ``need``: the search ends as soon as a plan rescues that many, or the bound
    proves that none can (a min-makespan probe)."""
    best = _Best(problem, seed, stop, DISPATCH_RUNS if runs is None else runs)
    best.more(1)
    bound = trivial_bound(problem)
    stats: dict[str, Any] = {"trivial_bound": bound, "bounds": []}
    work = fleet_work_bound(problem)
    if math.isfinite(work):
        stats["fleet_work_bound"] = work
        bound = min(bound, work)
    lp_solves = 0

    def closed() -> bool:
        if need is not None and (best.rescued >= need or bound < need - 1e-6):
            return True
        return bound <= 0 or (bound - best.rescued) / bound <= gap_target

    def cg(dt: float, **kw: Any) -> Any:
        nonlocal lp_solves
        res = column_generation_bound(problem, dt, iterations=BOUND_ITERATIONS, stop=stop, **kw)
        lp_solves += res.iterations
        return res

    dt = choose_dt(problem)
    refine = rounds > 0 and bool(problem.supply) and not has_instant_trips(problem)
    direct_done = False
    while not closed() and not stop.reached() and (best.todo or refine):
        if refine and not direct_done:
            # first, paths on a grid rounded up with no moves out of havens (so room at the
            # end is room at every instant): flown as they are, they come close to the
            # master's value, and this is cheaper than the bound
            direct_done = True
            direct = cg(
                dt, conservative=True, transfers=False, integer_guide=stop.left() or math.inf
            )
            stats["direct_guide"] = {"value": direct.bound, "iterations": direct.iterations}
            if direct.guide:
                best.guided(direct.guide)
            if closed():
                continue
        # a few more greedy settings (counted, not timed: a seed gives one plan); on large
        # fleets one per round, as the guided plans are the better ones there
        sliced = refine and problem.total_vehicles > _SMALL_FLEET
        best.more(1 if sliced else 6)
        if closed() or not refine or stop.reached():
            continue
        res = cg(dt)
        stats["bounds"].append(
            {"dt": dt, "bound": res.bound, "iterations": res.iterations, "steps": res.n_steps}
        )
        if res.guide:
            best.guided(res.guide)
        # paths on a grid rounded up can be flown as they are: a second guide
        if not stop.reached():
            flyable = cg(dt, conservative=True)
            if flyable.guide:
                best.guided(flyable.guide)
        previous = bound
        bound = min(bound, res.bound)
        dt /= 2.0
        # stop refining when the grid is huge, refining no longer pays, or the rounds are spent
        if res.n_steps * 2 > 200_000 or (previous - bound) < 0.1 * gap_target * bound:
            refine = len(stats["bounds"]) < 2
        refine = refine and len(stats["bounds"]) < rounds
    if not closed() and _exact_is_cheap(problem) and not stop.reached():
        # a tiny problem on whole time units: HiGHS's MIP on the grid of step 1 is exact
        from evacuate.plan.ten import ten_mip

        mip = ten_mip(problem, 1.0, time_limit=stop.left(), node_limit=EXACT_NODES)
        stop.note_solver(mip.status)
        stats["mip"] = {"rescued": mip.rescued, "status": mip.status}
        if mip.rescued > best.rescued:
            best.trips, best.rescued = list(mip.trips), round(mip.rescued)
    stats["stopped_by_time"] = stop.bound
    stats["dispatch"] = best.params.__dict__ if best.params else {}
    stats["dispatch_runs"] = best.runs
    stats["lp_solves"] = lp_solves
    return best.trips, best.rescued, max(bound, float(best.rescued)), stats


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
        bus evacuation problem); default ``WORK_PER_SECOND`` x ``time_limit``.
    """
    need_scenario(scenario, "plan")
    for name, value in (("objective", objective), ("time_limit", time_limit), ("seed", seed)):
        check_option(name, value)
    start = time.perf_counter()
    stop = SafetyStop(time_limit, start)
    problem = compile_problem(scenario)
    population = int(problem.population.sum())
    makespan = makespan_lb = None
    stats: dict[str, Any] = {}
    if objective == "max-rescued":
        trips, rescued, bound, stats = _max_rescued(
            problem, seed=seed, stop=stop, gap_target=gap_target
        )
    elif objective == "min-makespan":
        trips, rescued, bound, makespan, makespan_lb, stats = _min_makespan(
            problem,
            scenario,
            seed=seed,
            stop=stop,
            work=round(WORK_PER_SECOND * time_limit) if work is None else work,
        )
    else:
        raise ValueError(f"unknown objective {objective!r}; expected max-rescued or min-makespan")
    trips.sort(key=lambda t: (t.depart, t.group))
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
    )
    stats["trips"] = len(trips)
    stats["groups"] = len({t.group for t in trips})
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
        places=_place_rows(problem, trips),
        stats=stats,
        start_date=scenario.scenario.start_date,
        per_period=per_period(scenario, steps_from_trips(scenario, out.trips)),
    )


def _at_end(problem: Problem, scenario: Scenario, end: float) -> Problem:
    """The problem with horizon ``end``: production depends on the horizon, so a scenario
    with shipyards is compiled again; otherwise only the horizon and the havens change."""
    if scenario.fleet.shipyards:
        return compile_problem(_with_end(scenario, end))
    return replace(
        problem, end=end, is_haven=(problem.sink_capacity > 0) & (problem.deadline > end)
    )


_LB_GRID_CAP = 5_000_000
"""Grid steps x places^2 x classes beyond which the makespan lower bound uses only the
shuttle bound (improve.py), not the relaxation's bisection."""


def _makespan_lower_bound(
    problem: Problem, scenario: Scenario, hi: float, stop: SafetyStop, stats: dict[str, Any]
) -> float:
    """The longest horizon (to 0.1%) whose relaxation cannot hold everyone's rescue, and at
    least the shuttle bound of improve.py: no plan finishes before it."""
    population = float(problem.population.sum())
    lo = shuttle_makespan_bound(problem)
    stats["shuttle_lower_bound"] = lo
    steps = hi / choose_dt(problem) if problem.supply else math.inf
    if steps * problem.n_places**2 * problem.n_classes > _LB_GRID_CAP:
        return lo
    for _ in range(30):
        if hi - lo <= 1e-3 * max(1.0, hi):
            break
        if stop.reached():
            break
        mid = 0.5 * (lo + hi)
        pb = _at_end(problem, scenario, mid)
        b = trivial_bound(pb)
        if pb.supply and not has_instant_trips(pb) and b >= population - 1e-6:
            b = min(b, column_generation_bound(pb, iterations=60, stop=stop).bound)
        stats["probes"].append({"horizon": mid, "bound": b})
        if b < population - 1e-6:
            lo = mid
        else:
            hi = mid
    return lo


def _integral(problem: Problem) -> bool:
    """Every duration a whole number of time units: then so is every makespan."""
    times = [*problem.load, *problem.unload, *(s.t for s in problem.supply)]
    times += [float(x) for x in problem.travel[np.isfinite(problem.travel)]]
    return all(abs(t - round(t)) < 1e-9 for t in times)


def _min_makespan(
    full: Problem, scenario: Scenario, *, seed: int, stop: SafetyStop, work: int
) -> tuple[list[Trip], int, float, float | None, float | None, dict[str, Any]]:
    """The smallest horizon whose plan rescues everyone, and a lower bound on it.

    Shuttle problems (no clock in the rules but travel, such as the bus evacuation problem)
    get the route search of improve.py, budgeted in ``work`` move evaluations. Others:
    bisection on a common horizon, every probe planned by the max-rescued planner on a budget
    of its own (``_PROBE_ROUNDS``, ``_PROBE_RUNS``). The lower bound is a bisection on the
    bound. ``stop`` is only a safety stop.
    """
    population = int(full.population.sum())
    stats: dict[str, Any] = {"probes": []}
    lb = _makespan_lower_bound(full, scenario, full.end, stop, stats)
    target = math.ceil(lb - 1e-6) if _integral(full) else lb
    shuttle = improve_makespan(full, seed=seed, work=work, target=target, until=stop.at)
    if shuttle is not None:
        stats["work"] = shuttle.work
        stats["search_rounds"] = shuttle.rounds
        if shuttle.stopped_by_time:
            stop.bound = True
        if shuttle.makespan <= full.end + 1e-9:
            stats["stopped_by_time"] = stop.bound
            return shuttle.trips, population, float(population), shuttle.makespan, lb, stats
    trips, rescued, _, first = _max_rescued(
        full, seed=seed, stop=stop, gap_target=0.0, need=population
    )
    stats["lp_solves"] = first["lp_solves"]
    stats["dispatch_runs"] = first["dispatch_runs"]
    if rescued < population:
        bound = max(float(rescued), trivial_bound(full))
        stats["note"] = "not everyone can be rescued by the horizon: makespan undefined"
        stats["stopped_by_time"] = stop.bound
        return trips, rescued, bound, None, lb, stats
    best_trips = trips
    hi = max(t.arrive for t in trips if t.people) if trips else 0.0
    lo = lb
    # plan side: shorter horizons, each planned by the max-rescued planner (guided plans
    # included) on the probe budget
    for _ in range(30):
        if hi - lo <= 1e-3 * max(1.0, hi) or stop.reached():
            break
        mid = 0.5 * (lo + hi)
        pb = _at_end(full, scenario, mid)
        tr, got, _, st = _max_rescued(
            pb,
            seed=seed,
            stop=stop,
            gap_target=0.0,
            rounds=_PROBE_ROUNDS,
            runs=_PROBE_RUNS,
            need=population,
        )
        stats["lp_solves"] += st["lp_solves"]
        stats["dispatch_runs"] += st["dispatch_runs"]
        stats["probes"].append({"horizon": mid, "rescued": got})
        if got >= population:
            best_trips, hi = tr, max(t.arrive for t in tr if t.people)
        else:
            lo = mid
    stats["stopped_by_time"] = stop.bound
    makespan = max(t.arrive for t in best_trips if t.people) if best_trips else 0.0
    return best_trips, population, float(population), makespan, lb, stats
