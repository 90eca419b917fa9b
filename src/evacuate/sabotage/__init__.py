"""Sabotage analysis: which attack hurts an evacuation most, when, and what defends it.

```python
import evacuate
from evacuate.sabotage import sabotage

result = sabotage(evacuate.load().variant("no_sabotage"), budget=2)
print(result.summary())
```

The model, what is certified and how the search works: ``docs/sabotage.md``.
"""

from evacuate.sabotage.api import Defence, SabotageResult, sabotage
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
    "sabotage",
]
