"""evacuate: plan, certify and stress-test fleet evacuations.

>>> import evacuate
>>> scenario = evacuate.load()          # the embedded Romulan Rescue Mission
>>> scenario.variant("no_sabotage").applied_variant
'no_sabotage'

``evacuate.simulate(scenario, ...)`` (see ``evacuate.simulation``) plans, then simulates the
plan as the scenario's surprises strike.
"""

import logging
from typing import Any

from evacuate.errors import EvacuateError, Issue, PlanFormatError, ScenarioError
from evacuate.scenario import Scenario, dump, dumps, load, loads

__version__ = "0.1.0"

__all__ = [
    "EvacuateError",
    "Issue",
    "PlanFormatError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "dump",
    "dumps",
    "load",
    "loads",
    "simulate",
]


def __getattr__(name: str) -> Any:
    # imported on first use: the simulator pulls in the planner and numpy
    if name == "simulate":
        from evacuate.simulation import simulate

        return simulate
    raise AttributeError(f"module 'evacuate' has no attribute {name!r}")


logging.getLogger(__name__).addHandler(logging.NullHandler())
