"""``evacuate sweep`` and ``evacuate runs list|show|compare|export``: robustness sweeps and
the run store; ``record_plan`` / ``record_simulation`` serve ``plan --store`` and
``simulate --store``."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import evacuate
from evacuate.cli.app import Command, app, command
from evacuate.cli.common import (
    fmt_num,
    output_path,
    print_issues,
    reported_errors,
    stderr,
    stdout,
)
from evacuate.cli.options import DEFAULT, Policy, ScenarioArg, Seed, option
from evacuate.errors import EvacuateError
from evacuate.scenario.scenario import Scenario

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help="Run store URL (sqlite:///file.db, postgresql://...) or file; "
        "default: $EVACUATE_STORE, else evacuate-runs.db.",
        show_default=False,
    ),
]


class BadTarget(EvacuateError):
    pass


def _target(text: str) -> tuple[float | None, float | None]:
    """``95%`` -> share 0.95; ``16000`` -> 16,000 people."""
    t = text.strip()
    try:
        if t.endswith("%"):
            share = float(t[:-1]) / 100
            if not 0 < share <= 1:
                raise ValueError
            return None, share
        people = float(t)
        if not 0 <= people < math.inf:  # nan and inf too: they ran as a target nothing meets
            raise ValueError
        return people, None
    except ValueError:
        raise BadTarget(
            f"--target: found {text!r}; expected a share (95%) or people (16000)"
        ) from None


@command("sweep")
def sweep_cmd(
    file: ScenarioArg = None,
    samples: Annotated[int, option("samples", aliases=("-n",))] = DEFAULT["samples"],
    sampler: Annotated[
        str, typer.Option("--sampler", metavar="NAME", help="lhs, sobol, mc or factorial.")
    ] = "lhs",
    variants: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            metavar="NAME",
            help="Run every sample on this variant (repeat; base: none).",
        ),
    ] = None,
    policy: Policy = "replan",
    seed: Seed = 0,
    plan_time: Annotated[float, option("plan_time")] = DEFAULT["plan_time"],
    workers: Annotated[int, option("workers")] = DEFAULT["workers"],
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS",
            help="Run on Dask: 'local' (a LocalCluster) or a scheduler address.",
        ),
    ] = None,
    store: StoreOpt = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            metavar="",
            help="Continue the same sweep in the store; run only what is missing.",
        ),
    ] = False,
    target: Annotated[
        str,
        typer.Option(
            "--target",
            metavar="SHARE|PEOPLE",
            help="Success: a share of the population (95%) or people.",
        ),
    ] = "95%",
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="DIR", help="Write the sweep's report (sweep.html) here."),
    ] = None,
) -> None:
    """Sample the scenario's uncertainties; plan and simulate each sample for each variant."""
    with reported_errors():
        from evacuate.store import open_store
        from evacuate.sweep import SAMPLERS, sweep

        if sampler not in SAMPLERS:
            raise typer.BadParameter(
                f"found {sampler!r}; expected {', '.join(SAMPLERS)}", param_hint="--sampler"
            )
        if policy not in ("replan", "follow"):
            raise typer.BadParameter(
                f"found {policy!r}; expected replan or follow", param_hint="--policy"
            )
        if report is not None:
            output_path(report, folder=True, flag="--report")
        people, share = _target(target)
        s = evacuate.load(file)
        print_issues(stderr(), s.warnings)
        st = open_store(store)
        columns = (
            TextColumn("[bold]sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
        )
        with Progress(*columns, console=stderr(), transient=False) as bar:
            task = bar.add_task("", total=None)

            def show(done: int, total: int, summary: str) -> None:
                bar.update(task, completed=done, total=total, description=summary)

            result = sweep(
                s,
                samples=samples,
                sampler=sampler,
                variants=variants,
                policy=policy,
                seed=seed,
                plan_time=plan_time,
                workers=workers,
                dask=dask,
                store=st,
                resume=resume,
                progress=show,
            )
        out = stdout()
        analyses = result.analyse(target=people, target_share=share)
        _print_analyses(out, s, result, analyses, target)
        if report is not None:
            from evacuate.report.sweep import build_sweep_report

            path = build_sweep_report(result, analyses, report)
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)
        out.print(
            f"{len(result.results):,} tasks ({result.ran:,} run now) on {result.executor} in "
            f"{result.seconds:.1f} s; stored as sweep {result.run_id} in {st.safe_url}",
            soft_wrap=True,
        )


