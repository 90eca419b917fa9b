"""examples/embassy_helicopters.yaml: stands, sorties and rest in one small file that validates,
plans, checks and simulates (docs/operations.md, "An embassy airlift")."""

from __future__ import annotations

from pathlib import Path

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.simulation import simulate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "embassy_helicopters.yaml"
SAFETY = 300.0
"""A safety stop far beyond the plan's work budget (a loaded machine cannot bind it)."""


def test_every_figure_says_where_it_comes_from() -> None:
    """It loads without warnings, uses stands, sorties and rest, and each line with a figure
    cites a source or says assumption."""
    s = evacuate.load(EXAMPLE)
    assert s.warnings == ()
    heli = s.fleet.classes[0]
    assert heli.max_sorties is not None and heli.rest is not None
    assert s.place("embassy_roof").stands == {"helicopter": 2}
    text = EXAMPLE.read_text(encoding="utf-8")
    body = text[text.index("\nplaces:") :]
    for line in body.splitlines():
        key = line.split("#")[0].strip()
        figure = any(ch.isdigit() for ch in key.split(":", 1)[-1])
        if figure and key.split(":")[0].strip("- {") in (
            "population", "deadline", "stands", "capacity", "load_time", "unload_time",
            "max_sorties", "rest", "count", "at", "class_times",
        ):  # fmt: skip
            assert "#" in line, f"a figure without its source: {line.strip()}"


def test_it_plans_checks_and_simulates() -> None:
    """The plan passes the checker and keeps within its bound, which the sorties cap (8
    helicopters x 4 sorties x 36 seats), and fills most of those seats; undisturbed, the
    simulation flies it exactly; with the surprise it replans and cancels nothing for wear."""
    s = evacuate.load(EXAMPLE)
    result = plan(s, time_limit=SAFETY)
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    assert report.rescued == result.rescued <= result.bound <= 8 * 4 * 36
    assert result.rescued >= 0.8 * result.bound
    calm = simulate(evacuate.scenario.from_dict(_without_events(s)), result.plan, policy="follow")
    assert calm.rescued == result.rescued
    sim = simulate(s, result.plan, policy="replan", time_limit=SAFETY)
    assert len(sim.replans) == 1
    assert not [e for e in sim.events if e.kind == "cancelled"]


def _without_events(s: evacuate.Scenario) -> dict[str, object]:
    data = s.to_data()
    data.pop("events", None)
    return data
