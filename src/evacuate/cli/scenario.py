"""Commands on scenario files: ``validate``, ``schema`` and ``show``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

import evacuate
from evacuate.cli.app import command
from evacuate.cli.common import (
    EXIT_INVALID,
    counts_line,
    output_path,
    plural,
    print_issues,
    reported_errors,
    scenario_label,
    stderr,
    stdout,
    write_atomic,
)
from evacuate.cli.options import ScenarioArg, Variant, option
from evacuate.cli.render import show_scenario


@command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SCENARIO...",
            help="Scenario files to check. Default: the embedded Romulan scenario.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check scenario files and list every problem found, with its line.

    Prints [green]OK[/green] and a one-line summary for each valid file, and its warnings.
    Exits with status 2 if any file has an error.
    """
    with reported_errors():
        out, err = stdout(), stderr()
        failed = 0
        paths: list[Path | None] = list(files) if files else [None]
        for path in paths:
            label = scenario_label(path)
            try:
                s = evacuate.load(path)
            except evacuate.ScenarioError as exc:
                failed += 1
                print_issues(err, exc.issues)
                n_err = sum(1 for i in exc.issues if i.severity == "error")
                n_warn = len(exc.issues) - n_err
                tail = f", {plural(n_warn, 'warning')}" if n_warn else ""
                out.print(
                    Text.assemble(
                        ("FAILED", "bold red"), f": {label} ({plural(n_err, 'error')}{tail})"
                    ),
                    soft_wrap=True,
                )
                continue
            print_issues(err, s.warnings)
            tail = f"; {plural(len(s.warnings), 'warning')}" if s.warnings else ""
            out.print(
                Text.assemble(("OK", "bold green"), f": {label} ({counts_line(s)}){tail}"),
                soft_wrap=True,
            )
        if failed:
            raise typer.Exit(EXIT_INVALID)


@command()
def schema(
    output: Annotated[
        Path | None, option("output", help="Write the schema to this file instead of printing it.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools)."""
    with reported_errors():
        import json

        from evacuate.scenario.schema import json_schema

        if output is not None:
            output_path(output)
        text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        if output is None:
            sys.stdout.write(text)
            return
        write_atomic(output, text)
        stderr().print(f"wrote {output}", soft_wrap=True)


@command()
def show(
    file: ScenarioArg = None,
    variant: Variant = None,
) -> None:
    """Summarise a scenario: places, hazard, lanes, fleet over time, events and variants."""
    with reported_errors():
        show_scenario(file, variant)
