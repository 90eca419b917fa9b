"""The public ``Scenario``: the validated file plus lookups, derived deadlines and variants."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from pydantic import PrivateAttr

from evacuate.errors import Issue, ScenarioError
from evacuate.scenario import arrivals as scenario_arrivals
from evacuate.scenario import derive
from evacuate.scenario.model import Event, Place, ScenarioModel, VehicleClass
from evacuate.scenario.observed import Observed

__all__ = ["Scenario"]


class Scenario(ScenarioModel):
    """An immutable evacuation scenario. Build with ``evacuate.load``; derive with ``variant``.

    Equality compares the scenario's content only (not where it was read from).
    """

    observed: Observed | None = None
    """What history recorded (people rescued over time), beside plans and simulations."""
    applied_variant: str | None = None
    """The variant this scenario was derived with, if any."""

    _source: str | None = PrivateAttr(default=None)
    _digest: str | None = PrivateAttr(default=None)
    _warnings: tuple[Issue, ...] = PrivateAttr(default=())

    # ------------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def name(self) -> str:
        return self.scenario.name or self.scenario.id

    @property
    def time_unit(self) -> str:
        return self.scenario.time_unit

    @property
    def end(self) -> float:
        return self.scenario.end

    @property
    def source(self) -> str | None:
        """Where the scenario was read from (a path or ``<builtin:romulan>``)."""
        return self._source

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Non-fatal findings of validation (e.g. a place no vehicle reaches in time)."""
        return self._warnings

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Scenario:
        update = dict(update or {})
        source = update.pop("source", self._source)
        digest = update.pop("digest", None)
        warnings = update.pop("warnings", self._warnings)
        # a copy with changed fields must be re-derived, so drop cached lookups
        new = super().model_copy(update=update, deep=deep)
        for key in ("_place_index", "_class_index", "_deadlines"):
            new.__dict__.pop(key, None)
        new._source = source
        new._digest = digest  # changed content, a new digest (unless given: see ``digest``)
        new._warnings = tuple(warnings)
        return new

    @property
    def digest(self) -> str:
        """Which scenario this is, by content: 16 hex digits of the SHA-256 of its canonical
        JSON (``to_data``, keys sorted), so formatting, comments and key order do not count.

        A variant (``variant``) and the scenario with hindsight keep the digest of the
        scenario they derive from: a plan header names the scenario by this digest and the
        variant by its name (docs/plan-format.md).
        """
        if self._digest is None:
            data = self.to_data()
            data.pop("applied_variant", None)
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            self._digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return self._digest

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data in the file format (aliases, defaults left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_data() == other.to_data()

    def __hash__(self) -> int:
        import json

        return hash(json.dumps(self.to_data(), sort_keys=True))

    # ------------------------------------------------------------------ lookups
    @cached_property
    def _place_index(self) -> dict[str, Place]:
        return {p.id: p for p in self.places}

    @cached_property
    def _class_index(self) -> dict[str, VehicleClass]:
        return {c.id: c for c in self.fleet.classes}

    def place(self, place_id: str) -> Place:
        return self._place_index[place_id]

    def vehicle_class(self, class_id: str) -> VehicleClass:
        return self._class_index[class_id]

    @property
    def enabled_classes(self) -> tuple[VehicleClass, ...]:
        return tuple(c for c in self.fleet.classes if c.enabled)

    @property
    def enabled_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.enabled)

    @cached_property
    def _deadlines(self) -> dict[str, float | None]:
        return {p.id: derive.deadline(self, p) for p in self.places}

    def deadline(self, place_id: str) -> float | None:
        """The place's deadline: explicit, else when the hazard front reaches it, else None."""
        return self._deadlines[place_id]

    def is_haven(self, place_id: str) -> bool:
        """A haven holds evacuees (capacity > 0) and is safe through the horizon."""
        p = self.place(place_id)
        d = self.deadline(place_id)
        return p.capacity > 0 and (d is None or d > self.end)

    @property
    def havens(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if self.is_haven(p.id))

    def people_at(self, place: Place) -> int:
        """People who need to leave the place: population at time zero plus every release of
        its arrivals, curve and rate table (docs/model.md, Arrivals)."""
        return scenario_arrivals.people(self, place)

    def releases(self, place: Place) -> list[tuple[float, int]]:
        """The place's arrivals after time zero as sorted ``(time, people)`` releases, with
        the known events that hold people back applied."""
        return scenario_arrivals.releases(self, place)

    @property
    def population(self) -> int:
        """Everyone to evacuate: people at places at time zero plus all later arrivals."""
        return sum(scenario_arrivals.people(self, p) for p in self.places)

    # ------------------------------------------------------------------ variants
    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(self.variants)

    def variant(self, name: str) -> Scenario:
        """The scenario with the named variant's overlay applied (events, classes, stock)."""
        if name not in self.variants:
            known = ", ".join(self.variants) or "none"
            raise ScenarioError(
                [
                    Issue(
                        f"unknown variant '{name}'; this scenario has: {known}",
                        "variants",
                        self.source,
                    )
                ]
            )
        v = self.variants[name]
        events = tuple(
            e.model_copy(update={"enabled": v.events[e.id]}) if e.id in v.events else e
            for e in self.events
        )
        classes = tuple(
            c.model_copy(update={"enabled": v.classes[c.id]}) if c.id in v.classes else c
            for c in self.fleet.classes
        )
        stock = tuple(
            s.model_copy(update={"count": v.stock[s.id]}) if s.id in v.stock else s
            for s in self.fleet.stock
        )
        fleet = self.fleet.model_copy(update={"classes": classes, "stock": stock})
        update = {"events": events, "fleet": fleet, "applied_variant": name, "digest": self.digest}
        return self.model_copy(update=update)
