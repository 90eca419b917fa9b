"""Simulation: plans meet the world (noise, surprises) and the operation replans."""

from evacuate.simulation.api import Policy, run_to, simulate
from evacuate.simulation.log import LogEvent, read_log, write_log
from evacuate.simulation.result import Replan, SimResult
from evacuate.simulation.state import state_scenario

__all__ = [
    "LogEvent",
    "Policy",
    "Replan",
    "SimResult",
    "read_log",
    "run_to",
    "simulate",
    "state_scenario",
    "write_log",
]
