"""``evacuate simulate`` and ``evacuate state``: run a plan as the world happens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

import evacuate
from evacuate.arguments import need_plan_for
from evacuate.cli.app import command
from evacuate.cli.common import (
    SCENARIO_SUFFIXES,
    fmt_date,
    fmt_num,
    fmt_when,
    output_path,
    parse_at,
    print_issues,
    reported_errors,
    session,
    stderr,
    stdout,
    write_atomic,
)
from evacuate.cli.options import (
    DEFAULT,
    At,
    Breakdowns,
    Per,
    Policy,
    Runs,
    ScenarioArg,
    Seed,
    TimeLimit,
    TravelCV,
    Variant,
    option,
)
from evacuate.cli.periods import check_per
from evacuate.cli.tables import Fitted, Row
from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario


def _perturbations(s: Scenario, travel_cv: float | None, breakdowns: float | None) -> Any:
    from evacuate.scenario.model import Perturbations

    base = s.perturbations
    return Perturbations(
        travel_cv=base.travel_cv if travel_cv is None else travel_cv,
        breakdowns=base.breakdowns if breakdowns is None else breakdowns,
    )


def _log_path(path: Path, k: int, runs: int) -> Path:
    return path if runs == 1 else path.with_name(f"{path.stem}.run{k}{path.suffix}")


@command("simulate")
def simulate_cmd(
    file: ScenarioArg = None,
    variant: Variant = None,
    seed: Seed = DEFAULT["seed"],
    runs: Runs = DEFAULT["runs"],
    policy: Policy = DEFAULT["policy"],
    plan_file: Annotated[
        Path | None,
        option("plan", help="Simulate this plan. Default: plan first, blind to surprises."),
    ] = None,
    travel_cv: TravelCV = None,
    breakdowns: Breakdowns = None,
    time_limit: TimeLimit = DEFAULT["time_limit"],
    per: Per = None,
    output: Annotated[
        Path | None,
        option(
            "output",
            help="Write the event log (.jsonl or .csv); with --runs N, one file per run "
            "(name.run0.jsonl, ...). --log is an alias.",
            aliases=("--log",),
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", metavar="URL", help="Also record each run in this run store (URL or file)."
        ),
    ] = None,
) -> None:
    """Simulate a plan as the world happens: noise, surprise events and replanning."""
    with reported_errors():
        from evacuate.planio import read_plan
        from evacuate.simulation import simulate
        from evacuate.simulation.log import dumps_log

        log_file = output
        for k in range(runs if log_file is not None else 0):
            path = _log_path(log_file, k, runs)  # type: ignore[arg-type]
            output_path(path, file, plan_file, suffixes=(".jsonl", ".json", ".csv"))
        base = evacuate.load(file)
        pl = read_plan(plan_file) if plan_file is not None else None
        if pl is not None:
            need_plan_for(base, pl, str(plan_file))
        if variant is None and pl is not None and pl.variant:
            variant = pl.variant  # the plan's own variant
        s = base.variant(variant) if variant is not None else base
        print_issues(stderr(), s.warnings)
        check_per(s, per)
        pert = _perturbations(s, travel_cv, breakdowns)
        results = []
        texts: list[tuple[Path, str]] = []
        with stderr().status(f"simulating {s.name}") as status:
            for k in range(runs):
                run = f"run {k + 1}/{runs} (seed {seed + k})" if runs > 1 else ""
                session.context = run

                def say(msg: str, run: str = run) -> None:
                    status.update(f"{run}: {msg}" if run else msg)

                r = simulate(
                    s,
                    pl,
                    policy=policy,  # type: ignore[arg-type]
                    seed=seed + k,
                    perturbations=pert,
                    time_limit=time_limit,
                    progress=say,
                )
                session.context = ""
                results.append(r)
                if log_file is not None:
                    fmt = "csv" if log_file.suffix.lower() == ".csv" else "jsonl"
                    texts.append((_log_path(log_file, k, runs), dumps_log(r.events, fmt)))
        out = stdout()
        out.print(_sim_table(s, results), soft_wrap=False)
        out.print(_lost_table(s, results), soft_wrap=False)
        _print_periods(s, results[0], per)
        for r in results[:1]:
            for rp in r.replans:
                kept = "the new plan" if rp.adopted == "new" else "the old plan (as good)"
                out.print(
                    f"replanned on {fmt_when(s, rp.time)} after {', '.join(rp.events)} "
                    f"({rp.seconds:.1f} s): from that state the new plan rescues "
                    f"{rp.planned_more:,.0f} more, following the old plan "
                    f"{rp.follow_more:,.0f} more, and no plan more than {rp.bound_more:,.0f} "
                    f"(the bound, if no further surprise strikes); kept {kept}",
                    soft_wrap=True,
                )
        if runs > 1:
            import statistics

            vals = [r.rescued for r in results]
            out.print(
                f"rescued over {runs} runs: mean {statistics.fmean(vals):,.0f}, "
                f"min {min(vals):,}, max {max(vals):,}"
                + (f", stdev {statistics.stdev(vals):,.0f}" if runs > 1 else ""),
                soft_wrap=True,
            )
        for path, text in texts:
            write_atomic(path, text)
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)
        if store is not None:
            from evacuate.cli.sweeps import record_simulation, store_note

            params = {
                "policy": policy,
                "time_limit": time_limit,
                "travel_cv": pert.travel_cv,
                "breakdowns": pert.breakdowns,
                "plan": str(plan_file) if plan_file is not None else None,
            }
            for r in results:
                out.print(store_note(record_simulation(store, s, r, params), store), soft_wrap=True)


def _print_periods(s: Scenario, result: Any, per: str | None) -> None:
    """The first run's rescued per period beside the observed series (if asked or given)."""
    from evacuate.cli.periods import period_rows, period_table
    from evacuate.periods import steps_from_log

    rows = period_rows(s, steps_from_log(s, result.events), per)
    if rows:
        stdout().print(period_table(s, rows, "Simulated"), soft_wrap=False)


