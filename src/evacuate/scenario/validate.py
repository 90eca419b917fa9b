"""Checks beyond types: references between sections, ranges that depend on each other, geometry.

``check_raw`` runs on plain data (so it still reports when the schema check fails) and never
raises, whatever the shape of the data; ``check_model`` runs on a typed scenario. Each returns
``(Issue, loc)`` pairs; the loader adds file and line from ``loc``. Every rule is one small
function listed in ``RAW_RULES`` here, or in ``model_rules``' ``MODEL_RULES``,
``DERIVED_RULES`` or ``WARNING_RULES``;
the semantics (deadlines, havens, routes) are those of docs/model.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from evacuate import units
from evacuate.errors import Issue, format_path
from evacuate.scenario.fields import ID_PATTERN
from evacuate.scenario.load import _context

if TYPE_CHECKING:
    from evacuate.scenario.scenario import Scenario

__all__ = ["RAW_RULES", "check_model", "check_raw"]

Loc = tuple[str | int, ...]
Found = tuple[Issue, Loc]
Severity = Literal["error", "warning"]
_SEQ = (list, tuple)


def _found(message: str, loc: Loc, severity: Severity = "error") -> Found:
    return Issue(message, format_path(loc), severity=severity), loc


def _names(known: Collection[str], limit: int = 8) -> str:
    names = sorted(known)
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


# ---------------------------------------------------------------------------------- raw data
class _Raw:
    """Plain scenario data read defensively: every accessor tolerates any shape of data."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        ctx = _context(data)
        self.time_unit: str = ctx["time_unit"]
        self.start_date: dt.datetime | None = ctx["start_date"]
        kind = self.get("map", "kind")
        self.map_kind: str | None = (
            "plane" if kind is None else kind if kind in ("plane", "sphere") else None
        )

    def get(self, *path: str) -> Any:
        """The value at a path of mapping keys, or None where any step is not a mapping."""
        node: Any = self.data
        for key in path:
            if not isinstance(node, Mapping):
                return None
            node = node.get(key)
        return node

    def items(self, *path: str) -> list[tuple[int, Mapping[str, Any]]]:
        """The mapping entries of a list section (other entries are pydantic's to report)."""
        seq = self.get(*path)
        if not isinstance(seq, _SEQ):
            return []
        return [(i, item) for i, item in enumerate(seq) if isinstance(item, Mapping)]

    def ids(self, *path: str, optional: bool = False) -> set[str] | None:
        """The ids declared in a list section; None when they cannot all be known (a missing
        required section, an entry without a readable id), so references are not judged."""
        seq = self.get(*path)
        if seq is None and optional:
            return set()
        if not isinstance(seq, _SEQ):
            return None
        out: set[str] = set()
        for item in seq:
            ident = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(ident, str):
                out.add(ident)
            elif not (path == ("fleet", "stock") and isinstance(item, Mapping) and ident is None):
                return None  # stock ids are optional; any other entry must have one
        return out

    def operators(self) -> set[str] | None:
        out: set[str] = set()
        for _, item in self.items("fleet", "classes"):
            op = item.get("operator", "default")
            if not isinstance(op, str):
                return None
            out.add(op)
        return out if isinstance(self.get("fleet", "classes"), _SEQ) else None

    def time(self, value: object) -> float | None:
        """A time point in the scenario's unit, or None if unreadable (pydantic reports that)."""
        if value is None:
            return None
        try:
            return units.parse_time(value, self.time_unit, self.start_date)
        except (ValueError, TypeError, OverflowError):
            return None

    def duration(self, value: object) -> float | None:
        if value is None:
            return None
        try:
            return units.parse_duration(value, self.time_unit)
        except (ValueError, TypeError, OverflowError):
            return None

    def fmt(self, t: float) -> str:
        return "0" if t == 0 else units.format_duration(t, self.time_unit)


RawRule = Callable[[_Raw], Iterator[Found]]

_SECTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("places",), "place"),
    (("fleet", "classes"), "vehicle class"),
    (("fleet", "stock"), "stock entry"),
    (("fleet", "shipyards"), "shipyard"),
    (("travel", "lanes"), "lane"),
    (("events",), "event"),
)


def duplicate_ids(raw: _Raw) -> Iterator[Found]:
    """Ids are unique within each section; the second use is reported."""
    return unique_ids(raw, _SECTIONS)


