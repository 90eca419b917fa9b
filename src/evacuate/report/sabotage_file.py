"""The shape of a ``sabotage.json`` (``evacuate sabotage -o DIR`` writes it), checked before a
report draws one: ``evacuate report --sabotage-from FILE`` reads files from anywhere, and a
file of another shape crashed the drawing (KeyError, IndexError, TypeError: exit 1)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evacuate.scenario.model import AttackMenu

__all__ = ["sabotage_file_problems"]

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")  # fields the drawing does not read may be added


class _Strike(_Open):
    option: str
    at: Finite


class _Attack(_Open):
    strikes: list[_Strike]
    damage_low: Finite
    damage_high: Finite
    cost: Finite = 0.0
    success: Finite = 1.0
    evaluated: bool = True


class _Row(_Open):
    budget: Finite
    attack: _Attack
    proven: bool
    gap: Finite


class _Hold(_Open):
    attack: _Attack
    saved_low: Finite
    saved_high: Finite


class _Undisturbed(_Open):
    rescued: Finite


class _SabotageFile(_Open):
    population: Finite
    menu: AttackMenu
    undisturbed: _Undisturbed
    curve: Annotated[list[_Row], Field(min_length=1)]
    ranked: list[_Attack] = []
    holds: list[_Hold] = []


def sabotage_file_problems(data: Any) -> list[str]:
    """Every way ``data`` differs from a ``sabotage.json`` (empty: it may be drawn)."""
    try:
        _SabotageFile.model_validate(data)
    except ValidationError as exc:
        return [
            f"{'.'.join(str(k) for k in e['loc']) or 'the file'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
    return []
