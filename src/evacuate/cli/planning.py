"""``evacuate plan`` and ``evacuate check``: make a plan, and re-verify one from its trips."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

import evacuate
from evacuate.arguments import need_plan_for
from evacuate.cli.app import command
from evacuate.cli.common import (
    EXIT_INCOMPLETE,
    EXIT_INVALID,
    fmt_capacity,
    fmt_date,
    fmt_dur,
    fmt_num,
    output_path,
    print_issues,
    reported_errors,
    stderr,
    stdout,
)
from evacuate.cli.options import (
    DEFAULT,
    Hindsight,
    Objective,
    Per,
    PlanFile,
    ScenarioArg,
    Seed,
    TimeLimit,
    Variant,
    option,
)
from evacuate.cli.periods import check_per
from evacuate.cli.tables import Fitted, Row
from evacuate.planio import SUFFIXES as PLAN_SUFFIXES
from evacuate.scenario.scenario import Scenario


@command("plan")
def plan_cmd(
    file: ScenarioArg = None,
    variant: Variant = None,
    objective: Objective = DEFAULT["objective"],
    time_limit: TimeLimit = DEFAULT["time_limit"],
    seed: Seed = DEFAULT["seed"],
    hindsight: Hindsight = False,
    per: Per = None,
    output: Annotated[
        Path | None, option("output", help="Write the plan (.csv, .json or .parquet).")
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", metavar="URL", help="Also record the run in this run store (URL or file)."
        ),
    ] = None,
) -> None:
    """Plan an evacuation: rescued, a bound no plan can beat, the gap, and a per-place table."""
    with reported_errors():
        from evacuate.plan.api import plan as make_plan
        from evacuate.plan.api import reveal_surprises
        from evacuate.planio import write_plan

        if output is not None:
            output_path(output, file, suffixes=PLAN_SUFFIXES)
        base = evacuate.load(file)
        s = base.variant(variant) if variant is not None else base
        if hindsight:
            s = reveal_surprises(s)
        print_issues(stderr(), s.warnings)
        check_per(s, per)
        with stderr().status(f"planning {s.name} ({objective}, up to {time_limit:g} s)"):
            result = make_plan(
                s,
                objective=objective,  # type: ignore[arg-type]
                time_limit=time_limit,
                seed=seed,
            )
        out = stdout()
        out.print(_plan_table(s, result), soft_wrap=False)
        _print_periods(s, result, per)
        out.print(_headline(s, result), soft_wrap=True)
        if objective == "min-makespan" and result.rescued < result.population:
            stderr().print(
                Text.assemble(
                    ("error:", "bold red"),
                    f" no plan found that rescues everyone by the horizon "
                    f"({fmt_dur(s, s.end)}): the best rescues {result.rescued:,.0f} of "
                    f"{result.population:,}, so there is no makespan"
                    + ("; nothing written" if output is not None else "")
                    + ". A later scenario end, more vehicles or more haven room may help.",
                ),
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INCOMPLETE)
        if output is not None:
            write_plan(result.plan, output)
            out.print(Text.assemble(("wrote", "bold green"), f" {output}"), soft_wrap=True)
        if store is not None:
            from evacuate.cli.sweeps import record_plan, store_note

            params = {"objective": objective, "time_limit": time_limit, "seed": seed}
            run = record_plan(store, s, result, {**params, "hindsight": hindsight})
            out.print(store_note(run, store), soft_wrap=True)


def _print_periods(s: Scenario, result: Any, per: str | None) -> None:
    """The plan's rescued per period beside the observed series (if asked or given)."""
    from evacuate.cli.periods import period_rows, period_table
    from evacuate.periods import steps_from_trips

    rows = period_rows(s, steps_from_trips(s, [*result.plan.trips, *result.plan.walks]), per)
    if rows:
        stdout().print(period_table(s, rows, "Planned"), soft_wrap=False)


