"""Loading allowances booked by the planners: a loading draws on every throughput period it
spans (docs/model.md, Throughput). A planner books each loading's people on its periods,
earliest first: an explicit split that fits, so the checker (which looks for any split)
accepts it."""

from __future__ import annotations

import math

from evacuate.plan.problem import Problem

__all__ = ["draw", "room", "span"]


def span(problem: Problem, start: float, load: float) -> tuple[int, int]:
    """The first and last throughput periods a loading over ``[start, start + load)`` meets
    (the start's period alone when it takes no time)."""
    per = problem.period
    first = math.floor(start / per + 1e-9)
    return first, max(first, math.ceil((start + load) / per - 1e-9) - 1)


def room(problem: Problem, p: int, used: dict[int, float], first: int, last: int) -> float:
    """People a new loading over periods ``first .. last`` at ``p`` may still take."""
    return sum(
        max(0.0, problem.load_allowance(p, k) - used.get(k, 0.0)) for k in range(first, last + 1)
    )


def draw(
    problem: Problem, p: int, used: dict[int, float], first: int, last: int, people: float
) -> None:
    """Book ``people`` on periods ``first .. last`` at ``p``, earliest first (the last
    period takes what is left, so an unlimited place books its whole load there)."""
    for k in range(first, last + 1):
        free = max(0.0, problem.load_allowance(p, k) - used.get(k, 0.0))
        take = people if k == last else min(people, free)
        if take > 0:
            used[k] = used.get(k, 0.0) + take
        people -= take
        if people <= 0:
            return
