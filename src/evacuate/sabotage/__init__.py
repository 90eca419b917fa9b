"""Sabotage analysis: which attack hurts an evacuation most, when, and what defends it.

```python
import evacuate

result = evacuate.sabotage(evacuate.load().variant("no_sabotage"), budget=2)
print(result.summary())
```

This package is callable: ``evacuate.sabotage(...)`` is ``evacuate.sabotage.sabotage(...)``.

The model, what is certified and how the search works: ``docs/sabotage.md``.
"""

import sys
import types
from typing import Any

from evacuate.sabotage.api import Defence, SabotageResult, load_sabotage, sabotage
from evacuate.sabotage.menu import Strike, attack_menu, default_menu
from evacuate.sabotage.search import Attack, BudgetRow

__all__ = [
    "Attack",
    "BudgetRow",
    "Defence",
    "SabotageResult",
    "Strike",
    "attack_menu",
    "default_menu",
    "load_sabotage",
    "sabotage",
]


class _CallableModule(types.ModuleType):
    """``evacuate.sabotage(...)`` runs the analysis; the package's names stay reachable."""

    def __call__(self, *args: Any, **kwargs: Any) -> SabotageResult:
        return sabotage(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
