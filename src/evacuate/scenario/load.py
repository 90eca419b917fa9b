"""Read a scenario file (YAML or JSON) into a validated, immutable ``Scenario``.

The YAML is composed into nodes first so that every value keeps its line; pydantic checks
types and ranges, then ``validate`` checks references and geometry. All problems of a file are
reported together in one ``ScenarioError``; nothing is returned unless the file is valid.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evacuate import units
from evacuate.errors import Issue, ScenarioError, format_path
from evacuate.files import atomic_write, open_to_read
from evacuate.scenario import limits, yaml12
from evacuate.scenario.scenario import Scenario
from evacuate.scenario.yaml12 import Loc

__all__ = ["ROMULAN", "builtin_path", "dump", "dumps", "from_dict", "load", "loads"]

log = logging.getLogger(__name__)

ROMULAN = "romulan"
"""Name of the embedded Romulan Rescue Mission scenario."""


def builtin_path(name: str = ROMULAN) -> Path:
    """Path of an embedded scenario file (package data)."""
    ref = resources.files("evacuate.data").joinpath(f"{name}.yaml")
    return Path(str(ref))


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
    meta_raw, map_raw = data.get("scenario"), data.get("map")
    meta: Mapping[str, Any] = meta_raw if isinstance(meta_raw, Mapping) else {}
    mapspec: Mapping[str, Any] = map_raw if isinstance(map_raw, Mapping) else {}
    time_unit = meta.get("time_unit", "hour")
    if not isinstance(time_unit, str) or time_unit not in ("minute", "hour", "day"):
        time_unit = "hour"
    map_unit = mapspec.get("unit", "km")
    if not isinstance(map_unit, str) or map_unit not in units.DISTANCE_UNITS:
        map_unit = "km"
    start_date = None
    if meta.get("start_date") is not None:
        try:
            start_date = units.parse_date(meta["start_date"]).replace(microsecond=0)
        except units.UnitError:
            start_date = None
    return {"time_unit": time_unit, "map_unit": map_unit, "start_date": start_date}


def _describe(value: Any) -> str:
    text = value.isoformat() if isinstance(value, (dt.date, dt.time)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_BOUNDS = {
    "greater_than": "a number above",
    "greater_than_equal": "at least",
    "less_than": "a number below",
    "less_than_equal": "at most",
}


def _number(value: Any) -> str:
    """A bound as people read it: 1,000,000,000 for integers, 1e-09 for small floats."""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
    return str(value)


_POSITION = "a position: [x, y], [x, y, z] or {lat: ..., lon: ...}"
_UNIONS = {"stands": "a whole number >= 0, or {class id: whole number >= 0}"}
"""What other unions expect, by field name."""


def _is_tag(part: str | int) -> bool:
    """A union member name pydantic puts in an error path (``LatLon``, ``tuple[...]``)."""
    return isinstance(part, str) and (
        "[" in part or part.startswith("function-") or part[:1].isupper()
    )


def _clean_loc(loc: Loc, data: Any) -> tuple[Loc, Loc | None, Any]:
    """The error path as written in the file, without union and discriminator tags; also the
    path of the union value (if a union member failed) and the value found there."""
    node, out, union_at, union_value = data, [], None, None
    for part in loc:
        in_map = isinstance(node, Mapping) and part in node
        in_list = (
            isinstance(node, (list, tuple)) and isinstance(part, int) and 0 <= part < len(node)
        )
        if in_map or in_list:
            out.append(part)
            node = node[part]
        elif _is_tag(part):
            if union_at is None:
                union_at, union_value = tuple(out), node
        elif isinstance(node, Mapping) and node.get("type") == part:
            pass  # the discriminator of an effect
        else:
            out.append(part)
            node = None
    return tuple(out), union_at, union_value


def _keep_union_error(err: Any, union_value: Any) -> bool:
    """Among a union's failed members, keep the errors of the member the value was meant as."""
    tag = next(p for p in err["loc"] if _is_tag(p))
    if isinstance(union_value, Mapping):
        return bool(str(tag)[:1].isupper()) or str(tag).startswith("dict[")
    if isinstance(union_value, (list, tuple)):
        length_error = err["type"] in ("too_long", "too_short") or (
            err["type"] == "missing" and isinstance(err["loc"][-1], int)
        )
        return "[" in str(tag) and not length_error
    return False


