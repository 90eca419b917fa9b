"""Numeric options (issue 9, class 10): every number any command takes is checked by the option
registry, so ``--seed -1``, ``--travel-cv 1e6`` or ``--port 0`` get one clean line naming the
flag and its range (exit 2), never a validation dump, a crash or a run with a silly value."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evacuate.cli import app
from evacuate.options import OPTIONS


def _numeric_options() -> list[tuple[str, str, str]]:
    """(command, flag, registry name) of every int or float option of every command."""
    root = typer.main.get_command(app)
    found = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None) or {None: cmd}
        for sub, c in subs.items():
            command = name if sub is None else f"{name} {sub}"
            for param in c.params:
                if param.param_type_name != "option" or getattr(param, "count", False):
                    continue
                annotation = param.type_descriptor.annotation  # type: ignore[attr-defined]
                kinds = set(typing.get_args(annotation) or (annotation,)) - {type(None)}
                if kinds & {int, float}:
                    found.append((command, param.opts[0], str(param.name)))
    return found


NUMERIC = _numeric_options()


def test_every_numeric_option_comes_from_the_registry() -> None:
    """No command declares a number of its own: its range lives in evacuate.options."""
    assert len(NUMERIC) >= 20
    assert {("serve", "--port"), ("simulate", "--travel-cv"), ("sweep", "--samples")} <= {
        (c, f) for c, f, _ in NUMERIC
    }
    strays = [(c, f) for c, f, name in NUMERIC if name not in OPTIONS]
    assert strays == []
    unbounded = [(c, f) for c, f, name in NUMERIC if OPTIONS[name].minimum is None]
    assert unbounded == []
    endless = [
        (c, f)
        for c, f, name in NUMERIC
        if OPTIONS[name].type is int and OPTIONS[name].maximum is None
    ]
    assert endless == []


@pytest.mark.parametrize(("command", "flag", "name"), NUMERIC)
def test_out_of_range_numbers_are_refused_with_the_range(
    command: str, flag: str, name: str
) -> None:
    """Below the minimum, past the maximum (10**400 for a whole number), nan and inf: exit 2,
    the flag named, and the range said as the registry says it."""
    entry = OPTIONS[name]
    bad = ["-1"] if entry.minimum is not None and entry.minimum >= 0 else []
    bad.append(str(10**400) if entry.type is int else "1e400")
    if entry.type is float:
        bad.append("nan")
    runner = CliRunner(env={"COLUMNS": "300"})
    for value in bad:
        result = runner.invoke(app, [*command.split(), flag, value])
        assert result.exit_code == 2, (value, result.output)
        text = " ".join(result.output.split())
        assert f"Invalid value for '{flag}'" in text, (value, text)
        if entry.maximum is not None or value != "1e400":
            assert "expected" in text, (value, text)


def test_the_message_names_the_range() -> None:
    """--seed -1 and --travel-cv 1e6: the message gives the whole range."""
    runner = CliRunner(env={"COLUMNS": "300"})
    result = runner.invoke(app, ["plan", "--seed", "-1"])
    assert "found -1; expected from 0 to 4,294,967,295" in result.output
    result = runner.invoke(app, ["simulate", "--travel-cv", "1e6"])
    assert "found 1000000.0; expected from 0 to 5" in result.output


@pytest.mark.parametrize("at", ["-0", "-0.0", "-0e5"])
def test_state_at_negative_zero_is_at_zero(tmp_path: Path, at: str) -> None:
    """``state --at -0`` wrote a state "at t = -0 hours": -0 is time 0."""
    out = tmp_path / "s.yaml"
    tiny = "tests/data/valid/tiny_plane.yaml"
    result = CliRunner().invoke(
        app, ["state", tiny, "--at", at, "--time-limit", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "t=0:" in result.output and "-0" not in result.output
    assert "at t = 0 hours" in out.read_text(encoding="utf-8")
