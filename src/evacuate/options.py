"""One registry of the settings that the command line, the Python API and the server share.

The HiGHS way: each setting has one entry (name, type, default, range, choices, unit, help) and
every surface reads it, so ``evacuate plan --time-limit 5`` and ``evacuate.plan(time_limit=5)``
mean the same and default the same. The Python name is the entry's name (``time_limit``); the
command-line flag is the same with dashes (``--time-limit``).

Using it
--------
- Python API: take the default from the registry and check the value with it::

      def plan(..., time_limit: float = OPTIONS["time_limit"].default) -> ...:
          time_limit = check_option("time_limit", time_limit)

- Command line: ``evacuate.cli.options`` turns an entry into a Typer option (flag, metavar,
  choices, range and help, unit included), e.g. ``time_limit: TimeLimit = default("time_limit")``.
  A new command (``sabotage``, ``sweep``, ``runs``, ``serve``) reuses the shared aliases there
  and adds its own settings here, with :func:`register`, so the server's forms can list them too.

This module imports nothing of evacuate's: every layer may read it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["OPTIONS", "Option", "check_option", "register"]


@dataclass(frozen=True)
class Option:
    """One setting, as every surface shows it."""

    name: str
    """The Python keyword; the flag is ``--`` plus the name with dashes."""
    type: type
    """``int``, ``float``, ``str``, ``bool`` (a switch) or ``Path``."""
    default: Any
    help: str
    """One sentence, without the unit, the choices or the default (those are added)."""
    unit: str | None = None
    """Shown in help and metavar, e.g. ``s`` (seconds)."""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    """The placeholder of the value in help (``SECONDS``, ``NAME``, ``FILE``)."""
    short: str | None = None
    """A one-letter alias (``-o``)."""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def describe(self) -> str:
        """The help text with the choices and the range, as the CLI and the server show it."""
        text = self.help
        if self.choices:
            text += " One of: " + ", ".join(self.choices) + "."
        if self.minimum is not None or self.maximum is not None:
            unit = f" {self.unit}" if self.unit else ""
            if self.minimum is not None and self.maximum is not None:
                text += f" From {_num(self.minimum)} to {_num(self.maximum)}{unit}."
            elif self.minimum is not None:
                text += f" At least {_num(self.minimum)}{unit}."
            else:
                text += f" At most {_num(self.maximum)}{unit}."
        return text

    def check(self, value: Any) -> Any:
        """``value`` if it is allowed, else ``ValueError`` naming the setting and what it takes."""
        if value is None:
            return value
        if self.choices and value not in self.choices:
            raise ValueError(
                f"{self.name}: found {value!r}; expected one of {', '.join(self.choices)}"
            )
        if self.type in (int, float):
            kind = numbers.Integral if self.type is int else numbers.Real
            if isinstance(value, bool) or not isinstance(value, kind):
                what = "a whole number" if self.type is int else "a number"
                raise TypeError(f"{self.name}: found {value!r}; expected {what}")
            # a whole number is compared exactly (10**400 would overflow a float)
            number: float | int = (
                int(value) if isinstance(value, numbers.Integral) else float(value)
            )
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError(f"{self.name}: found {value!r}; expected a finite number")
            low = self.minimum is not None and number < self.minimum
            high = self.maximum is not None and number > self.maximum
            if low or high:
                if self.minimum is not None and self.maximum is not None:
                    what = f"from {_num(self.minimum)} to {_num(self.maximum)}"
                elif low:
                    what = f"at least {_num(self.minimum)}"
                else:
                    what = f"at most {_num(self.maximum)}"
                unit = f" {self.unit}" if self.unit else ""
                found = repr(value)
                if len(found) > 30:
                    found = f"{found[:12]}...({len(found)} digits)"
                raise ValueError(f"{self.name}: found {found}; expected {what}{unit}")
        return value


def _num(x: float | None) -> str:
    """1000000 as 1,000,000 (not 1e+06); 0.1 as 0.1."""
    if x is None:
        return ""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


OPTIONS: dict[str, Option] = {}


def register(option: Option) -> Option:
    """Add a setting (a command of a later package adds its own here)."""
    if option.name in OPTIONS and OPTIONS[option.name] != option:
        raise ValueError(f"option {option.name!r} is registered twice, differently")
    OPTIONS[option.name] = option
    return option


def check_option(name: str, value: Any) -> Any:
    """Check ``value`` against the registry's entry ``name`` and return it."""
    return OPTIONS[name].check(value)


