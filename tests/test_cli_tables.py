"""Console tables never cut a number: at 200, 80 (COLUMNS=80) and 50 columns, every number
printed is a whole number of the wide rendering, and the key figures are all there."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app
from evacuate.cli.planning import _plan_table
from evacuate.cli.render import render
from evacuate.cli.simulate import _lost_table, _sim_table

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DATA = Path(__file__).resolve().parent / "data" / "valid"
WIDTHS = (80, 50)

# a number as printed: digits with thousands commas, a decimal part, a percent or a date
NUMBER = re.compile(r"\d{4}-\d\d-\d\d(?: \d\d:\d\d)?|\d[\d,]*(?:\.\d+)?%?")


def _text(renderable: Any, width: int) -> str:
    console = Console(width=width, record=True, file=open(__import__("os").devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    text = console.export_text()
    console.file.close()
    return text


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _parts(text: str) -> set[str]:
    """The numbers of ``text`` and, for prose that wraps between a date and its clock time,
    the date and the clock time's digits alone."""
    dated = set(re.findall(r"\d{4}-\d\d-\d\d", text))
    return _numbers(text) | dated | set(re.findall(r"(?<=\d\d-\d\d )\d\d|(?<=:)\d\d", text))


def _assert_whole(renderable: Any, must_show: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    wide = _text(renderable, 200)
    assert not re.search(r"\d…|…\d", wide), wide
    for width in WIDTHS:
        narrow = _text(renderable, width)
        assert max(len(line) for line in narrow.splitlines()) <= width, narrow
        assert not re.search(r"\d…|…\d", narrow), narrow
        cut = _numbers(narrow) - _parts(wide)
        assert not cut, f"numbers cut at {width} columns: {sorted(cut)}\n{narrow}"
        missing = {m for m in must_show if m not in narrow}
        assert not missing, f"missing at {width} columns: {sorted(missing)}\n{narrow}"


@pytest.mark.parametrize("path", [None, EXAMPLES / "hurricane_bus.yaml", EXAMPLES / "airlift.yaml"])
def test_show_tables(path: Path | None) -> None:
    """``evacuate show``: places, fleet, events ... keep every digit at any width."""
    s = evacuate.load(path)
    capacities = {f"{p.capacity:,}" for p in s.places if p.capacity}
    _assert_whole(render(s, s), {f"{s.population:,}", *capacities})


@pytest.fixture(scope="module")
def romulan_runs() -> tuple[evacuate.Scenario, list[Any]]:
    """One simulated run of the historical variant, repeated as 20 runs with other seeds (the
    table only formats them)."""
    s = evacuate.load(variant="historical")
    r = evacuate.simulate(s, time_limit=2)
    return s, [dataclasses.replace(r, seed=k) for k in range(20)]


def test_simulation_tables(romulan_runs: tuple[evacuate.Scenario, list[Any]]) -> None:
    """The 20-run table of the Romulan scenario (9-digit counts, dates) at 80 and 50 columns."""
    s, runs = romulan_runs
    r = runs[0]
    key = {f"{r.rescued:,}", f"{r.lost_people:,}", f"{r.vehicles_lost:,}"}
    _assert_whole(_sim_table(s, runs), key)
    _assert_whole(_lost_table(s, runs), {f"{s.population:,}"} if len(s.places) == 1 else set())


def test_plan_table() -> None:
    """``evacuate plan``'s per-place table."""
    s = evacuate.load(EXAMPLES / "hurricane_bus.yaml")
    result = evacuate.plan(s, time_limit=2)
    picked = {f"{row.picked_up:,}" for row in result.places if row.picked_up}
    _assert_whole(_plan_table(s, result), picked)


def test_columns_80_from_the_command_line() -> None:
    """``COLUMNS=80 evacuate show``: no line over 80 characters, no number cut."""
    wide = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["show"]).stdout
    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["show"]).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert not re.search(r"\d…|…\d", narrow)
    assert not _numbers(narrow) - _parts(wide)