def _print_analyses(
    out: Console, s: Scenario, result: Any, analyses: list[Any], target: str
) -> None:
    """The analysis table, each variant's drivers, and per variant how many samples failed
    and the first one's reason (a sweep whose every sample fails said nothing of why)."""
    out.print(_analysis_table(s, analyses, target), soft_wrap=False)
    for a in analyses:
        out.print(_drivers(a), soft_wrap=True)
    for variant in dict.fromkeys(r.variant for r in result.results):
        bad = [r for r in result.results if r.variant == variant and r.status != "finished"]
        if bad:
            why = " ".join(str(bad[0].error or bad[0].status).split())[:300]
            out.print(f"{variant}: {len(bad):,} sample(s) failed; the first: {why}", soft_wrap=True)


def _analysis_table(s: Scenario, analyses: list[Any], target: str) -> Table:
    table = Table(title=f"Sweep of {s.name}: people rescued")
    for col in ("Variant", "Samples", "Failed", f"P(≥{target})", "5%", "50%", "95%", "Last 50%"):
        table.add_column(col, justify="left" if col == "Variant" else "right")
    for a in analyses:
        q = a.rescued
        if not a.samples:  # every sample failed: no share, no quantiles (was nan, 0, 0, 0)
            table.add_row(a.variant, "0", f"{a.failed:,}", "-", "-", "-", "-", "")
            continue
        table.add_row(
            a.variant,
            f"{a.samples:,}",
            f"{a.failed:,}",
            f"{a.p_target:.3f}",
            fmt_num(round(q.get(0.05, 0))),
            fmt_num(round(q.get(0.5, 0))),
            fmt_num(round(q.get(0.95, 0))),
            fmt_num(round(a.last_rescue[0.5], 2)) if a.last_rescue else "",
        )
    return table


def _drivers(a: Any) -> Text:
    top = sorted(a.scores.items(), key=lambda kv: -kv[1])[:4]
    text = Text.assemble((f"{a.variant}: ", "bold"), "drivers ")
    text.append(", ".join(f"{k} {v:.2f}" for k, v in top) or "none (nothing varies)")
    if a.prim is not None:
        box = a.prim.box
        ranges = "; ".join(f"{k} in [{lo:.4g}, {hi:.4g}]" for k, (lo, hi) in box.limits.items())
        text.append(
            f"\n  below target mostly when {ranges or 'anywhere'} "
            f"(coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"base rate {a.prim.base_density:.2f})"
        )
    return text


# ------------------------------------------------------------------------------ runs
runs_app = typer.Typer(
    help="The run store: list, show, compare and export stored runs.", no_args_is_help=True
)
app.add_typer(runs_app, name="runs")


@runs_app.command("list", cls=Command)
def runs_list(
    store: StoreOpt = None,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", help="plan, simulate, sweep, ...")
    ] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", metavar="ID", help="The samples of this sweep.")
    ] = None,
    limit: Annotated[int, option("limit")] = DEFAULT["limit"],
) -> None:
    """Stored runs, newest first (top-level runs unless --parent)."""
    with reported_errors():
        from evacuate.store import open_store

        with open_store(store, create=False) as st:
            parent_id = st.get_run(parent).id if parent else None
            runs = st.list_runs(kind=kind, parent=parent_id, top_level=parent is None, limit=limit)
            counts = {r.id: st.count_runs(parent=r.id) for r in runs if r.kind == "sweep"}
        table = Table(title=f"Runs in {st.safe_url}")
        for col in ("Id", "Kind", "Status", "Started (UTC)", "Seconds", "Variant", "Key", "Result"):
            table.add_column(col)
        for r in runs:
            res = r.metrics.get("rescued")
            result = f"rescued {fmt_num(res)}" if res is not None else ""
            if r.id in counts:
                result = f"{counts[r.id]:,} tasks"
            table.add_row(
                r.id[:12],
                r.kind,
                r.status,
                r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                f"{r.seconds:.1f}" if r.seconds is not None else "",
                r.variant or "",
                r.key or "",
                result,
            )
        stdout().print(table, soft_wrap=False)


