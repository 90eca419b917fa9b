"""A scenario's text is printed as text, never as terminal controls. Before, a name, a
description or an event's note holding ESC sequences (``\\e[2J`` clears the screen, ``\\e]0;``
sets the window title) reached the terminal as they were through ``evacuate show`` and every
command that prints them; now each control character (and each bidirectional override) is
printed as U+FFFD, and rich's own colours still work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evacuate.cli import app

SINK = Path(__file__).resolve().parent / "data" / "hostile" / "kitchen_sink.yaml"
SGR = re.compile("\x1b\\[[0-9;]*m")
"""rich's colour and style codes (Select Graphic Rendition)."""


@pytest.mark.parametrize("color", [False, True])
def test_controls_in_a_scenarios_text_do_not_reach_the_terminal(
    tmp_path: Path, color: bool
) -> None:
    text = SINK.read_text(encoding="utf-8").replace(
        "  id: kitchen_sink\n",
        '  id: kitchen_sink\n  name: "evil\\e[2J\\e[31mred\\u202eabc"\n'
        '  description: "see\\e]0;owned\\x07 \\x9b1m"\n',
        1,
    )
    scenario = tmp_path / "controls.yaml"
    scenario.write_text(text, encoding="utf-8")
    env = {"COLUMNS": "200", **({"FORCE_COLOR": "1", "TERM": "xterm-256color"} if color else {})}
    result = CliRunner(env=env).invoke(app, ["show", str(scenario)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "evil" in out and "red" in out and "owned" in out
    assert "\x1b" not in SGR.sub("", out), repr(out[:300])
    assert "\u202e" not in out and "\x9b" not in out and "\x07" not in out
    assert "\ufffd" in out
    if color:
        assert SGR.search(out), "rich's own styles are kept"
