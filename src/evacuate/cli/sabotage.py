"""``evacuate sabotage``: the worst attack for every budget, certified, and the best defence."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import evacuate
from evacuate.cli.app import command
from evacuate.cli.common import (
    fmt_num,
    fmt_when,
    output_path,
    print_issues,
    reported_errors,
    stderr,
    stdout,
    write_atomic,
)
from evacuate.cli.options import DEFAULT, ScenarioArg, Seed, TimeLimit, Variant, option
from evacuate.sabotage import api as _api  # noqa: F401  registers --budget and --defend
from evacuate.scenario.scenario import Scenario


def _strikes(s: Scenario, strikes: tuple[object, ...]) -> str:
    from evacuate.sabotage import Strike

    parts = [f"{x.option} on {fmt_when(s, x.at)}" for x in strikes if isinstance(x, Strike)]
    return "; ".join(parts) or "no attack"


def _interval(low: float, high: float) -> str:
    """A certified interval in whole people, widened outwards (never narrower than proven)."""
    lo, hi = math.floor(low + 1e-9), math.ceil(high - 1e-9)
    return fmt_num(lo) if lo == hi else f"{fmt_num(lo)} – {fmt_num(hi)}"


def _curve_table(s: Scenario, result: object) -> Table:
    from evacuate.sabotage import SabotageResult

    assert isinstance(result, SabotageResult)
    table = Table(
        title="Worst attack found for each budget (damage = people not rescued)",
        caption=(
            "Damage: at least population - bound after the attack, at most population - the "
            "operator's best plan after it (expected over the strikes' success when an option "
            "may fail). Proven: no other candidate can do more."
        ),
    )
    for col in ("Budget", "Attack", "Cost", "P(success)", "Damage", "Rescued", "Proven"):
        table.add_column(col, justify="left" if col == "Attack" else "right")
    for row in result.curve:
        a = row.attack
        table.add_row(
            fmt_num(row.budget),
            _strikes(s, a.strikes),
            fmt_num(a.cost),
            f"{a.success:.2f}",
            _interval(a.damage_low, a.damage_high),
            fmt_num(a.rescued),
            "yes" if row.proven else f"gap {fmt_num(math.ceil(row.gap - 1e-9))}",
        )
    return table


def _ranked_table(s: Scenario, result: object) -> Table:
    from evacuate.sabotage import SabotageResult

    assert isinstance(result, SabotageResult)
    table = Table(title="Single attacks, worst first (each option at its worst instant found)")
    for col in ("#", "Option", "When", "Damage", "Share of population"):
        table.add_column(col, justify="left" if col in ("Option", "When") else "right")
    pop = result.population or 1
    for k, a in enumerate(result.ranked, 1):
        x = a.strikes[0]
        table.add_row(
            str(k),
            x.option,
            fmt_when(s, x.at),
            _interval(a.damage_low, a.damage_high)
            if a.evaluated
            else f"at most {fmt_num(math.ceil(a.damage_high - 1e-9))}",
            f"{100 * a.damage_high / pop:.1f}%",
        )
    return table


def _defence_table(s: Scenario, result: object) -> Table:
    from evacuate.sabotage import SabotageResult

    assert isinstance(result, SabotageResult)
    table = Table(
        title="Defences within the budget, best first (defender-attacker-defender)",
        caption="Price: people the defence costs when no attack comes (price of robustness).",
    )
    for col in ("Defence", "Cost", "Rescued undisturbed", "Price", "Worst attack", "Damage"):
        table.add_column(col, justify="left" if col in ("Defence", "Worst attack") else "right")
    for d in result.defences:
        a = d.worst.attack
        table.add_row(
            " + ".join(d.measures) or "none",
            fmt_num(d.cost),
            fmt_num(d.undisturbed),
            fmt_num(d.price),
            _strikes(s, a.strikes),
            _interval(a.damage_low, a.damage_high),
        )
    return table


@command("sabotage")
def sabotage_cmd(
    file: ScenarioArg = None,
    variant: Variant = None,
    budget: Annotated[float | None, option("budget")] = None,
    defend: Annotated[float | None, option("defend")] = None,
    time_limit: TimeLimit = DEFAULT["time_limit"],
    seed: Seed = DEFAULT["seed"],
    workers: Annotated[
        int,
        option(
            "workers",
            help="Processes for the planner calls that do not depend on each other (the "
            "ranking of the single attacks); the answers are the same for any number.",
        ),
    ] = DEFAULT["workers"],
    output: Annotated[
        Path | None,
        option(
            "output",
            help="Folder for sabotage.json and the operator's plan after each worst attack.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            metavar="URL",
            help="Also record the analysis in this run store (URL or file): a run of kind "
            "sabotage with its figures, the damage-budget curve and sabotage.json.",
        ),
    ] = None,
) -> None:
    """Which attack hurts the evacuation most, when, with certified damage; and --defend."""
    with reported_errors():
        from evacuate.planio import write_plan
        from evacuate.sabotage import sabotage

        if output is not None:
            output_path(output, folder=True)
        base = evacuate.load(file)
        s = base.variant(variant) if variant is not None else base
        print_issues(stderr(), s.warnings)
        out = stdout()
        if s.attacks is None:
            out.print(
                "No attacks section: using a derived menu (every depot and shipyard, every "
                "haven, every declared lane; cost 1 each).",
                soft_wrap=True,
            )
        with stderr().status(f"sabotage analysis of {s.name}") as status:
            result = sabotage(
                s,
                budget=budget,
                defend=defend,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                progress=lambda msg: status.update(f"sabotage analysis: {msg}"),
            )
        out.print(_curve_table(s, result), soft_wrap=False)
        out.print(_ranked_table(s, result), soft_wrap=False)
        if result.defences:
            if result.defence_menu_derived:
                out.print(
                    "No defences section: using a derived menu (guard each attacked place, "
                    "disperse half of each attacked depot or yard to the nearest haven).",
                    soft_wrap=True,
                )
            out.print(_defence_table(s, result), soft_wrap=False)
        worst = result.worst
        text = Text.assemble(
            ("worst attack ", "bold"),
            f"(budget {fmt_num(worst.budget)}): {_strikes(s, worst.attack.strikes)}; damage ",
            (_interval(worst.attack.damage_low, worst.attack.damage_high), "bold red"),
            f" of {result.population:,}; "
            + (
                "proven."
                if worst.proven
                # in whole people, rounded up: a gap of 0.3 people is not "gap 0"
                else f"not proven (gap {fmt_num(math.ceil(worst.gap - 1e-9))})."
            ),
        )
        out.print(text, soft_wrap=True)
        st = result.stats
        out.print(
            f"{st['planner_calls']} planner calls ({st['search_calls']} for the search, "
            f"{st['ranking_calls']} to rank), {st['simulations']} simulations, "
            f"{st['follower_plans_checked']} follower plans checked, "
            f"{len(st['follower_plans_infeasible'])} rejected; {st['seconds']:.1f} s on "
            f"{st['workers']} process{'' if st['workers'] == 1 else 'es'}.",
            soft_wrap=True,
        )
        if st["planner_stopped_by_time"]:
            out.print(
                f"The time limit cut {st['planner_stopped_by_time']} planner calls short: their "
                "figures may differ from run to run (a larger --time-limit lets them end on "
                "their work budgets).",
                soft_wrap=True,
            )
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            for b, pl in result.plans.items():
                if pl is not None:
                    write_plan(pl, output / f"plan_budget_{fmt_num(b)}.csv")
            if result.defences:
                write_plan(result.defences[0].plan, output / "plan_defended.csv")
            write_atomic(output / "sabotage.json", json.dumps(result.to_data(), indent=2) + "\n")
            out.print(Text.assemble(("wrote", "bold green"), f" {output}"), soft_wrap=True)
        if store is not None:
            from evacuate.cli.sweeps import store_note

            params = {"budget": budget, "defend": defend, "time_limit": time_limit, "seed": seed}
            run = record_sabotage(store, s, result, params)
            out.print(store_note(run, store), soft_wrap=True)


def record_sabotage(url: str | None, s: Scenario, result: Any, params: dict[str, Any]) -> str:
    """Store a sabotage analysis: settings, the worst attack's figures, the damage-budget
    curve (series ``damage_low`` and ``damage_high`` over the budget), ``sabotage.json`` and
    the operator's plan after each budget's worst attack."""
    from evacuate.planio import write_plan
    from evacuate.sabotage import SabotageResult
    from evacuate.store import open_store

    assert isinstance(result, SabotageResult)
    worst = result.worst
    st = result.stats
    metrics: dict[str, float | int | None] = {
        "population": result.population,
        "budget": worst.budget,
        "damage_low": worst.attack.damage_low,
        "damage_high": worst.attack.damage_high,
        "proven": int(worst.proven),
        "gap": worst.gap,
        "undisturbed_rescued": result.base.rescued,
        "options": st["options"],
        "planner_calls": st["planner_calls"],
        "simulations": st["simulations"],
        "follower_plans_checked": st["follower_plans_checked"],
        "follower_plans_infeasible": len(st["follower_plans_infeasible"]),
    }
    if result.defences:
        best = result.defences[0]
        metrics["defence_cost"] = best.cost
        metrics["defence_damage_high"] = best.worst.attack.damage_high
        metrics["defence_price"] = best.price
    with open_store(url) as store:
        run = store.start_run(
            "sabotage",
            scenario=store.put_scenario(s),
            params={k: v for k, v in params.items() if v is not None},
            seed=params.get("seed"),
            variant=s.applied_variant,
        )
        store.log_metrics(run, metrics)
        for key in ("damage_low", "damage_high"):
            points = [(row.budget, getattr(row.attack, key)) for row in result.curve]
            store.log_series(run, key, points)
        data = json.dumps(result.to_data(), indent=2) + "\n"
        store.log_artifact(run, "sabotage.json", data=data, media_type="application/json")
        with tempfile.TemporaryDirectory() as tmp:
            for b, pl in result.plans.items():
                if pl is None:
                    continue
                name = f"plan_budget_{fmt_num(b)}.json"
                write_plan(pl, Path(tmp) / name)
                store.log_artifact(run, name, path=Path(tmp) / name, media_type="application/json")
        store.finish_run(run, seconds=float(st["seconds"]))
        return run


def _stats_line(st: dict[str, Any]) -> str:
    line = (
        f"Sabotage analysis: {st['planner_calls']} planner calls, {st['simulations']} "
        f"simulations, {st['follower_plans_checked']} follower "
        f"plan{'' if st['follower_plans_checked'] == 1 else 's'} checked "
        f"({len(st['follower_plans_infeasible'])} rejected)"
    )
    if st.get("planner_stopped_by_time"):
        line += (
            f"; the time limit cut {st['planner_stopped_by_time']} planner calls short (their "
            "figures may vary from run to run: a larger --time-limit lets them end on their "
            "work budgets)"
        )
    return line + "."


def _worst_line(s: Scenario, result: Any, historical_loss: int | None) -> str:
    one = result.curve[1]
    a = one.attack
    n = result.stats["instants"]
    line = (
        f"The worst single attack found: {_strikes(s, a.strikes)}, costing "
        f"{fmt_num(a.cost)} of the attacker's budget of 1: "
        f"{_interval(a.damage_low, a.damage_high)} people not rescued"
        + (
            f" (proven worst of the {n} strikes searched)"
            if one.proven
            else f" (another of the {n} strikes might do up to {fmt_num(round(one.gap))} more)"
        )
    )
    if historical_loss is not None:
        # both against the same operator, replanning after the strike
        verdict = "at least as damaging as" if a.damage_high >= historical_loss else "less than"
        line += (
            f"; {verdict} the synth attack on Mars on First Contact Day, which cost "
            f"{historical_loss:,} lives when Starfleet kept working"
        )
    return line + "."


def romulan_chapter(time_limit: float, seed: int, historical_loss: int | None) -> dict[str, Any]:
    """The plain demo's sabotage chapter: the worst single attack on the Romulan rescue over
    the derived menu (found without being told of the attack on Mars; budget 1, pruned by
    the bound, options ranked by their caps, no extra planner calls), and what each of the
    scenario's defences would have saved against it. Returns ``SabotageResult.to_data()``
    for the report's section."""
    from evacuate.sabotage import sabotage

    s = evacuate.load().variant("no_sabotage")
    out = stdout()
    with stderr().status("sabotage analysis") as status:
        result = sabotage(
            s,
            budget=1,
            rank="caps",
            hold="follow",
            # a safety stop only: the planner ends on its work budgets well before it
            time_limit=max(time_limit, 60.0),
            seed=seed,
            progress=lambda msg: status.update(f"sabotage analysis: {msg}"),
        )
    st = result.stats
    pruned = st["instants"] - result.curve[1].evaluated
    out.print(
        Text.assemble(
            ("Sabotage", "bold"),
            ": which single attack would hurt most? Not told of the attack on Mars, the engine "
            f"searched a derived menu of {len(result.menu.options)} options (every depot and "
            f"shipyard, every haven), each at any of its instants ({st['instants']} strikes "
            f"in all), against Starfleet replanning after the strike; the bound ruled out "
            f"{pruned} strikes without planning.",
        ),
        soft_wrap=True,
    )
    out.print(_worst_line(s, result, historical_loss), soft_wrap=True)
    names = {m.id: m.name or m.id for m in (s.defences.measures if s.defences else ())}
    for h in result.holds:
        what = " + ".join(names.get(m, m) for m in h.measures)
        out.print(
            f"Against that attack, {' + '.join(h.measures)} ({what}) would have saved at least "
            f"{fmt_num(math.floor(h.saved_low + 1e-9))} people, even with Starfleet flying its "
            f"defended plan on without replanning (price when no attack comes: "
            f"{fmt_num(h.price)}).",
            soft_wrap=True,
        )
    out.print(
        _stats_line(st)[:-1] + ". `evacuate demo --sabotage` also ranks every option by its "
        "certified damage and searches each defence's own worst attack.",
        soft_wrap=True,
    )
    return result.to_data()


