"""Checks on the Python API's arguments: a wrong type is a ``TypeError`` whose message says what
to pass instead, before any work starts. Settings (time limit, seed, ...) are checked against
the option registry, ``evacuate.options``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evacuate.planio import Plan
    from evacuate.scenario.scenario import Scenario

__all__ = ["need_plan", "need_plan_for", "need_scenario"]


def need_scenario(value: Any, func: str) -> None:
    """``value`` is a loaded ``Scenario`` (not a path, text or mapping)."""
    from evacuate.scenario.scenario import Scenario

    if isinstance(value, Scenario):
        return
    hint = ""
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        hint = f"; load the file first: {func}(evacuate.load({str(value)!r}), ...)"
    elif isinstance(value, dict):
        hint = "; build it first with evacuate.scenario.from_dict(data)"
    raise TypeError(f"{func}() takes a Scenario, not {type(value).__name__}{hint}")


def need_plan(value: Any, func: str) -> None:
    """``value`` is a ``Plan`` (not a path to a plan file)."""
    from evacuate.planio import Plan

    if isinstance(value, Plan):
        return
    hint = ""
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        hint = f"; read the file first: evacuate.planio.read_plan({str(value)!r})"
    raise TypeError(f"{func}() takes a Plan, not {type(value).__name__}{hint}")


def need_plan_for(scenario: Scenario, plan: Plan, plan_file: str | None = None) -> None:
    """``plan`` was made for ``scenario``: the same id, and the same content digest when the
    plan's header has one (``scenario_digest``); else ``PlanMismatchError`` saying so."""
    from evacuate.errors import PlanMismatchError

    label = f"{plan_file}: " if plan_file else ""
    where = f" ({scenario.source})" if scenario.source else ""
    file = scenario.source if scenario.source and not scenario.source.startswith("<") else ""
    fix = "give the scenario the plan was made for, or make a plan for this one: " + " ".join(
        ["evacuate plan", *([file] if file else []), "-o PLAN"]
    )
    if plan.scenario_id != scenario.id:
        raise PlanMismatchError(
            f"{label}the plan is for scenario '{plan.scenario_id}', not '{scenario.id}'"
            f"{where}; {fix}"
        )
    if plan.scenario_digest is not None and plan.scenario_digest != scenario.digest:
        raise PlanMismatchError(
            f"{label}the plan was made for another version of scenario '{scenario.id}' "
            f"(scenario_digest {plan.scenario_digest} in the plan, {scenario.digest} for "
            f"{scenario.source or 'the scenario'}): the scenario changed since; {fix}"
        )