@runs_app.command("show", cls=Command)
def runs_show(
    run: Annotated[str, typer.Argument(metavar="ID", help="Run id (or a unique prefix).")],
    store: StoreOpt = None,
) -> None:
    """One run: identity, parameters, metrics, series and artifacts."""
    with reported_errors():
        from evacuate.store import open_store

        with open_store(store, create=False) as st:
            r = st.get_run(run)
            series = st.series(r.id)
            children = st.count_runs(parent=r.id)
        table = Table(title=f"Run {r.id}", show_header=False)
        table.add_column("Field")
        table.add_column("Value", overflow="fold")
        rows: list[tuple[str, Any]] = [
            ("kind", r.kind),
            ("status", r.status),
            ("started (UTC)", r.started_at.isoformat(timespec="seconds")),
            ("seconds", r.seconds),
            ("scenario", r.scenario_hash),
            ("variant", r.variant),
            ("seed", r.seed),
            ("parent", r.parent_id),
            ("key", r.key),
            ("children", children or None),
            ("error", r.error),
            ("versions", ", ".join(f"{k} {v}" for k, v in r.versions.items())),
        ]
        rows += [(f"param {k}", v) for k, v in r.params.items()]
        rows += [(f"metric {k}", fmt_num(v) if v is not None else "") for k, v in r.metrics.items()]
        rows += [(f"series {k}", f"{len(v):,} points, last {v[-1]}") for k, v in series.items()]
        rows += [(f"artifact {a.name}", a.uri) for a in r.artifacts]
        for k, v in rows:
            if v is not None and v != "":
                table.add_row(k, str(v))
        stdout().print(table, soft_wrap=False)


