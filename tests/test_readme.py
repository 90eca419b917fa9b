"""The README runs as written: every shell command and Python snippet in it is executed.

Convention for README.md (keep to it when you add a section):

- A fenced ``text`` block whose lines start with ``$ `` is a **session**: each ``$ command``
  is run with bash (``evacuate`` is this environment's) and its output (stdout and stderr
  interleaved as a terminal shows them, trailing spaces ignored) must match the lines below
  it, up to the next ``$ ``. A line ``...`` in the expected output stands for any lines
  (doctest's ELLIPSIS, which also matches within a line). A non-zero exit status is
  expected only when the block shows an ``error:``.
- A fenced ``sh`` block is a **script**: every command in it runs (``set -e``) and must exit 0;
  its output is not compared.
- A fenced ``pycon`` block (``>>>`` prompts) is a **doctest**, compared with ELLIPSIS and
  NORMALIZE_WHITESPACE; all ``pycon`` blocks share one namespace, in README order, in one
  (slow) test.
- A fenced ``python`` block is executed (it must not raise); output is not compared.
- An HTML comment on the line right before a block changes how it is checked:
  ``<!-- readme: skip -->`` (not run: set-up commands such as ``make test``),
  ``<!-- readme: slow -->`` (run, marked slow), ``<!-- readme: timed -->`` (a session that
  prints wall-clock durations, such as ``3.29 s`` or ``in 32 s``: every number followed by
  `` s`` is masked on both sides, and only those; every other figure is compared exactly;
  also slow). A session whose output says a safety stop (the planner's time limit) cut a
  plan short fails with that reason: its figures then depend on the machine's speed and load,
  not on the planner's work budget alone.
- Other fences (``yaml``, ``json``, none) are documentation and are not run.

Everything runs in a fresh temporary folder holding a copy of ``examples/`` and
``src/evacuate/data/`` (paths as in the repository), so outputs never land in the checkout.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!--\s*readme:\s*(\w+)\s*-->\s*$")
TIMEOUT = 1800


@dataclass(frozen=True)
class Block:
    kind: str
    line: int
    """1-based line of the opening fence."""
    text: str
    mark: str | None

    @property
    def id(self) -> str:
        return f"{self.kind}@{self.line}"


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, kind = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        prev = lines[start - 1] if start else ""
        mark = MARK.match(prev)
        out.append(Block(kind, start + 1, "\n".join(lines[start + 1 : j]), mark and mark.group(1)))
        i = j + 1
    return out


def _runnable(b: Block) -> bool:
    if b.mark == "skip":
        return False
    if b.kind == "text":
        return any(line.startswith("$ ") for line in b.text.splitlines())
    return b.kind in ("sh", "python", "pycon")


ALL = [b for b in blocks(README.read_text(encoding="utf-8")) if _runnable(b)]


def _param(b: Block) -> object:
    slow = b.mark in ("slow", "timed")
    return pytest.param(b, id=b.id, marks=[pytest.mark.slow] if slow else [])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "src" / "evacuate" / "data", tmp_path / "src" / "evacuate" / "data")
    return tmp_path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    return env


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # interleaved as on a terminal
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


WALL_CLOCK = re.compile(r"\b\d[\d,]*(\.\d+)? s(?![\w-])")
"""A duration in seconds (``3.29 s``, ``in 32 s``): the only figures that depend on the
machine, so the only ones a ``timed`` session masks."""

SAFETY_STOP = "(a safety stop)"
"""Said by ``plan``, ``demo`` and the planner's warning when the time limit cut a plan short."""


def _unclocked(text: str) -> str:
    return WALL_CLOCK.sub("N s", text)


def _sessions(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return [(cmd, "\n".join(lines)) for cmd, lines in out]


def _matches(want: str, got: str) -> bool:
    checker = doctest.OutputChecker()
    return checker.check_output(want + "\n", got + "\n", doctest.ELLIPSIS)


@pytest.mark.parametrize("block", [_param(b) for b in ALL if b.kind == "text"])
def test_session(block: Block, workdir: Path) -> None:
    """Each ``$ command`` prints what the README shows below it."""
    for command, expected in _sessions(block.text):
        result = _run(command, workdir)
        got = _clean(result.stdout)
        want = _clean(expected)
        if "error:" not in want:
            assert result.returncode == 0, f"README line {block.line}: $ {command}\n{got}"
        if SAFETY_STOP in got and SAFETY_STOP not in want:
            pytest.fail(
                f"README line {block.line}: $ {command}\nthe planner's safety stop (its time "
                "limit) cut a plan short, so the figures depend on this machine's speed and "
                "load; the README's figures come from plans that spent their work budgets. "
                f"Run it on a less loaded machine or raise --time-limit.\n{got}"
            )
        if block.mark == "timed":
            want, got = _unclocked(want), _unclocked(got)
        assert _matches(want, got), (
            f"README line {block.line}: $ {command}\n--- README shows:\n{want}\n"
            f"--- the command printed:\n{got}"
        )


@pytest.mark.parametrize("block", [_param(b) for b in ALL if b.kind == "sh"])
def test_script(block: Block, workdir: Path) -> None:
    """Each command of a ``sh`` block runs and exits 0."""
    result = _run("set -e\n" + block.text, workdir)
    assert result.returncode == 0, (
        f"README line {block.line}:\n{block.text}\n--- output:\n{result.stdout[-3000:]}"
    )


@pytest.mark.parametrize("block", [_param(b) for b in ALL if b.kind == "python"])
def test_python(block: Block, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``python`` block runs without an exception."""
    monkeypatch.chdir(workdir)
    exec(compile(block.text, f"README.md:{block.line}", "exec"), {"__name__": "__readme__"})


@pytest.mark.slow
def test_pycon(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``pycon`` blocks, in order, print what the README shows (one shared namespace)."""
    monkeypatch.chdir(workdir)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    namespace: dict[str, object] = {"__name__": "__readme__"}
    pycon = [b for b in ALL if b.kind == "pycon"]
    assert pycon, "the README has no pycon block"
    report: list[str] = []
    for b in pycon:
        test = parser.get_doctest(b.text, namespace, f"README.md:{b.line}", str(README), b.line)
        runner.run(test, out=report.append, clear_globs=False)
        namespace.update(test.globs)  # DocTest copies its globals
    assert runner.failures == 0, "".join(report)


def test_the_convention_finds_the_tour() -> None:
    """The parser sees the README's sessions, scripts and doctests (a guard against a README
    reshuffle that would silently leave the tour unchecked)."""
    kinds = [b.kind for b in ALL]
    assert kinds.count("text") >= 3 and kinds.count("sh") >= 2 and "pycon" in kinds


def test_only_wall_clock_durations_are_masked() -> None:
    """A ``timed`` session masks durations in seconds and nothing else: people, ships, dates
    and percentages are compared as printed."""
    line = "rescued 15,110,000 of 900,000,000 (1.68%); gap 0.25%; 528 trips; 3.29 s"
    assert _unclocked(line) == line.replace("3.29 s", "N s")
    assert _unclocked("Planned and simulated in 132 s.") == "Planned and simulated in N s."
    kept = "│ historical │ 10,000 │ 2385-04-12 │ 10,000 ships lost; 5 spare; 12 s-class"
    assert _unclocked(kept) == kept
