"""The command line under hostile and careless use (issue 9): Hypothesis draws a command, its
options and its input files (valid, mutated, hostile) and runs ``evacuate`` in a subprocess.

Whatever it draws, the CLI exits 0 or 2 (never 1, "internal error"), prints no traceback,
finishes within a bound, and leaves no file behind but the output it was asked for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"
VALID = sorted((DATA / "valid").glob("*.yaml"))
BEP = DATA / "bep" / "tiny.txt"
BOUND_SECONDS = 120.0

HOSTILE_VALUES = [
    "-1",
    "0",
    "1e309",
    "-1e309",
    ".nan",
    "9223372036854775808",
    "1" + "0" * 40,
    "12:30",
    "yes",
    "''",
    "[",
    "{",
    "*nothere",
    "&a [*a]",
    "!!python/object:os.system {}",
    "2383-01-01T00:00+10:00",
    "99999-01-01",
    "1e-320",
    '"5"',
    "x" * 200,
]

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 8)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

HOSTILE_FILES: list[bytes] = [
    b"",
    b"\x00\xff\xfe" * 100,
    ALIAS_BOMB.encode(),
    b"[" * 50_000,
    b"scenario: {id: s, end: 10}\nplaces: []\n",
    b"- just\n- a\n- list\n",
]

PLAN_HOSTILE: list[bytes] = [
    b"",
    b"group,class,count,origin,depart,destination,arrive,people\n",
    b"# scenario: other\n# time_unit: hour\n"
    b"group,class,count,origin,depart,destination,arrive,people\n"
    b"#1,bus,30,depot,0,town,1,0\n",
    b"# time_unit: hour\ngroup,class,count,origin,depart,destination,arrive,people\n"
    b'g,bus,1.5,a,0,b,1,0\n"' + b"x" * 200_000 + b'",bus,1,a,0,b,1,0\n',
    b"group,class,count\n\x00\n",
    b'{"header": ' * 5000,
]


@st.composite
def scenario_bytes(draw: st.DrawFn) -> bytes:
    """A valid scenario, one with one value replaced by a hostile one, or a hostile file."""
    kind = draw(st.sampled_from(["valid", "mutated", "hostile"]))
    if kind == "hostile":
        return draw(st.sampled_from(HOSTILE_FILES))
    text = draw(st.sampled_from(VALID)).read_text()
    if kind == "valid":
        return text.encode()
    lines = text.splitlines()
    candidates = [
        i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")
    ]
    i = draw(st.sampled_from(candidates))
    head = lines[i].split(": ", 1)[0]
    lines[i] = f"{head}: {draw(st.sampled_from(HOSTILE_VALUES))}"
    return ("\n".join(lines) + "\n").encode()


NUMBERS = st.sampled_from(["0", "1", "-1", "1e6", "nan", "inf", "-0", "abc", "1e308", "2"])


@st.composite
def invocations(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes], list[str]]:
    """argv, the files to create (name -> bytes; names ending in '/' are folders), and the
    output paths the command may legitimately write."""
    files: dict[str, bytes] = {"s.yaml": draw(scenario_bytes())}
    scenario = draw(st.sampled_from(["s.yaml", "s.yaml", "missing.yaml", "folder/", "/dev/null"]))
    if scenario == "folder/":
        files["folder/"] = b""
        scenario = "folder"
    out = draw(
        st.sampled_from(
            ["out.csv", "out.json", "out.yaml", "nodir/out.csv", "folder", "s.yaml/x.csv", "s.yaml"]
        )
    )
    if out == "folder":
        files["folder/"] = b""
    outputs = [out]
    command = draw(
        st.sampled_from(["validate", "show", "check", "plan", "simulate", "state", "bep"])
    )
    argv: list[str]
    if command == "validate":
        argv = ["validate", scenario]
    elif command == "show":
        argv = ["show", scenario]
    elif command == "check":
        files["p.csv"] = draw(st.sampled_from(PLAN_HOSTILE))
        argv = ["check", scenario, "p.csv"]
    elif command == "plan":
        argv = ["plan", scenario, "--time-limit", "0.5", "-o", out]
        if draw(st.booleans()):
            argv += ["--seed", draw(NUMBERS)]
    elif command == "simulate":
        argv = ["simulate", scenario, "--time-limit", "0.5", "--runs", "1"]
        if draw(st.booleans()):
            argv += ["--seed", draw(NUMBERS)]
        if draw(st.booleans()):
            argv += ["--travel-cv", draw(NUMBERS)]
        if draw(st.booleans()):
            files["p.csv"] = draw(st.sampled_from(PLAN_HOSTILE))
            argv += ["--plan", "p.csv"]
    elif command == "state":
        argv = ["state", scenario, "--at", draw(NUMBERS), "--time-limit", "0.5", "-o", out]
    else:
        files["b.txt"] = draw(st.sampled_from([BEP.read_bytes(), b"2 9223372036854775807\n", b""]))
        argv = ["import-bep", "b.txt", "-o", out]
    return argv, files, outputs


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("EVACUATE_CLI_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(invocations())
def test_cli_never_crashes_hangs_or_litters(
    case: tuple[list[str], dict[str, bytes], list[str]],
) -> None:
    """Exit 0 or 2, no traceback, within the bound, and no file left but the asked output."""
    argv, files, outputs = case
    root = Path(tempfile.mkdtemp(prefix="evacuate-cli-"))
    try:
        for name, content in files.items():
            if name.endswith("/"):
                (root / name).mkdir(exist_ok=True)
            else:
                (root / name).write_bytes(content)
        before = _tree(root)
        env: dict[str, Any] = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "evacuate", *argv],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=BOUND_SECONDS,
            env=env,
            check=False,
        )
        where = f"evacuate {' '.join(argv)}\n{done.stderr[-3000:]}"
        assert done.returncode in (0, 2), where
        assert "Traceback" not in done.stderr, where
        left = _tree(root) - before
        allowed = set(outputs) if done.returncode == 0 else set()
        assert left <= allowed, f"{where}\nleft behind: {sorted(left - allowed)}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
