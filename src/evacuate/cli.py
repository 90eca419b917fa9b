"""The ``evacuate`` command line: validate, show, plan and check evacuations.

Only this module prints; the library logs. A problem the user can fix (``EvacuateError``) is
reported as ``file:line: severity: path: message`` lines on stderr with exit status 2 and no
traceback. Any other exception is a bug: one line on stderr, exit status 1, and the traceback
only with ``--debug``.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.logging import RichHandler
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

import evacuate
from evacuate.errors import EvacuateError, Issue
from evacuate.scenario import summary
from evacuate.scenario.load import ROMULAN
from evacuate.scenario.model import Lane, Shipyard
from evacuate.scenario.scenario import Scenario
from evacuate.units import format_duration

__all__ = ["app", "main"]

EXIT_OK = 0
EXIT_BUG = 1
EXIT_INVALID = 2

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


@dataclass
class _State:
    debug: bool = False
    verbosity: int = 0


_state = _State()


# ---------------------------------------------------------------------------- output
def _stdout() -> Console:
    # piped output (CI logs, files) gets room for full numbers instead of rich's 80 columns
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=120 if wide else None)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}


def _issue_text(issue: Issue) -> Text:
    """``file:line: severity: path: message`` with colours; messages are never parsed as markup."""
    where = issue.file or "<input>"
    if issue.line is not None:
        where += f":{issue.line}"
    text = Text()
    text.append(where, style="bold")
    text.append(": ")
    text.append(issue.severity, style=_SEVERITY_STYLE.get(issue.severity, ""))
    text.append(": ")
    if issue.path:
        text.append(issue.path, style="cyan")
        text.append(": ")
    text.append(issue.message)
    return text


def _by_line(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file or "", i.line is None, i.line or 0))


def _print_issues(console: Console, issues: Iterable[Issue]) -> None:
    for issue in _by_line(issues):
        console.print(_issue_text(issue), soft_wrap=True)


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {word}es" if word.endswith("s") else f"{n:,} {word}s"


def _report(exc: EvacuateError) -> None:
    err = _stderr()
    issues: list[Issue] = list(getattr(exc, "issues", []))
    if not issues:
        err.print(Text.assemble(("error", "bold red"), ": ", str(exc)), soft_wrap=True)
        return
    _print_issues(err, issues)
    errors = sum(1 for i in issues if i.severity == "error")
    files = sorted({i.file for i in issues if i.file})
    where = f" in {', '.join(files)}" if files else ""
    err.print(Text(f"{_plural(errors, 'error')}{where}", style="bold red"))


def _bug(exc: BaseException) -> NoReturn:
    _stderr().print(
        Text.assemble(
            ("internal error", "bold red"),
            f": {type(exc).__name__}: {exc}\n",
            "This is a bug in evacuate; run again with --debug to see the traceback.",
        ),
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_BUG)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn exceptions into messages and exit statuses (2: the user's input; 1: a bug)."""
    try:
        yield
    except EvacuateError as exc:
        _report(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except Exception as exc:
        if _state.debug:
            raise
        _bug(exc)


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    target = path.expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- logging
class _AlreadyReported(logging.Filter):
    """Drops the loader's per-warning log records: the CLI prints those warnings itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "evacuate.scenario.load" and record.levelno == logging.WARNING)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logger = logging.getLogger("evacuate")
    for handler in list(logger.handlers):
        if getattr(handler, "_evacuate_cli", False):
            logger.removeHandler(handler)
    handler = RichHandler(console=_stderr(), show_time=False, show_path=verbosity >= 2)
    handler._evacuate_cli = True  # type: ignore[attr-defined]
    handler.addFilter(_AlreadyReported())
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(level)


# ---------------------------------------------------------------------------- commands
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
    _state.debug = debug
    _state.verbosity = verbose
    _configure_logging(verbose)


def _label(path: Path | None) -> str:
    return f"<builtin:{ROMULAN}>" if path is None else str(path)


def _counts(s: Scenario) -> str:
    parts = [
        _plural(len(s.places), "place"),
        f"{s.population:,} people",
        _plural(len(summary.havens(s)), "haven"),
        _plural(len(s.fleet.classes), "class"),
        _plural(len(s.events), "event"),
        _plural(len(s.variants), "variant"),
    ]
    return ", ".join(parts)


FileArg = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario file (.yaml, .yml or .json). Default: the embedded Romulan scenario.",
        show_default=False,
    ),
]


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files to check. Default: the embedded Romulan scenario.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check scenario files and list every problem found, with its line.

    Prints [green]OK[/green] and a one-line summary for each valid file, and its warnings.
    Exits with status 2 if any file has an error.
    """
    with _reported_errors():
        out, err = _stdout(), _stderr()
        failed = 0
        paths: list[Path | None] = list(files) if files else [None]
        for path in paths:
            label = _label(path)
            try:
                s = evacuate.load(path)
            except evacuate.ScenarioError as exc:
                failed += 1
                _print_issues(err, exc.issues)
                n_err = sum(1 for i in exc.issues if i.severity == "error")
                n_warn = len(exc.issues) - n_err
                tail = f", {_plural(n_warn, 'warning')}" if n_warn else ""
                out.print(
                    Text.assemble(
                        ("FAILED", "bold red"), f": {label} ({_plural(n_err, 'error')}{tail})"
                    ),
                    soft_wrap=True,
                )
                continue
            _print_issues(err, s.warnings)
            tail = f"; {_plural(len(s.warnings), 'warning')}" if s.warnings else ""
            out.print(
                Text.assemble(("OK", "bold green"), f": {label} ({_counts(s)}){tail}"),
                soft_wrap=True,
            )
        if failed:
            raise typer.Exit(EXIT_INVALID)


@app.command()
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the schema to this file instead of printing it."
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools)."""
    with _reported_errors():
        import json

        from evacuate.scenario.schema import json_schema

        text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        if output is None:
            sys.stdout.write(text)
            return
        _write_atomic(output, text)
        _stderr().print(f"wrote {output}", soft_wrap=True)


@app.command()
def show(
    file: FileArg = None,
    variant: Annotated[
        str | None,
        typer.Option("--variant", help="Apply this what-if variant of the scenario first."),
    ] = None,
) -> None:
    """Summarise a scenario: places, hazard, lanes, fleet over time, events and variants."""
    with _reported_errors():
        _show(file, variant)


@app.command()
def demo(
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds per plan.", min=0.1)
    ] = 10.0,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder for the report (HTML and PNG figures)."),
    ] = Path("report"),
) -> None:
    """The Romulan Rescue Mission: the scenario, then every variant planned and simulated."""
    with _reported_errors():
        from evacuate.plan.api import plan as make_plan
        from evacuate.plan.api import reveal_surprises
        from evacuate.report import ReportRun, build_report
        from evacuate.simulation import simulate

        out = _stdout()
        out.print(
            Text.assemble(
                ("evacuate demo", "bold"),
                ": the Romulan Rescue Mission, 900 million people to move before their sun "
                "explodes.\n",
            ),
        )
        _show(None, None)
        base = evacuate.load()
        table = Table(
            title=(
                "Every variant, planned blind to the surprises and simulated as they strike "
                "(replanning from the state after each)"
            ),
            caption=(
                "Bound: no plan could rescue more, even knowing the surprises in advance. "
                "Gap = (bound - rescued) / bound."
            ),
        )
        for col in (
            "Variant",
            "Rescued",
            "% of 900M",
            "Bound",
            "Gap",
            "Lost",
            "Ships lost",
            "Last rescue",
        ):
            if col == "Variant":
                table.add_column(col, no_wrap=True, min_width=24)
            else:
                table.add_column(col, justify="right", no_wrap=True)
        sims: dict[str, Any] = {}
        bounds: dict[str, float] = {}
        seconds = 0.0
        with _stderr().status("simulating every variant") as status:
            for name in base.variant_names:
                s = base.variant(name)

                def say(msg: str, name: str = name) -> None:
                    status.update(f"{name}: {msg}")

                sim = simulate(s, time_limit=time_limit, progress=say)
                say("planning with hindsight (for the bound)")
                known = make_plan(reveal_surprises(s), time_limit=time_limit)
                bound = max(known.bound, float(sim.rescued))
                sims[name], bounds[name] = sim, bound
                table.add_row(
                    name,
                    _n(sim.rescued),
                    f"{100 * sim.rescued / 900_000_000:.2f}%",
                    _n(round(bound)),
                    f"{100 * (bound - sim.rescued) / bound:.2f}%" if bound else "",
                    _n(sim.lost_people),
                    _n(sim.vehicles_lost),
                    _date(s, sim.last_rescue) or _n(sim.last_rescue),
                )
                seconds += sim.seconds + known.seconds
        table.caption = f"{table.caption} Planned and simulated in {seconds:.0f} s."
        out.print(table)
        hist, free = sims.get("historical"), sims.get("no_sabotage")
        picard = sims.get("picard_revised_plan")
        if hist is not None and free is not None:
            out.print(
                f"The attack on Mars and Starfleet's withdrawal cost "
                f"{free.rescued - hist.rescued:,} lives: {hist.rescued:,} rescued against "
                f"{free.rescued:,} without them, and no plan could have rescued more than "
                f"{bounds['historical']:,.0f} once the armada was lost and Starfleet left.",
                soft_wrap=True,
            )
        if picard is not None and hist is not None:
            out.print(
                f"Picard's revised plan (the mothballed reserve, no withdrawal) would have saved "
                f"{picard.rescued - hist.rescued:,} more ({picard.rescued:,} in all, "
                f"{100 * picard.rescued / 900_000_000:.1f}% of the 900 million).",
                soft_wrap=True,
            )
        with _stderr().status("drawing the report"):
            runs = [ReportRun(name, sims[name], bounds[name]) for name in sims]
            files = build_report(runs, output)
        out.print(
            Text.assemble(
                ("report", "bold green"),
                f" {files.html} (open it in a browser; figures: "
                + ", ".join(str(p) for p in files.pngs.values())
                + ")",
            ),
            soft_wrap=True,
        )


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
    with _reported_errors():
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
        _print_issues(_stderr(), s.warnings)
        with _stderr().status(f"planning {s.name} ({objective}, up to {time_limit:g} s)"):
            result = make_plan(
                s,
                objective=objective,  # type: ignore[arg-type]
                time_limit=time_limit,
                seed=seed,
            )
        out = _stdout()
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
            f"\nmakespan {_dur(s, result.makespan)}"
            + (
                f" (lower bound {_dur(s, lb)}, gap {100 * (result.makespan_gap or 0):.2f}%)"
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
            _n(row.population or None),
            _date(s, row.deadline) if row.deadline is not None else "",
            _n(row.picked_up or None),
            _n(row.left_behind or None),
            _n(row.received or None),
            _n(row.capacity or None),
            _date(s, row.last_pickup) if row.last_pickup is not None else "",
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
    with _reported_errors():
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
        out = _stdout()
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


PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="At a surprise: replan from the state (replan) or keep the plan (follow).",
    ),
]


def _perturbations(s: Scenario, travel_cv: float | None, breakdowns: float | None) -> Any:
    from evacuate.scenario.model import Perturbations

    base = s.perturbations
    return Perturbations(
        travel_time_cv=base.travel_time_cv if travel_cv is None else travel_cv,
        breakdowns_per_trip=base.breakdowns_per_trip if breakdowns is None else breakdowns,
    )


def _log_path(path: Path, k: int, runs: int) -> Path:
    return path if runs == 1 else path.with_name(f"{path.stem}.run{k}{path.suffix}")


@app.command("simulate")
def simulate_cmd(
    file: FileArg = None,
    variant: Annotated[
        str | None, typer.Option("--variant", help="Apply this what-if variant first.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the first run's noise.")] = 0,
    runs: Annotated[
        int, typer.Option("--runs", help="Runs, with seeds seed, seed+1, ...", min=1)
    ] = 1,
    policy: PolicyOpt = "replan",
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Simulate this plan (default: plan first, blind)."),
    ] = None,
    travel_cv: Annotated[
        float | None,
        typer.Option("--travel-cv", help="Travel-time noise (coefficient of variation).", min=0),
    ] = None,
    breakdowns: Annotated[
        float | None,
        typer.Option(
            "--breakdowns", help="Probability a vehicle breaks down on a trip.", min=0, max=1
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for each plan.", min=0.1)
    ] = 10.0,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log",
            help="Write the event log (.jsonl, or .csv); with --runs N, one file per run.",
        ),
    ] = None,
) -> None:
    """Simulate a plan as the world happens: noise, surprise events and replanning."""
    with _reported_errors():
        from evacuate.planio import read_plan
        from evacuate.simulation import simulate
        from evacuate.simulation.log import dumps_log

        if policy not in ("replan", "follow"):
            raise typer.BadParameter(
                f"found {policy!r}; expected replan or follow", param_hint="--policy"
            )
        if log_file is not None and log_file.suffix.lower() not in (".jsonl", ".json", ".csv"):
            raise typer.BadParameter(
                f"found {log_file.suffix or 'no suffix'!r}; expected .jsonl or .csv",
                param_hint="--log",
            )
        base = evacuate.load(file)
        pl = read_plan(plan_file) if plan_file is not None else None
        if variant is None and pl is not None and pl.variant:
            variant = pl.variant  # the plan's own variant
        s = base.variant(variant) if variant is not None else base
        _print_issues(_stderr(), s.warnings)
        pert = _perturbations(s, travel_cv, breakdowns)
        results = []
        texts: list[tuple[Path, str]] = []
        with _stderr().status(f"simulating {s.name}") as status:
            for k in range(runs):

                def say(msg: str, k: int = k) -> None:
                    status.update(f"run {k + 1}/{runs}: {msg}")

                r = simulate(
                    s,
                    pl,
                    policy=policy,  # type: ignore[arg-type]
                    seed=seed + k,
                    perturbations=pert,
                    time_limit=time_limit,
                    progress=say,
                )
                results.append(r)
                if log_file is not None:
                    fmt = "csv" if log_file.suffix.lower() == ".csv" else "jsonl"
                    texts.append((_log_path(log_file, k, runs), dumps_log(r.events, fmt)))
        out = _stdout()
        out.print(_sim_table(s, results), soft_wrap=False)
        out.print(_lost_table(s, results), soft_wrap=False)
        for r in results[:1]:
            for rp in r.replans:
                out.print(
                    f"replanned on {_when(s, rp.time)} after {', '.join(rp.events)}: "
                    f"kept the {rp.adopted} plan, +{rp.planned_more:,.0f} from there "
                    f"(following the old plan: +{rp.follow_more:,.0f}; "
                    f"bound +{rp.bound_more:,.0f}); {rp.seconds:.1f} s",
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
            _write_atomic(path, text)
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)


def _when(s: Scenario, t: float) -> str:
    date = _date(s, t)
    return f"{date} (t={t:,.4g})" if date else f"t={t:,.4g}"


def _sim_table(s: Scenario, results: list[Any]) -> Table:
    title = f"Simulation of {s.name}" + (f" [{s.applied_variant}]" if s.applied_variant else "")
    table = Table(title=title)
    for col in (
        "Seed",
        "Policy",
        "Rescued",
        "%",
        "Planned",
        "Lost",
        "Waiting",
        "Vehicles lost",
        "Broken",
        "Last rescue",
        "Trips",
        "s",
    ):
        table.add_column(col, justify="left" if col == "Policy" else "right")
    for r in results:
        table.add_row(
            str(r.seed),
            r.policy,
            _n(r.rescued),
            f"{100 * r.rescued / max(r.population, 1):.2f}%",
            _n(r.planned_rescued) if r.planned_rescued == r.planned_rescued else "",
            _n(r.lost_people),
            _n(r.waiting_at_end + r.on_board_at_end),
            _n(r.vehicles_lost),
            _n(r.vehicles_broken),
            _when(s, r.last_rescue) if r.last_rescue is not None else "",
            _n(r.trips),
            f"{r.seconds:.1f}",
        )
    return table


def _lost_table(s: Scenario, results: list[Any]) -> Table:
    """People lost per place (mean over runs when there are several)."""
    title = "People lost per place" + (
        f" (mean of {len(results)} runs)" if len(results) > 1 else ""
    )
    table = Table(title=title)
    for col in ("Place", "People", "Deadline", "Lost", "% lost"):
        table.add_column(col, justify="left" if col == "Place" else "right")
    for p in s.places:
        people = p.population + sum(a.people for a in p.arrivals)
        lost = sum(r.lost_by_place.get(p.id, 0) for r in results) / len(results)
        if not people and not lost:
            continue
        table.add_row(
            p.id,
            _n(people),
            _date(s, summary.effective_deadline(s, p.id)) or _n(s.deadline(p.id)),
            _n(round(lost)),
            f"{100 * lost / people:.1f}%" if people else "",
        )
    return table


@app.command("state")
def state_cmd(
    file: FileArg = None,
    at: Annotated[
        float, typer.Option("--at", help="The time of the state (scenario units).")
    ] = 0.0,
    variant: Annotated[
        str | None, typer.Option("--variant", help="Apply this what-if variant first.")
    ] = None,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="The plan followed so far (default: plan first, blind)."),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Write the state here (.yaml or .json).")
    ] = Path("state.yaml"),
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the plan, if made.", min=0.1)
    ] = 10.0,
) -> None:
    """Write the state of the operation at --at as a scenario, to replan from."""
    with _reported_errors():
        from evacuate.plan.api import plan as make_plan
        from evacuate.planio import read_plan
        from evacuate.scenario.load import dumps
        from evacuate.simulation import run_to, state_scenario

        base = evacuate.load(file)
        pl = read_plan(plan_file) if plan_file is not None else None
        if variant is None and pl is not None and pl.variant:
            variant = pl.variant  # the plan's own variant
        s = base.variant(variant) if variant is not None else base
        if not 0 <= at <= s.end:
            raise typer.BadParameter(
                f"found {at:g}; expected a time in [0, {s.end:g}]", param_hint="--at"
            )
        if pl is not None:
            trips = list(pl.trips)
        else:
            with _stderr().status(f"planning {s.name}"):
                trips = list(make_plan(s, time_limit=time_limit).plan.trips)
        engine = run_to(s, trips, at)
        state = state_scenario(engine, at)
        text = dumps(state, "json" if output.suffix.lower() == ".json" else "yaml")
        _write_atomic(output, text)
        waiting = sum(
            p.population + sum(a.people for a in p.arrivals)
            for p in state.places
            if not state.is_haven(p.id)
        )
        vehicles = sum(x.count for x in state.fleet.stock)
        _stdout().print(
            Text.assemble(
                ("wrote", "bold green"),
                f" {output}: state at {_when(s, at)}: {engine.rescued():,} rescued so far, "
                f"{waiting:,} still to rescue, {vehicles:,} vehicles, "
                f"{engine.lost_people:,} lost",
            ),
            soft_wrap=True,
        )


import_app = typer.Typer(
    help="Convert problems from other formats into scenario files.", no_args_is_help=True
)
app.add_typer(import_app, name="import")


@import_app.command("bep")
def import_bep(
    source: Annotated[Path, typer.Argument(help="A bus evacuation problem (BEP) instance file.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Scenario file to write (.json gives JSON, else YAML)."
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Scenario id. Default: the file's stem.")
    ] = None,
) -> None:
    """Import a BEP instance (Bish 2011) as a scenario; see docs/bep.md."""
    with _reported_errors():
        from evacuate.bep import import_bep as convert

        s = convert(source, output, name)
        _stdout().print(
            Text.assemble(("wrote", "bold green"), f" {output} ({_counts(s)})"), soft_wrap=True
        )


def _show(path: Path | None, variant: str | None) -> None:
    base = evacuate.load(path)
    s = base.variant(variant) if variant is not None else base
    _print_issues(_stderr(), s.warnings)
    _stdout().print(_render(s, base), soft_wrap=False)


# ---------------------------------------------------------------------------- rendering
Row = tuple[list[Any], str | None]
"""Table cells and a row style (``dim`` for disabled items)."""


def _n(x: float | None) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _dur(s: Scenario, x: float) -> str:
    return format_duration(x, s.time_unit) if x else "0"


def _date(s: Scenario, t: float | None) -> str:
    if t is None:
        return ""
    when = summary.calendar(s, t)
    return "" if when is None else summary.format_date(s, when)


def _blank(cell: Any) -> bool:
    return (isinstance(cell, Text) and not cell.plain) or cell == ""


class _Fitted:
    """A table that leaves out its optional columns, in order, until it fits the console.

    Column name prefixes: ``#`` a number (right-aligned, never wrapped), ``%`` right-aligned
    text, ``@`` a long name (cut with an ellipsis), ``?`` optional (comes first). Columns blank
    in every row are left out.
    """

    def __init__(
        self,
        title: str,
        columns: list[str],
        rows: list[Row],
        *,
        caption: str | None = None,
        footer: list[Row] | None = None,
    ) -> None:
        self.title, self.columns, self.rows = title, columns, rows
        self.caption, self.footer = caption, footer or []

    def table(self, dropped: set[int]) -> Table:
        keep = [
            i
            for i in range(len(self.columns))
            if i not in dropped and any(not _blank(cells[i]) for cells, _ in self.rows)
        ]
        table = Table(
            title=self.title,
            title_justify="left",
            title_style="bold",
            caption=self.caption,
            caption_justify="left",
        )
        for i in keep:
            name = self.columns[i].lstrip("?")
            if name.startswith("#"):
                table.add_column(name[1:], justify="right", no_wrap=True)
            elif name.startswith("%"):
                table.add_column(name[1:], justify="right")
            elif name.startswith("@"):
                table.add_column(name[1:], max_width=26, no_wrap=True, overflow="ellipsis")
            else:
                table.add_column(name)
        for cells, style in self.rows:
            table.add_row(*(cells[i] for i in keep), style=style)
        if self.footer:
            table.add_section()
            for cells, style in self.footer:
                table.add_row(*(cells[i] for i in keep), style=style)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        optional = [i for i, c in enumerate(self.columns) if c.startswith("?")]
        dropped: set[int] = set()
        table = self.table(dropped)
        for i in optional:
            natural = Measurement.get(console, options.update_width(10_000), table).maximum
            if natural <= options.max_width:
                break
            dropped.add(i)
            table = self.table(dropped)
        yield table


def _render(s: Scenario, base: Scenario) -> Group:
    parts: list[Any] = [_header(s), _places(s), _havens(s)]
    if s.hazard is not None:
        parts.append(_hazard(s))
    if s.travel.lanes:
        parts.append(_lanes(s))
    parts += [_classes(s), _stock(s)]
    if s.fleet.shipyards:
        parts.append(_shipyards(s))
    parts.append(_fleet_over_time(s))
    if s.events:
        parts.append(_events(s))
    if base.variants:
        parts.append(_variants(base, s.applied_variant))
    spaced: list[Any] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])


def _header(s: Scenario) -> Text:
    meta = s.scenario
    t = Text()
    t.append(s.name, style="bold")
    t.append(f"  [{s.id}]\n", style="dim")
    if meta.description:
        t.append(" ".join(meta.description.split()) + "\n", style="italic")
    t.append(f"source: {s.source}")
    t.append(f"   variant: {s.applied_variant or '(none)'}\n")
    start = f" from {_date(s, 0.0)}" if meta.start_date is not None else " from time zero"
    t.append(f"time: {s.time_unit}s{start}; horizon ends {summary.format_time(s, s.end)}\n")
    t.append(
        f"map: {s.map.kind}, distances in {_distance_unit(s)}; routes: {s.travel.routes}, "
        f"{_plural(len(s.travel.lanes), 'declared lane')}\n"
    )
    cap = sum(p.capacity for p in summary.havens(s))
    t.append(
        f"{s.population:,} people to evacuate; {_plural(len(summary.havens(s)), 'haven')} "
        f"hold {cap:,}; {_plural(len(s.enabled_classes), 'vehicle class')} in use"
    )
    return t


def _distance_unit(s: Scenario) -> str:
    return s.map.unit if s.map.kind == "plane" else "km"


def _places(s: Scenario) -> _Fitted:
    u = s.time_unit
    rows: list[Row] = []
    places = summary.place_rows(s)
    for r in places:
        people = _n(r.population) if r.population else ""
        if r.later_arrivals:
            people += f" ({r.later_arrivals:,} later)"
        deadline = Text(_n(r.deadline))
        if r.deadline_source in ("hazard", "event"):
            deadline.append(" hz" if r.deadline_source == "hazard" else " ev", style="dim")
        limits = []
        if r.load_per_hour is not None:
            limits.append(f"load {_n(r.load_per_hour)}/h")
        if r.unload_per_hour is not None:
            limits.append(f"unload {_n(r.unload_per_hour)}/h")
        if r.berths is not None:
            limits.append(_plural(r.berths, "berth"))
        cells: list[Any] = [r.id, r.name, ", ".join(r.roles), people, deadline]
        cells += [_date(s, r.deadline), _n(r.capacity) if r.capacity else ""]
        cells += [_n(r.open_from), ", ".join(limits)]
        rows.append((cells, None))
    notes = []
    if any(r.deadline_source == "hazard" for r in places):
        notes.append("hz: deadline set by the hazard front")
    if any(r.deadline_source == "event" for r in places):
        notes.append("ev: deadline moved by a known event")
    return _Fitted(
        "Places",
        [
            "Place",
            "?@Name",
            "Role",
            "#People",
            f"#Deadline\n({u})",
            "?#Date",
            "#Capacity",
            f"#Open from\n({u})",
            "Throughput",
        ],
        rows,
        caption="; ".join(notes) or None,
    )


def _havens(s: Scenario) -> _Fitted:
    havens = summary.havens(s)
    total = sum(p.capacity for p in havens)
    rows: list[Row] = [
        ([p.id, _n(p.capacity), f"{p.capacity / total:.0%}" if total else ""], None) for p in havens
    ]
    ratio = f"{s.population / total:.0%}" if total else "no haven"
    footer: list[Row] = [
        ([Text("total haven capacity", style="bold"), Text(_n(total), style="bold"), ""], None),
        (["people to evacuate", _n(s.population), ratio], None),
    ]
    return _Fitted(
        "Havens (safe through the horizon)",
        ["Haven", "#Capacity", "#Share"],
        rows or [(["(none)", "", ""], None)],
        footer=footer,
    )


def _position(pos: object) -> str:
    if isinstance(pos, tuple):
        return "(" + ", ".join(_n(c) for c in pos) + ")"
    return f"(lat {getattr(pos, 'lat', '?')}, lon {getattr(pos, 'lon', '?')})"


def _hazard(s: Scenario) -> Text:
    hz = s.hazard
    assert hz is not None
    unit = _distance_unit(s)
    reach = "no limit" if hz.max_radius is None else f"up to {_n(hz.max_radius)} {unit}"
    by_front = [p for p in s.places if p.deadline is None and s.deadline(p.id) is not None]
    t = Text()
    t.append("Hazard", style="bold")
    t.append(f"  {hz.id}" + (f": {hz.name}" if hz.name else "") + "\n")
    t.append(
        f"a front from {_position(hz.origin)} starting {summary.format_time(s, hz.start)}, "
        f"moving {_n(hz.speed)} {unit} per {s.time_unit}, {reach}; it sets the deadline of "
        f"{_plural(len(by_front), 'place')}"
    )
    return t


def _window_text(s: Scenario, lane: Lane) -> str:
    parts = []
    for w in lane.windows:
        end = "on" if w.end is None else f"to {_n(w.end)}"
        parts.append(f"from {_n(w.start)} {end}")
    pw = lane.periodic
    if pw is not None:
        text = f"{_dur(s, pw.open_for)} every {_dur(s, pw.every)}"
        if pw.offset:
            text += f", offset {_dur(s, pw.offset)}"
        if pw.start is not None:
            text += f", from {_n(pw.start)}"
        if pw.end is not None:
            text += f", to {_n(pw.end)}"
        parts.append(text)
    return "; ".join(parts) or "always"


def _lanes(s: Scenario) -> _Fitted:
    u = s.time_unit
    rows: list[Row] = []
    for ln in s.travel.lanes:
        times = [_n(ln.time)] if ln.time is not None else []
        times += [f"{k}: {_n(v)}" for k, v in ln.class_times.items()]
        cells: list[Any] = [
            ln.id,
            ln.start,
            "<->" if ln.bidirectional else "->",
            ln.end,
            "\n".join(times) or "by speed",
            _n(ln.distance),
            _n(ln.speed_factor) if ln.speed_factor != 1 else "",
            _window_text(s, ln),
        ]
        rows.append((cells, None))
    caption = f"routes: {s.travel.routes}"
    if s.travel.routes == "all":
        caption += "; places with positions and no lane between them are also joined directly"
    return _Fitted(
        "Lanes",
        [
            "Lane",
            "From",
            "",
            "To",
            f"Time\n({u})",
            f"#Distance\n({s.map.unit})",
            "#Speed\nx",
            f"Open\n({u})",
        ],
        rows,
        caption=caption,
    )


def _classes(s: Scenario) -> _Fitted:
    speed_unit = f"{_distance_unit(s)}/{s.time_unit}"
    rows: list[Row] = []
    for c in s.fleet.classes:
        cells: list[Any] = [
            c.id,
            c.name,
            _n(c.capacity),
            _n(c.speed) if c.speed is not None else "by lane",
            _dur(s, c.load_time),
            _dur(s, c.unload_time),
            c.operator,
            "yes" if c.enabled else "no",
        ]
        rows.append((cells, None if c.enabled else "dim"))
    return _Fitted(
        "Vehicle classes",
        [
            "Class",
            "?@Name",
            "#Capacity",
            f"#Speed\n({speed_unit})",
            "#Load",
            "#Unload",
            "Operator",
            "Enabled",
        ],
        rows,
    )


def _stock(s: Scenario) -> _Fitted:
    rows: list[Row] = []
    for st in s.fleet.stock:
        enabled = s.vehicle_class(st.vehicle_class).enabled
        cells: list[Any] = [
            st.id or "",
            st.vehicle_class,
            st.place,
            _n(st.count),
            summary.format_time(s, st.available_from),
        ]
        rows.append((cells, None if enabled else "dim"))
    if not rows:
        rows.append((["(none)", "", "", "", ""], None))
    return _Fitted("Stock", ["Stock", "Class", "Place", "#Vehicles", "Available from"], rows)


def _schedule_text(s: Scenario, y: Shipyard) -> str:
    lines = []
    for p in y.schedule:
        end = "on" if p.end is None else f"to {_n(p.end)}"
        per = s.time_unit if p.per == 1 else f"{_n(p.per)} {s.time_unit}s"
        lines.append(f"{_n(p.rate)} per {per} from {_n(p.start)} {end}")
    return "\n".join(lines)


def _shipyards(s: Scenario) -> _Fitted:
    rows: list[Row] = []
    for y in s.fleet.shipyards:
        stop = summary.production_stop(s, y.id)
        done = summary.completion_time(y, stop=stop)
        enabled = s.vehicle_class(y.vehicle_class).enabled
        cells: list[Any] = [
            y.id,
            y.vehicle_class,
            y.place,
            _schedule_text(s, y),
            _n(y.max_total) if y.max_total is not None else "no cap",
            summary.format_time(s, y.available_from) if y.available_from is not None else "at once",
            summary.format_time(s, done) if done is not None else "never",
        ]
        rows.append((cells, None if enabled else "dim"))
    return _Fitted(
        "Shipyards",
        [
            "Yard",
            "Class",
            "Place",
            f"Schedule\n({s.time_unit})",
            "#Max\ntotal",
            "Output may\nleave",
            "Reaches\nmax",
        ],
        rows,
    )


def _fleet_over_time(s: Scenario) -> _Fitted:
    classes = [c.id for c in s.enabled_classes]
    rows: list[Row] = []
    for snap in summary.fleet_over_time(s):
        cells: list[Any] = [_n(snap.time), _date(s, snap.time)]
        for cid in classes:
            count = snap.counts[cid]
            cell = Text(_n(count.ready))
            if count.held:
                cell.append(f" +{count.held:,} held", style="dim")
            cells.append(cell)
        cells += [_n(snap.seats_ready), "; ".join(snap.reasons)]
        rows.append((cells, None))
    return _Fitted(
        "Fleet over time",
        [
            f"#Time\n({s.time_unit})",
            "?#Date",
            *("%" + c.replace("_", " ") for c in classes),
            "#Seats\nready",
            "What happens",
        ],
        rows,
        caption=(
            "Vehicles ready to leave by the schedule (stock + production), before any event; "
            "'+N held': in stock or built, but not yet allowed to leave."
        ),
    )


def _events(s: Scenario) -> _Fitted:
    rows: list[Row] = []
    for e in sorted(s.events, key=lambda e: e.at):
        effects = [summary.describe_effect(s, fx) for fx in e.effects]
        if e.reported_casualties is not None:
            effects.append(f"reported casualties: {e.reported_casualties:,}")
        name = Text(e.id)
        if e.name:
            name.append(f"\n{e.name}", style="dim")
        mode = e.mode if e.enabled else f"{e.mode} (disabled)"
        cells: list[Any] = [_n(e.at), _date(s, e.at), name, mode, "\n".join(effects)]
        rows.append((cells, None if e.enabled else "dim"))
    return _Fitted(
        "Events",
        [f"#At\n({s.time_unit})", "?#Date", "Event", "Mode", "Effects"],
        rows,
        caption="known: planned for; surprise: revealed only when it happens (simulation)",
    )


def _variants(base: Scenario, applied: str | None) -> _Fitted:
    rows: list[Row] = []
    for name, v in base.variants.items():
        label = Text(name, style="bold" if name == applied else "")
        if name == applied:
            label.append(" (applied)", style="green")
        rows.append(([label, v.description, "\n".join(summary.describe_variant(base, name))], None))
    return _Fitted("Variants", ["Variant", "Description", "Switches"], rows)


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
    with _reported_errors():
        from evacuate.report import build_report, simulate_runs

        base = evacuate.load(file)
        for name in variant or []:
            base.variant(name)  # an unknown variant is reported before any work
        _print_issues(_stderr(), base.warnings)
        with _stderr().status(f"simulating {base.name} (up to {time_limit:g} s per plan)"):
            runs = simulate_runs(base, variant, time_limit=time_limit, seed=seed)
        with _stderr().status("drawing the report"):
            files = build_report(runs, output, title=title)
        out = _stdout()
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
                _n(None if r.bound is None else round(r.bound)),
                "" if r.bound is None else f"{100 * gap:.2f}%",
                f"{res.lost_people:,}",
            )
        out.print(table)
        for path in files.all:
            out.print(Text.assemble(("wrote", "bold green"), f" {path}"), soft_wrap=True)


# ---------------------------------------------------------------------------- entry point
def main() -> None:
    """Console entry point: run the app; no traceback unless ``--debug``."""
    try:
        app(prog_name="evacuate")
    except EvacuateError as exc:  # raised outside a command body (e.g. a callback)
        _report(exc)
        sys.exit(EXIT_INVALID)
    except Exception as exc:
        if _state.debug or "--debug" in sys.argv[1:]:
            raise
        try:
            _bug(exc)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)
