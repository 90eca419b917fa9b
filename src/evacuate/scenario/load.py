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
from evacuate.files import atomic_write
from evacuate.scenario import limits
from evacuate.scenario.scenario import Scenario

__all__ = ["ROMULAN", "builtin_path", "dump", "dumps", "from_dict", "load", "loads"]

log = logging.getLogger(__name__)

ROMULAN = "romulan"
"""Name of the embedded Romulan Rescue Mission scenario."""

Loc = tuple[str | int, ...]


def builtin_path(name: str = ROMULAN) -> Path:
    """Path of an embedded scenario file (package data)."""
    ref = resources.files("evacuate.data").joinpath(f"{name}.yaml")
    return Path(str(ref))


class _Loader(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Safe YAML loading with the YAML 1.2 core schema (which JSON also follows).

    PyYAML implements YAML 1.1, whose implicit types misread ordinary text: ``12:30`` is the
    base-60 number 750, ``yes``/``no``/``on``/``off`` are booleans, ``0012`` is octal and
    ``2383-01-01T00:00+10:00`` is a date whose offset is then lost. Here plain scalars resolve
    as in YAML 1.2: null, true/false, decimal (``0o``/``0x``) integers and floats; everything
    else is text, which the schema then reads as a quantity, a date or an id. Nesting deeper
    than ``MAX_DEPTH`` is refused while composing.
    """

    def __init__(self) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > limits.MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _too_deep(),
                    self.peek_event().start_mark,  # type: ignore[attr-defined]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _too_deep() -> str:
    return (
        f"values nested more than {limits.MAX_DEPTH} levels deep "
        "(the limit; a scenario needs fewer than 10)"
    )


_CORE_SCHEMA = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (
        "tag:yaml.org,2002:int",
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        list("-+0123456789"),
    ),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
)
_Loader.yaml_implicit_resolvers = {}  # drop YAML 1.1's; add YAML 1.2's core schema
for _tag, _pattern, _first in _CORE_SCHEMA:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 16) if text.startswith("0x") else int(text)


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
# explicit !!timestamp tags are text too: the schema reads dates (and refuses offsets)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: str(loader.construct_scalar(node)),  # type: ignore[arg-type]
)


class _PyLoader(_Loader, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """Events from PyYAML's pure-Python scanner and parser."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Loader.__init__(self)


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _CLoader(_Loader, CParser):
        """Events from libyaml's C parser (the pure-Python scanner takes minutes on a file near
        the size limit); nodes are still composed by ``_Loader`` (before ``CParser`` in the
        method order), so the depth limit holds before any recursion and every node keeps its
        line."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Loader.__init__(self)

    _FAST: type[_Loader] = _CLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FAST = _PyLoader


def _join_surrogates(value: Any) -> Any:
    """JSON writes characters beyond U+FFFF as escaped surrogate pairs ("\\ud83d\\ude80"),
    which YAML decodes one by one; join such pairs back into the character."""
    if isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value):
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            return value  # a lone surrogate: left as written
    return value


class _TooLarge(Exception):
    """The file is past a size limit (``limits``); the message says which."""


class _Composer:
    """Turns YAML nodes into plain data while recording the line of every field path."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.lines: dict[Loc, int] = {}
        self.issues: list[Issue] = []
        self.nodes = 0

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > limits.MAX_NODES:
            raise _TooLarge(
                f"more than {limits.MAX_NODES:,} values once YAML aliases are expanded (the "
                "limit); an alias bomb? write repeated parts out or reference them by id"
            )
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            own = [pair for pair in node.value if pair[0].tag != "tag:yaml.org,2002:merge"]
            self.loader.flatten_mapping(node)
            # YAML merge keys ("<<: *base"): the mapping's own keys override merged ones, and
            # of the merged ones the first wins
            merged = node.value[: len(node.value) - len(own)]
            own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
            seen_merged: set[Any] = set()
            pairs = []
            for key_node, value_node in merged:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if name in own_keys or name in seen_merged:
                    continue
                seen_merged.add(name)
                pairs.append((key_node, value_node))
            out: dict[Any, Any] = {}
            for key_node, value_node in [*pairs, *own]:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.issues.append(
                        Issue(
                            "found a complex mapping key; expected a plain name",
                            format_path(loc),
                            line=key_node.start_mark.line + 1,
                        )
                    )
                    continue
                key = _join_surrogates(self.loader.construct_object(key_node, deep=True))
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
        return _join_surrogates(self.loader.construct_object(node, deep=True))


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values under ``node`` once aliases are expanded, counted on the composed graph (each
    distinct node once), so an alias bomb is refused before anything is expanded."""
    size = memo.get(id(node))
    if size is not None:
        return size
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    if size > limits.MAX_NODES:
        raise _TooLarge(
            f"more than {limits.MAX_NODES:,} values once YAML aliases are expanded (the "
            "limit); an alias bomb? write repeated parts out or reference them by id"
        )
    memo[id(node)] = size
    return size


class _Retry(Exception):
    """libyaml refused the text: parse it again with PyYAML for its exact message (and for
    JSON's escaped surrogate pairs, which only PyYAML decodes)."""


def _parse(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """YAML (or JSON) text -> plain data and a line map; raises ScenarioError on syntax."""
    if _FAST is not _PyLoader:
        try:
            return _parse_with(_FAST, text, source)
        except _Retry:
            pass
    return _parse_with(_PyLoader, text, source)


def _parse_with(kind: type[_Loader], text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    try:
        loader = kind(text)  # type: ignore[call-arg]
    except yaml.reader.ReaderError as exc:
        if kind is not _PyLoader:
            raise _Retry from None
        row = text.count("\n", 0, exc.position) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        message = (
            f"not valid YAML: character {char} is not allowed in a YAML file; write it as an "
            "escape in a double-quoted string"
        )
        raise ScenarioError([Issue(message, file=source, line=row)]) from None
    composer = _Composer(loader)
    try:
        node = loader.get_single_node()
        if node is not None:
            _expanded_size(node, {})
        data = None if node is None else composer.build(node, ())
    except _TooLarge as exc:
        raise ScenarioError([Issue(str(exc), file=source)]) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        if kind is not _PyLoader:
            raise _Retry from None
        raise ScenarioError([_syntax_issue(exc, source)]) from None
    finally:
        loader.dispose()  # type: ignore[attr-defined]
    if node is None:
        raise ScenarioError([Issue("the file is empty; expected a scenario mapping", file=source)])
    if composer.issues:
        raise ScenarioError([_with_file(i, source) for i in composer.issues])
    return data, composer.lines


def _syntax_issue(exc: Exception, source: str) -> Issue:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return Issue(f"not valid YAML: {what}", file=source, line=line)
    return Issue(f"not valid YAML: {exc}", file=source)


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
        return bool(str(tag)[:1].isupper())
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
            expected = _POSITION
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
    data, lines = _parse(text, source)
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
        with file.open("rb") as handle:
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
for _tag, _pattern, _first in _CORE_SCHEMA:
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
