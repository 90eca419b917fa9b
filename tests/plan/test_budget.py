"""The safety stop (plan/budget.py) counts the planning process's processor time: a busy
machine, which slows the wall clock's share of work, does not make it bind sooner."""

from __future__ import annotations

import time

from evacuate.plan.budget import SafetyStop


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_wall_clock_alone_does_not_bind() -> None:
    """Waiting (as when other processes hold the cores) passes the wall clock, not the
    processor time: the stop does not bind, and a solver is given more than the wall time left."""
    stop = SafetyStop(0.2)
    time.sleep(0.3)
    assert not stop.reached() and not stop.bound
    left = stop.left()
    assert left is not None and left > 0.1


def test_processor_time_and_wall_clock_bind() -> None:
    """Once the process has worked past the limit (and the clock has passed it), it binds
    and stays bound."""
    stop = SafetyStop(0.2)
    _spin(0.3)
    assert stop.reached() and stop.bound
    assert stop.reached()


def test_no_limit_never_binds() -> None:
    """Without a limit the stop never binds and gives solvers no limit."""
    stop = SafetyStop(None)
    assert not stop.reached() and stop.left() is None and stop.at is None