def _sim_table(s: Scenario, results: list[Any]) -> Fitted:
    title = f"Simulation of {s.name}" + (f" [{s.applied_variant}]" if s.applied_variant else "")
    rows: list[Row] = []
    for r in results:
        cells: list[Any] = [
            str(r.seed),
            r.policy,
            fmt_num(r.rescued),
            f"{100 * r.rescued / max(r.population, 1):.2f}%",
            fmt_num(r.lost_people),
            fmt_num(r.vehicles_lost),
            fmt_date(s, r.last_rescue) or fmt_num(r.last_rescue),
            fmt_num(r.planned_rescued) if r.planned_rescued == r.planned_rescued else "",
            fmt_num(r.waiting_at_end + r.on_board_at_end),
            fmt_num(r.vehicles_broken),
            fmt_num(r.trips),
            f"{r.seconds:.1f}",
        ]
        rows.append((cells, None))
    unit = "" if s.scenario.start_date is not None else f"\n({s.time_unit})"
    return Fitted(
        title,
        [
            "#Seed",
            "Policy",
            "#Rescued",
            "#%",
            "#Lost",
            "#Vehicles\nlost",
            f"#Last\nrescue{unit}",
            "?#Planned",
            "?#Waiting",
            "?#Broken",
            "?#Trips",
            "?#s",
        ],
        rows,
        drop_last_first=True,
    )


def _lost_table(s: Scenario, results: list[Any]) -> Fitted:
    """People lost per place (mean over runs when there are several)."""
    title = "People lost per place" + (
        f" (mean of {len(results)} runs)" if len(results) > 1 else ""
    )
    rows: list[Row] = []
    for p in s.places:
        people = s.people_at(p)
        lost = sum(r.lost_by_place.get(p.id, 0) for r in results) / len(results)
        if not people and not lost:
            continue
        cells: list[Any] = [
            p.id,
            fmt_num(people),
            fmt_date(s, summary.effective_deadline(s, p.id)) or fmt_num(s.deadline(p.id)),
            fmt_num(round(lost)),
            f"{100 * lost / people:.1f}%" if people else "",
        ]
        rows.append((cells, None))
    return Fitted(title, ["@Place", "#People", "#Deadline", "#Lost", "#% lost"], rows)


@command("state")
def state_cmd(
    file: ScenarioArg = None,
    at: At = DEFAULT["at"],
    variant: Variant = None,
    plan_file: Annotated[
        Path | None,
        option("plan", help="The plan followed so far. Default: plan first, blind to surprises."),
    ] = None,
    output: Annotated[Path, option("output", help="Write the state here (.yaml or .json).")] = Path(
        "state.yaml"
    ),
    time_limit: TimeLimit = DEFAULT["time_limit"],
    seed: Seed = DEFAULT["seed"],
) -> None:
    """Write the state of the operation at --at as a scenario, to replan from."""
    with reported_errors():
        from evacuate.plan.api import plan as make_plan
        from evacuate.planio import read_plan
        from evacuate.scenario.load import dumps
        from evacuate.simulation import run_to, state_scenario

        output_path(output, file, plan_file, suffixes=SCENARIO_SUFFIXES)
        base = evacuate.load(file)
        pl = read_plan(plan_file) if plan_file is not None else None
        if pl is not None:
            need_plan_for(base, pl, str(plan_file))
        if variant is None and pl is not None and pl.variant:
            variant = pl.variant  # the plan's own variant
        s = base.variant(variant) if variant is not None else base
        when = parse_at(s, at)
        if pl is None:
            with stderr().status(f"planning {s.name}"):
                pl = make_plan(s, time_limit=time_limit, seed=seed).plan
        engine = run_to(s, list(pl.trips), when, pl.walks)
        state = state_scenario(engine, when)
        text = dumps(state, "json" if output.suffix.lower() == ".json" else "yaml")
        write_atomic(output, text)
        waiting = sum(state.people_at(p) for p in state.places if not state.is_haven(p.id))
        vehicles = sum(x.count for x in state.fleet.stock)
        out = stdout()
        out.print(
            Text.assemble(
                ("wrote", "bold green"),
                f" {output}: state at {fmt_when(s, when)}: {engine.rescued():,} rescued so far, "
                f"{waiting:,} still to rescue, {vehicles:,} vehicles, "
                f"{engine.lost_people:,} people lost so far",
            ),
            soft_wrap=True,
        )
        for line in _at_instant(engine.log, when):
            out.print(line, soft_wrap=True)


def _at_instant(log: list[Any], t: float) -> list[str]:
    """What happened at the instant ``t`` itself (the state already counts it)."""
    now = [e for e in log if abs(e.time - t) <= 1e-9]
    fired = [e.detail for e in now if e.kind == "event"]
    if not fired:
        return []
    destroyed = sum(e.vehicles for e in now if e.kind == "lost_vehicles")
    withdrawn = sum(e.vehicles for e in now if e.kind == "withdrawn")
    people = sum(e.people for e in now if e.kind == "lost_people")
    return [
        f"at this instant {', '.join(fired)} fired: {destroyed:,} vehicles destroyed, "
        f"{withdrawn:,} withdrawn, {people:,} people lost (the state above already counts them)"
    ]