@runs_app.command("compare", cls=Command)
def runs_compare(
    runs: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Run ids (or unique prefixes).")
    ],
    store: StoreOpt = None,
) -> None:
    """Runs side by side: every parameter and metric any of them has."""
    with reported_errors():
        from evacuate.store import open_store

        with open_store(store, create=False) as st:
            rows = st.compare(runs)
        table = Table(title="Runs compared")
        table.add_column("")
        for rid in rows[0][1]:
            table.add_column(str(rid)[:12], justify="right")
        for name, values in rows[1:]:
            cells = [
                fmt_num(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
                for v in values
            ]
            table.add_row(name, *["" if c == "None" else c for c in cells])
        stdout().print(table, soft_wrap=False)


@runs_app.command("export", cls=Command)
def runs_export(
    output: Annotated[Path | None, option("output", help="Write a .csv or .parquet file.")] = None,
    run: Annotated[
        str | None,
        typer.Argument(
            metavar="ID", help="A sweep: export its samples (default: all top-level runs)."
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Write runs as a table (one row per run; params and metrics as columns)."""
    with reported_errors():
        from evacuate.store import open_store
        from evacuate.store.export import write_table

        if output is None:
            raise typer.BadParameter("expected a .csv or .parquet file", param_hint="--output")
        output_path(output, suffixes=(".csv", ".parquet"))
        with open_store(store, create=False) as st:
            if run is not None:
                parent = st.get_run(run)
                runs = st.list_runs(parent=parent.id) or [parent]
            else:
                runs = st.list_runs(top_level=True)
        write_table(runs, output)
        stdout().print(
            Text.assemble(("wrote", "bold green"), f" {output} ({len(runs):,} runs)"),
            soft_wrap=True,
        )


@runs_app.command("report", cls=Command)
def runs_report(
    run: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A sweep's or a sabotage analysis's run id (or a unique prefix)."
        ),
    ],
    output: Annotated[
        Path | None, option("output", help="Folder for sweep.html (or sabotage.html).")
    ] = None,
    store: StoreOpt = None,
    target: Annotated[
        str,
        typer.Option(
            "--target",
            metavar="SHARE|PEOPLE",
            help="Success: a share of the population (95%) or people.",
        ),
    ] = "95%",
) -> None:
    """Report a stored run: a sweep (fan chart, histogram, drivers, PRIM) or a sabotage
    analysis (damage-budget curve, ranked attacks, targets on the map, defences)."""
    with reported_errors():
        from evacuate.report.sweep import build_sweep_report
        from evacuate.store import open_store
        from evacuate.sweep.run import load_sweep

        if output is None:
            raise typer.BadParameter("expected a folder for the report", param_hint="--output")
        output_path(output, folder=True)
        people, share = _target(target)
        with open_store(store, create=False) as st:
            if st.get_run(run).kind == "sabotage":
                from evacuate.report.sabotage import build_sabotage_report
                from evacuate.sabotage import load_sabotage

                data, scenario = load_sabotage(st, run)
                path = build_sabotage_report(data, scenario, output)
                stdout().print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)
                return
            result = load_sweep(st, run)
        analyses = result.analyse(target=people, target_share=share)
        out = stdout()
        _print_analyses(out, result.scenario, result, analyses, target)
        path = build_sweep_report(result, analyses, output)
        out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)


# ------------------------------------------------------------------ plan/simulate --store
def record_plan(url: str | None, s: Scenario, result: Any, params: dict[str, Any]) -> str:
    """Store a plan run: its settings, figures and the plan itself (a JSON artifact)."""
    from evacuate.planio import write_plan
    from evacuate.store import open_store

    with open_store(url) as st:
        run = st.start_run(
            "plan",
            scenario=st.put_scenario(s),
            params=params,
            seed=params.get("seed"),
            variant=s.applied_variant,
        )
        st.log_metrics(
            run,
            {
                "rescued": result.rescued,
                "bound": result.bound,
                "gap": result.gap,
                "population": result.population,
                "trips": len(result.plan.trips),
                "makespan": result.makespan,
            },
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "plan.json"
            write_plan(result.plan, path)
            st.log_artifact(run, "plan.json", path=path, media_type="application/json")
        st.finish_run(run, seconds=result.seconds)
        return run


def record_simulation(url: str | None, s: Scenario, result: Any, params: dict[str, Any]) -> str:
    """Store a simulated run: settings, figures and people rescued over time."""
    from evacuate.store import open_store
    from evacuate.sweep.tasks import rescued_curve

    with open_store(url) as st:
        return st.record(
            "simulate",
            scenario=st.put_scenario(s),
            params=params,
            seed=result.seed,
            variant=s.applied_variant,
            metrics={
                "population": result.population,
                "rescued": result.rescued,
                "lost": result.lost_people,
                "waiting": result.waiting_at_end,
                "last_rescue": result.last_rescue,
                "planned_rescued": result.planned_rescued,
                "planned_bound": result.planned_bound,
                "vehicles_lost": result.vehicles_lost,
                "replans": len(result.replans),
            },
            series={"rescued": rescued_curve(result.scenario, result.events)},
            seconds=result.seconds,
        )


def store_note(run: str, url: str | None) -> Text:
    from evacuate.store import resolve_url

    shown = resolve_url(url)
    return Text.assemble(("stored", "bold green"), f" run {run} in {shown}")


__all__ = ["record_plan", "record_simulation", "runs_app", "store_note", "sweep_cmd"]
