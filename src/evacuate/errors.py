"""Errors a user can cause, each naming the file, the line, the field path and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EvacuateError",
    "Issue",
    "PlanFormatError",
    "PlanMismatchError",
    "ScenarioError",
    "format_path",
]


def format_path(loc: tuple[str | int, ...]) -> str:
    """``("fleet", "classes", 1, "capacity")`` -> ``fleet.classes[1].capacity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


@dataclass(frozen=True)
class Issue:
    """One problem found in an input file."""

    message: str
    """What is wrong and what was expected."""
    path: str = ""
    """Field path such as ``fleet.classes[1].capacity``."""
    file: str | None = None
    line: int | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity}:{field} {self.message}"


class EvacuateError(Exception):
    """Base class of every error evacuate raises on purpose."""


class ScenarioError(EvacuateError, ValueError):
    """A scenario file (or data) is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = f"{len(errors)} error(s) in scenario"
        super().__init__(head + "\n" + "\n".join(str(i) for i in self.issues))


class PlanFormatError(EvacuateError, ValueError):
    """A plan file cannot be read; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(f"{len(issues)} error(s) in plan\n" + "\n".join(str(i) for i in issues))


class PlanMismatchError(EvacuateError, ValueError):
    """A plan was made for another scenario (its header names the scenario it is for)."""
