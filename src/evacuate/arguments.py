"""Checks on the Python API's arguments: a wrong type or value is a ``TypeError`` or
``ValueError`` whose message says what to pass instead, before any work starts."""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["need_plan", "need_scenario", "need_seed", "need_time_limit"]


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


def need_time_limit(value: Any, func: str) -> float:
    """A time limit in seconds: a finite number above 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}(): time_limit is seconds (a number), not {type(value).__name__}")
    seconds = float(value)
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"{func}(): time_limit must be a finite number of seconds above 0, not {value!r}"
        )
    return seconds


def need_seed(value: Any, func: str) -> int:
    """A seed: a whole number from 0 to 2**32 - 1 (numpy's range)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}(): seed is a whole number, not {type(value).__name__}")
    if not 0 <= int(value) < 2**32:
        raise ValueError(f"{func}(): seed must be from 0 to 4294967295, not {value}")
    return int(value)
