"""What every command shares: consoles, error reporting, atomic writes, logging, formatting.

Only the ``cli`` package prints; the library logs. A problem the user can fix (``EvacuateError``)
is reported as ``file:line: severity: path: message`` lines on stderr with exit status 2 and no
traceback. Any other exception is a bug: one line on stderr, exit status 1, and the traceback
only with ``--debug``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.segment import Segment
from rich.text import Text

from evacuate.errors import EvacuateError, Issue
from evacuate.files import atomic_write, check_output
from evacuate.scenario import summary
from evacuate.scenario.load import ROMULAN
from evacuate.scenario.scenario import Scenario
from evacuate.units import format_duration

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
"""What a scenario file may be called (and what ``state -o`` and ``import bep -o`` write)."""

EXIT_OK = 0
EXIT_BUG = 1
EXIT_INVALID = 2
EXIT_INCOMPLETE = 3
"""min-makespan: the plan does not rescue everyone by the horizon (no makespan)."""


@dataclass
class _State:
    debug: bool = False
    verbosity: int = 0
    context: str = ""
    """The run under way (``run 3/20 (seed 2)``): warnings logged meanwhile name it."""


session = _State()


# ---------------------------------------------------------------------------- output
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (but tab and newline) and bidirectional overrides: a scenario's name
or note holding ESC sequences cleared the terminal, set its title or recoloured it."""


class _SafeConsole(Console):
    """A console that prints what it is given as text, never as terminal controls: each
    control character of the content becomes U+FFFD (rich's own styles and cursor moves,
    added apart from the content, are kept)."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            s
            if s.control or not _UNSAFE.search(s.text)
            else s._replace(text=_UNSAFE.sub("\ufffd", s.text))
            for s in buffer
        )


def stdout() -> Console:
    # piped output (CI logs, files) gets room for full numbers instead of rich's 80 columns
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return _SafeConsole(highlight=False, width=120 if wide else None)


def stderr() -> Console:
    return _SafeConsole(stderr=True, highlight=False)


_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}


def issue_text(issue: Issue) -> Text:
    """``file:line: severity: path: message`` with colours; messages are never parsed as markup."""
    where = issue.file or "<input>"
    if issue.line is not None:
        where += f":{issue.line}"
    text = Text()
    text.append(where, style="bold")
    text.append(": ")
    text.append(issue.severity, style=_SEVERITY_STYLE.get(issue.severity, ""))
    text.append(": ")
    if issue.path:
        text.append(issue.path, style="cyan")
        text.append(": ")
    text.append(issue.message)
    return text


def by_line(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file or "", i.line is None, i.line or 0))


def print_issues(console: Console, issues: Iterable[Issue]) -> None:
    for issue in by_line(issues):
        console.print(issue_text(issue), soft_wrap=True)


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {word}es" if word.endswith("s") else f"{n:,} {word}s"


def report_error(exc: EvacuateError) -> None:
    err = stderr()
    issues: list[Issue] = list(getattr(exc, "issues", []))
    if not issues:
        err.print(Text.assemble(("error", "bold red"), ": ", str(exc)), soft_wrap=True)
        return
    print_issues(err, issues)
    errors = sum(1 for i in issues if i.severity == "error")
    files = sorted({i.file for i in issues if i.file})
    where = f" in {', '.join(files)}" if files else ""
    err.print(Text(f"{plural(errors, 'error')}{where}", style="bold red"))


def bug(exc: BaseException) -> NoReturn:
    stderr().print(
        Text.assemble(
            ("internal error", "bold red"),
            f": {type(exc).__name__}: {exc}\n",
            "This is a bug in evacuate; run again with --debug to see the traceback.",
        ),
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_BUG)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn exceptions into messages and exit statuses (2: the user's input; 1: a bug)."""
    try:
        yield
    except EvacuateError as exc:
        report_error(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except Exception as exc:
        if session.debug:
            raise
        bug(exc)


def refuse_input(output: Path, *inputs: Path | None) -> None:
    """Stop (exit 2) before ``output`` would overwrite one of the command's input files."""
    target = output.expanduser().resolve()
    for source in inputs:
        if source is not None and source.expanduser().resolve() == target:
            raise EvacuateError(
                f"{output}: refusing to overwrite an input of this command; choose another -o"
            )


write_atomic = atomic_write
"""The one atomic write (``evacuate.files.atomic_write``), under the name commands import."""


def output_path(
    path: Path,
    *inputs: Path | None,
    folder: bool = False,
    flag: str = "-o",
    suffixes: tuple[str, ...] = (),
) -> None:
    """Stop (exit 2) before any work unless ``path`` can be written: its folder exists and takes
    files, it is not a folder (or, with ``folder``, not a file), it has one of ``suffixes``,
    and it is none of the command's ``inputs``. Every command that writes calls this first."""
    check_output(path, folder=folder, flag=flag, suffixes=suffixes)
    if not folder:
        refuse_input(path, *inputs)


# ---------------------------------------------------------------------------- logging
class _AlreadyReported(logging.Filter):
    """Drops the loader's per-warning log records: the CLI prints those warnings itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "evacuate.scenario.load" and record.levelno == logging.WARNING)


class _NameTheRun(logging.Filter):
    """Prefixes warnings with the run under way, so 20 runs' warnings can be told apart."""

    def filter(self, record: logging.LogRecord) -> bool:
        if session.context and record.levelno >= logging.WARNING:
            record.msg = f"{session.context}: {record.msg}"
        return True


def configure_logging(verbosity: int) -> None:
    """-q: errors only; default: warnings; -v: progress (info); -vv: details (debug)."""
    levels = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}
    level = levels.get(max(verbosity, -1), logging.DEBUG)
    logger = logging.getLogger("evacuate")
    for handler in list(logger.handlers):
        if getattr(handler, "_evacuate_cli", False):
            logger.removeHandler(handler)
    handler = RichHandler(console=stderr(), show_time=False, show_path=verbosity >= 2)
    handler._evacuate_cli = True  # type: ignore[attr-defined]
    handler.addFilter(_AlreadyReported())
    handler.addFilter(_NameTheRun())
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(level)