def _pydantic_issues(
    exc: ValidationError, data: Any, lines: Mapping[Loc, int], source: str
) -> list[Issue]:
    issues = []
    seen: set[tuple[str, str]] = set()
    errors = exc.errors(include_url=False)
    error_locs = [tuple(e["loc"]) for e in errors]
    cleaned = [_clean_loc(loc, data) for loc in error_locs]
    unions_explained = {
        union_at
        for err, (_, union_at, value) in zip(errors, cleaned, strict=True)
        if union_at is not None and _keep_union_error(err, value)
    }
    for err, loc, (clean, union_at, union_value) in zip(errors, error_locs, cleaned, strict=True):
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in error_locs
        ):
            continue  # a list whose items failed is not also "too short"
        msg = str(err["msg"])
        kind = err["type"]
        ctx = err.get("ctx", {})
        if union_at is not None and not _keep_union_error(err, union_value):
            if union_at in unions_explained:
                continue  # another member's errors say what is wrong
            clean = union_at  # the value fits no member: one message for the whole union
            expected = _UNIONS.get(str(clean[-1]) if clean else "", _POSITION)
            if isinstance(union_value, (list, tuple)):
                expected = "[x, y] or [x, y, z] (2 or 3 numbers)"
            text = f"found {_describe(union_value)}; expected {expected}"
        elif kind == "string_pattern_mismatch":
            text = (
                f"found {_describe(err.get('input'))}; expected an id: letters, digits, '_', '.' "
                "or '-', starting with a letter or '_'"
            )
        elif kind in ("too_short", "too_long"):
            size = ctx.get("min_length" if kind == "too_short" else "max_length")
            bound = "at least" if kind == "too_short" else "at most"
            text = f"found {_describe(err.get('input'))}; expected {bound} {size} item(s)"
        elif kind in ("string_too_short", "string_too_long"):
            size = ctx.get("min_length" if kind == "string_too_short" else "max_length")
            bound = "at least" if kind == "string_too_short" else "at most"
            text = f"found {_describe(err.get('input'))}; expected {bound} {size} character(s)"
        elif kind in _BOUNDS:
            limit = next(iter(ctx.values()), None)
            text = f"found {_describe(err.get('input'))}; expected {_BOUNDS[kind]} {_number(limit)}"
        elif kind == "missing":
            text = "missing; this field is required"
        elif kind == "extra_forbidden":
            text = "unknown field; check its spelling against docs/scenario-format.md"
        elif kind == "union_tag_not_found":
            text = "missing 'type'; expected one of the kinds listed in docs/scenario-format.md"
        elif kind == "union_tag_invalid":
            tag = ctx.get("tag")
            expected = ctx.get("expected_tags", "")
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
            [
                Issue(
                    f"found {type(data).__name__}; expected a mapping of sections",
                    file=source,
                    line=lines.get((), 1),
                )
            ]
        )
    issues = [
        Issue(i.message, i.path, source, line_of(lines, i_loc), i.severity)
        for i, i_loc in validate.check_raw(data)
    ]
    try:
        scenario = Scenario.model_validate(dict(data), context=_context(data))
    except ValidationError as exc:
        raise ScenarioError(issues + _pydantic_issues(exc, data, lines, source)) from None
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


def _too_big(source: str) -> ScenarioError:
    size = f"{limits.MAX_FILE_BYTES // (1024 * 1024)} MiB"
    return ScenarioError(
        [Issue(f"the file is larger than {size} (the limit for a scenario)", file=source)]
    )


def loads(text: str, *, source: str = "<string>") -> Scenario:
    """Parse YAML or JSON text."""
    if not isinstance(text, str):
        hint = " (decode bytes first: text.decode('utf-8'))" if isinstance(text, bytes) else ""
        raise TypeError(f"loads() takes YAML or JSON text, not {type(text).__name__}{hint}")
    if len(text) > limits.MAX_FILE_BYTES:
        raise _too_big(source)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from JSON's "\ud800"
        line = text.count("\n", 0, exc.start) + 1
        found = f"U+{ord(text[exc.start]):04X}"
        issue = Issue(f"not UTF-8 text: a lone surrogate {found}", file=source, line=line)
        raise ScenarioError([issue]) from None
    data, lines = yaml12.parse(text, source)
    return from_dict(data, source=source, lines=lines)


def load(path: str | Path | None = None) -> Scenario:
    """Load a scenario file; with no path, the embedded Romulan Rescue Mission."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"load() takes a file path, not {type(path).__name__}; use "
            "evacuate.scenario.from_dict(data) for a mapping or loads(text) for YAML/JSON text"
        )
    if path is not None and not str(path):
        raise ValueError("load() got an empty path; give the scenario file's path")
    file = builtin_path() if path is None else Path(path)
    source = str(path) if path is not None else f"<builtin:{ROMULAN}>"
    try:
        with open_to_read(file) as handle:  # a FIFO nobody writes to reads as empty
            raw = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(
            [Issue(f"cannot read the file: {exc.strerror or exc}", file=source)]
        ) from None
    if len(raw) > limits.MAX_FILE_BYTES:
        raise _too_big(source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Issue(f"not UTF-8 text (byte {exc.start})", file=source)]) from None
    if file.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                [Issue(f"not valid JSON: {exc.msg}", file=source, line=exc.lineno)]
            ) from None
        except RecursionError:
            message = f"not valid JSON: nested more than {limits.MAX_DEPTH} levels deep (the limit)"
            raise ScenarioError([Issue(message, file=source)]) from None
        except ValueError:
            pass  # a number past Python's 4,300 digits: the YAML reader below says where
    return loads(text, source=source)


class _Dumper(yaml.SafeDumper):
    """Safe YAML output that writes text holding U+0085 double-quoted: PyYAML's single-quoted
    style writes that character raw, and it reads back as a line break."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
# so that text such as "1e5" is quoted, as _Loader would read it as a number
# so that text our loader would read as a number, a boolean or null is quoted
for _tag, _pattern, _first in yaml12.CORE_SCHEMA:
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as YAML or JSON text, in its own units; loading it gives an equal scenario."""
    if fmt not in ("yaml", "json"):
        raise ValueError(f"dumps() writes 'yaml' or 'json', not {fmt!r}")
    data = scenario.to_data()
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def dump(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario to a file (.json gives JSON, anything else YAML), atomically."""
    target = Path(path)
    text = dumps(scenario, "json" if target.suffix.lower() == ".json" else "yaml")
    atomic_write(target, text)
