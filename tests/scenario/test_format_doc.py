"""Every YAML example of the format's documentation validates, as the loader and the JSON
Schema read it (docs/scenario-format.md, docs/sabotage.md).

Convention for those pages (keep to it when you add an example):

- A fenced ``yaml`` block is a **whole scenario file**: it must load without errors.
- An HTML comment on the line right before the block, ``<!-- example: part of PATH -->``,
  makes it a **part** of the scenario file ``PATH`` (relative to the repository): the part is
  merged into that file and the result must load. ``PATH`` is a real example
  (``examples/...``, the embedded Romulan file) or a small host in ``tests/data/docs/`` that
  declares only what the part names without defining it.

Merging: the entries of ``places``, ``events``, ``fleet.classes``, ``fleet.stock``,
``fleet.shipyards``, ``travel.lanes`` and ``travel.walkways`` are matched by ``id`` (the part's
entry replaces the host's, a new one is added); ``scenario``, ``fleet``, ``travel`` and
``variants`` are merged key by key; any other section of the part replaces the host's.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evacuate import ScenarioError
from evacuate.scenario import from_dict
from evacuate.scenario.schema import json_schema
from evacuate.scenario.yaml12 import parse

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "docs" / "scenario-format.md", ROOT / "docs" / "sabotage.md"]
FENCE = re.compile(r"^```(\w*)\s*$")
PART = re.compile(r"^<!--\s*example:\s*part of\s+(\S+)\s*-->\s*$")
BY_ID = {
    ("places",),
    ("events",),
    ("fleet", "classes"),
    ("fleet", "stock"),
    ("fleet", "shipyards"),
    ("travel", "lanes"),
    ("travel", "walkways"),
}
KEY_BY_KEY = {("scenario",), ("fleet",), ("travel",), ("variants",)}
_SCHEMA = jsonschema.Draft202012Validator(json_schema())


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    """1-based line of the opening fence."""
    text: str
    host: str | None

    @property
    def id(self) -> str:
        return f"{self.page.stem}@{self.line}"


def examples(page: Path) -> list[Example]:
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Example] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if m.group(1) == "yaml":
            part = PART.match(lines[i - 1]) if i else None
            text = "\n".join(lines[i + 1 : j])
            out.append(Example(page, i + 1, text, part.group(1) if part else None))
        i = j + 1
    return out


EXAMPLES = [e for page in PAGES for e in examples(page)]


def merge(host: Any, part: Any, at: tuple[str, ...] = ()) -> Any:
    """The host's data with the part merged in (see the module's docstring)."""
    if at in BY_ID:
        out = list(host)
        index = {e.get("id"): k for k, e in enumerate(out) if isinstance(e, dict)}
        for entry in part:
            key = entry.get("id") if isinstance(entry, dict) else None
            if key is not None and key in index:
                out[index[key]] = entry
            else:
                out.append(entry)
        return out
    if (at in KEY_BY_KEY or not at) and isinstance(host, dict) and isinstance(part, dict):
        merged = dict(host)
        for key, value in part.items():
            merged[key] = merge(host[key], value, (*at, key)) if key in host else value
        return merged
    return part


def _read(path: Path) -> Any:
    data, _ = parse(path.read_text(encoding="utf-8"), str(path))
    return data


def _as_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, dt.date | dt.datetime):
        return node.isoformat()
    return node


def test_the_pages_have_their_examples() -> None:
    """The test finds the examples (the format page has one per section and feature)."""
    assert len([e for e in EXAMPLES if e.page.name == "scenario-format.md"]) >= 12
    assert any(e.host is None for e in EXAMPLES)
    for e in EXAMPLES:
        assert e.host is None or (ROOT / e.host).is_file(), (e.id, e.host)


@pytest.mark.parametrize("host", sorted({e.host for e in EXAMPLES if e.host}))
def test_each_host_is_valid_on_its_own(host: str) -> None:
    """A host file is itself a valid scenario, so an error is the example's, not its host's."""
    from_dict(copy.deepcopy(_read(ROOT / host)), source=host)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_example_validates(example: Example) -> None:
    """The example (merged into its host, if it is a part) loads without errors and is valid
    against the JSON Schema."""
    part, _ = parse(example.text, example.id)
    assert isinstance(part, dict) and part, example.id
    data = part if example.host is None else merge(_read(ROOT / example.host), part)
    try:
        from_dict(copy.deepcopy(data), source=example.id)
    except ScenarioError as err:
        pytest.fail(f"{example.id} (in {example.host or 'itself'}):\n{err}")
    errors = [f"{list(e.path)}: {e.message}" for e in _SCHEMA.iter_errors(_as_json(data))]
    assert not errors, (example.id, errors[:5])


def test_a_broken_part_is_refused() -> None:
    """The merge keeps the part's errors: a place of the part that names an unknown class in
    its stands, merged into its host, is refused."""
    part = {"places": [{"id": "roof", "position": [0, 0], "stands": {"glider": 2}}]}
    with pytest.raises(ScenarioError, match="glider"):
        from_dict(merge(_read(ROOT / "tests/data/docs/valley.yaml"), part))
