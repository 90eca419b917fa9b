"""The operator: flies its plan until an attack strikes, then replans from the state.

``respond`` is the follower of the interdiction: the attacks are surprise events; at each,
the operator plans again from the state of the operation (keeping the old plan if following
it rescues at least as many) and the result is simulated to the end. Its value is certified
both ways: ``rescued`` is what the adopted plans achieve (so the damage is at most
``population - rescued``), and ``bound`` = people safe or landing at the last attack plus the
planner's bound from that state (no response could rescue more, so the damage is at least
``population - bound``). ``plan_state`` is the one function that calls the planner: a better
planner makes every answer here better.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evacuate.check import check
from evacuate.plan.api import PlanResult, plan
from evacuate.planio import Plan, Trip, Walk
from evacuate.scenario.model import Event
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.engine import _EVENT, Engine
from evacuate.simulation.state import state_scenario

__all__ = ["Planner", "Response", "Undisturbed", "follow", "plan_state", "respond"]

log = logging.getLogger(__name__)

Planner = Callable[[Scenario], PlanResult]
"""Plans from a scenario; must be deterministic (same scenario, same plan)."""


def plan_state(scenario: Scenario, *, time_limit: float = 60.0, seed: int = 0) -> PlanResult:
    """The operator's planner: ``evacuate.plan.api.plan`` with a fixed seed; the time limit
    is a safety stop (on the instances here the planner's own work budgets end it first)."""
    return plan(scenario, time_limit=time_limit, seed=seed)


@dataclass(frozen=True)
class Response:
    """What the operator achieves after the attacks, and what it could at best."""

    rescued: int
    bound: float
    planner_calls: int
    checked: int
    """Follower plans that passed ``evacuate check`` against their state."""
    infeasible: tuple[str, ...] = ()
    """Ids of states whose follower plan the checker rejected (none expected)."""
    adopted: tuple[str, ...] = ()
    """Per replanning: ``new`` or ``old`` (following the old plan was at least as good)."""
    plan: Plan | None = None
    """With ``keep``: the last plan the operator adopted from a state (None: none adopted)."""
    stopped_by_time: int = 0
    """Planner calls the time limit (a safety stop) cut short: their plans and bounds may
    differ from run to run."""


def _engine(scenario: Scenario, trips: list[Trip], walks: Sequence[Walk] = ()) -> Engine:
    engine = Engine(scenario, record=False)
    engine.load_plan(trips)
    engine.load_walks(walks)
    return engine


def _load(engine: Engine, plan: Plan, prefix: str) -> None:
    """Replace the engine's orders by ``plan``'s trips and walks (``travel.walkways``)."""
    engine.drop_orders()
    engine.load_plan(list(plan.trips), prefix=prefix)
    engine.load_walks(plan.walks, prefix=prefix)


def follow(scenario: Scenario, trips: list[Trip], walks: Sequence[Walk] = ()) -> int:
    """People rescued if the operator keeps flying ``trips`` (and ``walks``) through every
    surprise (no replanning): a response the operator can always choose, so a floor on its
    value."""
    engine = _engine(scenario, trips, walks)
    engine.run(stop_at_surprise=False)
    return engine.rescued()


class Undisturbed:
    """The operator's plan flown with no attack, kept at the instants strikes come.

    ``follow(events)`` equals ``follow`` on the scenario with ``events`` added (each strike an
    event after the scenario's own at its instant), but the flight up to the first strike is
    not repeated: it forks the run kept at the nearest earlier instant and goes on from there.
    The snapshots are forks (nothing shared is changed), so answers do not depend on the order
    of the questions."""

    def __init__(
        self,
        scenario: Scenario,
        trips: list[Trip],
        keep: int = 512,
        walks: Sequence[Walk] = (),
    ) -> None:
        self.root = _engine(scenario, trips, walks)
        self.keep = keep
        self.times: list[float] = []
        self.snapshots: list[Engine] = []
        self.events_run = 0
        """Events processed in all (a work count: what the snapshots save shows here)."""

    def at(self, t: float) -> Engine:
        """A fork of the undisturbed run at ``t``: everything before the events of ``t`` done."""
        k = bisect.bisect_right(self.times, t)
        start = self.snapshots[k - 1] if k else self.root
        engine = start.fork()
        before = engine.progress
        engine.run(until=t, stop_at_surprise=False, before=_EVENT)
        self.events_run += engine.progress - before
        if (not k or self.times[k - 1] != t) and len(self.times) < self.keep:
            self.times.insert(k, t)
            self.snapshots.insert(k, engine)
            engine = engine.fork()
        return engine

    def fly(self, events: list[Event], answer: Plan) -> int:
        """People rescued if the operator flies its plan up to the first of ``events``, then
        ``answer`` (a plan made earlier, e.g. after another attack) to the end, whatever
        else strikes: a response it can always choose, so a floor on its value. (Trips the
        state no longer allows are cancelled by the simulation as they come.)"""
        at = min(e.at for e in events)
        engine = self.at(at)
        for e in events:
            engine.add_event(e)
        before = engine.progress
        while engine.run():
            if engine.now >= at:
                _load(engine, answer, "r1.")
                break
        engine.run(stop_at_surprise=False)
        self.events_run += engine.progress - before
        return engine.rescued()

    def follow(self, events: list[Event]) -> int:
        """People rescued if the operator keeps flying its plan through ``events``."""
        if not events:
            engine = self.root.fork()
        else:
            engine = self.at(min(e.at for e in events))
            for e in events:
                engine.add_event(e)
        before = engine.progress
        engine.run(stop_at_surprise=False)
        self.events_run += engine.progress - before
        return engine.rescued()


def respond(
    scenario: Scenario,
    trips: list[Trip],
    planner: Planner,
    *,
    base_bound: float = math.inf,
    check_plans: bool = True,
    keep: bool = False,
    walks: Sequence[Walk] = (),
) -> Response:
    """Fly ``trips`` and ``walks`` on ``scenario`` (attacks as surprise events), replanning
    at each."""
    engine = _engine(scenario, trips, walks)
    bound = base_bound
    kept: Plan | None = None
    calls = checked = stopped = 0
    bad: list[str] = []
    adopted: list[str] = []
    k = 0
    while engine.run():
        k += 1
        follow_engine = engine.fork()
        follow_engine.run(stop_at_surprise=False)
        followed = follow_engine.rescued()
        state = state_scenario(engine)
        # people on their way to havens (by vehicle or on foot) are rescued in the state's
        # terms: the bound from the state does not count them
        landing = (
            sum(it.people for it in engine.transit if engine.haven[it.destination])
            + sum(n for dest, n, _, _ in engine.unloading if engine.haven[dest])
            + sum(n for dest, _, n in engine.walkers.incoming() if engine.haven[dest])
        )
        result = planner(state)
        calls += 1
        stopped += bool(result.stats.get("stopped_by_time"))
        if check_plans:
            report = check(state, result.plan)
            if report.feasible:
                checked += 1
            else:
                bad.append(f"t={engine.now:g}")
                log.warning("follower plan at t=%g fails the checker", engine.now)
        trial = engine.fork()
        _load(trial, result.plan, f"r{k}.")
        trial.run(stop_at_surprise=False)
        new = trial.rescued()
        so_far = engine.rescued()
        # whatever happens after this instant, no response rescues more than this
        bound = min(bound, so_far + landing + result.bound)
        if new >= followed:
            _load(engine, result.plan, f"r{k}.")
            adopted.append("new")
            kept = result.plan if keep else None
        else:
            adopted.append("old")
    rescued = engine.rescued()
    return Response(
        rescued=rescued,
        bound=max(float(rescued), bound if math.isfinite(bound) else float(rescued)),
        planner_calls=calls,
        checked=checked,
        infeasible=tuple(bad),
        adopted=tuple(adopted),
        plan=kept,
        stopped_by_time=stopped,
    )
