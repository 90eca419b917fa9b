"""evacuate: plan, certify and stress-test fleet evacuations.

>>> import evacuate
>>> scenario = evacuate.load()          # the embedded Romulan Rescue Mission
>>> scenario.variant("no_sabotage").applied_variant
'no_sabotage'
"""

import logging

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
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
