"""Uncertainties: which numbers of a scenario a sweep varies, and applying drawn values.

A path names a number in the file format: dotted field names, and ``[key]`` to pick an item of
a list by its ``id`` (or by position, ``[0]``) or a mapping entry: ``hazard.speed``,
``places[romulus].population``, ``events[attack_on_mars].at``, ``fleet.stock[buses].count``,
``perturbations.travel_cv``. Values written with units are converted by the target field
itself, so "36h" means the same in an uncertainty as in the field. Drawing values is the
sweep's business (``evacuate.sweep``); this module knows no distribution beyond its parameters.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from evacuate.errors import Issue, ScenarioError, format_path
from evacuate.scenario.model import Uncertainty
from evacuate.scenario.scenario import Scenario

__all__ = [
    "PARAMETERS",
    "Resolved",
    "UncertainPathError",
    "apply",
    "check",
    "parse_path",
    "resolve",
]

Loc = tuple[str | int, ...]
Found = tuple[Issue, Loc]

PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sigma"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "discrete": (("values",), ("weights",)),
}
"""Each distribution's required and optional parameters."""
_ALL = ("low", "high", "mode", "mean", "sd", "median", "sigma", "values", "weights")
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\[\]]+\])*)$")
_KEY = re.compile(r"\[([^\[\]]+)\]")


class UncertainPathError(ValueError):
    """A path that does not name a number of the scenario."""


@dataclass(frozen=True)
class Item:
    """A ``[key]`` step: a list item by id or position, or a mapping entry."""

    key: str


Step = str | Item


def parse_path(path: str) -> list[Step]:
    """``places[romulus].population`` -> ``["places", Item("romulus"), "population"]``."""
    steps: list[Step] = []
    for part in path.strip().split("."):
        m = _SEGMENT.match(part.strip())
        if m is None:
            raise UncertainPathError(
                f"cannot read path {path!r} at {part!r}; expected names joined by dots, "
                "each optionally followed by [id], e.g. places[romulus].population"
            )
        steps.append(m.group(1))
        steps += [Item(k.strip()) for k in _KEY.findall(m.group(2))]
    return steps


def _step(node: Any, step: Step, done: str) -> tuple[Any, str | int]:
    """The container and key that ``step`` selects in ``node``."""
    where = done or "the scenario"
    if isinstance(step, str):
        if not isinstance(node, Mapping):
            raise UncertainPathError(f"{where} has no fields; cannot take .{step}")
        if step not in node:
            raise UncertainPathError(
                f"{where} has no field {step!r}; it has: {', '.join(map(str, node))}"
            )
        return node, step
    if isinstance(node, Mapping):
        if step.key not in node:
            raise UncertainPathError(
                f"{where} has no entry {step.key!r}; it has: {', '.join(map(str, node)) or 'none'}"
            )
        return node, step.key
    if not isinstance(node, list):
        raise UncertainPathError(f"{where} is not a list; cannot take [{step.key}]")
    if step.key.isdigit():
        if int(step.key) >= len(node):
            raise UncertainPathError(f"{where} has {len(node)} item(s); no [{step.key}]")
        return node, int(step.key)
    ids = [item.get("id") if isinstance(item, Mapping) else None for item in node]
    if step.key not in ids:
        known = ", ".join(str(i) for i in ids if i is not None) or "no ids"
        raise UncertainPathError(f"{where} has no item with id {step.key!r}; it has: {known}")
    return node, ids.index(step.key)


def _locate(data: Any, path: str) -> tuple[Any, str | int]:
    node, done = data, ""
    steps = parse_path(path)
    for i, step in enumerate(steps):
        container, key = _step(node, step, done)
        done += f"[{step.key}]" if isinstance(step, Item) else (f".{step}" if done else step)
        if i == len(steps) - 1:
            return container, key
        node = container[key]
    raise UncertainPathError("empty path")  # pragma: no cover - parse_path never returns []


def _full_data(scenario: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True)
    return data


def _validate(data: dict[str, Any], scenario: Scenario) -> Scenario:
    from evacuate.scenario.load import _context

    new = Scenario.model_validate(data, context=_context(data))
    return new.model_copy(update={"source": scenario.source, "warnings": scenario.warnings})


@dataclass(frozen=True)
class Resolved:
    """An uncertainty with its parameters as plain numbers in the target's units."""

    name: str
    path: str | None
    event: str | None
    distribution: str | None
    params: Mapping[str, Any]
    """Numbers (``values``: a tuple of numbers), ``probability`` for an event."""
    integer: bool = False
    """The target holds whole numbers: drawn values are rounded."""


def _name(u: Uncertainty) -> str:
    return u.id or (u.path or "") if u.path else (u.id or f"event.{u.event}")


