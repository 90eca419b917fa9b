"""Read a scenario file (YAML or JSON) into a validated, immutable ``Scenario``.

The YAML is composed into nodes first so that every value keeps its line; pydantic checks
types and ranges, then ``validate`` checks references and geometry. All problems of a file are
reported together in one ``ScenarioError``; nothing is returned unless the file is valid.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evacuate import units
from evacuate.errors import Issue, ScenarioError, format_path
from evacuate.scenario.scenario import Scenario

__all__ = ["load", "loads", "from_dict", "dump", "dumps", "ROMULAN", "builtin_path"]

log = logging.getLogger(__name__)

ROMULAN = "romulan"
"""Name of the embedded Romulan Rescue Mission scenario."""

Loc = tuple[str | int, ...]


def builtin_path(name: str = ROMULAN) -> Path:
    """Path of an embedded scenario file (package data)."""
    ref = resources.files("evacuate.data").joinpath(f"{name}.yaml")
    return Path(str(ref))


class _Composer:
    """Turns YAML nodes into plain data while recording the line of every field path."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Loc, int] = {}
        self.issues: list[Issue] = []

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    self.issues.append(
                        Issue(
                            "found a complex mapping key; expected a plain name",
                            format_path(loc),
                            line=key_node.start_mark.line + 1,
                        )
                    )
                    continue
                if isinstance(key, bool) or not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key in out:
                    self.issues.append(
                        Issue(
                            f"duplicate key '{key}'",
                            format_path((*loc, key)),
                            line=key_node.start_mark.line + 1,
                        )
                    )
                    continue
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def _parse(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """YAML (or JSON) text -> plain data and a line map; raises ScenarioError on syntax."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Issue("the file is empty; expected a scenario mapping", file=source)])
        composer = _Composer(loader)
        data = composer.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError([Issue(f"not valid YAML: {what}", file=source, line=line)]) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise ScenarioError([Issue(f"not valid YAML: {exc}", file=source)]) from None
    finally:
        loader.dispose()
    if composer.issues:
        raise ScenarioError([_with_file(i, source) for i in composer.issues])
    return data, composer.lines


def _with_file(issue: Issue, source: str) -> Issue:
    return Issue(issue.message, issue.path, source, issue.line, issue.severity)


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest known prefix of ``loc`` (pydantic adds union tags we skip)."""
    best: int | None = lines.get(())
    prefix: Loc = ()
    for part in loc:
        if (*prefix, part) in lines:
            prefix = (*prefix, part)
            best = lines[prefix]
    return best


def _context(data: Mapping[str, Any]) -> dict[str, Any]:
    """Units needed to read quantities; bad values here are reported by pydantic itself."""
    meta = data.get("scenario") if isinstance(data.get("scenario"), Mapping) else {}
    mapspec = data.get("map") if isinstance(data.get("map"), Mapping) else {}
    time_unit = meta.get("time_unit", "hour")
    if time_unit not in ("minute", "hour", "day"):
        time_unit = "hour"
    map_unit = mapspec.get("unit", "km")
    if map_unit not in units.DISTANCE_UNITS:
        map_unit = "km"
    start_date = None
    if meta.get("start_date") is not None:
        try:
            start_date = units.parse_date(meta["start_date"])
        except units.UnitError:
            start_date = None
    return {"time_unit": time_unit, "map_unit": map_unit, "start_date": start_date}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_issues(exc: ValidationError, lines: Mapping[Loc, int], source: str) -> list[Issue]:
    issues = []
    seen: set[tuple[str, str]] = set()
    errors = exc.errors(include_url=False)
    error_locs = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in error_locs
        ):
            continue  # a list whose items failed is not also "too short"
        # drop discriminator tags and function-validator names pydantic adds to the path
        clean = tuple(
            p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        )
        msg = str(err["msg"])
        kind = err["type"]
        if kind == "missing":
            text = "missing; this field is required"
        elif kind == "extra_forbidden":
            text = "unknown field; check its spelling against docs/scenario-format.md"
        elif kind == "union_tag_not_found":
            text = "missing 'type'; expected one of the kinds listed in docs/scenario-format.md"
        elif kind == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag")
            expected = err.get("ctx", {}).get("expected_tags", "")
            text = f"found type {tag!r}; expected one of {expected}"
        else:
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            expected = msg[len("Input should be ") :] if msg.startswith("Input should be ") else msg
            text = f"found {_describe(err.get('input'))}; expected {expected}"
        path = format_path(clean)
        if (path, text) in seen:
            continue
        seen.add((path, text))
        issues.append(Issue(text, path, source, line_of(lines, clean)))
    return issues


def from_dict(
    data: Any, *, source: str = "<data>", lines: Mapping[Loc, int] | None = None
) -> Scenario:
    """Validate plain data (as read from YAML/JSON) into a Scenario, or raise ScenarioError."""
    from evacuate.scenario import validate

    lines = lines or {}
    if not isinstance(data, Mapping):
        raise ScenarioError(
            [Issue(f"found {type(data).__name__}; expected a mapping of sections", file=source, line=1)]
        )
    issues = [
        Issue(i.message, i.path, source, line_of(lines, i_loc), i.severity)
        for i, i_loc in validate.check_raw(data)
    ]
    try:
        scenario = Scenario.model_validate(dict(data), context=_context(data))
    except ValidationError as exc:
        raise ScenarioError(issues + _pydantic_issues(exc, lines, source)) from None
    issues += [
        Issue(i.message, i.path, source, line_of(lines, i_loc), i.severity)
        for i, i_loc in validate.check_model(scenario)
    ]
    errors = [i for i in issues if i.severity == "error"]
    for warning in (i for i in issues if i.severity == "warning"):
        log.warning("%s", warning)
    if errors:
        raise ScenarioError(issues)
    return scenario.model_copy(update={"source": source, "warnings": tuple(issues)})


def loads(text: str, *, source: str = "<string>") -> Scenario:
    """Parse YAML or JSON text."""
    data, lines = _parse(text, source)
    return from_dict(data, source=source, lines=lines)


def load(path: str | Path | None = None) -> Scenario:
    """Load a scenario file; with no path, the embedded Romulan Rescue Mission."""
    file = builtin_path() if path is None else Path(path)
    source = str(path) if path is not None else f"<builtin:{ROMULAN}>"
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError([Issue(f"cannot read the file: {exc.strerror or exc}", file=source)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Issue(f"not UTF-8 text (byte {exc.start})", file=source)]) from None
    if file.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError([Issue(f"not valid JSON: {exc.msg}", file=source, line=exc.lineno)]) from None
    return loads(text, source=source)


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as YAML or JSON text, in its own units; loading it gives an equal scenario."""
    data = scenario.to_data()
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def dump(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario to a file (.json gives JSON, anything else YAML), atomically."""
    target = Path(path)
    text = dumps(scenario, "json" if target.suffix.lower() == ".json" else "yaml")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