def _headline(s: Scenario, result: Any) -> Text:
    pop = result.population or 1
    text = Text.assemble(
        ("rescued ", "bold"),
        (f"{result.rescued:,.0f}", "bold green"),
        f" of {result.population:,} ({100 * result.rescued / pop:.2f}%); bound ",
        (f"{result.bound:,.0f}", "bold"),
        f"; gap {100 * result.gap:.2f}%; {len(result.plan.trips):,} trips; "
        + (f"{len(result.plan.walks):,} walks; " if result.plan.walks else "")
        + f"{result.seconds:.2f} s",
    )
    if getattr(result, "vehicles_lost", 0):
        text.append(
            f"\n{result.vehicles_lost:,} vehicles lost: idle at places when their deadlines "
            "strike, with no way out in time"
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
    if result.stats.get("stopped_by_time"):
        text.append(
            "\nstopped by the time limit (a safety stop) before the search spent its work "
            "budget: another run may give another plan; a larger --time-limit lets it finish",
            style="yellow",
        )
    return text


def _plan_table(s: Scenario, result: Any) -> Fitted:
    rows: list[Row] = []
    lost = bool(getattr(result, "vehicles_lost", 0))  # a column only when the plan loses some
    walked = bool(result.plan.walks)  # and walkers' columns only when people walk
    for row in result.places:
        if not (row.population or row.capacity or row.picked_up or row.walked_in):
            continue
        cells: list[Any] = [
            row.place,
            fmt_num(row.population or None),
            _time(s, row.deadline),
            fmt_num(row.picked_up or None),
            fmt_num(row.left_behind or None),
            fmt_num(row.received or None),
            fmt_capacity(row.capacity or None),
            _time(s, row.last_pickup),
        ]
        if walked:
            cells += [fmt_num(row.walked_out or None), fmt_num(row.walked_in or None)]
        if lost:
            cells.append(fmt_num(row.vehicles_lost or None))
        rows.append((cells, None))
    unit = "" if s.scenario.start_date is not None else f"\n({s.time_unit})"
    return Fitted(
        f"Plan for {s.name}" + (f" [{s.applied_variant}]" if s.applied_variant else ""),
        [
            "@Place",
            "#People",
            f"#Deadline{unit}",
            "#Picked up",
            "#Left\nbehind",
            "#Received",
            "#Capacity",
            f"?#Last\npickup{unit}",
            *(["#Walked\naway", "#Walked\nin"] if walked else []),
            *(["#Vehicles\nlost"] if lost else []),
        ],
        rows,
    )


def _time(s: Scenario, t: float | None) -> str:
    return "" if t is None else fmt_date(s, t) or fmt_num(t)


@command("check")
def check_cmd(
    file: ScenarioArg = None,
    plan_file: PlanFile = None,
    variant: Annotated[
        str | None,
        option("variant", help="Check against this variant. Default: the plan's own variant."),
    ] = None,
    hindsight: Annotated[
        bool,
        option(
            "hindsight",
            help="Check against the scenario with its surprise events known in advance (as "
            "`plan --hindsight` plans); by default surprises are left out, as the blind "
            "planner saw the scenario.",
        ),
    ] = False,
) -> None:
    """Re-verify a plan from its trips alone and list every violation (exit 2 if any)."""
    with reported_errors():
        from evacuate.check import check
        from evacuate.plan.api import reveal_surprises
        from evacuate.planio import read_plan

        if plan_file is None:
            hint = ""
            if file is not None and file.suffix.lower() in (".csv", ".parquet", ".pq"):
                hint = f"; {file} looks like a plan: give it as --plan {file}"
            raise typer.BadParameter(f"which plan? give it with --plan FILE{hint}")
        base = evacuate.load(file)
        pl = read_plan(plan_file)
        need_plan_for(base, pl, str(plan_file))
        name = variant if variant is not None else pl.variant
        s = base.variant(name) if name else base
        if hindsight:
            s = reveal_surprises(s)
        report = check(s, pl)
        out = stdout()
        if report.violations:
            rows: list[Row] = [
                (
                    [
                        "" if v.trip_index is None else str(v.trip_index),
                        v.group or "",
                        v.rule,
                        f"{v.amount:,.6g}",
                        v.message,
                    ],
                    None,
                )
                for v in report.violations[:200]
            ]
            title = f"{len(report.violations):,} violation(s)"
            out.print(Fitted(title, ["#Trip", "@Group", "Rule", "#By", "What"], rows))
            if len(report.violations) > 200:
                out.print(f"... and {len(report.violations) - 200:,} more")
        against = s.applied_variant or "the scenario without variant"
        known = "surprise events known in advance" if hindsight else "surprise events unknown"
        out.print(f"checked {plan_file} against {against} ({known})", soft_wrap=True)
        out.print(report.summary(), soft_wrap=True)
        if not report.feasible:
            raise typer.Exit(EXIT_INVALID)
