"""Loading allowances booked by the planners: a loading draws on every throughput period it
spans (docs/model.md, Throughput). A planner books each loading's people on its periods,
earliest first: an explicit split that fits, so the checker (which looks for any split)
accepts it.

Periods are read as the checker reads them (check/throughput.py): an instant within
``max(1e-6, 1e-9 |t|)`` before a period's start is in that period, and a loading that ends
within that much after a period's start does not reach it. Walks and fractional probe
horizons give departures such as 0.9999995 h: booked on period 0 while the checker counts
them in period 1, they overdrew period 1."""

from __future__ import annotations

import math

from evacuate.plan.problem import Problem

__all__ = ["draw", "period_of", "room", "span"]

ABS_TOL = 1e-6
REL_TOL = 1e-9
"""The checker's time tolerance (check/common.py): instants closer than this are one."""


def _tol(t: float) -> float:
    return max(ABS_TOL, REL_TOL * abs(t))


def period_of(problem: Problem, t: float) -> int:
    """The throughput period of instant ``t`` (one within tolerance of the next period's
    start is in that period, as the checker reads it)."""
    per = problem.period
    k = math.floor(t / per)
    return k + 1 if (k + 1) * per - t <= _tol(t) else k


def span(problem: Problem, start: float, load: float) -> tuple[int, int]:
    """The first and last throughput periods a loading over ``[start, start + load)`` meets
    (the start's period alone when it takes no time)."""
    per = problem.period
    first = period_of(problem, start)
    end = start + load
    return first, max(first, math.ceil((end - _tol(end)) / per) - 1)


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
