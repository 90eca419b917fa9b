"""Checks beyond types: references between sections, ranges that depend on each other, geometry.

``check_raw`` runs on plain data (so it still reports when the schema check fails);
``check_model`` runs on a typed scenario. Each returns ``(Issue, loc)`` pairs; the loader adds
file and line from ``loc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from evacuate.errors import Issue

if TYPE_CHECKING:
    from evacuate.scenario.scenario import Scenario

__all__ = ["check_raw", "check_model"]

Loc = tuple[str | int, ...]


def check_raw(data: Mapping[str, Any]) -> list[tuple[Issue, Loc]]:
    return []


def check_model(scenario: Scenario) -> list[tuple[Issue, Loc]]:
    return []
