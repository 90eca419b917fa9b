"""``evacuate report``: simulate each variant and write an HTML page and PNG figures."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

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
    sabotage_from: Annotated[
        Path | None,
        typer.Option(
            "--sabotage-from",
            metavar="FILE",
            help="Add the sabotage section from a sabotage.json (written by evacuate sabotage "
            "-o DIR).",
        ),
    ] = None,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            metavar="ID",
            help="Add the sweep section from this sweep in the run store (see --store); "
            "success is 95% of the population rescued.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", metavar="URL", help="The run store --sweep reads (default: as runs)."
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
        extras = _extras(sabotage_from, sweep, store)
        if extras:
            results = dataclasses.replace(results, extras={**results.extras, **extras})
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


def _extras(sabotage: Path | None, sweep: str | None, store: str | None) -> dict[str, Any]:
    """The optional sections' data: a sabotage.json read, a stored sweep analysed."""
    out: dict[str, Any] = {}
    if sabotage is not None:
        from evacuate.files import read_at_most
        from evacuate.report.results import MAX_RESULTS_BYTES

        try:
            raw = read_at_most(sabotage, MAX_RESULTS_BYTES)
            if raw is None:
                raise ValueError(f"larger than {MAX_RESULTS_BYTES // 2**20} MiB (the limit)")
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError) as e:
            raise typer.BadParameter(f"{sabotage}: {e}", param_hint="--sabotage-from") from None
        except RecursionError:  # [[[[...: was an internal error
            raise typer.BadParameter(
                f"{sabotage}: not JSON sabotage wrote (nested too deep)",
                param_hint="--sabotage-from",
            ) from None
        from evacuate.report.sabotage_file import sabotage_file_problems

        problems = sabotage_file_problems(data)
        if problems:
            raise typer.BadParameter(
                f"{sabotage}: expected the sabotage.json that evacuate sabotage -o writes; "
                + "; ".join(problems[:20]),
                param_hint="--sabotage-from",
            )
        out["sabotage"] = data
    if sweep is not None:
        from evacuate.report.sweep import sweep_data
        from evacuate.store import open_store
        from evacuate.sweep.run import load_sweep

        with open_store(store, create=False) as st:
            result = load_sweep(st, sweep)
        out["sweep"] = sweep_data(result, result.analyse(target_share=0.95))
    return out
