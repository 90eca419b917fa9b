"""Checks of the effects that help an operation (``add_vehicles``, ``open_place``,
``open_lane``, ``return_operator``).

Rules on plain data like those of ``validate`` (they share its helpers and are listed in its
``RAW_RULES``): a reinforcement names a declared vehicle class; an opening reopens something
that a closure of the same target closes; a return brings back a withdrawn operator; a
stock entry's record (sorties and duty flown before) is whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from evacuate.scenario.validate import Found, RawRule, _effects, _found, _Raw, _reference

__all__ = ["FLEET_RULES"]


def reinforcement_class(raw: _Raw) -> Iterator[Found]:
    """An add_vehicles effect names a declared vehicle class."""
    classes = raw.ids("fleet", "classes")
    for loc, _, effect in _effects(raw):
        if effect.get("type") == "add_vehicles":
            yield from _reference(
                effect.get("class"), classes, "class", "the ids in fleet.classes", (*loc, "class")
            )


def _target(effect: object) -> tuple[str, object] | None:
    if not hasattr(effect, "get"):
        return None
    kind = effect.get("type")
    if kind in ("close_place", "open_place") and isinstance(effect.get("place"), str):
        return ("place", effect.get("place"))
    if kind in ("close_lane", "open_lane"):
        if effect.get("lane") is not None and effect.get("between") is not None:
            return None  # close_lane_target says so
        if isinstance(effect.get("lane"), str):
            return ("lane", effect.get("lane"))
        between = effect.get("between")
        if isinstance(between, list | tuple) and all(isinstance(x, str) for x in between):
            return ("between", frozenset(between))
    return None


def opening_has_closure(raw: _Raw) -> Iterator[Found]:
    """An open_place / open_lane reopens a place or lane that some close_place / close_lane
    of the same target (``lane`` with ``lane``, ``between`` with ``between``) closes."""
    closed = {
        t
        for _, _, fx in _effects(raw)
        if str(fx.get("type", "")).startswith("close_") and (t := _target(fx)) is not None
    }
    for loc, _, fx in _effects(raw):
        kind = fx.get("type")
        target = _target(fx)
        if kind in ("open_place", "open_lane") and target is not None and target not in closed:
            what = "place" if kind == "open_place" else "lane"
            closer = "close_place" if kind == "open_place" else "close_lane"
            yield _found(
                f"found an {kind} of a {what} that no {closer} event closes; expected a "
                f"{closer} of the same target (an opening ends closures begun before it)",
                loc,
            )


def return_has_withdrawal(raw: _Raw) -> Iterator[Found]:
    """A return_operator brings back an operator that some withdraw_operator withdraws."""
    withdrawn = {
        op
        for _, _, fx in _effects(raw)
        if fx.get("type") == "withdraw_operator" and isinstance(op := fx.get("operator"), str)
    }
    for loc, _, fx in _effects(raw):
        op = fx.get("operator")
        if fx.get("type") == "return_operator" and isinstance(op, str) and op not in withdrawn:
            yield _found(
                f"found a return_operator of '{op}', which no withdraw_operator event "
                "withdraws; expected a withdraw_operator of the same operator (a return ends "
                "withdrawals begun before it)",
                loc,
            )


def repair_after_damage(raw: _Raw) -> Iterator[Found]:
    """A damage_vehicles effect's ``until`` is after the event's ``at``."""
    for loc, event, fx in _effects(raw):
        if fx.get("type") != "damage_vehicles":
            continue
        at, until = raw.time(event.get("at")), raw.time(fx.get("until"))
        if at is not None and until is not None and until <= at:
            yield _found(
                f"found until {raw.fmt(until)}, not after the event's at {raw.fmt(at)}; "
                "expected the time the vehicles are back in service, after at",
                (*loc, "until"),
            )


def stock_record(raw: _Raw) -> Iterator[Found]:
    """A stock entry's ``record`` gives ``duty_from`` and ``last_end`` together, in order."""
    for k, st in raw.items("fleet", "stock"):
        rec = st.get("record")
        if not isinstance(rec, Mapping):
            continue
        loc = ("fleet", "stock", k, "record")
        start, end = rec.get("duty_from"), rec.get("last_end")
        if (start is None) != (end is None):
            missing = "last_end" if end is None else "duty_from"
            yield _found(
                f"found no {missing}; expected duty_from and last_end together (a duty "
                "under way) or neither (the vehicles are rested)",
                (*loc, missing),
            )
            continue
        a, b = raw.time(start), raw.time(end)
        if a is not None and b is not None and b < a:
            yield _found(
                f"found last_end {raw.fmt(b)} before duty_from {raw.fmt(a)}; expected the "
                "end of the last trip at or after the duty's first departure",
                (*loc, "last_end"),
            )


FLEET_RULES: list[RawRule] = [
    reinforcement_class,
    stock_record,
    opening_has_closure,
    return_has_withdrawal,
    repair_after_damage,
]
