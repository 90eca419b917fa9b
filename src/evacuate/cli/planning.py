"""``evacuate plan`` and ``evacuate check``: make a plan, and re-verify one from its trips."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import evacuate
from evacuate.cli.app import app
from evacuate.cli.common import (
    EXIT_INVALID,
    FileArg,
    fmt_date,
    fmt_dur,
    fmt_num,
    print_issues,
    reported_errors,
    stderr,
    stdout,
)
from evacuate.scenario.scenario import Scenario

ObjectiveOpt = Annotated[
    str,
    typer.Option(
        "--objective",
        help="max-rescued (most people, earliest first) or min-makespan (everyone, soonest).",
    ),
]


@app.command("plan")
def plan_cmd(
    file: FileArg = None,
    variant: Annotated[
        str | None, typer.Option("--variant", help="Apply this what-if variant first.")
    ] = None,
    objective: ObjectiveOpt = "max-rescued",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds to spend.", min=0.1)
    ] = 30.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the extra restarts.")] = 0,
    hindsight: Annotated[
        bool,
        typer.Option("--hindsight", help="Treat surprise events as known (what could have been)."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the plan (.csv, .json or .parquet)."),
    ] = None,
) -> None:
    """Plan an evacuation: rescued, a bound no plan can beat, the gap, and a per-place table."""
    with reported_errors():
        from evacuate.plan.api import plan as make_plan
        from evacuate.plan.api import reveal_surprises
        from evacuate.planio import write_plan

        if objective not in ("max-rescued", "min-makespan"):
            raise typer.BadParameter(
                f"found {objective!r}; expected max-rescued or min-makespan",
                param_hint="--objective",
            )
        base = evacuate.load(file)
        s = base.variant(variant) if variant is not None else base
        if hindsight:
            s = reveal_surprises(s)
        print_issues(stderr(), s.warnings)
        with stderr().status(f"planning {s.name} ({objective}, up to {time_limit:g} s)"):
            result = make_plan(
                s,
                objective=objective,  # type: ignore[arg-type]
                time_limit=time_limit,
                seed=seed,
            )
        out = stdout()
        out.print(_plan_table(s, result), soft_wrap=False)
        out.print(_headline(s, result), soft_wrap=True)
        if output is not None:
            write_plan(result.plan, output)
            out.print(Text.assemble(("wrote", "bold green"), f" {output}"), soft_wrap=True)


def _headline(s: Scenario, result: Any) -> Text:
    pop = result.population or 1
    text = Text.assemble(
        ("rescued ", "bold"),
        (f"{result.rescued:,.0f}", "bold green"),
        f" of {result.population:,} ({100 * result.rescued / pop:.2f}%); bound ",
        (f"{result.bound:,.0f}", "bold"),
        f"; gap {100 * result.gap:.2f}%; {len(result.plan.trips):,} trips; {result.seconds:.2f} s",
    )
    if result.makespan is not None:
        lb = result.makespan_lower_bound
        text.append(
            f"\nmakespan {fmt_dur(s, result.makespan)}"
            + (
                f" (lower bound {fmt_dur(s, lb)}, gap {100 * (result.makespan_gap or 0):.2f}%)"
                if lb
                else ""
            )
        )
    return text


def _plan_table(s: Scenario, result: Any) -> Table:
    table = Table(
        title=f"Plan for {s.name}" + (f" [{s.applied_variant}]" if s.applied_variant else "")
    )
    for col in (
        "Place",
        "People",
        "Deadline",
        "Picked up",
        "Left behind",
        "Received",
        "Capacity",
        "Last pickup",
    ):
        table.add_column(col, justify="left" if col == "Place" else "right")
    for row in result.places:
        if not (row.population or row.capacity or row.picked_up):
            continue
        table.add_row(
            row.place,
            fmt_num(row.population or None),
            fmt_date(s, row.deadline) if row.deadline is not None else "",
            fmt_num(row.picked_up or None),
            fmt_num(row.left_behind or None),
            fmt_num(row.received or None),
            fmt_num(row.capacity or None),
            fmt_date(s, row.last_pickup) if row.last_pickup is not None else "",
        )
    return table


@app.command("check")
def check_cmd(
    scenario_file: Annotated[Path, typer.Argument(help="The scenario the plan is for.")],
    plan_file: Annotated[Path, typer.Argument(help="The plan (.csv, .json or .parquet).")],
    variant: Annotated[
        str | None, typer.Option("--variant", help="Variant (default: the plan's own).")
    ] = None,
    hindsight: Annotated[
        bool, typer.Option("--hindsight", help="Treat surprise events as known.")
    ] = False,
) -> None:
    """Re-verify a plan from its trips alone and list every violation (exit 2 if any)."""
    with reported_errors():
        from evacuate.check import check
        from evacuate.plan.api import reveal_surprises
        from evacuate.planio import read_plan

        base = evacuate.load(scenario_file)
        pl = read_plan(plan_file)
        name = variant if variant is not None else pl.variant
        s = base.variant(name) if name else base
        if hindsight:
            s = reveal_surprises(s)
        report = check(s, pl)
        out = stdout()
        if report.violations:
            table = Table(title=f"{len(report.violations):,} violation(s)")
            for col in ("Trip", "Group", "Rule", "By", "What"):
                table.add_column(col)
            for v in report.violations[:200]:
                table.add_row(
                    "" if v.trip_index is None else str(v.trip_index),
                    v.group or "",
                    v.rule,
                    f"{v.amount:,.6g}",
                    v.message,
                )
            out.print(table)
            if len(report.violations) > 200:
                out.print(f"... and {len(report.violations) - 200:,} more")
        out.print(report.summary(), soft_wrap=True)
        if not report.feasible:
            raise typer.Exit(EXIT_INVALID)
