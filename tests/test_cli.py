"""The ``evacuate`` command line: validate, schema, show, demo, and how errors are reported."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WIDE = {"COLUMNS": "200"}

BROKEN = """\
scenario:
  id: broken
  end: 10
places:
  - id: town
    population: -5
  - id: shelter
    capacity: lots
fleet:
  classes:
    - id: bus
      capacity: 50
      sped: 40
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env=WIDE)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_version(runner: CliRunner) -> None:
    """--version prints the package version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"evacuate {evacuate.__version__}"


def test_help_lists_commands(runner: CliRunner) -> None:
    """--help names every command."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "schema", "show", "demo"):
        assert command in result.stdout


def test_validate_builtin(runner: CliRunner) -> None:
    """validate without a file checks the embedded Romulan scenario and says OK."""
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "OK: <builtin:romulan> (14 places, 900,000,000 people" in result.stdout


def test_validate_examples(runner: CliRunner) -> None:
    """validate accepts both example scenarios in one call."""
    files = [str(EXAMPLES / "hurricane_bus.yaml"), str(EXAMPLES / "airlift.yaml")]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("OK: ") == 2


def test_validate_broken_lists_every_error(runner: CliRunner, broken: Path) -> None:
    """validate lists every error of a file with its line, exits 2, and shows no traceback."""
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert f"{broken}:6: error: places[0].population: found -5" in result.stderr
    assert f"{broken}:8: error: places[1].capacity: found 'lots'" in result.stderr
    assert f"{broken}:13: error: fleet.classes[0].sped: unknown field" in result.stderr
    assert f"FAILED: {broken} (3 errors)" in result.stdout
    assert "Traceback" not in result.output


def test_validate_goes_on_after_a_broken_file(runner: CliRunner, broken: Path) -> None:
    """validate checks every file given, and exits 2 if any of them fails."""
    good = str(EXAMPLES / "airlift.yaml")
    result = runner.invoke(app, ["validate", str(broken), good])
    assert result.exit_code == 2
    assert f"FAILED: {broken}" in result.stdout
    assert f"OK: {good}" in result.stdout


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """validate reports a file it cannot read as an error of that file."""
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: error: cannot read the file" in result.stderr


def test_console_script_has_no_traceback(broken: Path) -> None:
    """The installed entry point exits 2 with file:line messages and no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "evacuate", "validate", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert f"{broken}:6: error:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_schema_prints_json(runner: CliRunner) -> None:
    """schema prints the scenario format as a JSON Schema."""
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert isinstance(schema, dict)
    assert "places" in json.dumps(schema)


def test_schema_writes_file(runner: CliRunner, tmp_path: Path) -> None:
    """schema -o writes the same JSON to a file and leaves no temporary file behind."""
    target = tmp_path / "scenario.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    printed = runner.invoke(app, ["schema"]).stdout
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(printed)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_show_romulan(runner: CliRunner) -> None:
    """show summarises places, havens, fleet over time, events and variants."""
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "Romulan Rescue Mission (2383-2387)",
        "900,000,000",
        "1,010,000,000",
        "Places",
        "romulus",
        "Havens",
        "Fleet over time",
        "wallenberg armada",
        "0 +10,000 held",
        "25,187,500",
        "attack_on_mars",
        "destroy all wallenberg_armada vehicles at mars",
        "operator starfleet withdraws",
        "picard_revised_plan",
    ):
        assert text in out, text


def test_show_variant(runner: CliRunner) -> None:
    """show --variant applies the variant: the mothballed reserve joins the fleet."""
    result = runner.invoke(app, ["show", "--variant", "picard_revised_plan"])
    assert result.exit_code == 0, result.output
    assert "variant: picard_revised_plan" in result.stdout
    assert "picard_revised_plan (applied)" in result.stdout
    assert "mothballed reserve" in result.stdout


def test_show_unknown_variant(runner: CliRunner) -> None:
    """show --variant with an unknown name is a clean error with exit status 2."""
    result = runner.invoke(app, ["show", "--variant", "no_such_thing"])
    assert result.exit_code == 2
    assert "unknown variant 'no_such_thing'" in result.stderr
    assert "historical" in result.stderr
    assert "Traceback" not in result.output


def test_show_example_with_lanes(runner: CliRunner) -> None:
    """show on the hurricane example lists its lanes, including the contraflow window."""
    result = runner.invoke(app, ["show", str(EXAMPLES / "hurricane_bus.yaml")])
    assert result.exit_code == 0, result.output
    assert "hwy288_contraflow" in result.stdout
    assert "from 3 to 13" in result.stdout


@pytest.mark.slow
def test_demo(runner: CliRunner, tmp_path: Path) -> None:
    """demo shows the Romulan scenario, simulates every variant into one table with its
    reading, tells the sabotage chapter, and writes the report."""
    result = runner.invoke(app, ["demo", "-o", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("evacuate demo")
    assert "Fleet over time" in out
    for name in evacuate.load().variant_names:
        assert name in out
    assert "The attack on Mars and Starfleet's withdrawal cost" in out
    assert "Picard's revised plan" in out
    # the sabotage chapter: found without being told of the attack on Mars
    assert "The worst single attack found: destroy_mars" in out
    assert "disperse_yards" in out and "keep_reserve" in out
    no_sabotage = [line for line in out.splitlines() if line.startswith("│ no_sabotage")][-1]
    assert "900,000,000" in no_sabotage and "100.00%" in no_sabotage
    assert (tmp_path / "rep" / "report.html").stat().st_size > 100_000
    assert sorted(p.suffix for p in (tmp_path / "rep").iterdir()).count(".png") == 4


def test_unexpected_error_is_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is reported in one line with exit status 1, and no traceback without --debug."""

    def explode(path: object = None) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evacuate, "load", explode)
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output


