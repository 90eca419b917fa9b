"""Command-line options built from the one registry, ``evacuate.options``.

A command declares a shared setting with an alias below and takes its default from the
registry, so help text, metavar, choices, range and default are the same in every command and
in the Python API::

    @command("sabotage")
    def sabotage_cmd(
        file: ScenarioArg = None,
        variant: Variant = None,
        time_limit: TimeLimit = DEFAULT["time_limit"],
        seed: Seed = DEFAULT["seed"],
        output: Annotated[Path | None, option("output", help="Write the attacks here.")] = None,
    ) -> None: ...

A setting of its own goes into the registry first (``evacuate.options.register``), then
``option(name)`` builds its flag. Values are checked by the registry (exit 2 with the flag's
name and what it takes); help shows no ``<type>`` noise, only the metavar (``SECONDS``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from evacuate.options import OPTIONS, Option

__all__ = [
    "DEFAULT",
    "At",
    "Breakdowns",
    "Force",
    "Hindsight",
    "Objective",
    "Per",
    "PlanFile",
    "Policy",
    "Runs",
    "ScenarioArg",
    "Seed",
    "TimeLimit",
    "TravelCV",
    "Variant",
    "Variants",
    "option",
]


class _Defaults:
    """``DEFAULT["time_limit"]``: the registry's default (a lookup, not a call, in signatures)."""

    def __getitem__(self, name: str) -> Any:
        return OPTIONS[name].default


DEFAULT = _Defaults()


def _checker(entry: Option) -> Any:
    def check(value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        for v in values:
            try:
                entry.check(v)
            except ValueError as exc:
                raise typer.BadParameter(str(exc).split(": ", 1)[1]) from None
        return value

    return check


def option(name: str, *, help: str | None = None, aliases: tuple[str, ...] = ()) -> Any:
    """A Typer option for the registry's entry ``name``.

    ``help`` replaces the entry's text where the command gives the setting a specific object
    (``-o``: which file); the choices and the range are added either way.
    """
    entry = OPTIONS[name]
    decls = [entry.flag, *aliases, *([entry.short] if entry.short else [])]
    text = entry.describe() if help is None else f"{help} {entry.describe()[len(entry.help) :]}"
    return typer.Option(
        *decls,
        help=text.strip(),
        metavar="" if entry.type is bool else entry.metavar,
        callback=None if entry.type is bool else _checker(entry),
        show_default=entry.default is not None and entry.type is not bool,
    )


ScenarioArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="SCENARIO",
        help="Scenario file (.yaml, .yml or .json). Default: the embedded Romulan scenario.",
        show_default=False,
    ),
]
Variant = Annotated[str | None, option("variant")]
Variants = Annotated[
    list[str] | None,
    option(
        "variant",
        help="Apply this what-if variant; repeat to compare several. Default: every variant "
        "of the scenario, or the scenario itself when it has none.",
    ),
]
TimeLimit = Annotated[float, option("time_limit")]
Seed = Annotated[int, option("seed")]
Objective = Annotated[str, option("objective")]
Hindsight = Annotated[bool, option("hindsight")]
PlanFile = Annotated[Path | None, option("plan")]
Policy = Annotated[str, option("policy")]
Runs = Annotated[int, option("runs")]
TravelCV = Annotated[float | None, option("travel_cv")]
Breakdowns = Annotated[float | None, option("breakdowns")]
At = Annotated[str, option("at")]
Force = Annotated[bool, option("force")]
Per = Annotated[str | None, option("per")]