def unique_ids(raw: _Raw, sections: Iterable[tuple[tuple[str, ...], str]]) -> Iterator[Found]:
    """Ids are unique within each of ``sections`` (path, noun); the second use is reported."""
    for section, noun in sections:
        first: dict[str, int] = {}
        for i, item in raw.items(*section):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in first:
                yield _found(
                    f"found duplicate {noun} id '{ident}', already used by "
                    f"{format_path((*section, first[ident]))}; expected a unique id "
                    f"(rename one of them)",
                    (*section, i, "id"),
                )
            else:
                first[ident] = i


_VALID_ID = re.compile(ID_PATTERN)


def _reference(
    value: object, known: set[str] | None, what: str, where: str, loc: Loc
) -> Iterator[Found]:
    """Report ``value`` if it is a name not among ``known`` (non-names are pydantic's to report)."""
    if known is None or not isinstance(value, str) or value in known:
        return
    known = {k for k in known if _VALID_ID.match(k)}  # a broken id is never offered back
    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    expected = (
        f"one of {where}: {_names(known)}" if known else f"one of {where}, but there are none"
    )
    yield _found(f"found unknown {what} '{value}'{hint}; expected {expected}", loc)


_EFFECT_REFS: dict[str, tuple[str, ...]] = {
    "destroy_vehicles": ("place", "classes"),
    "stop_production": ("shipyard",),
    "close_lane": ("lane", "between"),
    "close_place": ("place",),
    "move_deadline": ("place",),
    "withdraw_operator": ("operator",),
    "add_vehicles": ("place",),
    "open_place": ("place",),
    "open_lane": ("lane", "between"),
    "change_arrivals": ("place",),
    "change_throughput": ("place",),
    "return_operator": ("operator",),
    "sink_vehicles": ("lane", "between", "classes"),
    "damage_vehicles": ("place", "classes"),
}


def unknown_references(raw: _Raw) -> Iterator[Found]:
    """Every name used as a reference is declared in its section."""
    places = raw.ids("places")
    classes = raw.ids("fleet", "classes")
    stock = raw.ids("fleet", "stock", optional=True)
    shipyards = raw.ids("fleet", "shipyards", optional=True)
    lanes = raw.ids("travel", "lanes", optional=True)
    events = raw.ids("events", optional=True)
    operators = raw.operators()
    p_where, c_where = "the ids in places", "the ids in fleet.classes"
    for i, item in raw.items("fleet", "stock"):
        loc: Loc = ("fleet", "stock", i)
        yield from _reference(item.get("class"), classes, "class", c_where, (*loc, "class"))
        yield from _reference(item.get("place"), places, "place", p_where, (*loc, "place"))
    for i, item in raw.items("fleet", "shipyards"):
        loc = ("fleet", "shipyards", i)
        yield from _reference(item.get("class"), classes, "class", c_where, (*loc, "class"))
        yield from _reference(item.get("place"), places, "place", p_where, (*loc, "place"))
    for i, item in raw.items("travel", "lanes"):
        loc = ("travel", "lanes", i)
        for end in ("from", "to"):
            yield from _reference(item.get(end), places, "place", p_where, (*loc, end))
        times = item.get("class_times")
        if isinstance(times, Mapping):
            for key in times:
                yield from _reference(key, classes, "class", c_where, (*loc, "class_times", key))
    for i, event in raw.items("events"):
        effects = event.get("effects")
        if not isinstance(effects, _SEQ):
            continue
        for j, effect in enumerate(effects):
            if not isinstance(effect, Mapping):
                continue
            loc = ("events", i, "effects", j)
            kind = effect.get("type")
            for field in _EFFECT_REFS.get(kind, ()) if isinstance(kind, str) else ():
                value = effect.get(field)
                if field == "place":
                    yield from _reference(value, places, "place", p_where, (*loc, field))
                elif field == "shipyard":
                    where = "the ids in fleet.shipyards"
                    yield from _reference(value, shipyards, "shipyard", where, (*loc, field))
                elif field == "lane":
                    where = "the ids in travel.lanes"
                    yield from _reference(value, lanes, "lane", where, (*loc, field))
                elif field == "operator":
                    where = "the operators in fleet.classes"
                    yield from _reference(value, operators, "operator", where, (*loc, field))
                elif isinstance(value, _SEQ):
                    known, what, where = (
                        (places, "place", p_where)
                        if field == "between"
                        else (classes, "class", c_where)
                    )
                    for k, name in enumerate(value):
                        yield from _reference(name, known, what, where, (*loc, field, k))
    variants = raw.get("variants")
    if not isinstance(variants, Mapping):
        return
    for name, variant in variants.items():
        if not isinstance(variant, Mapping):
            continue
        for key, known, what, where in (
            ("events", events, "event", "the ids in events"),
            ("classes", classes, "class", c_where),
            ("stock", stock, "stock id", "the ids in fleet.stock"),
        ):
            overlay = variant.get(key)
            if isinstance(overlay, Mapping):
                for ref in overlay:
                    loc = ("variants", str(name), key, ref) if isinstance(ref, str) else ()
                    yield from _reference(ref, known, what, where, loc)


