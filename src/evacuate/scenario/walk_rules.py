"""Checks of the walkways (``travel.walkways``), people's own ways between places.

Rules on plain data like those of ``validate`` (they share its helpers and are listed in its
``RAW_RULES``): walkway ids are unique, both ends are declared places and differ, and a
walkway's departure window ends after it opens. Types and ranges (a time from zero, a rate
above zero) are the schema's.
"""

from __future__ import annotations

from collections.abc import Iterator

from evacuate.scenario.validate import Found, RawRule, _found, _Raw, _reference, unique_ids

__all__ = ["WALK_RULES"]

_SECTION = ("travel", "walkways")


def walkway_ids(raw: _Raw) -> Iterator[Found]:
    """Walkway ids are unique (plans name the walkway each walk takes)."""
    return unique_ids(raw, [(_SECTION, "walkway")])


def walkway_places(raw: _Raw) -> Iterator[Found]:
    """A walkway joins two different declared places."""
    places = raw.ids("places")
    for i, way in raw.items(*_SECTION):
        loc = (*_SECTION, i)
        for end in ("from", "to"):
            yield from _reference(way.get(end), places, "place", "the ids in places", (*loc, end))
        start = way.get("from")
        if isinstance(start, str) and start == way.get("to"):
            yield _found(
                f"found a walkway from '{start}' to itself; expected two different places",
                (*loc, "to"),
            )


def walkway_window(raw: _Raw) -> Iterator[Found]:
    """A walkway's departures end (``open_until``) after they begin (``open_from``)."""
    for i, way in raw.items(*_SECTION):
        first, last = raw.time(way.get("open_from")), raw.time(way.get("open_until"))
        if first is not None and last is not None and last <= first:
            yield _found(
                f"found open_until {raw.fmt(last)}, not after open_from {raw.fmt(first)}; "
                "expected open_until > open_from (omit open_until for a walkway open for good)",
                (*_SECTION, i, "open_until"),
            )


WALK_RULES: list[RawRule] = [walkway_ids, walkway_places, walkway_window]
