"""The option registry: one name, one default, one help per setting, in every command."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evacuate.cli import app
from evacuate.cli.common import claim_folder, mark_folder
from evacuate.errors import EvacuateError
from evacuate.options import OPTIONS, Option

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _commands() -> dict[str, typer.core.TyperCommand]:
    root = typer.main.get_command(app)
    out: dict[str, typer.core.TyperCommand] = {}
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out.update({f"{name} {sub}": c for sub, c in subs.items()})
        else:
            out[name] = cmd
    return out


def test_every_shared_option_defaults_and_reads_the_same_everywhere() -> None:
    """A flag named after a registry entry has the registry's default and metavar in every
    command (the help may name what -o writes or which variant, but not change its meaning)."""
    seen: dict[str, set[str]] = {}
    for cmd_name, cmd in _commands().items():
        for param in cmd.params:
            if param.name not in OPTIONS or param.param_type_name != "option":
                continue
            entry = OPTIONS[param.name]
            assert entry.flag in param.opts, (cmd_name, param.opts)
            if param.name not in ("output", "variant") or param.default is not None:
                expected = entry.default
                if param.name == "output":
                    continue  # a file for plan and state, a folder for demo and report
                assert param.default == expected, (cmd_name, param.name, param.default)
            assert (param.metavar or "") == ("" if entry.type is bool else entry.metavar)
            seen.setdefault(param.name, set()).add(cmd_name)
    assert {"plan", "simulate", "state", "demo", "report"} <= seen["time_limit"]
    assert {"plan", "simulate", "state", "demo", "report"} <= seen["seed"]
    assert {"plan", "check", "simulate", "state", "show", "report"} <= seen["variant"]


@pytest.mark.parametrize("command", ["plan", "check", "simulate", "state", "report", "show"])
def test_scenario_is_optional_everywhere(command: str) -> None:
    """Every command that reads a scenario takes it as an optional positional argument."""
    cmd = _commands()[command]
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    assert len(args) == 1 and not args[0].required, [a.name for a in args]


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_shows_metavars_and_choices_not_types(command: str) -> None:
    """No ``<bool>``, ``<path>``, ``<list[Path]>`` or ``[x>=0.1]`` noise in any help page."""
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(bool|int|float|str|path|list)", result.output), result.output
    assert "[x>=" not in result.output and "<=x" not in result.output
    if command == "plan":
        assert "max-rescued, min-makespan" in result.output
        assert "SECONDS" in result.output


def test_python_api_defaults_come_from_the_registry() -> None:
    """``evacuate.plan(time_limit=...)`` defaults to what ``evacuate plan --time-limit`` does."""
    import inspect

    from evacuate.plan.api import plan
    from evacuate.simulation import simulate

    for fn in (plan, simulate):
        params = inspect.signature(fn).parameters
        for name in ("time_limit", "seed"):
            assert params[name].default == OPTIONS[name].default, (fn.__name__, name)


def test_registry_checks_values() -> None:
    """The registry rejects values outside the range or the choices, naming the setting."""
    with pytest.raises(ValueError, match=r"time_limit: found 0; expected from 0\.1 to 1,000,000 s"):
        OPTIONS["time_limit"].check(0)
    with pytest.raises(ValueError, match="expected one of max-rescued, min-makespan"):
        OPTIONS["objective"].check("fastest")
    assert OPTIONS["breakdowns"].check(0.5) == 0.5
    assert "One of: replan, follow." in OPTIONS["policy"].describe()


def test_register_refuses_a_conflicting_entry() -> None:
    """A later package cannot silently redefine a shared setting."""
    from evacuate.options import register

    with pytest.raises(ValueError, match="registered twice"):
        register(Option("seed", int, 7, "another seed"))


@pytest.mark.parametrize("flag", ["-v", "-vv", "-q", "--debug"])
def test_root_flags_are_accepted_after_the_command(flag: str) -> None:
    """``evacuate validate -v`` works like ``evacuate -v validate``."""
    result = CliRunner().invoke(app, ["validate", flag])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_bad_choice_is_exit_2_with_the_choices() -> None:
    """A value outside the choices names the flag and what it takes."""
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["plan", "--objective", "fastest"])
    assert result.exit_code == 2
    assert "expected one of max-rescued, min-makespan" in result.output
    assert "Traceback" not in result.output


def test_check_takes_the_plan_with_plan_flag(tmp_path: Path) -> None:
    """``check`` without --plan says how to give it; a plan given positionally gets a hint."""
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "give it with --plan FILE" in result.output
    plan = tmp_path / "plan.csv"
    plan.write_text("x\n")
    result = runner.invoke(app, ["check", str(plan)])
    assert result.exit_code == 2
    assert "looks like a plan: give it as --plan" in result.output


def test_plan_file_is_0644_and_checks(tmp_path: Path) -> None:
    """A written plan has the usual mode (not mkstemp's 0600) and ``check`` accepts it."""
    scenario = EXAMPLES / "hurricane_bus.yaml"
    out = tmp_path / "plan.csv"
    old = os.umask(0o022)
    try:
        runner = CliRunner(env={"COLUMNS": "200"})
        result = runner.invoke(app, ["plan", str(scenario), "--time-limit", "2", "-o", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    result = runner.invoke(app, ["check", str(scenario), "--plan", str(out)])
    assert result.exit_code == 0, result.output
    assert "surprise events unknown" in result.stdout
    hindsight = runner.invoke(app, ["check", str(scenario), "--plan", str(out), "--hindsight"])
    assert "surprise events known in advance" in hindsight.stdout


def test_an_output_never_overwrites_an_input(tmp_path: Path) -> None:
    """``state SCENARIO -o SCENARIO`` stops with exit 2 and leaves the scenario as it was."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text((EXAMPLES / "hurricane_bus.yaml").read_text())
    before = scenario.read_bytes()
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["state", str(scenario), "--at", "1", "--time-limit", "1", "-o", str(scenario)]
    )
    assert result.exit_code == 2
    assert "refusing to overwrite an input" in result.output
    assert scenario.read_bytes() == before


def test_report_folder_claims(tmp_path: Path) -> None:
    """A folder with files another command (or a person) wrote is refused unless forced."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(EvacuateError, match=r"1 files evacuate did not write.*--force"):
        claim_folder(mine, "report", force=False)
    claim_folder(mine, "report", force=True)
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "report.html").write_text("<html>")
    mark_folder(demo, "demo")
    with pytest.raises(EvacuateError, match="the output of `evacuate demo`"):
        claim_folder(demo, "report", force=False)
    claim_folder(demo, "demo", force=False)  # a command rewrites its own output
    claim_folder(tmp_path / "new", "report", force=False)


def test_report_refuses_a_foreign_folder_before_any_work(tmp_path: Path) -> None:
    """``evacuate report -o DIR`` on a folder with other files: exit 2, nothing written."""
    (tmp_path / "thesis.tex").write_text("keep me")
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["report", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


@pytest.mark.slow
def test_state_at_a_date_reports_what_the_event_destroys(tmp_path: Path) -> None:
    """``state --at 2385-04-05`` (a date) is day 825, when the attack destroys the armada."""
    out = tmp_path / "state.yaml"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app,
        [
            "state",
            "--variant",
            "historical",
            "--at",
            "2385-04-05",
            "--time-limit",
            "5",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "state at 2385-04-05 (t=825)" in result.stdout
    assert "at this instant attack_on_mars fired: 10,000 vehicles destroyed" in result.stdout


def test_verbosity_after_the_command_sets_the_log_level() -> None:
    """``validate -v`` logs at INFO, ``validate -q`` only errors."""
    import logging

    logger = logging.getLogger("evacuate")
    runner = CliRunner()
    runner.invoke(app, ["validate", "-v"])
    assert logger.level == logging.INFO
    runner.invoke(app, ["validate", "-q"])
    assert logger.level == logging.ERROR
    runner.invoke(app, ["validate"])
    assert logger.level == logging.WARNING
