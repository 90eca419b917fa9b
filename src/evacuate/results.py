"""What a result turns into: a JSON-ready dict, pandas tables, and times as calendar dates.

``PlanResult`` and ``SimResult`` share these methods. Times are floats in the scenario's time
unit after time zero; ``dates=True`` turns every *time* (a deadline, a departure, the last
rescue; never a duration such as a makespan) into an ISO date when the scenario has a calendar
(``scenario.start_date``). pandas is optional (``pip install 'evacuate[pandas]'``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evacuate.units import TIME_UNITS

if TYPE_CHECKING:
    import pandas

__all__ = ["TIME_KEYS", "ResultTables", "jsonable"]

TIME_KEYS = frozenset(
    {"time", "deadline", "last_pickup", "last_rescue", "depart", "arrive", "at", "available_from"}
)
"""Keys whose values are points in time (converted by ``dates=True``)."""


def to_date(start: dt.datetime | None, time_unit: str, t: float | None) -> dt.datetime | None:
    """The calendar date of scenario time ``t`` (None without a calendar or a time)."""
    if start is None or t is None or not math.isfinite(t):
        return None
    return start + dt.timedelta(seconds=t * TIME_UNITS[time_unit])


def jsonable(value: Any, *, date: Any = None) -> Any:
    """``value`` as JSON-ready data (dicts, lists, str, int, float, bool, None).

    ``date``: a function from a time to a date string, applied to the values of ``TIME_KEYS``.
    Whole floats that count things stay floats; callers give counts as ints.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if date is not None and k in TIME_KEYS and isinstance(v, int | float):
                out[str(k)] = date(v)
            else:
                out[str(k)] = jsonable(v, date=date)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, date=date) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return jsonable(item(), date=date)
    return str(value)


class ResultTables:
    """The methods results share; a subclass says its calendar and its tables."""

    def _calendar(self) -> tuple[dt.datetime | None, str]:
        raise NotImplementedError

    def _records(self) -> dict[str, Any]:
        """The fields of ``to_dict`` (before conversion)."""
        raise NotImplementedError

    def _tables(self) -> dict[str, list[dict[str, Any]]]:
        """Named tables, each a list of rows; the first is the default of ``to_dataframe``."""
        raise NotImplementedError

    def date(self, t: float | None) -> dt.datetime | None:
        """The calendar date of scenario time ``t`` (None when the scenario has no calendar)."""
        start, unit = self._calendar()
        return to_date(start, unit, t)

    def _date_text(self, t: float) -> str | float:
        when = self.date(t)
        if when is None:
            return t
        _, unit = self._calendar()
        return when.date().isoformat() if unit == "day" else when.isoformat(timespec="minutes")

    def to_dict(self, *, dates: bool = False) -> dict[str, Any]:
        """Everything in the result as JSON-ready data (``json.dumps`` takes it as it is).

        ``dates``: times as ISO dates (days: ``2385-04-05``; finer units: date and clock time)
        where the scenario has a calendar.
        """
        out: dict[str, Any] = jsonable(self._records(), date=self._date_text if dates else None)
        return out

    def to_dataframe(self, table: str | None = None, *, dates: bool = False) -> pandas.DataFrame:
        """One of the result's tables as a pandas DataFrame (``table`` names it; see
        ``tables``). ``dates``: time columns as datetimes where the scenario has a calendar."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'evacuate[pandas]'") from None
        tables = self._tables()
        name = table if table is not None else next(iter(tables))
        if name not in tables:
            raise ValueError(f"unknown table {name!r}; expected one of {', '.join(tables)}")
        rows = [jsonable(r) for r in tables[name]]
        frame = pd.DataFrame(rows)
        if dates and self.date(0.0) is not None:
            for col in frame.columns:
                if col in TIME_KEYS:
                    frame[col] = pd.to_datetime(
                        [None if v is None else self.date(float(v)) for v in frame[col]]
                    )
        return frame

    @property
    def tables(self) -> tuple[str, ...]:
        """The names ``to_dataframe`` takes."""
        return tuple(self._tables())
