"""Checks of the real-operation fields: arrival curves and rate tables, changes of arrivals.

Rules on plain data like those of ``validate`` (they share its helpers and are listed in its
``RAW_RULES``): a curve starts between time zero and the horizon; a rate table's entries are
in time order, start at or after zero and, repeating, fall within one repeat; ``spread``
belongs to logistic curves only; a change of arrivals or throughput ends after its event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from evacuate.scenario.validate import _SEQ, Found, RawRule, _found, _Raw

__all__ = ["OPS_RULES"]


def arrival_curve_start(raw: _Raw) -> Iterator[Found]:
    """A mobilization curve starts between time zero and the horizon; ``spread`` is logistic."""
    end = raw.time(raw.get("scenario", "end"))
    for i, place in raw.items("places"):
        curve = place.get("arrival_curve")
        if not isinstance(curve, Mapping):
            continue
        start = raw.time(curve.get("start", 0))
        if start is not None and (start < 0 or (end is not None and start >= end)):
            horizon = f"scenario.end ({raw.fmt(end)})" if end is not None else "scenario.end"
            yield _found(
                f"found arrival_curve start {raw.fmt(start)}; expected a time from 0 to before "
                f"{horizon}",
                ("places", i, "arrival_curve", "start"),
            )
        if curve.get("shape") == "rayleigh" and curve.get("spread") is not None:
            yield _found(
                "found spread on a rayleigh curve; expected spread only with shape: logistic "
                "(a Rayleigh curve is set by its half alone)",
                ("places", i, "arrival_curve", "spread"),
            )


def rate_tables_order(raw: _Raw) -> Iterator[Found]:
    """A rate table's entries start at or after zero, each after the one before; a repeating
    table's entries all fall within one repeat of the first."""
    for i, place in raw.items("places"):
        for section in ("arrival_rates", "load_rates", "unload_rates"):
            table = place.get(section)
            rates = table.get("rates") if isinstance(table, Mapping) else None
            every = raw.duration(table.get("every")) if isinstance(table, Mapping) else None
            first: float | None = None
            before: float | None = None
            for k, entry in enumerate(rates if isinstance(rates, _SEQ) else []):
                t = raw.time(entry.get("from")) if isinstance(entry, Mapping) else None
                if t is None:
                    continue
                loc = ("places", i, section, "rates", k, "from")
                first = t if first is None else first
                if t < 0:
                    yield _found(f"found from {raw.fmt(t)}; expected a time from 0", loc)
                elif before is not None and t <= before:
                    yield _found(
                        f"found from {raw.fmt(t)}, not after the entry before "
                        f"({raw.fmt(before)}); expected the rates in time order, one per start",
                        loc,
                    )
                elif every is not None and t >= first + every:
                    yield _found(
                        f"found from {raw.fmt(t)}, a full repeat ({raw.fmt(every)}) or more "
                        f"after the first entry ({raw.fmt(first)}); expected every entry "
                        "within one repeat of the first",
                        loc,
                    )
                before = t


def change_until(raw: _Raw) -> Iterator[Found]:
    """A change of arrivals or of throughput ends (``until``) after its event."""
    for i, event in raw.items("events"):
        at = raw.time(event.get("at"))
        effects = event.get("effects")
        for k, fx in enumerate(effects if isinstance(effects, _SEQ) else []):
            if not isinstance(fx, Mapping) or fx.get("type") not in (
                "change_arrivals",
                "change_throughput",
            ):
                continue
            until = raw.time(fx.get("until"))
            if at is not None and until is not None and until <= at:
                yield _found(
                    f"found until {raw.fmt(until)}, not after the event at {raw.fmt(at)}; "
                    "expected until > at (omit until for a change that lasts)",
                    ("events", i, "effects", k, "until"),
                )


OPS_RULES: list[RawRule] = [arrival_curve_start, rate_tables_order, change_until]
