"""Checks of parking stands (``places[].stands``).

Rules on plain data like those of ``validate`` (they share its helpers and are listed in its
``RAW_RULES``): a per-class ``stands`` names declared classes; the stock a place starts with
fits its stands (vehicles that enter are never refused, so too many would block it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from evacuate.scenario.validate import Found, RawRule, _found, _Raw, _reference

__all__ = ["STAND_RULES"]


def stands_classes(raw: _Raw) -> Iterator[Found]:
    """A per-class ``stands`` names classes declared in fleet.classes."""
    classes = raw.ids("fleet", "classes")
    for i, place in raw.items("places"):
        stands = place.get("stands")
        if isinstance(stands, Mapping):
            for name in stands:
                yield from _reference(
                    name, classes, "class", "the ids in fleet.classes", ("places", i, "stands")
                )


def stock_fits_stands(raw: _Raw) -> Iterator[Found]:
    """The stock entries at a place with stands, per stand pool, are at most its stands."""
    stands: dict[str, object] = {}
    for _, item in raw.items("places"):
        if isinstance(item.get("id"), str) and item.get("stands") is not None:
            stands[item["id"]] = item["stands"]
    if not stands:
        return
    total: dict[tuple[str, str], int] = defaultdict(int)
    last: dict[tuple[str, str], int] = {}
    for k, entry in raw.items("fleet", "stock"):
        place, cls, count = entry.get("place"), entry.get("class"), entry.get("count")
        have = stands.get(place) if isinstance(place, str) else None
        if have is None or not isinstance(cls, str) or type(count) is not int:
            continue
        if type(have) is int:
            pool = "*"
        elif isinstance(have, Mapping) and cls in have:
            pool = cls
        else:
            continue
        assert isinstance(place, str)
        total[(place, pool)] += count
        last[(place, pool)] = k
    for (place, pool), n in sorted(total.items()):
        have = stands[place]
        limit = have if type(have) is int else have[pool]  # type: ignore[index]
        if type(limit) is int and n > limit:
            what = "vehicles" if pool == "*" else f"{pool} vehicles"
            yield _found(
                f"found {n:,} {what} in stock at {place}, which has {limit:,} stand(s); expected "
                "at most as many as its stands (vehicles that enter are never refused, so the "
                "place would stay full: park the rest elsewhere)",
                ("fleet", "stock", last[(place, pool)], "count"),
            )


STAND_RULES: list[RawRule] = [stands_classes, stock_fits_stands]