def scenario_label(path: Path | None) -> str:
    return f"<builtin:{ROMULAN}>" if path is None else str(path)


def counts_line(s: Scenario) -> str:
    parts = [
        plural(len(s.places), "place"),
        f"{s.population:,} people",
        plural(len(summary.havens(s)), "haven"),
        plural(len(s.fleet.classes), "class"),
        plural(len(s.events), "event"),
        plural(len(s.variants), "variant"),
    ]
    return ", ".join(parts)


def fmt_num(x: float | None) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def fmt_capacity(x: float | None) -> str:
    """A place's capacity: ``unlimited`` for the value ``capacity: unlimited`` stands for."""
    from evacuate.scenario.limits import MAX_PEOPLE

    return "unlimited" if x is not None and x >= MAX_PEOPLE else fmt_num(x)


def fmt_dur(s: Scenario, x: float) -> str:
    return format_duration(x, s.time_unit) if x else "0"


def fmt_date(s: Scenario, t: float | None) -> str:
    if t is None:
        return ""
    when = summary.calendar(s, t)
    return "" if when is None else summary.format_date(s, when)


def fmt_when(s: Scenario, t: float) -> str:
    date = fmt_date(s, t)
    return f"{date} (t={t:,.4g})" if date else f"t={t:,.4g}"


def parse_at(s: Scenario, value: str) -> float:
    """A time given on the command line: scenario units, or a date when there is a calendar."""
    from evacuate.units import UnitError, parse_time

    text = value.strip()
    try:
        when = float(text)
    except ValueError:
        try:
            when = parse_time(text, s.time_unit, s.scenario.start_date)
        except UnitError as exc:
            raise typer.BadParameter(f"found {value!r}: {exc}", param_hint="--at") from None
    if not 0 <= when <= s.end:
        end = summary.format_time(s, s.end)
        raise typer.BadParameter(
            f"found {value!r}; expected a time from 0 to {s.end:g} ({end})", param_hint="--at"
        )
    return when + 0.0  # -0 is 0 (the state said "at t = -0 hours")


_MARK = ".evacuate"
"""A folder's marker file: which command wrote the folder's other files."""


def claim_folder(folder: Path, command: str, force: bool) -> None:
    """Stop (exit 2) before writing into a folder that holds files ``command`` did not write."""
    if force or not folder.exists():
        return
    if not folder.is_dir():
        raise EvacuateError(f"{folder}: not a folder; choose another -o")
    others = [p for p in folder.iterdir() if p.name != _MARK]
    if not others:
        return
    mark = folder / _MARK
    owner = mark.read_text(encoding="utf-8").strip() if mark.is_file() else ""
    if owner == f"evacuate {command}":
        return
    what = f"the output of `{owner}`" if owner else f"{len(others):,} files evacuate did not write"
    raise EvacuateError(
        f"{folder}: holds {what}; choose another folder with -o, or add --force to write into it"
    )


def mark_folder(folder: Path, command: str) -> None:
    """Note that ``command`` wrote the folder (see ``claim_folder``)."""
    write_atomic(folder / _MARK, f"evacuate {command}\n")
