"""Reading YAML (and JSON) text into plain data with the line of every field path.

YAML 1.2's core schema (PyYAML implements YAML 1.1, whose implicit types misread ordinary text),
events from libyaml's C parser when PyYAML has it, nodes composed in Python so the depth limit
and the alias-expansion limit (``limits``) hold before anything is expanded. ``parse`` is the
entry point; ``load`` turns its data into a ``Scenario``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from evacuate.errors import Issue, ScenarioError, format_path
from evacuate.scenario import limits

__all__ = ["CORE_SCHEMA", "Loc", "parse"]

Loc = tuple[str | int, ...]


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


CORE_SCHEMA = (
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
for _tag, _pattern, _first in CORE_SCHEMA:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


MAX_DIGITS = 4300
"""Longest decimal whole number read (Python's own limit for ``int(text)``; past it the
reader said "use sys.set_int_max_str_digits()" without a line)."""


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    digits = len(text.lstrip("+-"))
    if digits > MAX_DIGITS and not text.startswith(("0x", "0o")):
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"found a number of {digits:,} digits; expected at most {MAX_DIGITS:,}",
            node.start_mark,
        )
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


def parse(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
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
