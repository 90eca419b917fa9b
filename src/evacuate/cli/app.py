"""The ``evacuate`` application: the root options, the command classes and the entry point.

``-v``, ``-vv``, ``-q`` and ``--debug`` belong to the root but are accepted after the command
too (``evacuate plan -v``): the group moves them to the front before parsing. Commands are
declared with :func:`command` so their help shows metavars (``SECONDS``), never ``<type>``.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

import evacuate
from evacuate.cli.common import EXIT_INVALID, bug, configure_logging, report_error, session
from evacuate.errors import EvacuateError

_ROOT_FLAGS = {"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet", "--debug"}


def _plain_help(command: Any, ctx: Any) -> None:
    """No ``<bool>`` beside --help, no ``<path>`` beside an argument that has a metavar."""
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        help_option.metavar = ""
    for param in command.params:
        if param.param_type_name == "argument" and param.metavar is not None:
            param.display_type_rich = lambda ctx: None


class Command(TyperCommand):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        _plain_help(self, ctx)
        super().format_help(ctx, formatter)


class Group(TyperGroup):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # root flags given after the command go in front, where the root parses them
        if "--" in args:
            cut = args.index("--")
            head, tail = args[:cut], args[cut:]
        else:
            head, tail = args, []
        moved = [a for a in head if a in _ROOT_FLAGS]
        rest = [a for a in head if a not in _ROOT_FLAGS]
        return super().parse_args(ctx, [*moved, *rest, *tail])

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _plain_help(self, ctx)
        super().format_help(ctx, formatter)


app = typer.Typer(
    cls=Group,
    name="evacuate",
    help=(
        "Plan, certify and stress-test fleet evacuations.\n\n"
        "A scenario file (YAML or JSON) says who is in danger and until when, where they can go "
        "and which vehicles exist. Without a FILE, commands use the embedded Romulan Rescue "
        "Mission. Try [bold]evacuate demo[/bold]."
    ),
    epilog=(
        "Exit status: 0 ok, 2 invalid input (every problem is listed with its file and line), "
        "3 no complete plan (plan --objective min-makespan could not rescue everyone), "
        "1 internal error. Formats: docs/scenario-format.md; semantics: docs/model.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def command(name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command on ``app`` (with the help that shows no ``<type>`` noise)."""
    return app.command(name, cls=Command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evacuate {evacuate.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            metavar="",
            help="Show the version and exit.",
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            metavar="",
            help="Log more: -v for progress, -vv for details.",
        ),
    ] = 0,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", metavar="", help="Only errors: no progress, no warnings."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", metavar="", help="Show the full traceback of unexpected errors."),
    ] = False,
) -> None:
    """Plan, certify and stress-test fleet evacuations."""
    session.debug = debug
    session.verbosity = -1 if quiet else verbose
    configure_logging(session.verbosity)


_MAIN_PID = os.getpid()


def _terminated(signum: int, frame: Any) -> None:
    # SIGTERM (kill, a CI timeout) ends the command as an exception, so that every ``finally``
    # runs and no temporary file or folder is left behind; a forked worker dies as usual
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise SystemExit(128 + signum)


def main() -> None:
    """Console entry point: run the app; no traceback unless ``--debug``."""
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGTERM, _terminated)
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