def _convert(scenario: Scenario, full: dict[str, Any], path: str, value: Any) -> float:
    """``value`` as the target field reads it (units converted), as a plain number."""
    if isinstance(value, bool):
        raise UncertainPathError("found true/false; expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    data = copy.deepcopy(full)
    container, key = _locate(data, path)
    container[key] = value
    try:
        new = _validate(data, scenario)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise UncertainPathError(f"cannot read {value!r} as the target's value: {msg}") from None
    container, key = _locate(_full_data(new), path)
    out = container[key]
    if not isinstance(out, (int, float)) or isinstance(out, bool):
        raise UncertainPathError(f"{value!r} does not give a number at {path}")
    return float(out)


def _resolve_one(scenario: Scenario, full: dict[str, Any], u: Uncertainty) -> Resolved:
    if u.event is not None:
        return Resolved(_name(u), None, u.event, None, {"probability": u.probability})
    assert u.path is not None and u.distribution is not None
    container, key = _locate(full, u.path)
    current = container[key]
    if isinstance(current, bool) or not isinstance(current, (int, float, type(None))):
        raise UncertainPathError(
            f"{u.path} holds {type(current).__name__} {current!r}; expected a number"
        )
    params: dict[str, Any] = {}
    for name in _ALL:
        value = getattr(u, name)
        if value is None:
            continue
        if name == "values":
            params[name] = tuple(_convert(scenario, full, u.path, v) for v in value)
        elif name in ("weights", "sigma"):
            params[name] = tuple(value) if name == "weights" else float(value)
        else:
            params[name] = _convert(scenario, full, u.path, value)
    return Resolved(_name(u), u.path, None, u.distribution, params, isinstance(current, int))


def _shape_problems(u: Uncertainty) -> Iterator[tuple[str, str]]:
    """(field, message) for an uncertainty whose fields do not fit together."""
    if (u.path is None) == (u.event is None):
        yield "path", "give either path (a number to vary) or event (an event that may happen)"
        return
    given = [n for n in _ALL if getattr(u, n) is not None]
    if u.event is not None:
        if u.probability is None:
            yield "probability", "an event uncertainty needs probability (0 to 1)"
        if u.distribution is not None or given:
            yield "distribution", "an event uncertainty takes only probability"
        return
    if u.probability is not None:
        yield "probability", "probability is for events; a path takes a distribution"
    if u.distribution is None:
        yield "distribution", "missing; expected uniform, normal, lognormal, triangular or discrete"
        return
    required, optional = PARAMETERS[u.distribution]
    for n in required:
        if getattr(u, n) is None:
            yield n, f"{u.distribution} needs {' and '.join(required)}"
    for n in given:
        if n not in required and n not in optional:
            yield n, f"{u.distribution} takes {', '.join(required + optional)}; not {n}"
    if u.values is not None and not u.values:
        yield "values", "expected at least one value"
    if u.weights is not None and u.values is not None:
        if len(u.weights) != len(u.values):
            yield "weights", f"expected {len(u.values)} weights, one per value"
        elif not sum(u.weights) > 0:
            yield "weights", "expected a positive total weight"


def _range_problems(r: Resolved) -> Iterator[tuple[str, str]]:
    p = r.params
    bounded = r.distribution in ("uniform", "triangular") or (
        r.distribution == "normal" and "low" in p and "high" in p
    )
    if bounded and not p["low"] < p["high"]:
        yield "high", f"expected high > low ({p['high']:g} <= {p['low']:g})"
    if r.distribution == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        yield "mode", "expected low <= mode <= high"
    if r.distribution == "normal" and not p["sd"] > 0:
        yield "sd", "expected a positive standard deviation"
    if r.distribution == "lognormal" and not p["median"] > 0:
        yield "median", "expected a positive median"
    for name, value in p.items():
        vals = value if isinstance(value, tuple) else (value,)
        if any(not math.isfinite(v) for v in vals if isinstance(v, float)):
            yield name, "expected a finite number"


def check(scenario: Scenario) -> Iterator[Found]:
    """Every problem of the ``uncertainties`` section: shape, paths, units, ranges."""
    full = _full_data(scenario)
    events = {e.id for e in scenario.events}
    seen: set[str] = set()
    for i, u in enumerate(scenario.uncertainties):
        loc: Loc = ("uncertainties", i)
        problems = list(_shape_problems(u))
        for fieldname, msg in problems:
            yield Issue(msg, format_path((*loc, fieldname))), (*loc, fieldname)
        if problems:
            continue
        name = _name(u)
        if name in seen:
            msg = f"a second uncertainty named {name!r}; give each an id"
            yield Issue(msg, format_path((*loc, "id"))), (*loc, "id")
        seen.add(name)
        if u.event is not None and u.event not in events:
            known = ", ".join(sorted(events)) or "none"
            msg = f"unknown event {u.event!r}; events: {known}"
            yield Issue(msg, format_path((*loc, "event"))), (*loc, "event")
            continue
        try:
            r = _resolve_one(scenario, full, u)
        except UncertainPathError as exc:
            yield Issue(str(exc), format_path((*loc, "path"))), (*loc, "path")
            continue
        for fieldname, msg in _range_problems(r):
            yield Issue(msg, format_path((*loc, fieldname))), (*loc, fieldname)


def resolve(scenario: Scenario) -> list[Resolved]:
    """The scenario's uncertainties as plain numbers (the scenario was validated on loading)."""
    full = _full_data(scenario)
    return [_resolve_one(scenario, full, u) for u in scenario.uncertainties]


def apply(
    scenario: Scenario,
    values: Mapping[str, float],
    happens: Mapping[str, bool] | None = None,
    uncertainties: Sequence[Resolved] | None = None,
) -> Scenario:
    """The scenario with the numbers drawn for its uncertainties (by name) put in place; events
    for which ``happens`` is false are switched off; no uncertainty is left. Raises
    ScenarioError if a value is out of its field's range (e.g. a negative count)."""
    resolved = {r.name: r for r in (uncertainties or resolve(scenario))}
    data = _full_data(scenario)
    for name, value in values.items():
        r = resolved[name]
        assert r.path is not None
        container, key = _locate(data, r.path)
        container[key] = round(value) if r.integer else float(value)
    data["uncertainties"] = []  # the sample is one concrete world
    for event_id, happen in (happens or {}).items():
        if not happen:
            for e in data["events"]:
                if e["id"] == event_id:
                    e["enabled"] = False
    try:
        return _validate(data, scenario)
    except ValidationError as exc:
        issues = [
            Issue(f"drawn value: {err['msg']}", format_path(tuple(err["loc"])), scenario.source)
            for err in exc.errors()
        ]
        raise ScenarioError(issues) from None
