"""The ``evacuate`` application: the root options and the console entry point."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import evacuate
from evacuate.cli.common import EXIT_INVALID, bug, configure_logging, report_error, session
from evacuate.errors import EvacuateError

app = typer.Typer(
    name="evacuate",
    help=(
        "Plan, certify and stress-test fleet evacuations.\n\n"
        "A scenario file (YAML or JSON) says who is in danger and until when, where they can go "
        "and which vehicles exist. Without a FILE, commands use the embedded Romulan Rescue "
        "Mission. Try [bold]evacuate demo[/bold]."
    ),
    epilog=(
        "Exit status: 0 ok, 2 invalid input (every problem is listed with its file and line), "
        "1 internal error. Formats: docs/scenario-format.md; semantics: docs/model.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evacuate {evacuate.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Log more: -v for progress, -vv for details.",
        ),
    ] = 0,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of unexpected errors.")
    ] = False,
) -> None:
    """Plan, certify and stress-test fleet evacuations."""
    session.debug = debug
    session.verbosity = verbose
    configure_logging(verbose)


def main() -> None:
    """Console entry point: run the app; no traceback unless ``--debug``."""
    try:
        app(prog_name="evacuate")
    except EvacuateError as exc:  # raised outside a command body (e.g. a callback)
        report_error(exc)
        sys.exit(EXIT_INVALID)
    except Exception as exc:
        if session.debug or "--debug" in sys.argv[1:]:
            raise
        try:
            bug(exc)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)
