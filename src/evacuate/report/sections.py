"""Optional sections: drawn when their results are present, so other analyses extend the report
without touching its core.

A section is registered under the name of its entry in ``ReportResults.extras`` (plain,
JSON-ready data that the analysis stored); ``build_report`` calls the builder with that data and
the runs, after the fleet section and before the per-place tables, in registration order; a
builder gives one section or several. An entry with no registered builder is kept in
``results.json`` and not drawn. Known entries register on first use: ``sabotage``
(``evacuate.report.sabotage``: damage-budget curve, ranked attacks, targets on the map,
defences) and ``sweep`` (``evacuate.report.sweep``: fan chart, histogram, drivers and PRIM
boxes); see ``docs/report.md``.

```python
from evacuate.report import sections
from evacuate.report.page import Section

@sections.register("sweep")
def sweep_section(data, runs):
    return Section("sweep", "Sweep", "What varied and what it did.", figures=(fan_chart(data),))
```
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evacuate.report.data import RunSeries
from evacuate.report.page import Section

__all__ = ["Builder", "drawn", "register", "registered"]

Builder = Callable[[Any, list[RunSeries]], Section | Sequence[Section]]
"""``(data, runs) -> Section`` (or several): ``data`` is the section's entry in
``ReportResults.extras``."""

_BUILDERS: dict[str, Builder] = {}
_KNOWN = {"sabotage": "evacuate.report.sabotage", "sweep": "evacuate.report.sweep"}
"""Modules that register the sections of this package, imported when their entry is present."""
_ORDER = ("observed", "sabotage", "sweep")
"""The package's own sections come in this order, whatever order their modules were imported
in (so the same results give the same page); others follow in registration order."""


def register(name: str) -> Callable[[Builder], Builder]:
    """Register ``builder`` for ``extras[name]`` (a later registration replaces an earlier one)."""

    def add(builder: Builder) -> Builder:
        _BUILDERS[name] = builder
        return builder

    return add


def registered() -> tuple[str, ...]:
    return tuple(_BUILDERS)


def drawn(extras: Mapping[str, Any], runs: list[RunSeries]) -> list[Section]:
    """The sections whose results are present: the package's own first (``_ORDER``), then
    the others in registration order."""
    for name in extras:
        if name not in _BUILDERS and name in _KNOWN:
            importlib.import_module(_KNOWN[name])
    out: list[Section] = []
    rank = {name: k for k, name in enumerate(_ORDER)}
    for name in sorted(_BUILDERS, key=lambda n: rank.get(n, len(rank))):
        if name in extras:
            drawn = _BUILDERS[name](extras[name], runs)
            out.extend([drawn] if isinstance(drawn, Section) else drawn)
    return out
