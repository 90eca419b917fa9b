"""Scenarios: the schema, loading with errors that teach, validation, derived quantities."""

from evacuate.scenario.load import ROMULAN, builtin_path, dump, dumps, from_dict, load, loads
from evacuate.scenario.scenario import Scenario

__all__ = ["ROMULAN", "Scenario", "builtin_path", "dump", "dumps", "from_dict", "load", "loads"]