def horizon_after_zero(raw: _Raw) -> Iterator[Found]:
    """The horizon ``scenario.end`` is after time zero."""
    end = raw.time(raw.get("scenario", "end"))
    if end is not None and end <= 0:
        yield _found(
            f"found end {raw.fmt(end)}; expected a horizon after time zero (e.g. '30d')",
            ("scenario", "end"),
        )


def _order(raw: _Raw, item: Mapping[str, Any], loc: Loc, what: str) -> Iterator[Found]:
    start, end = raw.time(item.get("start")), raw.time(item.get("end"))
    if start is not None and end is not None and end <= start:
        yield _found(
            f"found {what} end {raw.fmt(end)}, not after its start {raw.fmt(start)}; expected "
            f"end > start (omit end for a {what} that never ends)",
            (*loc, "end"),
        )


def window_order(raw: _Raw) -> Iterator[Found]:
    """Lane windows end after they start; a periodic window is open at most its whole period."""
    for i, lane in raw.items("travel", "lanes"):
        windows = lane.get("windows")
        for k, window in enumerate(windows if isinstance(windows, _SEQ) else []):
            if isinstance(window, Mapping):
                yield from _order(raw, window, ("travel", "lanes", i, "windows", k), "window")
        periodic = lane.get("periodic")
        if not isinstance(periodic, Mapping):
            continue
        loc: Loc = ("travel", "lanes", i, "periodic")
        yield from _order(raw, periodic, loc, "periodic window")
        every, open_for = (
            raw.duration(periodic.get("every")),
            raw.duration(periodic.get("open_for")),
        )
        if every is not None and open_for is not None and open_for > every:
            yield _found(
                f"found open_for {raw.fmt(open_for)}, longer than every {raw.fmt(every)}; "
                "expected open_for <= every (a lane that is always open needs no periodic window)",
                (*loc, "open_for"),
            )


def production_period_order(raw: _Raw) -> Iterator[Found]:
    """Each production period of a shipyard ends after it starts."""
    for i, yard in raw.items("fleet", "shipyards"):
        schedule = yard.get("schedule")
        for k, period in enumerate(schedule if isinstance(schedule, _SEQ) else []):
            if isinstance(period, Mapping):
                loc: Loc = ("fleet", "shipyards", i, "schedule", k)
                yield from _order(raw, period, loc, "production period")


def arrivals_within_horizon(raw: _Raw) -> Iterator[Found]:
    """People arrive at a place between time zero and the horizon."""
    end = raw.time(raw.get("scenario", "end"))
    for i, place in raw.items("places"):
        arrivals = place.get("arrivals")
        for k, arrival in enumerate(arrivals if isinstance(arrivals, _SEQ) else []):
            at = raw.time(arrival.get("at")) if isinstance(arrival, Mapping) else None
            if at is None or (at >= 0 and (end is None or at <= end)):
                continue
            horizon = f"scenario.end ({raw.fmt(end)})" if end is not None else "scenario.end"
            yield _found(
                f"found arrival at {raw.fmt(at)}; expected a time between 0 and {horizon} "
                "(people already there at time zero belong in population)",
                ("places", i, "arrivals", k, "at"),
            )


def lane_joins_two_places(raw: _Raw) -> Iterator[Found]:
    """A lane joins two different places."""
    for i, lane in raw.items("travel", "lanes"):
        start, end = lane.get("from"), lane.get("to")
        if isinstance(start, str) and start == end:
            yield _found(
                f"found a lane from '{start}' to itself; expected two different places",
                ("travel", "lanes", i, "to"),
            )


def _effects(raw: _Raw) -> Iterator[tuple[Loc, Mapping[str, Any], Mapping[str, Any]]]:
    for i, event in raw.items("events"):
        effects = event.get("effects")
        for j, effect in enumerate(effects if isinstance(effects, _SEQ) else []):
            if isinstance(effect, Mapping):
                yield ("events", i, "effects", j), event, effect


