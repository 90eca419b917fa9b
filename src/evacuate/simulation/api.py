"""``simulate``: run a plan against the world, with noise and surprises, replanning or not."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from evacuate.arguments import need_scenario
from evacuate.options import OPTIONS, check_option
from evacuate.planio import Plan, Trip, Walk
from evacuate.scenario.model import Perturbations
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.engine import _DEPART, Engine
from evacuate.simulation.log import LogEvent
from evacuate.simulation.result import Replan, SimResult
from evacuate.simulation.state import state_scenario

__all__ = ["Policy", "run_to", "simulate"]

log = logging.getLogger(__name__)

Policy = Literal["replan", "follow"]
Progress = Callable[[str], None]


class _Tapped(list[LogEvent]):
    """The engine's log, also handing each record to a listener as it is written."""

    def __init__(self, listener: Callable[[LogEvent], None]) -> None:
        super().__init__()
        self.listener = listener

    def append(self, event: LogEvent) -> None:
        super().append(event)
        self.listener(event)


def _engine(scenario: Scenario, seed: int, perturbations: Perturbations | None) -> Engine:
    p = perturbations if perturbations is not None else scenario.perturbations
    return Engine(
        scenario,
        noise_cv=p.travel_cv,
        breakdown_p=p.breakdowns,
        rng=np.random.default_rng(seed),
    )


def _finish(engine: Engine) -> int:
    """Run a (forked) engine to the end without the surprises still to come (the operator
    judging a plan cannot know them); people rescued."""
    engine.forget_surprises()
    engine.run(stop_at_surprise=False)
    return engine.rescued()


def run_to(scenario: Scenario, trips: list[Trip], t: float, walks: Sequence[Walk] = ()) -> Engine:
    """Follow ``trips`` (and ``walks``) without noise up to time ``t`` (events at ``t`` fired,
    nothing at ``t`` departed yet): the operation's state at ``t``, for ``state_scenario``."""
    engine = Engine(scenario)
    engine.load_plan(trips)
    engine.load_walks(walks)
    engine.run(until=t, stop_at_surprise=False, before=_DEPART)
    engine.now = max(engine.now, t)
    return engine


def simulate(
    scenario: Scenario,
    plan: Plan | list[Trip] | None = None,
    *,
    policy: Policy = OPTIONS["policy"].default,
    seed: int = OPTIONS["seed"].default,
    perturbations: Perturbations | None = None,
    time_limit: float = OPTIONS["time_limit"].default,
    progress: Progress | None = None,
    on_event: Callable[[LogEvent], None] | None = None,
) -> SimResult:
    """Simulate ``plan`` (default: the planner's plan, blind to surprises) on ``scenario``.

    ``policy``: at each surprise, ``replan`` plans again from the state of the operation
    (keeping the old plan when following it would rescue at least as many, judged without
    noise and without further surprises); ``follow`` keeps the plan. ``perturbations``
    overrides the scenario's noise settings; the noise is drawn from ``seed``.
    ``time_limit``: seconds for each call of the planner. ``on_event`` sees each record of
    the event log as it is written (the live view of ``evacuate serve``).
    """
    from evacuate.plan.api import plan as make_plan

    need_scenario(scenario, "simulate")
    for name, value in (("policy", policy), ("seed", seed), ("time_limit", time_limit)):
        check_option(name, value)
    t0 = time.perf_counter()
    plan_seconds = 0.0
    stopped = 0  # planner calls the safety stop cut short
    say = progress or (lambda _msg: None)
    if plan is None:
        say("planning")
        first = make_plan(scenario, time_limit=time_limit, seed=seed)
        plan_seconds += first.seconds
        stopped += bool(first.stats.get("stopped_by_time"))
        trips = list(first.plan.trips)
        walks = first.plan.walks
        planned, bound = float(first.rescued), first.bound
    else:
        trips = list(plan.trips) if isinstance(plan, Plan) else list(plan)
        walks = plan.walks if isinstance(plan, Plan) else ()
        planned = (
            float(plan.rescued) if isinstance(plan, Plan) and plan.rescued is not None else math.nan
        )
        bound = float(plan.bound) if isinstance(plan, Plan) and plan.bound is not None else math.nan
    engine = _engine(scenario, seed, perturbations)
    if on_event is not None:
        tapped = _Tapped(on_event)
        for e in engine.log:  # what the engine logged as it set up (stock entering service)
            tapped.append(e)
        engine.log = tapped
    engine.load_plan(trips)
    engine.load_walks(walks)
    replans: list[Replan] = []
    say("simulating")
    while engine.run():
        t = engine.now
        ids = tuple(i for tt, i in engine.surprises if tt == t)
        if policy != "replan":
            continue
        say(f"replanning at {t:g} after {', '.join(ids)}")
        r0 = time.perf_counter()
        follow = _finish(engine.fork())
        state = state_scenario(engine)
        # people on their way to havens are rescued in the state's terms (room taken there)
        landing = (
            sum(it.people for it in engine.transit if engine.haven[it.destination])
            + sum(n for dest, n, _, _ in engine.unloading if engine.haven[dest])
            + sum(n for dest, _, n in engine.walkers.incoming() if engine.haven[dest])
        )
        result = make_plan(state, time_limit=time_limit, seed=seed)
        plan_seconds += result.seconds
        stopped += bool(result.stats.get("stopped_by_time"))
        trial = engine.fork()
        trial.drop_orders()
        trial.load_plan(list(result.plan.trips), prefix=f"r{len(replans) + 1}.")
        trial.load_walks(result.plan.walks, prefix=f"r{len(replans) + 1}.")
        new = _finish(trial)
        so_far = engine.rescued()
        adopted = "new" if new >= follow else "old"
        if adopted == "new":
            engine.drop_orders()
            engine.load_plan(list(result.plan.trips), prefix=f"r{len(replans) + 1}.")
            engine.load_walks(result.plan.walks, prefix=f"r{len(replans) + 1}.")
        rp = Replan(
            time=t,
            events=ids,
            adopted=adopted,
            rescued_so_far=so_far,
            planned_more=float(max(new, follow) - so_far),
            follow_more=float(follow - so_far),
            bound_more=float(result.bound + landing),
            seconds=time.perf_counter() - r0,
        )
        replans.append(rp)
        engine._log(
            t,
            "replan",
            "",
            people=int(rp.planned_more),
            detail=(
                f"{adopted} plan: +{rp.planned_more:,.0f} from here "
                f"(follow +{rp.follow_more:,.0f}, bound +{rp.bound_more:,.0f})"
            ),
        )
        log.info("replanned at %g after %s: %s", t, ids, rp)
    rescued = engine.rescued()
    return SimResult(
        scenario=scenario,
        policy=policy,
        seed=seed,
        population=engine.population,
        rescued=rescued,
        lost_people=engine.lost_people,
        lost_by_place={k: v for k, v in engine.lost_by_place.items() if v},
        waiting_at_end=engine.waiting(),
        on_board_at_end=engine.on_board(),
        vehicles_entered=engine.vehicles_entered,
        vehicles_lost=engine.vehicles_lost,
        vehicles_broken=engine.vehicles_broken,
        vehicles_withdrawn=engine.vehicles_withdrawn,
        last_rescue=engine.last_rescue,
        trips=engine.trips_made,
        planned_rescued=planned,
        planned_bound=bound,
        replans=tuple(replans),
        events=tuple(engine.log),
        seconds=time.perf_counter() - t0,
        plan_seconds=plan_seconds,
        plans_stopped_by_time=stopped,
    )
