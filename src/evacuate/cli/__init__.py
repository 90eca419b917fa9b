"""The ``evacuate`` command line: one module per command family.

- ``common``: consoles, error reporting (exit 2 for the user's input, 1 for a bug), atomic
  writes, logging and number/date formatting;
- ``app``: the Typer application, the root options and ``main`` (the console entry point);
- ``tables`` and ``render``: console tables and how a scenario is drawn;
- ``scenario`` (validate, schema, show), ``demo``, ``planning`` (plan, check), ``simulate``
  (simulate, state), ``sabotage``, ``imports`` (import bep), ``report``, ``sweeps`` (sweep,
  runs), ``serve`` (mission control).

Only this package prints; the library logs. Importing a command module registers its commands
on ``app``; the imports below are in the order of ``evacuate --help``.
"""

from __future__ import annotations

# isort: off
from evacuate.cli import scenario  # noqa: F401  validate, schema, show
from evacuate.cli import demo  # noqa: F401
from evacuate.cli import planning  # noqa: F401  plan, check
from evacuate.cli import simulate  # noqa: F401  simulate, state
from evacuate.cli import sabotage  # noqa: F401
from evacuate.cli import imports  # noqa: F401  import bep
from evacuate.cli import report  # noqa: F401
from evacuate.cli import sweeps  # noqa: F401  sweep, runs
from evacuate.cli import serve  # noqa: F401

# isort: on
from evacuate.cli.app import app, main

__all__ = ["app", "main"]
