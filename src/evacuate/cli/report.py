"""``evacuate report``: simulate each variant and write an HTML page and PNG figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

import evacuate
from evacuate.cli.app import command
from evacuate.cli.common import (
    claim_folder,
    fmt_num,
    mark_folder,
    output_path,
    print_issues,
    reported_errors,
    stderr,
    stdout,
)
from evacuate.cli.options import DEFAULT, Force, ScenarioArg, Seed, TimeLimit, Variants, option
from evacuate.cli.tables import Fitted, Row


@command("report")
def report_cmd(
    file: ScenarioArg = None,
    variant: Variants = None,
    output: Annotated[
        Path, option("output", help="Folder for report.html and the PNG figures.")
    ] = Path("report"),
    time_limit: TimeLimit = DEFAULT["time_limit"],
    seed: Seed = DEFAULT["seed"],
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="Page title. Default: the scenario's name."),
    ] = None,
    force: Force = False,
    stored: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="RESULTS",
            help="Draw the report from stored results (a results.json that a report wrote), "
            "without planning or simulating; the scenario comes from the results.",
        ),
    ] = None,
) -> None:
    """Simulate each variant and write a report: one self-contained HTML page and PNG figures."""
    with reported_errors():
        from evacuate.report import ReportResults, build_report
        from evacuate.runs import simulate_runs

        output_path(output, folder=True)
        if stored is not None:
            if file is not None or variant:
                raise typer.BadParameter(
                    "--from draws stored results: give no scenario file and no --variant"
                )
            results = ReportResults.load(stored)
            name = results.runs[0].scenario.name
            claim_folder(output, "report", force)
        else:
            claim_folder(output, "report", force)
            base = evacuate.load(file)
            for v in variant or []:
                base.variant(v)  # an unknown variant is reported before any work
            print_issues(stderr(), base.warnings)
            name = base.name
            with stderr().status(f"simulating {name} (up to {time_limit:g} s per plan)"):
                results = simulate_runs(base, variant, time_limit=time_limit, seed=seed)
        with stderr().status("drawing the report"):
            files = build_report(results, output, title=title)
            mark_folder(output, "report")
        out = stdout()
        rows: list[Row] = []
        for r in results.runs:
            gap = (r.bound - r.rescued) / r.bound if r.bound else 0.0
            rows.append(
                (
                    [
                        r.label,
                        f"{r.rescued:,}",
                        f"{100 * r.rescued / max(r.population, 1):.2f}%",
                        fmt_num(None if r.bound is None else round(r.bound)),
                        "" if r.bound is None else f"{100 * gap:.2f}%",
                        f"{r.lost_people:,}",
                    ],
                    None,
                )
            )
        columns = ["@Variant", "#Rescued", "#%", "#Bound", "#Gap", "#Lost"]
        out.print(Fitted(f"Report for {name}", columns, rows))
        for path in files.all:
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)
