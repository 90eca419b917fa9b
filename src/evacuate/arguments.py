"""Checks on the Python API's arguments: a wrong type is a ``TypeError`` whose message says what
to pass instead, before any work starts. Settings (time limit, seed, ...) are checked against
the option registry, ``evacuate.options``."""

from __future__ import annotations

from typing import Any

__all__ = ["need_plan", "need_scenario"]


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
