"""Output paths (issue 9, classes 9, 14 and 16): every command that writes checks its output
before any work, never overwrites one of its inputs, writes through unique temporary names and
leaves nothing behind, even when killed with SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evacuate
from evacuate.cli import app
from evacuate.files import OutputError, atomic_write, check_output

DATA = Path(__file__).resolve().parent / "data"
TINY = str(DATA / "valid" / "tiny_plane.yaml")
BEP = str(DATA / "bep" / "tiny.txt")

Argv = Callable[[Path, str], list[str]]

FILE_COMMANDS: dict[str, tuple[Argv, str]] = {
    "plan": (lambda tmp, out: ["plan", TINY, "-o", out], "p.csv"),
    "state": (lambda tmp, out: ["state", TINY, "-o", out], "s.yaml"),
    "schema": (lambda tmp, out: ["schema", "-o", out], "schema.json"),
    "simulate --log": (lambda tmp, out: ["simulate", TINY, "--log", out], "log.jsonl"),
    "import bep": (lambda tmp, out: ["import", "bep", BEP, "-o", out], "bep.yaml"),
    "runs export": (
        lambda tmp, out: ["runs", "export", "-o", out, "--store", str(tmp / "runs.db")],
        "runs.csv",
    ),
}
FOLDER_COMMANDS: dict[str, Argv] = {
    "report": lambda tmp, out: ["report", TINY, "-o", out],
    "demo": lambda tmp, out: ["demo", "-o", out],
    "sabotage": lambda tmp, out: ["sabotage", TINY, "-o", out],
    "sweep --report": lambda tmp, out: ["sweep", TINY, "--report", out],
    "runs report": lambda tmp, out: ["runs", "report", "x", "-o", out],
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200"})


def _places(tmp: Path) -> dict[str, Path]:
    (tmp / "a_file").write_text("not a folder\n")
    (tmp / "a_folder").mkdir()
    return {"missing": tmp / "missing", "file": tmp / "a_file", "folder": tmp / "a_folder"}


@pytest.mark.parametrize("where", ["missing folder", "a folder", "under a file", "read-only"])
@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_unwritable_file_output_fails_before_any_work(
    runner: CliRunner, tmp_path: Path, command: str, where: str
) -> None:
    """-o into a missing folder, onto a folder, under a file or into a place nobody may write
    (/proc, even for root): exit 2 with the reason, and no work done (nothing on stdout)."""
    argv, name = FILE_COMMANDS[command]
    places = _places(tmp_path)
    out = {
        "missing folder": places["missing"] / name,
        "a folder": places["folder"],
        "under a file": places["file"] / name,
        "read-only": Path("/proc") / name,
    }[where]
    result = runner.invoke(app, argv(tmp_path, str(out)))
    assert result.exit_code == 2, result.output
    assert f"{out}: " in result.stderr and "choose another" in result.stderr
    assert result.stdout == ""
    assert not (places["missing"]).exists()


@pytest.mark.parametrize("where", ["a file", "under a file", "read-only"])
@pytest.mark.parametrize("command", list(FOLDER_COMMANDS))
def test_unwritable_folder_output_fails_before_any_work(
    runner: CliRunner, tmp_path: Path, command: str, where: str
) -> None:
    """A folder output that is a file, lies under a file or where nobody may write: exit 2
    before any work."""
    places = _places(tmp_path)
    out = {
        "a file": places["file"],
        "under a file": places["file"] / "sub",
        "read-only": Path("/proc") / "evacuate-report",
    }[where]
    result = runner.invoke(app, FOLDER_COMMANDS[command](tmp_path, str(out)))
    assert result.exit_code == 2, result.output
    assert f"{out}: " in result.stderr and "choose another" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("argv", "suffix"),
    [
        (["state", TINY, "-o", "{tmp}/s.csv"], "'.csv'; expected .yaml, .yml or .json"),
        (["plan", TINY, "-o", "{tmp}/p.txt"], "'.txt'; expected .csv, .json, .parquet or .pq"),
        (["import", "bep", BEP, "-o", "{tmp}/b.csv"], "'.csv'; expected .yaml, .yml or .json"),
        (["simulate", TINY, "-o", "{tmp}/log"], "no suffix; expected .jsonl, .json or .csv"),
    ],
)
def test_an_output_suffix_the_command_does_not_write_is_refused(
    runner: CliRunner, tmp_path: Path, argv: list[str], suffix: str
) -> None:
    """state -o s.csv used to write YAML into s.csv: a suffix the command does not write is
    refused before any work."""
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in argv])
    assert result.exit_code == 2, result.output
    assert f"found {suffix}" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["state", "simulate"])
def test_no_command_overwrites_its_input(runner: CliRunner, tmp_path: Path, command: str) -> None:
    """state -o onto its own scenario, simulate --log onto its own plan: refused, and the
    input keeps its bytes."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(Path(TINY).read_text())
    plan = tmp_path / "p.csv"
    assert runner.invoke(app, ["plan", str(scenario), "-o", str(plan)]).exit_code == 0
    target = scenario if command == "state" else plan
    before = target.read_bytes()
    result = runner.invoke(app, [command, str(scenario), "--plan", str(plan), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "refusing to overwrite an input" in result.stderr
    assert target.read_bytes() == before


def test_dump_uses_a_unique_temporary_name(tmp_path: Path) -> None:
    """dump() neither clobbers a file called NAME.tmp nor leaves one; a failed write leaves
    the target and the folder as they were."""
    s = evacuate.load(TINY)
    target = tmp_path / "s.yaml"
    bystander = tmp_path / "s.yaml.tmp"
    bystander.write_text("someone else's file\n")
    evacuate.dump(s, target)
    assert evacuate.load(target) == s
    assert bystander.read_text() == "someone else's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "s.yaml.tmp"]

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert evacuate.load(target) == s
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "s.yaml.tmp"]


def test_check_output_names_the_problem(tmp_path: Path) -> None:
    """The library check says what is wrong with the path and names the flag."""
    with pytest.raises(OutputError, match=r"folder .*nope does not exist.*--log"):
        check_output(tmp_path / "nope" / "x.csv", flag="--log")
    assert check_output(tmp_path / "new" / "deeper", folder=True) == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()


_KILL_WHILE_DRAWING = """
import os, signal, sys, time
import evacuate.report.build as build
from evacuate.cli import main

draw = build._write

def draw_then_die(*args):
    draw(*args)
    # the hidden temporary folder exists now, holding the drawn files
    assert any(p.name.startswith(".report-") for p in build.Path({out!r}).iterdir())
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)

build._write = draw_then_die
sys.argv = ["evacuate", "report", {tiny!r}, "-o", {out!r}, "--time-limit", "2"]
main()
"""


def test_sigterm_during_report_leaves_no_temporary_folder(tmp_path: Path) -> None:
    """SIGTERM while the report is being drawn: exit 143 (not 1, no traceback), and the
    hidden .report-XXXX folder is gone."""
    out = tmp_path / "report"
    code = _KILL_WHILE_DRAWING.format(out=str(out), tiny=TINY)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert [p.name for p in out.iterdir()] == []


# ---------------------------------------------------------------------------- class 13
@pytest.fixture
def tiny_plan(runner: CliRunner, tmp_path: Path) -> Path:
    plan = tmp_path / "p.csv"
    result = runner.invoke(app, ["plan", TINY, "-o", str(plan), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    return plan


@pytest.mark.parametrize("command", ["check", "simulate", "state"])
def test_a_plan_for_another_scenario_is_refused(
    runner: CliRunner, tmp_path: Path, tiny_plan: Path, command: str
) -> None:
    """simulate OTHER.yaml --plan p.csv used to run and print nonsense: a plan whose header
    names another scenario is refused (exit 2), naming both and the fix."""
    other = str(DATA / "valid" / "bus_evacuation.yaml")
    argv = [command, other, "--plan", str(tiny_plan)]
    if command == "state":
        argv += ["-o", str(tmp_path / "state.yaml")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "the plan is for scenario 'tiny_plane', not " in result.stderr
    assert "evacuate plan" in result.stderr
    assert not (tmp_path / "state.yaml").exists()


@pytest.mark.parametrize("command", ["check", "simulate", "state"])
def test_a_plan_for_another_version_of_the_scenario_is_refused(
    runner: CliRunner, tmp_path: Path, tiny_plan: Path, command: str
) -> None:
    """Same id, other content (400 people became 4000): the digest in the plan's header does
    not match, so the plan is refused; a reformatted but equal scenario is accepted."""
    changed = tmp_path / "changed.yaml"
    changed.write_text(Path(TINY).read_text().replace("population: 400", "population: 4000"))
    same = tmp_path / "same.json"
    same.write_text(evacuate.dumps(evacuate.load(TINY), "json"))
    out = ["-o", str(tmp_path / "state.yaml")] if command == "state" else []
    result = runner.invoke(app, [command, str(changed), "--plan", str(tiny_plan), *out])
    assert result.exit_code == 2, result.output
    assert "another version of scenario 'tiny_plane'" in result.stderr
    result = runner.invoke(app, [command, str(same), "--plan", str(tiny_plan), *out])
    assert result.exit_code == 0, result.output


def test_the_digest_names_the_content_and_survives_variants() -> None:
    """The digest ignores formatting and comments, changes with the content, and a variant
    keeps its scenario's digest (the header names the variant)."""
    s = evacuate.load()
    assert s.variant(s.variant_names[0]).digest == s.digest
    text = Path(TINY).read_text()
    assert evacuate.loads("# note\n" + text.replace("48h", "2 days")).digest == (
        evacuate.loads(text).digest
    )
    assert evacuate.loads(text.replace("count: 4", "count: 5")).digest != (
        evacuate.loads(text).digest
    )
