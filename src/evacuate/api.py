"""The top-level Python API: ``evacuate.load``, ``plan``, ``check``, ``simulate``.

Each function takes what the command of the same name takes, under the same names and with the
same defaults (both read ``evacuate.options``): a scenario (a ``Scenario``, a file path, or
None for the embedded Romulan scenario), then ``variant``, ``time_limit``, ``seed``, ... The
heavy modules (numpy, the planner) are imported on first call, so ``import evacuate`` is quick.

>>> import evacuate
>>> result = evacuate.plan("examples/hurricane_bus.yaml", time_limit=5)  # doctest: +SKIP
>>> evacuate.check("examples/hurricane_bus.yaml", result.plan).feasible  # doctest: +SKIP
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evacuate.options import OPTIONS, check_option
from evacuate.scenario import Scenario
from evacuate.scenario import load as _load_file
from evacuate.scenario.model import Perturbations

if TYPE_CHECKING:
    from evacuate.check import CheckReport
    from evacuate.plan.api import PlanResult
    from evacuate.planio import Plan
    from evacuate.simulation.api import Progress
    from evacuate.simulation.result import SimResult

__all__ = ["Perturbations", "check", "load", "plan", "simulate"]

ScenarioLike = Scenario | str | Path | None


def load(source: str | Path | None = None, *, variant: str | None = None) -> Scenario:
    """Load a scenario file (YAML or JSON); with no path, the embedded Romulan scenario.

    ``variant``: apply this what-if variant. Raises ``ScenarioError`` listing every problem.
    """
    base = _load_file(source)
    return base.variant(variant) if variant is not None else base


def _scenario(scenario: ScenarioLike, variant: str | None) -> Scenario:
    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    return s.variant(variant) if variant is not None else s


def _plan(plan: Plan | PlanResult | str | Path) -> Plan:
    from evacuate.plan.api import PlanResult
    from evacuate.planio import read_plan

    if isinstance(plan, PlanResult):
        return plan.plan
    if isinstance(plan, str | Path):
        return read_plan(plan)
    return plan


def plan(
    scenario: ScenarioLike = None,
    *,
    variant: str | None = None,
    objective: str = OPTIONS["objective"].default,
    time_limit: float = OPTIONS["time_limit"].default,
    seed: int = OPTIONS["seed"].default,
    hindsight: bool = False,
) -> PlanResult:
    """Plan an evacuation: the plan, people rescued, a bound no plan can beat, and the gap.

    Like ``evacuate plan``: ``objective`` is ``max-rescued`` or ``min-makespan``;
    ``time_limit`` (seconds) is a safety stop; ``hindsight`` treats surprise events as known.
    """
    from evacuate.plan.api import plan as make_plan
    from evacuate.plan.api import reveal_surprises

    check_option("objective", objective)
    s = _scenario(scenario, variant)
    if hindsight:
        s = reveal_surprises(s)
    return make_plan(s, objective=objective, time_limit=time_limit, seed=seed)  # type: ignore[arg-type]


def check(
    scenario: ScenarioLike = None,
    plan: Plan | PlanResult | str | Path | None = None,
    *,
    variant: str | None = None,
    hindsight: bool = False,
) -> CheckReport:
    """Re-verify a plan from its trips alone: every violation, and what it really rescues.

    ``plan``: a ``Plan``, a ``PlanResult`` or a plan file. ``variant`` defaults to the plan's
    own; ``hindsight`` checks against the scenario with its surprise events known.
    """
    from evacuate.check import check as check_plan
    from evacuate.plan.api import reveal_surprises

    if plan is None:
        raise TypeError("check() needs a plan: a Plan, a PlanResult or a plan file")
    pl = _plan(plan)
    s = _scenario(scenario, variant if variant is not None else pl.variant)
    if hindsight:
        s = reveal_surprises(s)
    return check_plan(s, pl)


def simulate(
    scenario: ScenarioLike = None,
    plan: Plan | PlanResult | str | Path | None = None,
    *,
    variant: str | None = None,
    policy: str = OPTIONS["policy"].default,
    seed: int = OPTIONS["seed"].default,
    perturbations: Perturbations | None = None,
    travel_cv: float | None = None,
    breakdowns: float | None = None,
    time_limit: float = OPTIONS["time_limit"].default,
    progress: Progress | None = None,
) -> SimResult:
    """Simulate a plan (default: plan first, blind to surprises) as the world happens.

    Like ``evacuate simulate``: ``policy`` (``replan`` or ``follow``) at each surprise; noise
    from ``perturbations`` or ``travel_cv``/``breakdowns`` (default: the scenario's), drawn
    from ``seed``; ``variant`` defaults to the plan's own.
    """
    from evacuate.simulation.api import simulate as run

    pl = _plan(plan) if plan is not None else None
    if variant is None and pl is not None:
        variant = pl.variant
    s = _scenario(scenario, variant)
    noise = perturbations if perturbations is not None else s.perturbations
    if travel_cv is not None or breakdowns is not None:
        check_option("travel_cv", travel_cv)
        check_option("breakdowns", breakdowns)
        noise = Perturbations(
            travel_cv=noise.travel_cv if travel_cv is None else travel_cv,
            breakdowns=noise.breakdowns if breakdowns is None else breakdowns,
        )
    return run(
        s,
        pl,
        policy=policy,  # type: ignore[arg-type]
        seed=seed,
        perturbations=noise,
        time_limit=time_limit,
        progress=progress,
    )
