"""``evacuate import``: convert problems from other formats into scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from evacuate.cli.app import Command, Group, app
from evacuate.cli.common import (
    SCENARIO_SUFFIXES,
    counts_line,
    output_path,
    reported_errors,
    stdout,
)
from evacuate.cli.options import option

import_app = typer.Typer(
    cls=Group, help="Convert problems from other formats into scenario files.", no_args_is_help=True
)
app.add_typer(import_app, name="import")


@import_app.command("bep", cls=Command)
def import_bep(
    source: Annotated[
        Path,
        typer.Argument(metavar="INSTANCE", help="A bus evacuation problem (BEP) instance file."),
    ],
    output: Annotated[
        Path | None,
        option(
            "output",
            help="Scenario file to write (.json gives JSON, else YAML). Default: the "
            "instance's name with .yaml, in the current folder.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="ID", help="Scenario id. Default: the file's stem."),
    ] = None,
) -> None:
    """Import a BEP instance (Bish 2011) as a scenario; see docs/bep.md."""
    with reported_errors():
        from evacuate.bep import import_bep as convert

        if output is None:
            output = Path(source.stem + ".yaml")
        output_path(output, source, suffixes=SCENARIO_SUFFIXES)
        s = convert(source, output, name)
        stdout().print(
            Text.assemble(("wrote", "bold green"), f" {output} ({counts_line(s)})"), soft_wrap=True
        )
