"""Checks of the ``attacks`` and ``defences`` sections (references, windows, unique ids).

Rules on plain data like those of ``validate`` (they share its helpers and are listed in its
``RAW_RULES``): every place, shipyard, lane, class, operator and stock id an option or a
measure names is declared; an option's window ends after it starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from evacuate.scenario.validate import (
    _EFFECT_REFS,
    _SEQ,
    Found,
    Loc,
    RawRule,
    _found,
    _Raw,
    _reference,
    unique_ids,
)

__all__ = ["MENU_RULES"]

_MENUS = ((("attacks", "options"), "attack option"), (("defences", "measures"), "defence measure"))


def menu_duplicate_ids(raw: _Raw) -> Iterator[Found]:
    """Option and measure ids are unique within their menu."""
    return unique_ids(raw, _MENUS)


def menu_references(raw: _Raw) -> Iterator[Found]:
    """Every name an attack effect or a defence measure uses is declared."""
    places = raw.ids("places")
    known = {
        "place": (places, "the ids in places"),
        "to": (places, "the ids in places"),
        "at": (places, "the ids in places"),
        "between": (places, "the ids in places"),
        "classes": (raw.ids("fleet", "classes"), "the ids in fleet.classes"),
        "shipyard": (raw.ids("fleet", "shipyards", optional=True), "the ids in fleet.shipyards"),
        "lane": (raw.ids("travel", "lanes", optional=True), "the ids in travel.lanes"),
        "operator": (raw.operators(), "the operators in fleet.classes"),
        "stock": (raw.ids("fleet", "stock", optional=True), "the ids in fleet.stock"),
    }
    nouns = {"to": "place", "at": "place", "between": "place", "classes": "class"}

    def refs(item: Mapping[str, object], fields: tuple[str, ...], loc: Loc) -> Iterator[Found]:
        for name in fields:
            value = item.get(name)
            ids, where = known[name]
            what = nouns.get(name, name)
            if isinstance(value, _SEQ):
                for k, v in enumerate(value):
                    yield from _reference(v, ids, what, where, (*loc, name, k))
            else:
                yield from _reference(value, ids, what, where, (*loc, name))

    for i, option in raw.items("attacks", "options"):
        effects = option.get("effects")
        for j, effect in enumerate(effects if isinstance(effects, _SEQ) else []):
            if isinstance(effect, Mapping) and isinstance(effect.get("type"), str):
                fields = _EFFECT_REFS.get(str(effect["type"]), ())
                yield from refs(effect, fields, ("attacks", "options", i, "effects", j))
    measure_refs = {
        "guard": ("place",),
        "disperse": ("place", "to"),
        "reserve": ("place", "at"),
        "preposition": ("stock", "to"),
    }
    for i, m in raw.items("defences", "measures"):
        kind = m.get("type")
        if isinstance(kind, str):
            yield from refs(m, measure_refs.get(kind, ()), ("defences", "measures", i))


def attack_window_order(raw: _Raw) -> Iterator[Found]:
    """An option's window ends at or after its start, and a close_lane names one target."""
    for i, option in raw.items("attacks", "options"):
        w = option.get("window")
        if isinstance(w, Mapping):
            a, b = raw.time(w.get("start")), raw.time(w.get("end"))
            if a is not None and b is not None and b < a:
                yield _found(
                    f"found end {raw.fmt(b)} before start {raw.fmt(a)}; expected end >= start",
                    ("attacks", "options", i, "window", "end"),
                )
        effects = option.get("effects")
        for j, fx in enumerate(effects if isinstance(effects, _SEQ) else []):
            both_or_neither = isinstance(fx, Mapping) and (fx.get("lane") is None) == (
                fx.get("between") is None
            )
            if isinstance(fx, Mapping) and fx.get("type") == "close_lane" and both_or_neither:
                yield _found(
                    "found a close_lane with both or neither of 'lane' and 'between'; "
                    "expected exactly one",
                    ("attacks", "options", i, "effects", j),
                )


MENU_RULES: list[RawRule] = [menu_duplicate_ids, menu_references, attack_window_order]