def close_lane_target(raw: _Raw) -> Iterator[Found]:
    """A close_lane effect names exactly one of ``lane`` or ``between``, and ``between`` two
    different places."""
    for loc, _, effect in _effects(raw):
        if effect.get("type") not in ("close_lane", "open_lane", "sink_vehicles"):
            continue
        has_lane, has_between = effect.get("lane") is not None, effect.get("between") is not None
        if has_lane == has_between:
            found = "both 'lane' and 'between'" if has_lane else "neither 'lane' nor 'between'"
            yield _found(
                f"found {found}; expected exactly one: 'lane: <lane id>' for a declared lane, or "
                "'between: [place, place]' for the direct route",
                loc,
            )
        between = effect.get("between")
        if (
            isinstance(between, _SEQ)
            and len(between) == 2
            and isinstance(between[0], str)
            and between[0] == between[1]
        ):
            yield _found(
                f"found [{between[0]}, {between[0]}]; expected two different places (there is no "
                "route from a place to itself)",
                (*loc, "between"),
            )


def closure_ends_after_start(raw: _Raw) -> Iterator[Found]:
    """A closure's ``until`` is after the event's ``at``."""
    for loc, event, effect in _effects(raw):
        if effect.get("type") not in ("close_lane", "close_place"):
            continue
        at, until = raw.time(event.get("at")), raw.time(effect.get("until"))
        if at is not None and until is not None and until <= at:
            yield _found(
                f"found until {raw.fmt(until)}, not after the event's at {raw.fmt(at)}; expected "
                "until > at (omit until for a closure that lasts)",
                (*loc, "until"),
            )


def _position_mismatch(raw: _Raw, position: object) -> str | None:
    if raw.map_kind == "plane" and isinstance(position, Mapping):
        return (
            "found a {lat, lon} position on a plane map; expected [x, y] or [x, y, z] "
            "(or set map.kind: sphere for latitude/longitude)"
        )
    if raw.map_kind == "sphere" and isinstance(position, _SEQ):
        return (
            "found an [x, y] position on a sphere map; expected {lat: ..., lon: ...} "
            "(or set map.kind: plane for coordinates)"
        )
    return None


def positions_match_map(raw: _Raw) -> Iterator[Found]:
    """Positions and the hazard origin are written the way ``map.kind`` says."""
    for i, place in raw.items("places"):
        message = _position_mismatch(raw, place.get("position"))
        if message:
            yield _found(message, ("places", i, "position"))
    message = _position_mismatch(raw, raw.get("hazard", "origin"))
    if message:
        yield _found(message.replace("position", "hazard origin", 1), ("hazard", "origin"))


RAW_RULES: list[RawRule] = [
    duplicate_ids,
    unknown_references,
    horizon_after_zero,
    window_order,
    production_period_order,
    arrivals_within_horizon,
    lane_joins_two_places,
    close_lane_target,
    closure_ends_after_start,
    positions_match_map,
]
"""Rules on plain data, in reporting order."""


def check_raw(data: Mapping[str, Any]) -> list[tuple[Issue, Loc]]:
    """Reference, range and shape problems in plain scenario data; never raises."""
    if not isinstance(data, Mapping):
        return []
    raw = _Raw(data)
    return [found for rule in RAW_RULES for found in rule(raw)]


def check_model(scenario: Scenario) -> list[tuple[Issue, Loc]]:
    """Problems in a typed scenario (the rules are in ``model_rules``)."""
    from evacuate.scenario import model_rules

    return model_rules.check_model(scenario)


# the attack and defence menus' rules use the helpers above (evacuate sabotage)
from evacuate.scenario.menu_rules import MENU_RULES  # noqa: E402
from evacuate.scenario.ops_rules import OPS_RULES  # noqa: E402

RAW_RULES.extend(MENU_RULES)

# the rules of the fleet's help and wear (reinforcements, reopenings)
from evacuate.scenario.fleet_rules import FLEET_RULES  # noqa: E402

RAW_RULES.extend(FLEET_RULES)

# the observed series' rules (a record beside the plan; evacuate plan --per)
from evacuate.scenario.observed_rules import OBSERVED_RULES  # noqa: E402

RAW_RULES.extend(OBSERVED_RULES)
RAW_RULES.extend(OPS_RULES)

# the walkways' rules (people's own ways between places)
from evacuate.scenario.walk_rules import WALK_RULES  # noqa: E402

RAW_RULES.extend(WALK_RULES)

# parking stands (docs/model.md, Stands)
from evacuate.scenario.stand_rules import STAND_RULES  # noqa: E402

RAW_RULES.extend(STAND_RULES)
