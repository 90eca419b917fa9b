"""Checks of the ``observed:`` section on plain data, listed in ``validate.RAW_RULES``.

Each point gives exactly one of ``rescued`` and ``total``; points are in time order, between
time zero and the horizon; running totals never go down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from evacuate.scenario.validate import _SEQ, Found, Loc, RawRule, _found, _Raw

__all__ = ["OBSERVED_RULES"]


def _points(raw: _Raw) -> Iterator[tuple[Loc, Mapping[str, object]]]:
    points = raw.get("observed", "points")
    for k, point in enumerate(points if isinstance(points, _SEQ) else []):
        if isinstance(point, Mapping):
            yield ("observed", "points", k), point


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def observed_one_count(raw: _Raw) -> Iterator[Found]:
    """Each observed point gives either ``rescued`` (since the last point) or ``total``."""
    for loc, point in _points(raw):
        has = [key for key in ("rescued", "total") if point.get(key) is not None]
        if len(has) == 2:
            yield _found(
                "found both rescued and total; expected one of them (rescued: people since the "
                "previous point; total: people so far)",
                (*loc, "total"),
            )
        elif not has:
            yield _found(
                "found no count; expected rescued (people since the previous point) or total "
                "(people so far)",
                loc,
            )


def observed_in_order(raw: _Raw) -> Iterator[Found]:
    """Observed points are in time order, from time zero to the horizon."""
    end = raw.time(raw.get("scenario", "end"))
    last: float | None = None
    for loc, point in _points(raw):
        at = raw.time(point.get("at"))
        if at is None:
            continue
        if at < 0 or (end is not None and at > end):
            horizon = f"scenario.end ({raw.fmt(end)})" if end is not None else "scenario.end"
            yield _found(
                f"found an observation at {raw.fmt(at)}; expected a time between 0 and {horizon}",
                (*loc, "at"),
            )
        elif last is not None and at <= last:
            yield _found(
                f"found an observation at {raw.fmt(at)}, not after the previous one "
                f"({raw.fmt(last)}); expected points in time order",
                (*loc, "at"),
            )
        last = at


def observed_totals_grow(raw: _Raw) -> Iterator[Found]:
    """A running total is never below the count before it (people rescued stay rescued)."""
    so_far: int | None = 0
    for loc, point in _points(raw):
        total, rescued = _count(point.get("total")), _count(point.get("rescued"))
        if total is not None and rescued is None:
            if so_far is not None and total < so_far:
                yield _found(
                    f"found total {total:,}, below the {so_far:,} counted by the previous "
                    "points; expected a running total that never goes down",
                    (*loc, "total"),
                )
            so_far = total
        elif rescued is not None and total is None and so_far is not None:
            so_far += rescued
        else:
            so_far = None  # unreadable: the other rules or pydantic say why


OBSERVED_RULES: list[RawRule] = [observed_one_count, observed_in_order, observed_totals_grow]
