"""Reports for decision makers: one self-contained HTML page and PNG figures comparing runs.

```python
from evacuate.report import build_report, simulate_runs

runs = simulate_runs(evacuate.load(), time_limit=10)   # every variant, with hindsight bounds
files = build_report(runs, "report")                   # report/report.html and report/*.png
```

What each figure shows: ``docs/report.md``.
"""

from evacuate.report.build import ReportFiles, build_report, simulate_runs
from evacuate.report.data import ReportRun

__all__ = ["ReportFiles", "ReportRun", "build_report", "simulate_runs"]
