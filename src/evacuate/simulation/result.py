"""What a simulation returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from evacuate.periods import PeriodRow, per_period, steps_from_log
from evacuate.results import ResultTables
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.log import LogEvent

__all__ = ["Replan", "SimResult"]


@dataclass(frozen=True)
class Replan:
    """One replanning: when, why, and what the new plan promised from that state."""

    time: float
    events: tuple[str, ...]
    """Ids of the surprise events that triggered it."""
    adopted: str
    """``new`` (the planner's plan) or ``old`` (following the old plan was at least as good)."""
    rescued_so_far: int
    planned_more: float
    """People the adopted plan rescues from the state (no further surprise, no noise)."""
    follow_more: float
    """People following the old plan would rescue from the same state, same assumptions."""
    bound_more: float
    """The planner's upper bound on people any plan rescues from that state (plus the people
    already on their way to havens), blind to surprises still to come."""
    seconds: float


@dataclass(frozen=True)
class SimResult(ResultTables):
    """One simulated run of a plan (``policy`` says what happened at surprises).

    ``to_dict()`` (JSON-ready; the scenario by id and variant), ``to_dataframe("places" |
    "events" | "replans")`` and ``date(t)``: see ``evacuate.results``.
    """

    scenario: Scenario
    """The scenario as simulated (variant applied; surprise events still marked surprise)."""
    policy: str
    seed: int
    population: int
    """Everyone who ever needs rescue: populations and arrivals at places that are not havens."""
    rescued: int
    lost_people: int
    lost_by_place: dict[str, int]
    waiting_at_end: int
    """People still at places that are not havens at the end (no deadline struck them)."""
    on_board_at_end: int
    vehicles_entered: int
    vehicles_lost: int
    vehicles_broken: int
    vehicles_withdrawn: int
    last_rescue: float | None
    trips: int
    """Trips made (group moves, loaded or empty)."""
    planned_rescued: float
    """What the first plan promised (blind to surprises, no noise)."""
    planned_bound: float
    """The first plan's certified upper bound (blind to surprises)."""
    replans: tuple[Replan, ...]
    events: tuple[LogEvent, ...]
    seconds: float
    plan_seconds: float
    """Seconds spent planning (first plan and replans), included in ``seconds``."""
    stats: dict[str, float] = field(default_factory=dict)
    plans_stopped_by_time: int = 0
    """Planner calls (first plan and replans) that the time limit, a safety stop, cut short
    before their work budget was spent: when not 0, another run may give other figures."""

    @property
    def variant(self) -> str | None:
        return self.scenario.applied_variant

    def _calendar(self) -> tuple[dt.datetime | None, str]:
        return self.scenario.scenario.start_date, self.scenario.time_unit

    def _records(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario.id,
            "variant": self.variant,
            "time_unit": self.scenario.time_unit,
            "start_date": self.scenario.scenario.start_date,
        }
        for name in self.__dataclass_fields__:
            if name != "scenario":
                out[name] = getattr(self, name)
        out["per_period"] = self.per_period()
        return out

    def _tables(self) -> dict[str, list[dict[str, Any]]]:
        places = []
        for p in self.scenario.places:
            people = self.scenario.people_at(p)
            lost = self.lost_by_place.get(p.id, 0)
            if people or lost:
                deadline = self.scenario.deadline(p.id)
                places.append({"place": p.id, "people": people, "deadline": deadline, "lost": lost})
        return {
            "places": places,
            "events": [e.row() for e in self.events],
            "replans": [asdict(r) for r in self.replans],
            "per_period": [asdict(r) for r in self.per_period()],
        }

    def per_period(self, period: float | None = None) -> tuple[PeriodRow, ...]:
        """People rescued per period (in the scenario's time unit; default: a day, or the
        observed series' period) beside the observed series: see ``evacuate.periods``."""
        return per_period(self.scenario, steps_from_log(self.scenario, self.events), period)

    def summary(self) -> str:
        lines = [
            f"rescued {self.rescued:,} of {self.population:,}; "
            f"lost {self.lost_people:,}; waiting {self.waiting_at_end:,}; "
            f"vehicles lost {self.vehicles_lost:,}"
        ]
        for r in self.replans:
            lines.append(
                f"replanned at {r.time:g} after {', '.join(r.events)}: "
                f"{r.adopted} plan, +{r.planned_more:,.0f} (follow +{r.follow_more:,.0f})"
            )
        return "\n".join(lines)