def test_debug_lets_the_exception_through(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --debug an unexpected exception propagates (so its traceback is shown)."""

    def explode(path: object = None) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evacuate, "load", explode)
    result = runner.invoke(app, ["--debug", "show"])
    assert isinstance(result.exception, RuntimeError)


def test_verbose_sets_log_level(runner: CliRunner) -> None:
    """-v logs at INFO and -vv at DEBUG; the default is WARNING."""
    logger = logging.getLogger("evacuate")
    runner.invoke(app, ["validate"])
    assert logger.level == logging.WARNING
    runner.invoke(app, ["-v", "validate"])
    assert logger.level == logging.INFO
    runner.invoke(app, ["-vv", "validate"])
    assert logger.level == logging.DEBUG


def test_import_bep(runner: CliRunner, tmp_path: Path) -> None:
    """import bep converts a BEP instance into a scenario file that validates."""
    source = Path(__file__).resolve().parent / "data" / "bep" / "tiny.txt"
    target = tmp_path / "tiny.yaml"
    result = runner.invoke(app, ["import", "bep", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.stdout
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0


def test_import_bep_broken(runner: CliRunner, tmp_path: Path) -> None:
    """import bep on a broken instance lists its errors with lines and writes nothing."""
    source = Path(__file__).resolve().parent / "data" / "bep" / "broken_totals.txt"
    target = tmp_path / "out.yaml"
    result = runner.invoke(app, ["import", "bep", str(source), "-o", str(target)])
    assert result.exit_code == 2
    assert f"{source}:2: error:" in result.stderr
    assert not target.exists()


SHORT_OF_SHELTER = """\
scenario: {id: short, end: 10}
places:
  - {id: town, position: [0, 0], population: 800}
  - {id: camp, position: [5, 0], capacity: 500}
fleet:
  classes: [{id: bus, capacity: 50, speed: 10}]
  stock: [{class: bus, place: town, count: 4}]
"""


def test_validate_shows_warnings(runner: CliRunner, tmp_path: Path) -> None:
    """validate prints a valid file's warnings with their lines and still exits 0."""
    path = tmp_path / "short.yaml"
    path.write_text(SHORT_OF_SHELTER, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:" in result.stderr and ": warning: " in result.stderr
    assert "1 warning" in result.stdout
