"""evacuate: plan, certify and stress-test fleet evacuations.

>>> import evacuate
>>> scenario = evacuate.load()          # the embedded Romulan Rescue Mission
>>> scenario.variant("no_sabotage").applied_variant
'no_sabotage'

The verbs are the commands' (``evacuate.load``, ``plan``, ``check``, ``simulate``), with the
same option names and defaults (``evacuate.options``); results have ``to_dict()``,
``to_dataframe()`` and ``date(t)``. See ``evacuate.api``. ``evacuate.sabotage(scenario,
budget=...)`` finds the worst attacks on an evacuation (see ``evacuate.sabotage``).
"""

import importlib
import logging

# The subpackages evacuate.plan and evacuate.check share their names with the functions below:
# import them first, so that the functions, bound afterwards, are what ``evacuate.plan`` means
# (``from evacuate.plan.api import ...`` still finds the subpackage in sys.modules).
importlib.import_module("evacuate.plan")
importlib.import_module("evacuate.check")

# a callable package: evacuate.sabotage(scenario, budget=...) runs the analysis
from evacuate import sabotage  # noqa: E402
from evacuate.api import Perturbations, check, load, plan, simulate  # noqa: E402
from evacuate.errors import EvacuateError, Issue, PlanFormatError, ScenarioError  # noqa: E402
from evacuate.options import OPTIONS  # noqa: E402
from evacuate.scenario import Scenario, dump, dumps, loads  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "OPTIONS",
    "EvacuateError",
    "Issue",
    "Perturbations",
    "PlanFormatError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "check",
    "dump",
    "dumps",
    "load",
    "loads",
    "plan",
    "sabotage",
    "simulate",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