def romulan_story(time_limit: float, seed: int, historical_loss: int | None) -> dict[str, Any]:
    """``demo --sabotage``'s deeper chapter: the worst attacks on the Romulan rescue, every
    option ranked by its certified damage, and the defence (dispersing the yards, a reserve)
    whose own worst single attack does least damage (a search per defence). Returns the
    analysis's data (``SabotageResult.to_data()``) for the report's section."""
    from evacuate.sabotage import sabotage

    s = evacuate.load().variant("no_sabotage")
    out = stdout()
    with stderr().status("sabotage analysis") as status:
        result = sabotage(
            s,
            budget=1,  # the single worst attack and the defence against it: minutes, not hours
            defend=1,
            defend_against=1,
            time_limit=max(time_limit, 60.0),
            seed=seed,
            progress=lambda msg: status.update(f"sabotage analysis: {msg}"),
        )
    out.print(
        Text.assemble(
            ("Sabotage", "bold"),
            ": which attack would hurt most? The engine is not told of the attack on Mars; it "
            f"searches a derived menu of {len(result.menu.options)} options (every depot and "
            "shipyard, every haven), each at any instant, against Starfleet replanning after it.",
        ),
        soft_wrap=True,
    )
    out.print(_curve_table(s, result), soft_wrap=False)
    out.print(_ranked_table(s, result), soft_wrap=False)
    out.print(_worst_line(s, result, historical_loss), soft_wrap=True)
    if result.defences:
        out.print(_defence_table(s, result), soft_wrap=False)
        none = next((d for d in result.defences if not d.measures), None)
        for d in result.defences:
            if none is None or not d.measures:
                continue
            saved = none.worst.attack.damage_low - d.worst.attack.damage_high
            names = " + ".join(d.measures)
            out.print(
                f"{names}: against its own worst single attack "
                f"({_strikes(s, d.worst.attack.strikes)}) it would have saved at least "
                f"{fmt_num(math.floor(max(0.0, saved) + 1e-9))} people (price when no attack "
                f"comes: {fmt_num(d.price)}).",
                soft_wrap=True,
            )
    out.print(_stats_line(result.stats), soft_wrap=True)
    return result.to_data()
