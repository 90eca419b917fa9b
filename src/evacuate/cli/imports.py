"""``evacuate import``: convert problems from other formats into scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from evacuate.cli.app import app
from evacuate.cli.common import (
    counts_line,
    reported_errors,
    stdout,
)

import_app = typer.Typer(
    help="Convert problems from other formats into scenario files.", no_args_is_help=True
)
app.add_typer(import_app, name="import")


@import_app.command("bep")
def import_bep(
    source: Annotated[Path, typer.Argument(help="A bus evacuation problem (BEP) instance file.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Scenario file to write (.json gives JSON, else YAML)."
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Scenario id. Default: the file's stem.")
    ] = None,
) -> None:
    """Import a BEP instance (Bish 2011) as a scenario; see docs/bep.md."""
    with reported_errors():
        from evacuate.bep import import_bep as convert

        s = convert(source, output, name)
        stdout().print(
            Text.assemble(("wrote", "bold green"), f" {output} ({counts_line(s)})"), soft_wrap=True
        )
