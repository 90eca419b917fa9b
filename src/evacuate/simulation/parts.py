"""The moving parts of a simulation: groups of vehicles, trips under way, shipyards, and the
order of things that happen at one instant."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evacuate.check.common import ABS_TOL, REL_TOL
from evacuate.planio import Trip
from evacuate.scenario.model import Shipyard, VehicleClass
from evacuate.scenario.summary import produced

__all__ = [
    "APPEAR",
    "ARRIVE",
    "DEPART",
    "EPS",
    "EVENT",
    "STRIKE",
    "Group",
    "InTransit",
    "Yard",
    "tol",
]

EPS = 1e-9


def tol(t: float) -> float:
    """The checker's tolerance at ``t`` (check/common.py): instants closer than this are one
    where a plan meets a limit (a throughput period's start, a berth freed, the horizon), so
    a plan the checker accepts flies as planned."""
    return max(ABS_TOL, REL_TOL * abs(t)) if math.isfinite(t) else ABS_TOL


# same-time order: arrivals, then people and vehicles appearing, then events (and
# replanning), then departures, then the hazard
ARRIVE, APPEAR, EVENT, DEPART, STRIKE = 0, 1, 2, 3, 4


@dataclass(eq=False)
class Group:
    """A plan's group as it really is: how many vehicles, where, and which trip is next."""

    id: str
    vc: VehicleClass
    trips: list[Trip]
    count: int
    next: int = 0
    place: str | None = None
    ready: float = 0.0
    done: bool = False
    retry_mark: int = -1


@dataclass(eq=False)
class InTransit:
    """A group between leaving its origin (loading included) and delivering its people."""

    group: Group
    trip: Trip
    origin: str
    destination: str
    vehicles: int
    people: int
    depart: float
    leave: float
    """When it leaves the origin (loading done)."""
    reach: float = math.inf
    """When it starts unloading at the destination (inf: not yet known)."""
    arrive: float = math.inf
    slack: float = 0.0
    travel: float = 0.0
    aborted: bool = False
    target: float = math.nan
    """The arrival the plan implies (planned arrival plus the delay at departure): an arrival
    within rounding of it is snapped to it, so that an undisturbed plan runs to the instant."""

    @property
    def eta(self) -> float:
        """When the people on board are delivered: the arrival once known, else the end of
        travel (with the plan's waiting en route) plus the unloading time."""
        if math.isfinite(self.arrive):
            return self.arrive
        unload = self.group.vc.unload_time if self.people > 0 else 0.0
        return self.leave + self.travel + self.slack + unload


@dataclass
class Yard:
    spec: Shipyard
    stop: float | None
    taken: int = 0
    destroyed: int = 0
    logged: int = 0
    benched: tuple[float | None, int] | None = None
    """(stop before, vehicles taken) when a withdrawal stopped it: a return undoes both."""

    def made(self, t: float) -> int:
        return produced(self.spec, t, stop=self.stop)

    def held_or_ready(self, t: float) -> int:
        return max(0, self.made(t) - self.taken - self.destroyed)

    def ready(self, t: float) -> int:
        af = self.spec.available_from
        return 0 if af is not None and t < af else self.held_or_ready(t)