for _option in (
    Option(
        "variant",
        str,
        None,
        "Apply this what-if variant of the scenario first (see `evacuate show`).",
        metavar="NAME",
    ),
    Option(
        "time_limit",
        float,
        10.0,
        "Safety stop for each plan and replan: the planner stops refining the plan and its "
        "bound after this long (processor time: a busy machine does not cut it sooner). "
        "It also sizes the search's work budget (a larger limit: a longer search; the same "
        "limit: the same plan).",
        unit="s",
        minimum=0.1,
        maximum=1e6,  # 11.6 days; 1e308 overflowed the work budget (an internal error)
        metavar="SECONDS",
    ),
    Option(
        "seed",
        int,
        0,
        "Seed of every random choice (the planner's restarts, the simulation's noise): the same "
        "seed gives the same output.",
        minimum=0,
        maximum=2**32 - 1,
        metavar="INT",
    ),
    Option(
        "objective",
        str,
        "max-rescued",
        "max-rescued: most people, earliest first; min-makespan: everyone, as early as possible.",
        choices=("max-rescued", "min-makespan"),
        metavar="NAME",
    ),
    Option(
        "hindsight",
        bool,
        False,
        "Treat surprise events as known in advance (what could have been done).",
    ),
    Option(
        "plan",
        Path,
        None,
        "The plan file (.csv, .json or .parquet), as `evacuate plan -o` writes it.",
        metavar="FILE",
    ),
    Option("output", Path, None, "Where to write the result.", metavar="PATH", short="-o"),
    Option(
        "per",
        str,
        None,
        "Print people rescued per period of this length (1d, 6h, day, or a number of the "
        "scenario's time units) beside the scenario's observed series; a scenario with an "
        "observed series prints the table anyway, per its period or per day.",
        metavar="DURATION",
    ),
    Option(
        "policy",
        str,
        "replan",
        "At a surprise: replan from the state of the operation, or follow the plan.",
        choices=("replan", "follow"),
        metavar="NAME",
    ),
    Option(
        "runs",
        int,
        1,
        "Number of simulation runs, with seeds seed, seed+1, ...",
        minimum=1,
        maximum=100_000,
        metavar="INT",
    ),
    Option(
        "travel_cv",
        float,
        None,
        "Travel-time noise: coefficient of variation of each trip's travel time (lognormal). "
        "Default: the scenario's.",
        minimum=0,
        maximum=5,
        metavar="CV",
    ),
    Option(
        "breakdowns",
        float,
        None,
        "Probability that a vehicle breaks down on a trip and leaves service. "
        "Default: the scenario's.",
        minimum=0,
        maximum=1,
        metavar="P",
    ),
    Option(
        "at",
        str,
        "0",
        "The time: a number in the scenario's time unit, or a date such as 2385-04-05 when "
        "the scenario has a calendar (scenario.start_date).",
        metavar="TIME|DATE",
    ),
    Option(
        "force",
        bool,
        False,
        "Write into a folder that already holds other files.",
    ),
):
    register(_option)

# the sweep's settings (``evacuate sweep``; the server's sweep jobs)
for _option in (
    Option("samples", int, 100, "Samples to draw.", minimum=1, maximum=100_000, metavar="N"),
    Option(
        "sampler",
        str,
        "lhs",
        "How to draw the samples: Latin hypercube, Sobol, plain Monte Carlo or factorial.",
        choices=("lhs", "sobol", "mc", "factorial"),
        metavar="NAME",
    ),
    Option(
        "plan_time",
        float,
        1.0,
        "Safety stop for each plan of a sweep.",
        unit="s",
        minimum=0.01,
        maximum=3600,
        metavar="SECONDS",
    ),
    Option(
        "target",
        str,
        "95%",
        "Success: a share of the population (95%) or a number of people (16000).",
        metavar="SHARE|PEOPLE",
    ),
    Option("workers", int, 1, "Local processes.", minimum=1, maximum=256, metavar="N"),
    Option("limit", int, 30, "At most this many.", minimum=1, maximum=1_000_000, metavar="N"),
):
    register(_option)

# the server's settings (``evacuate serve``; ``evacuate.server.Limits`` defaults to them)
for _option in (
    Option("port", int, 8000, "Port to listen on.", minimum=1, maximum=65535, metavar="PORT"),
    Option(
        "max_jobs",
        int,
        2,
        "Jobs running at once, each in a warm worker process; the rest wait in a queue.",
        minimum=1,
        maximum=64,
        metavar="N",
    ),
    Option(
        "job_seconds",
        float,
        900.0,
        "Safety stop of one job (wall clock).",
        unit="s",
        minimum=1,
        metavar="SECONDS",
    ),
    Option(
        "job_memory",
        int,
        4096,
        "Memory ceiling of a worker process.",
        unit="MiB",
        minimum=256,
        maximum=1 << 20,
        metavar="MIB",
    ),
    Option(
        "max_upload",
        int,
        2 * 1024 * 1024,
        "Largest request body accepted.",
        unit="bytes",
        minimum=1024,
        maximum=1 << 30,
        metavar="BYTES",
    ),
):
    register(_option)
