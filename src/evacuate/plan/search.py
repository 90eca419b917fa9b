"""Max rescued: the dispatcher (heuristic.py) runs with a few settings and keeps the best plan;
the Lagrangian bound (lagrange.py) is driven towards it, on finer time grids while the gap is
above the target. The search is budgeted in work units (dispatcher runs, rounds of the bound,
LP solves, MIP nodes); the clock only enters through the safety stop (budget.py).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from evacuate.plan.allocate import Allocation, allocation
from evacuate.plan.best import GUIDE_GRACE, fine_guide_args, fly_fine_guide, rescued_by_trips
from evacuate.plan.best import Best as _Best
from evacuate.plan.best import allocation_start as _allocation_start
from evacuate.plan.budget import (
    FULL_EFFORT,
    LEAN_GUIDE_ITERATIONS,
    LEAN_ONE_GUIDE_CELLS,
    SafetyStop,
    lean_bound_args,
)
from evacuate.plan.fatigue import fleet_work_bound
from evacuate.plan.fleet_bound import applies as fleet_applies
from evacuate.plan.fleet_bound import fleet_bound
from evacuate.plan.grid import city_scale, grid_fits
from evacuate.plan.heuristic import DispatchParams
from evacuate.plan.lagrange import (
    LagrangeResult,
    choose_dt,
    column_generation_bound,
    finer_sweep,
    has_instant_trips,
    trivial_bound,
)
from evacuate.plan.ops_bound import stands_bound, wear_bound
from evacuate.plan.problem import Problem
from evacuate.plan.roundtrips import round_trip_bound
from evacuate.planio import Trip

__all__ = [
    "BIG_CITY_GUIDE_ITERATIONS",
    "BIG_CITY_GUIDE_STEP",
    "BIG_CITY_PLACES",
    "BOUND_ITERATIONS",
    "CITY_BOUND_MIN",
    "CITY_BOUND_WORK",
    "CITY_GREEDY_FIRST",
    "CITY_GUIDED",
    "CITY_GUIDE_ITERATIONS",
    "CITY_TARGETED",
    "CITY_TARGETED_PLACES",
    "DISPATCH_RUNS",
    "EXACT_NODES",
    "FINE_GUIDE",
    "FINE_GUIDE_ITERATIONS",
    "GUIDE_GRACE",
    "GUIDE_ONLY_CELLS",
    "MAX_BOUND_ROUNDS",
    "REFINE_CELLS",
    "city_bound_solves",
    "max_rescued",
    "rescued_by_trips",
]

log = logging.getLogger(__name__)


def _finer_bound(problem: Problem, res: LagrangeResult, stats: dict[str, Any]) -> float:
    """One pricing sweep on a grid ``FINER_SWEEP`` times finer at the multipliers of a round
    of the bound at city scale (``lagrange.finer_sweep``): a valid bound (weak duality holds
    for any non-negative multipliers), and a tighter one, since the finer grid rounds travel
    down by less. Measured on ``scale-200``: the 4 h grid's converged 21,176,577 becomes
    20,641,416 for 0.3 s of CPU (bench/results/2026-11-28-citygap.md). A single sweep, run
    even when the safety stop has struck (like the first guide's flight, its work would
    otherwise be lost)."""
    value = finer_sweep(problem, res, FINER_SWEEP)
    stats["finer_bound"] = {"dt": res.dt / FINER_SWEEP, "bound": value}
    return value


def city_bound_solves(problem: Problem, dt: float, effort: float) -> int:
    """LP solves of the bound's round at city scale: ``CITY_BOUND_WORK`` x ``effort`` over the
    grid's size (places x classes x steps), so the whole search ends on its work budget within
    the safety stop (bench/results/2026-11-28-cityplan3.md)."""
    if problem.n_places >= BIG_CITY_PLACES:
        # none where the grid's column generation is far from the people in any share of
        # the stop (scale-500: 113.9% of them after 60 LP solves, 188.8 s of CPU;
        # bench/results/2026-11-28-hbound2.md): the fleet bound is the one computed there
        return 0
    cells = problem.n_places * problem.n_classes * max(1, math.ceil(problem.end / dt))
    solves = min(BOUND_ITERATIONS, math.floor(CITY_BOUND_WORK * effort / cells))
    return solves if solves >= CITY_BOUND_MIN else 0


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


DISPATCH_RUNS = 12
"""Work budget of max rescued: greedy dispatcher runs when the bound cannot guide (with a
guide: one, then one per round of the bound; guided runs come on top, three per guide) ..."""

MAX_BOUND_ROUNDS = 3
"""... and rounds of the bound (each on a grid twice as fine, each up to
``BOUND_ITERATIONS`` LP solves of its master, each guiding three dispatcher runs)."""

REFINE_CELLS = 10_000_000
"""... and a round after the first only on a grid of at most this many cells (steps x places^2
x classes): the large rung's second and third rounds (8,000 and 16,000 steps, 30 places, 3
classes) took 20 of its 28.5 s of CPU for a bound 0.11% lower and the same plan, so the
default 10 s stop cut it; the medium, proto, Libya and Romulan grids stay under it."""

BOUND_ITERATIONS = 200
"""LP solves of the column generation per round of the bound."""

CITY_GUIDE_ITERATIONS = 40
"""LP solves of the first guide's column generation at city scale (``grid.city_scale``), its
LP solution rounded (the whole-vehicle MIP ended on its time limit after 0 nodes on
``scale-200``, where 20 solves guide 16.7 M people, 40 solves 18.5 M, 87 with the MIP 18.9 M)."""

CITY_GREEDY_FIRST = 2
"""Greedy dispatcher runs before the first guide at city scale (one elsewhere): flying a
guide there costs far more (on ``scale-500``, a run guided by 20 LP solves used 18 CPU s
unfinished where a greedy run uses 2-4) and may not fit in the safety stop."""

GUIDE_ONLY_CELLS = 20_000_000
"""On a grid of more than this many cells (steps x places^2 x classes) below city scale, the
first guide's LP solution is rounded (no whole-vehicle MIP), and once a guide has been flown
the rounds of the bound fly none (the bound's own, nor the flyable one, whose column
generation is skipped): on the xlarge rung (60 M cells) the MIP took 14-18 s of CPU for 361
more people (0.005%), the flyable guide's 76 LP solves 12-14 s, and their plans (6.86 M and
6.67 M) never came near the first guide's (7.21 M); on the large rung (10.8 M) likewise
(737,454 and 669,653 against 738,553), though there its MIP gains 170 people for 1.4 s."""

CITY_TARGETED = [
    DispatchParams(slack_power=1.0, off_target=0.2, skip_empty=True),
    DispatchParams(slack_power=1.5, skip_empty=True),
]
"""Dispatcher settings run towards the allocation's targets at city scale, before any
other (``allocate.targets``; each place's score x ``(horizon / slack) ** slack_power``, the
slack the time left before its deadline). Measured, one run each (loaded machine, so CPU
seconds): ``scale-200`` 17,526,900 and 17,189,310 (the greedy settings 14.8-15.9 M, the
guide of 40 LP solves 18,493,291); ``scale-500`` 36,960,131 and 36,945,498 in 4.9 and 7.0
s (the greedy settings 31.5-33.8 M in 2.8-4.2 s; the guide does not converge there in the
budget). Other settings tried on ``scale-500``: slack power 0.5 36.1 M, 1.0 with
``off_target`` 0.05 36.9 M, with urgency 1 over 0.3 of the horizon 35.7 M. Where the
allocation applies, no greedy run comes before the guide (none ever beat these)."""

FINE_GUIDE = 8
"""At city scale below ``BIG_CITY_PLACES``, once the direct guide (``dt``) is flown, a
second guide on a grid this many times finer, started from its multipliers: the 4 h grid
costs the guide about 1.3% on ``scale-200``, the 1 h grid 0.4% (converged: 4 h 18.91 M, 1 h
19.15 M, 0.5 h 19.20 M, 0.25 h 19.23 M; bench/results/2026-11-28-citygap.md)."""

FINE_GUIDE_ITERATIONS = 30
"""LP solves of the finer guide's column generation (adaptive smoothing). Measured on
``scale-200`` from the direct guide's 40 (loaded, CPU s of the column generation; flown with
``CITY_GUIDED``): 1 h, 30 solves 19,138,223 (12.4 s), 40 solves 19,150,145 (14.5 s); 0.5 h,
30 solves 19,186,905 (21.7 s); more in bench/results/2026-11-28-cplan.md."""

AGGREGATE_GUIDE_PLACES = 1_000
"""From this many places on (or without an allocation), the first guide is the clustered
problem's (``aggregate.py``), not the real grid's (400 until the real grid's started from the
allocation's duals: on ``scale-500`` the clustered guide flies 38,499,010, the real one now
39,525,805; bench/results/2026-11-28-cplan5.md)."""

BIG_CITY_PLACES = 400
"""From this many places on: one run towards the allocation's targets, no finer guide and no
round of the bound at city scale (each would cost a large share of a 60 s stop there) ..."""

BIG_CITY_GUIDE_STEP = 2
"""... and the direct guide's grid this many times finer than the city grid. Measured on
``scale-500`` (idle, CPU s of the column generation, 40 LP solves from the allocation's
duals, flown once): the city grid (3.9 h) 38,898,719 (21-25 s); twice finer 39,123,717 (25.5
s); the city grid, then a finer guide (30 solves) twice finer 39,323,150 (+17 s), 8 times
39,491,856 (+31 s): past the budget (bench/results/2026-11-28-cplan5.md)."""

BIG_CITY_GUIDE_ITERATIONS = 45
"""... and its LP solves (the master grows: each solve past the 40th costs about 1.5 s of CPU
on ``scale-500``): 40 solves 39,123,717, 45 solves 39,525,805, 50 solves 39,700,460 (41.7 s
of CPU for the column generation, too close to a 60 s stop on a loaded machine)."""

CITY_TARGETED_PLACES = 2_000
"""Places beyond which the allocation is not computed (not measured there: at 10,000 places
its LP would have some 480,000 columns, and the dispatcher needs the whole stop)."""

FINER_SWEEP = 8
"""At city scale, a round of the bound ends with one pricing sweep on a grid this many times
finer, at the round's best multipliers (``_finer_bound``). Measured on ``scale-200`` in the
search at a 60 s stop (loaded; the round's L 21,066,756 after 61 LP solves): 4 times finer
(1 h) 20,571,790 for 0.47 s of CPU, 8 times (0.5 h) 20,501,585 for 1.0 s, 16 times
20,467,722 for 2.2 s (bench/results/2026-11-28-hbound.md)."""

CITY_GUIDED = [DispatchParams(urgency=1.0, urgency_window=0.3, reserve=False)]
"""At city scale every guide is flown once, with this setting (the second of ``guided``'s
three, which reserves nothing for the paths' later legs): it gave the best plan of the three
on ``scale-200`` (the finer guide: 19,093,685 against 19,093,613 twice, 0.27 CPU s against
0.42-0.58) and on ``scale-500`` (the clustered guide: 38,499,010 against 38,127,356 twice, 3.0
CPU s against 10.5-12.8), so the other two were work without a better plan."""

CITY_BOUND_WORK = 1_400_000
"""The bound's round at city scale gets ``CITY_BOUND_WORK`` x ``effort`` / (places x classes x
steps) LP solves (``city_bound_solves``; effort 6 at a 60 s limit): on ``scale-200`` (275
places, 3 classes, 251 steps) 40 solves, sized so that the whole search ends on its work
budget, not on the safety stop (38.9-40.1 s of CPU there, loaded; the guides take about 21 s
of it). Measured from scratch, loaded: L 22.92 M after 40 solves (13.9 s), 20.43 M after 70
(45.9 s), so at 40 the round does not yet beat the finer guide's multipliers (21,159,254);
a faster column generation buys its bound back here (bench/results/2026-11-28-cityplan3.md)."""

CITY_BOUND_MIN = 60
"""Fewer LP solves than this and the round at city scale is skipped: it would not pay. On
``scale-200`` at a 60 s limit (40 solves) the round's L was 22,305,959 (above the people)
and 21,740,788 after its finer sweep, for 18.6 of the search's 40.0 s of CPU (idle), while
the fleet bound (fleet_bound.py) gives 20,889,929 in about 4-5 s; after 60 solves (adaptive
smoothing) the round's finer sweep gives 19,884,828 (bench/results/2026-11-28-hbound2.md), so
from a 90 s limit on (effort 9: 60 solves there) the round runs."""

EXACT_NODES = 20_000
"""Branch-and-bound nodes of the exact MIP on tiny whole-unit problems."""


def max_rescued(
    problem: Problem,
    *,
    seed: int,
    stop: SafetyStop,
    gap_target: float,
    rounds: int = MAX_BOUND_ROUNDS,
    runs: int | None = None,
    need: float | None = None,
    direct_only: bool = False,
    effort: float = 1.0,
) -> tuple[list[Trip], int, float, dict[str, Any]]:
    """Best plan and bound within a budget in work units: ``runs`` dispatcher settings
    (``DISPATCH_RUNS`` by default) and ``rounds`` rounds of the bound; ``stop`` is only a
    safety stop. ``need``: the search ends as soon as a plan rescues that many, or the bound
    proves that none can (a min-makespan probe). ``direct_only``: the search ends after the
    direct guide's runs, and its one greedy run comes after them, only if they fell short
    (min makespan's probes, makespan.py). ``effort``: the work budget
    against the default one (api.py); it scales ``GUIDE_ONLY_CELLS``."""
    best = _Best(problem, seed, stop, DISPATCH_RUNS if runs is None else runs)
    best.need = need
    stats: dict[str, Any] = {"bounds": []}
    alloc: Allocation | None = None
    big_city = city_scale(problem) and problem.n_places >= BIG_CITY_PLACES
    if city_scale(problem) and problem.n_places <= CITY_TARGETED_PLACES:
        # the plan first, deadline-aware: the allocation LP says which places to serve and
        # how much; the dispatcher serves them earliest deadline first (allocate.py)
        alloc = allocation(problem, stop)
        if alloc is not None:
            goal = alloc.targets
            stats["allocation"] = float(goal.sum())
            # from the clustered guide's size on, the first setting only (the second never
            # beat it, and the guide's plan beats both: scale-500 36,960,131 and 36,945,498
            # in 3.0 and 5.6 CPU s, the guided run 38.5 M)
            for prm in CITY_TARGETED[:1] if big_city else CITY_TARGETED:
                if best.runs == 0 or not stop.reached():
                    best.run(prm, goal)
    elif city_scale(problem) and not direct_only:
        # past the allocation's size, sectors planned one by one (regions.py): at 10,000
        # places one greedy run on the whole problem rescued 5% of the people in a 60 s stop
        from evacuate.plan.regions import region_plan

        found = region_plan(problem, stop)
        if found is not None:
            best.sectors(found[0], found[1]["planned"])
            stats["sectors"] = found[1]
    # at city scale the guide may not be flown within the safety stop: a second greedy
    # setting first (on scale-500 it rescues 33.8 M where the first rescues 31.5 M), unless
    # runs towards the allocation came first
    if "allocation" not in stats and not direct_only:
        best.more(CITY_GREEDY_FIRST if city_scale(problem) else 1)
    bound = trivial_bound(problem)
    stats["trivial_bound"] = bound
    work = fleet_work_bound(problem)
    if math.isfinite(work):
        stats["fleet_work_bound"] = work
        bound = min(bound, work)
    for name, other in (
        ("stands_bound", stands_bound),  # plan/ops_bound.py
        ("wear_bound", wear_bound),
    ):
        if math.isfinite(value := other(problem)):
            stats[name], bound = value, min(bound, value)
    # the round-trip LP honours the safety stop: skipped once it struck (at 10,000 places,
    # 18 s of CPU past a 60 s stop after the dispatcher), its HiGHS run capped by it
    trips_lp = math.inf if stop.reached() else round_trip_bound(problem, stop)
    if math.isfinite(trips_lp):
        stats["round_trip_bound"] = trips_lp
        bound = min(bound, trips_lp)
    elif stop.bound:
        stats["round_trip_bound"] = "skipped: the safety stop struck"
    # where the round-trip LP is pooled: trips to the nearest havens (fleet_bound.py; like
    # the round-trip LP, skipped once the safety stop struck, its HiGHS run capped by it)
    fleet = math.inf
    if fleet_applies(problem) and not stop.reached():
        fleet = fleet_bound(problem, stop).bound
    if math.isfinite(fleet):
        stats["fleet_bound"], bound = fleet, min(bound, fleet)
    lp_solves = 0

    def closed() -> bool:
        if need is not None and (best.rescued >= need or bound < need - 1e-6):
            return True
        return bound <= 0 or (bound - best.rescued) / bound <= gap_target

    def cg(dt: float, iterations: int = BOUND_ITERATIONS, **kw: Any) -> Any:
        nonlocal lp_solves
        res = column_generation_bound(problem, dt, iterations=iterations, stop=stop, **kw)
        lp_solves += res.iterations
        return res

    fits = grid_fits(problem)
    dt = choose_dt(problem) if fits else math.inf  # a grid's step (2 s of CPU at 10,000 places)
    cells = problem.end / dt * problem.n_places**2 * problem.n_classes
    big = fits and cells > GUIDE_ONLY_CELLS * effort
    lean = big and effort < FULL_EFFORT  # budget.py: LEAN_*, the default budget on xlarge
    one_guide = big or (
        fits
        and cells > LEAN_ONE_GUIDE_CELLS
        and effort < FULL_EFFORT
        and not city_scale(problem)  # there, worth_flying decides
    )
    if not fits:
        stats["grid_bound"] = "skipped: too many places for the grid's arrays (GRID_CELLS)"
    refine = fits and rounds > 0 and bool(problem.supply) and not has_instant_trips(problem)
    # with the bound's paths to guide the dispatcher, greedy restarts are one per round of
    # the bound and none after: on the ladder, the examples and the Romulan variants no
    # greedy run after the first ever beat the guided plans (they cost more than a third
    # of the work); without a guide, the greedy settings are the whole search
    guided_search = refine
    city_plan = city_scale(problem) and not direct_only
    direct_done = False
    people = float(problem.population.sum())

    def worth_flying(value: float) -> bool:
        """At city scale, the master's paths of a column generation whose bound ``value``
        is still above the population (far from converged) are not flown: on scale-500
        the direct guide's 40 LP solves end with a bound of 51.9 M for 45.8 M people (its
        master at 31.9 M), and the run it guides rescued 26,453,866 in 83.7 s of CPU where
        the targeted runs rescue 37 M in 5-7 s."""
        good = not (city_scale(problem) and value > people)
        if not good:
            log.info("paths of a column generation at %.0f, above the population: not flown", value)
        return good

    direct: LagrangeResult | None = None
    while not closed() and not stop.reached() and ((best.todo and not guided_search) or refine):
        if refine and not direct_done:
            # first, paths on a grid rounded up with no moves out of havens (so room at the
            # end is room at every instant): flown as they are, they come close to the
            # master's value, and this is cheaper than the bound
            direct_done = True
            city = city_scale(problem)
            if (
                city
                and not direct_only
                and (problem.n_places >= AGGREGATE_GUIDE_PLACES or (big_city and alloc is None))
            ):
                # the clustered problem's guide, mapped back (aggregate.py, aggregate's hook);
                # the real grid's from scratch does not converge on 500 places (its L 51.9 M
                # for 45.8 M people after 40 LP solves), from the allocation's duals it does
                from evacuate.plan.aggregate import aggregate_guide

                guide, solves = aggregate_guide(problem, stop=stop)
                lp_solves += solves
                stats["direct_guide"] = {"clustered": True, "iterations": solves}
            else:
                direct = cg(
                    dt / BIG_CITY_GUIDE_STEP if big_city else dt,
                    conservative=True,
                    transfers=False,
                    integer_guide=0.0 if city or big else stop.left() or math.inf,
                    iterations=(BIG_CITY_GUIDE_ITERATIONS if big_city else CITY_GUIDE_ITERATIONS)
                    if city
                    else (LEAN_GUIDE_ITERATIONS if lean else BOUND_ITERATIONS),
                    **_allocation_start(alloc),
                )
                stats["direct_guide"] = {
                    "value": direct.bound,
                    "iterations": direct.iterations,
                    "dt": direct.dt,
                }
                guide = direct.guide if worth_flying(direct.bound) else {}
            fine = city and bool(guide) and direct is not None and not direct_only
            fine = fine and not big_city
            if guide and city_plan:
                best.guided(guide, settings=CITY_GUIDED)
            elif guide:
                best.guided(guide, 3)
            if fine and direct is not None and not closed() and not stop.reached():
                # the direct guide's grid is coarse at city scale: a finer one (FINE_GUIDE)
                fine_res = cg(dt / FINE_GUIDE, **fine_guide_args(direct, FINE_GUIDE_ITERATIONS))
                fly_fine_guide(best, fine_res, stats, CITY_GUIDED)
                # its multipliers priced on the bound's finer grid: a bound for one sweep
                start = cg(dt, 0, multipliers=(fine_res.sigma, fine_res.mu))
                stats["guide_bound"] = _finer_bound(problem, start, {})
                bound = min(bound, stats["guide_bound"])
            if direct_only and not closed():
                best.more(1)  # a probe's greedy run, after its guide: only if that failed
            if closed() or direct_only:
                break
        # more greedy settings (counted, not timed: a seed gives one plan); at city scale
        # none after a guide was flown (no greedy run there ever came near a guided one)
        if not (city_plan and best.flown):
            best.more(1 if guided_search else 6)
        if closed() or not refine or stop.reached():
            continue
        if city_plan:
            solves = city_bound_solves(problem, dt, effort)
            if solves <= 0:
                break  # the city-scale budget leaves the bound no LP solve (a small effort)
            res = cg(dt, solves)
        else:
            res = cg(dt, **(lean_bound_args((direct.sigma, direct.mu)) if lean and direct else {}))
        stats["bounds"].append(
            {"dt": dt, "bound": res.bound, "iterations": res.iterations, "steps": res.n_steps}
        )
        # at city scale the round only bounds: its paths and a flyable guide's are not
        # flown (the finer guide's plan is better) and no finer round follows (the budget)
        fly = not (one_guide and best.flown) and not city_plan  # GUIDE_ONLY_CELLS, LEAN_*
        if res.guide and fly and worth_flying(res.bound):
            best.guided(res.guide)
        previous = bound
        bound = min(bound, res.bound)
        if city_scale(problem):  # a bound even where the round's L is above the people
            bound = min(bound, _finer_bound(problem, res, stats))
        # paths on a grid rounded up can be flown as they are: a second guide, unless the
        # bound already says the plan is good enough
        if not closed() and not stop.reached() and fly:
            flyable = cg(dt, conservative=True)
            if flyable.guide and worth_flying(flyable.bound):
                best.guided(flyable.guide)
        dt /= 2.0
        # stop refining when the grid is huge, refining no longer pays, or the rounds are spent
        if res.n_steps * 2 > 200_000 or (previous - bound) < 0.1 * gap_target * bound:
            refine = len(stats["bounds"]) < 2
        refine = refine and len(stats["bounds"]) < rounds
        refine = (
            refine and 2 * res.n_steps * problem.n_places**2 * problem.n_classes <= REFINE_CELLS
        )
        refine = refine and not city_plan
    if (
        need is None
        and not best.flown
        and not closed()
        and not stop.reached()
        and "sectors" not in stats  # its repairs would run on the whole problem
    ):
        # improvement phase after greedy construction: destroy and repair (improve_rescue.py)
        from evacuate.plan.improve_rescue import improve_rescued

        better = improve_rescued(problem, best.trips, best.rescued, bound, seed=seed, stop=stop)
        stats["improve"] = better.stats(best.rescued)
        best.trips, best.rescued = better.trips, better.rescued
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
    stats["dispatch_targeted"] = best.targeted
    stats["guided_runs"] = best.guided_runs
    stats["dispatch_runs"] = best.runs
    stats["lp_solves"] = lp_solves
    return best.trips, best.rescued, max(bound, float(best.rescued)), stats
