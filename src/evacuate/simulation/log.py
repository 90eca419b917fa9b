"""The simulation's event log: one record per thing that happened, in time order.

Every record has the same columns, so the log is a tidy table (JSONL or CSV):

| column | meaning |
|---|---|
| ``time`` | when, in the scenario's time unit from time zero |
| ``kind`` | what happened (below) |
| ``place`` | where it happened |
| ``other`` | the other end of a trip: a ``depart``'s destination, an ``arrive``'s origin |
| ``group`` | the plan's group id, for vehicle moves |
| ``class`` | the vehicle class |
| ``vehicles`` | how many vehicles |
| ``people`` | how many people |
| ``detail`` | free text: an event id, a cause, a replanning figure |

Kinds:

- ``appear``: people appear at ``place`` (population at time zero, then ``arrivals``).
- ``enter``: ``vehicles`` of ``class`` enter service at ``place`` (stock, production).
- ``depart``: a group leaves ``place`` for ``other`` with ``people`` on board; a loaded
  group starts loading at ``time`` (the people leave ``place`` then).
- ``arrive``: a group reaches ``place`` from ``other`` and delivers ``people`` (unloading done).
  People delivered to a haven are rescued. Walkers (``travel.walkways``) set out and arrive
  as ``depart`` and ``arrive`` records with the group ``walk:<walkway>:<k>`` and no vehicles.
- ``turned_away``: ``people`` could not be unloaded at a full ``place``; they stay there,
  waiting, not rescued.
- ``lost_people``: ``people`` lost at ``place`` (the hazard struck, or they were on board
  vehicles that were lost); ``detail`` says why.
- ``lost_vehicles``: ``vehicles`` of ``class`` lost at ``place``; ``detail`` says why
  (``hazard``, ``destroyed: <event>``, ``arrived after the deadline``).
- ``damaged``: ``vehicles`` of ``class`` at ``place`` put out of service by the event in
  ``detail`` (and the time they are back, repaired, at the same place).
- ``breakdown``: ``vehicles`` broke down on the trip that ended at ``place``; they leave
  service after delivering their people.
- ``withdrawn``: ``vehicles`` of a withdrawn operator leave service at ``place``.
- ``cancelled``: a planned trip that could not be made (``detail``: why).
- ``event``: a scenario event fired (``detail``: its id; ``people`` its reported casualties).
- ``replan``: the operation replanned from its state (``detail``: the new plan's figures).
"""

from __future__ import annotations

import csv
import io
import json
import typing
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from evacuate.files import atomic_write

__all__ = ["COLUMNS", "KINDS", "LogEvent", "read_log", "write_log"]

Kind = Literal[
    "appear",
    "enter",
    "depart",
    "arrive",
    "turned_away",
    "lost_people",
    "lost_vehicles",
    "damaged",
    "breakdown",
    "withdrawn",
    "cancelled",
    "event",
    "replan",
]
KINDS: tuple[str, ...] = typing.get_args(Kind)
COLUMNS = ("time", "kind", "place", "other", "group", "class", "vehicles", "people", "detail")


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One line of the event log (see the module docstring for the columns)."""

    time: float
    kind: str
    place: str = ""
    other: str = ""
    group: str = ""
    vehicle_class: str = ""
    vehicles: int = 0
    people: int = 0
    detail: str = ""

    def row(self) -> dict[str, object]:
        d = asdict(self)
        d["class"] = d.pop("vehicle_class")
        return {c: d[c] for c in COLUMNS}


def _fmt(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def dumps_log(events: Iterable[LogEvent], fmt: str = "jsonl") -> str:
    """The log as text: ``jsonl`` (one JSON object a line) or ``csv`` (with a header)."""
    if fmt == "jsonl":
        return "".join(json.dumps(e.row(), separators=(",", ":")) + "\n" for e in events)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for e in events:
            w.writerow(e.row())
        return buf.getvalue()
    raise ValueError(f"unknown log format {fmt!r}: expected jsonl or csv")


def write_log(events: Sequence[LogEvent], path: str | Path, fmt: str | None = None) -> None:
    """Write the log to ``path``; the format follows the suffix (``.csv``, else JSONL)."""
    p = Path(path)
    atomic_write(p, dumps_log(events, _fmt(p, fmt)))


def _event(d: dict[str, object]) -> LogEvent:
    def num(x: object) -> float:
        return float(x) if isinstance(x, int | float | str) and x != "" else 0.0

    return LogEvent(
        time=num(d.get("time", 0.0)),
        kind=str(d.get("kind", "")),
        place=str(d.get("place", "") or ""),
        other=str(d.get("other", "") or ""),
        group=str(d.get("group", "") or ""),
        vehicle_class=str(d.get("class", "") or ""),
        vehicles=int(num(d.get("vehicles", 0))),
        people=int(num(d.get("people", 0))),
        detail=str(d.get("detail", "") or ""),
    )


def read_log(path: str | Path, fmt: str | None = None) -> list[LogEvent]:
    """Read a log written by ``write_log``."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if _fmt(p, fmt) == "csv":
        return [_event(dict(r)) for r in csv.DictReader(io.StringIO(text))]
    return [_event(json.loads(line)) for line in text.splitlines() if line.strip()]
