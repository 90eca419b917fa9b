"""Optional sections: drawn when their results are present, so other analyses extend the report
without touching its core.

A section is registered under the name of its entry in ``ReportResults.extras`` (plain,
JSON-ready data that the analysis stored); ``build_report`` calls the builder with that data and
the runs, after the fleet section and before the per-place tables, in registration order. An
entry with no registered builder is kept in ``results.json`` and not drawn. Planned: ``sabotage``
(damage-budget curve, ranked attacks, targets on the map) and ``sweep`` (fan chart, histogram,
PRIM boxes); see ``docs/report.md``.

```python
from evacuate.report import sections
from evacuate.report.page import Section

@sections.register("sweep")
def sweep_section(data, runs):
    return Section("sweep", "Sweep", "What varied and what it did.", figures=(fan_chart(data),))
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from evacuate.report.data import RunSeries
from evacuate.report.page import Section

__all__ = ["Builder", "drawn", "register", "registered"]

Builder = Callable[[Any, list[RunSeries]], Section]
"""``(data, runs) -> Section``: ``data`` is the section's entry in ``ReportResults.extras``."""

_BUILDERS: dict[str, Builder] = {}


def register(name: str) -> Callable[[Builder], Builder]:
    """Register ``builder`` for ``extras[name]`` (a later registration replaces an earlier one)."""

    def add(builder: Builder) -> Builder:
        _BUILDERS[name] = builder
        return builder

    return add


def registered() -> tuple[str, ...]:
    return tuple(_BUILDERS)


def drawn(extras: Mapping[str, Any], runs: list[RunSeries]) -> list[Section]:
    """The sections whose results are present, in registration order."""
    return [build(extras[name], runs) for name, build in _BUILDERS.items() if name in extras]
