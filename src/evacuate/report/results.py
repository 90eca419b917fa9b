"""What a report is drawn from: runs as plain, JSON-ready records, so a report can be drawn
from stored results alone (a file, the run store, the server) without planning or simulating.

A ``ReportRun`` holds one run's label, the scenario it ran on (variant applied), its headline
figures, the bound to compare against and its event log; ``ReportResults`` holds the runs
compared on one page, plus optional sections other analyses add (``extras``). The layout of
the data is documented in ``docs/report.md`` ("The results file").
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evacuate.errors import EvacuateError, Issue, ScenarioError
from evacuate.files import atomic_write, read_at_most
from evacuate.scenario.load import from_dict
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.log import COLUMNS, LogEvent
from evacuate.simulation.result import SimResult

MAX_RESULTS_BYTES = 256 * 2**20
"""Largest results file read (a report's results.json holds every event of every run)."""

__all__ = ["FORMAT", "ReportResults", "ReportRun", "ResultsError"]

FORMAT = "evacuate-report-results"
VERSION = 1


class ResultsError(EvacuateError, ValueError):
    """A results file cannot be read; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(
            f"{len(issues)} error(s) in report results\n" + "\n".join(str(i) for i in issues)
        )


@dataclass(frozen=True)
class ReportRun:
    """One run to show, under a label (usually the variant's name), as stored.

    Build one from a simulation with ``ReportRun.from_sim``; ``to_data``/``from_data`` turn it
    into plain JSON-ready data and back.
    """

    label: str
    scenario: Scenario
    """The scenario as run (variant applied)."""
    events: tuple[LogEvent, ...]
    """The simulation's event log (``evacuate.simulation.log``)."""
    population: int
    rescued: int
    lost_people: int
    waiting_at_end: int
    vehicles_lost: int
    last_rescue: float | None
    policy: str = "replan"
    seed: int = 0
    bound: float | None = None
    """The certified upper bound to compare against (e.g. the planner with hindsight), or None."""

    @classmethod
    def from_sim(cls, label: str, result: SimResult, bound: float | None = None) -> ReportRun:
        """The record of a simulated run."""
        return cls(
            label=label,
            scenario=result.scenario,
            events=tuple(result.events),
            population=result.population,
            rescued=result.rescued,
            lost_people=result.lost_people,
            waiting_at_end=result.waiting_at_end,
            vehicles_lost=result.vehicles_lost,
            last_rescue=result.last_rescue,
            policy=result.policy,
            seed=result.seed,
            bound=bound,
        )

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data; the log as a table (``columns``, then one row per record)."""
        return {
            "label": self.label,
            "policy": self.policy,
            "seed": self.seed,
            "population": self.population,
            "rescued": self.rescued,
            "lost_people": self.lost_people,
            "waiting_at_end": self.waiting_at_end,
            "vehicles_lost": self.vehicles_lost,
            "last_rescue": _num(self.last_rescue),
            "bound": _num(self.bound),
            "scenario": self.scenario.to_data(),
            "log": {
                "columns": list(COLUMNS),
                "rows": [[_num(v) for v in e.row().values()] for e in self.events],
            },
        }

    @classmethod
    def from_data(cls, data: Any, *, source: str = "<data>", path: str = "") -> ReportRun:
        """Read ``to_data``'s output back; raises ``ResultsError`` naming every bad field."""
        return _Reader(source).run(data, path)


@dataclass(frozen=True)
class ReportResults:
    """The runs one report compares, in order, and optional sections added by other analyses.

    ``extras`` maps a section name (``sabotage``, ``sweep``) to its plain data; the report draws
    a section for each name it knows (see ``evacuate.report.sections``) and ignores the rest.
    """

    runs: tuple[ReportRun, ...]
    title: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "runs": [r.to_data() for r in self.runs],
            "extras": dict(self.extras),
        }

    def dumps(self) -> str:
        """Compact JSON text (same results, same bytes)."""
        return json.dumps(self.to_data(), separators=(",", ":"), ensure_ascii=False) + "\n"

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        atomic_write(p, self.dumps())
        return p

    @classmethod
    def from_data(cls, data: Any, *, source: str = "<data>") -> ReportResults:
        """Read ``to_data``'s output back; raises ``ResultsError`` listing every problem."""
        return _Reader(source).results(data)

    @classmethod
    def load(cls, path: str | Path) -> ReportResults:
        """Read a results file written by ``save`` (or by ``evacuate report``)."""
        p = Path(path)
        try:
            raw = read_at_most(p, MAX_RESULTS_BYTES)
            if raw is None:
                size = f"{MAX_RESULTS_BYTES // 2**20} MiB"
                raise ResultsError([Issue(f"the file is larger than {size}", file=str(p))])
            data = json.loads(raw.decode("utf-8"))
        except ResultsError:
            raise  # the size limit above (a ValueError too)
        except FileNotFoundError:
            raise ResultsError([Issue("file not found", file=str(p))]) from None
        except (UnicodeDecodeError, IsADirectoryError) as exc:
            raise ResultsError([Issue(f"not a JSON text file ({exc})", file=str(p))]) from None
        except json.JSONDecodeError as exc:
            issue = Issue(f"not JSON: {exc.msg}", file=str(p), line=exc.lineno)
            raise ResultsError([issue]) from None
        except RecursionError:  # [[[[...: was an internal error
            issue = Issue("not JSON a report wrote: nested too deep", file=str(p), line=1)
            raise ResultsError([issue]) from None
        except ValueError:  # a number of more than 4,300 digits: was an internal error
            issue = Issue(
                "not JSON a report wrote: a number of more than 4,300 digits", file=str(p)
            )
            raise ResultsError([issue]) from None
        return cls.from_data(data, source=str(p))


def _num(v: object) -> object:
    """Whole floats as ints (smaller files, same values)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


class _Reader:
    """Collects every problem of a results document before raising."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def bad(self, path: str, message: str) -> None:
        self.issues.append(Issue(message, path, self.source))

    def raise_if_bad(self) -> None:
        if self.issues:
            raise ResultsError(self.issues)

    def results(self, data: Any) -> ReportResults:
        if not isinstance(data, Mapping):
            self.bad("", f"found {type(data).__name__}; expected a mapping")
            self.raise_if_bad()
        if data.get("format") != FORMAT:
            self.bad("format", f"found {data.get('format')!r}; expected {FORMAT!r}")
        if data.get("version") != VERSION:
            self.bad("version", f"found {data.get('version')!r}; expected {VERSION}")
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            self.bad("title", "expected text or null")
        extras = data.get("extras", {})
        if not isinstance(extras, Mapping):
            self.bad("extras", "expected a mapping of section name to data")
            extras = {}
        raw_runs = data.get("runs")
        runs: list[ReportRun] = []
        if not isinstance(raw_runs, Sequence) or isinstance(raw_runs, str) or not raw_runs:
            self.bad("runs", "expected a non-empty list of runs")
        else:
            for i, raw in enumerate(raw_runs):
                run = self._run(raw, f"runs[{i}]")
                if run is not None:
                    runs.append(run)
        self.raise_if_bad()
        return ReportResults(tuple(runs), title if isinstance(title, str) else None, extras)

    def run(self, data: Any, path: str) -> ReportRun:
        run = self._run(data, path)
        self.raise_if_bad()
        assert run is not None
        return run

    def _int(self, data: Mapping[str, Any], key: str, path: str) -> int:
        v = data.get(key)
        if isinstance(v, bool) or not isinstance(v, int):
            self.bad(f"{path}.{key}", f"found {v!r}; expected a whole number")
            return 0
        return v

    def _float(self, data: Mapping[str, Any], key: str, path: str) -> float | None:
        v = data.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.bad(f"{path}.{key}", f"found {v!r}; expected a number or null")
            return None
        return float(v)

    def _str(self, data: Mapping[str, Any], key: str, path: str, default: str | None) -> str:
        v = data.get(key, default)
        if not isinstance(v, str):
            self.bad(f"{path}.{key}", f"found {v!r}; expected text")
            return ""
        return v

    def _run(self, data: Any, path: str) -> ReportRun | None:
        if not isinstance(data, Mapping):
            self.bad(path, f"found {type(data).__name__}; expected a mapping")
            return None
        label = self._str(data, "label", path, None)
        figures = {
            k: self._int(data, k, path)
            for k in ("population", "rescued", "lost_people", "waiting_at_end", "vehicles_lost")
        }
        seed = self._int(data, "seed", path) if "seed" in data else 0
        policy = self._str(data, "policy", path, "replan")
        scenario: Scenario | None = None
        try:
            scenario = from_dict(data.get("scenario"), source=f"{self.source} {path}.scenario")
        except ScenarioError as exc:
            self.issues += [
                Issue(i.message, f"{path}.scenario.{i.path}".rstrip("."), self.source)
                for i in exc.issues
                if i.severity == "error"
            ]
        events = self._log(data.get("log"), f"{path}.log")
        last_rescue = self._float(data, "last_rescue", path)
        bound = self._float(data, "bound", path)
        if scenario is None:
            return None
        return ReportRun(
            label=label,
            scenario=scenario,
            events=events,
            last_rescue=last_rescue,
            bound=bound,
            policy=policy,
            seed=seed,
            **figures,
        )

    def _log(self, data: Any, path: str) -> tuple[LogEvent, ...]:
        if not isinstance(data, Mapping) or list(data.get("columns", ())) != list(COLUMNS):
            self.bad(f"{path}.columns", f"expected the columns {list(COLUMNS)}")
            return ()
        rows = data.get("rows")
        if not isinstance(rows, list):
            self.bad(f"{path}.rows", "expected a list of rows")
            return ()
        events = []
        for i, row in enumerate(rows):
            try:
                t, kind, place, other, group, cls, vehicles, people, detail = row
                if not all(isinstance(x, str) for x in (kind, place, other, group, cls, detail)):
                    raise TypeError
                if not all(isinstance(x, int) for x in (vehicles, people)):
                    raise TypeError
                events.append(
                    LogEvent(float(t), kind, place, other, group, cls, vehicles, people, detail)
                )
            except (TypeError, ValueError):
                self.bad(
                    f"{path}.rows[{i}]",
                    f"found {row!r}; expected [time, kind, place, other, group, class, "
                    "vehicles, people, detail]",
                )
                if len(self.issues) > 50:
                    break
        return tuple(events)
