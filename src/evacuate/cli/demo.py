"""``evacuate demo``: the Romulan Rescue Mission, every variant planned and simulated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from rich.text import Text

import evacuate
from evacuate.cli.app import command
from evacuate.cli.common import (
    claim_folder,
    fmt_date,
    fmt_num,
    mark_folder,
    output_path,
    reported_errors,
    session,
    stderr,
    stdout,
)
from evacuate.cli.options import DEFAULT, Force, Seed, TimeLimit, option
from evacuate.cli.render import show_scenario
from evacuate.cli.tables import Fitted, Row
from evacuate.options import Option, register

register(
    Option(
        "sabotage",
        bool,
        False,
        "Tell the sabotage chapter in depth: every attack option ranked by its certified "
        "damage, and each defence's own worst attack searched (adds minutes).",
    )
)


@command()
def demo(
    time_limit: TimeLimit = DEFAULT["time_limit"],
    seed: Seed = DEFAULT["seed"],
    output: Annotated[
        Path, option("output", help="Folder for the report (HTML and PNG figures).")
    ] = Path("report"),
    force: Force = False,
    sabotage: Annotated[bool, option("sabotage")] = False,
) -> None:
    """The Romulan Rescue Mission: the scenario, every variant planned and simulated, and the
    worst single attack the engine finds on it."""
    with reported_errors():
        from evacuate.report import ReportResults, build_report
        from evacuate.runs import simulate_variants

        output_path(output, folder=True)
        claim_folder(output, "demo", force)
        out = stdout()
        out.print(
            Text.assemble(
                ("evacuate demo", "bold"),
                ": the Romulan Rescue Mission, 900 million people to move before their sun "
                "explodes.\n",
            ),
        )
        show_scenario(None, None)
        base = evacuate.load()
        rows: list[Row] = []
        sims: dict[str, Any] = {}
        bounds: dict[str, float] = {}
        seconds = 0.0
        with stderr().status("simulating every variant") as status:
            done = []
            for name in base.variant_names:
                session.context = f"variant {name}"  # warnings name the run
                d = simulate_variants(
                    base, [name], time_limit=time_limit, seed=seed, progress=status.update
                )[0]
                done.append(d)
                sim, s = d.result, d.result.scenario
                bound = d.bound or 0.0
                sims[name], bounds[name] = sim, bound
                cells: list[Any] = [
                    name,
                    fmt_num(sim.rescued),
                    f"{100 * sim.rescued / 900_000_000:.2f}%",
                    fmt_num(round(bound)),
                    f"{100 * (bound - sim.rescued) / bound:.2f}%" if bound else "",
                    fmt_num(sim.lost_people),
                    fmt_num(sim.vehicles_lost),
                    fmt_date(s, sim.last_rescue) or fmt_num(sim.last_rescue),
                ]
                rows.append((cells, None))
                session.context = ""
                seconds += d.seconds
        out.print(
            Fitted(
                "Every variant, planned blind to the surprises and simulated as they strike "
                "(replanning from the state after each)",
                [
                    "@Variant",
                    "#Rescued",
                    "#% of\n900M",
                    "#Bound",
                    "#Gap",
                    "#Lost",
                    "#Ships\nlost",
                    "#Last\nrescue",
                ],
                rows,
                caption="Bound: no plan could rescue more, even knowing the surprises in "
                "advance. Gap = (bound - rescued) / bound. Planned and simulated in "
                f"{seconds:.0f} s.",
            )
        )
        plans = sum(d.plans for d in done)
        cut = sum(d.plans_stopped_by_time for d in done)
        if cut:
            out.print(
                Text(
                    f"The time limit (a safety stop) cut {cut} of the {plans} plans short before "
                    "their work budgets were spent: these figures may differ from run to run; "
                    f"a larger --time-limit (now {time_limit:g} s) lets every plan finish.",
                    style="yellow",
                ),
                soft_wrap=True,
            )
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
        from evacuate.cli.sabotage import romulan_chapter, romulan_story

        mars = sims.get("attack_but_no_withdrawal")
        lost = None if mars is None else mars.lost_people
        tell = romulan_story if sabotage else romulan_chapter
        extras = {"sabotage": tell(time_limit, seed, lost)}
        with stderr().status("drawing the report"):
            results = ReportResults(tuple(d.record() for d in done), extras=extras)
            files = build_report(results, output)
            mark_folder(output, "demo")
        out.print(
            Text.assemble(
                ("report", "bold green"),
                f" {files.html} (open it in a browser; figures: "
                + ", ".join(str(p) for p in files.pngs.values())
                + ")",
            ),
            soft_wrap=True,
        )
