"""``evacuate report``: simulate each variant and write an HTML page and PNG figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

import evacuate
from evacuate.cli.app import app
from evacuate.cli.common import (
    FileArg,
    fmt_num,
    print_issues,
    reported_errors,
    stderr,
    stdout,
)


# ---------------------------------------------------------------------------- report
@app.command("report")
def report_cmd(
    file: FileArg = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            help="Variant to compare (repeat for several). Default: every variant of the "
            "scenario, or the scenario itself when it has none.",
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder for report.html and the PNG figures."),
    ] = Path("report"),
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds per plan (and replan).", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation's noise.")] = 0,
    title: Annotated[
        str | None, typer.Option("--title", help="Page title. Default: from the scenario.")
    ] = None,
) -> None:
    """Simulate each variant and write a report: one self-contained HTML page and PNG figures."""
    with reported_errors():
        from evacuate.report import build_report, simulate_runs

        base = evacuate.load(file)
        for name in variant or []:
            base.variant(name)  # an unknown variant is reported before any work
        print_issues(stderr(), base.warnings)
        with stderr().status(f"simulating {base.name} (up to {time_limit:g} s per plan)"):
            runs = simulate_runs(base, variant, time_limit=time_limit, seed=seed)
        with stderr().status("drawing the report"):
            files = build_report(runs, output, title=title)
        out = stdout()
        table = Table(title=f"Report for {base.name}")
        for col in ("Run", "Rescued", "%", "Bound", "Gap", "Lost"):
            table.add_column(col, justify="left" if col == "Run" else "right")
        for r in runs:
            res = r.result
            gap = (r.bound - res.rescued) / r.bound if r.bound else 0.0
            table.add_row(
                r.label,
                f"{res.rescued:,}",
                f"{100 * res.rescued / max(res.population, 1):.2f}%",
                fmt_num(None if r.bound is None else round(r.bound)),
                "" if r.bound is None else f"{100 * gap:.2f}%",
                f"{res.lost_people:,}",
            )
        out.print(table)
        for path in files.all:
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)
