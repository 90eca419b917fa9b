"""Reports for decision makers: one self-contained HTML page and PNG figures comparing runs.

The report only draws: it reads ``ReportResults`` (plain, JSON-ready runs: label, scenario,
figures, bound, event log) and plans or simulates nothing. ``evacuate.runs`` produces them.

```python
import evacuate
from evacuate.report import ReportResults, build_report
from evacuate.runs import simulate_runs

results = simulate_runs(evacuate.load(), time_limit=10)   # every variant, hindsight bounds
files = build_report(results, "report")                   # report.html, *.png, results.json
build_report(ReportResults.load(files.results), "again")  # the same report, from the file
```

What each figure shows, and the results file: ``docs/report.md``.
"""

from evacuate.report.build import ReportFiles, build_report
from evacuate.report.results import ReportResults, ReportRun, ResultsError

__all__ = ["ReportFiles", "ReportResults", "ReportRun", "ResultsError", "build_report"]
