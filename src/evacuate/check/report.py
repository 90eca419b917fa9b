"""What the checker reports: the rule ids, one ``Violation`` per broken rule, the
``CheckReport``, and the collector that keeps a bounded number per rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass

from evacuate.check.common import FloatArr, IntArr, _t

RULES: dict[str, str] = {
    "header": "the plan was made for another scenario, variant or time unit (amount 1)",
    "not_finite": "a trip time is not a finite number (amount 1)",
    "not_whole": "a group count or people is not a whole number below 2**62 (amount 1)",
    "negative": "a group count below 1 or people below 0 (amount: how far below)",
    "unknown_class": "the trip's vehicle class is not in the scenario (amount 1)",
    "disabled_class": "the trip's vehicle class is disabled (amount 1)",
    "unknown_place": "the trip's origin or destination is not in the scenario (amount 1)",
    "same_place": "origin and destination are the same place (amount 1)",
    "capacity": "more people on board than count x class capacity (amount: people over)",
    "no_route": "no route joins origin and destination for this class (amount 1)",
    "travel_time": "arrives before depart + [load] + travel + [unload] (amount: time short)",
    "lane_window": "only a lane closed by its windows when travel starts is fast enough "
    "(amount: wait until it opens; inf if never)",
    "lane_closed": "only a route closed by a known close_lane event is fast enough "
    "(amount: time until it reopens; inf if never)",
    "deadline_origin": "starts loading or leaves after the origin's deadline (amount: time late)",
    "deadline_destination": "arrives at or after the destination's deadline (amount: time late)",
    "open_from": "a loaded trip departs before the origin's open_from (amount: time early)",
    "closed_place": "departs from or arrives at a place while a known close_place event closes "
    "it (amount: time until it reopens; inf if never)",
    "withdrawn": "a withdrawn operator's trip departs at or after the withdrawal (and before "
    "a return_operator), or is under way then without finish_current_trip (amount: time past "
    "the withdrawal)",
    "group_chain": "a group's trip does not start where and after its previous trip ended, or "
    "changes class or count (amount: time overlap, vehicles, or count change)",
    "turnaround": "a group's trip departs before the turnaround after its previous (loaded) "
    "trip is over (amount: time early)",
    "inventory": "vehicles leave a place that does not hold them (amount: vehicles short)",
    "stands": "a trip arrives at a place where more vehicles would then be present than its "
    "stands (amount: vehicles over)",
    "sorties": "a loaded trip past the class's max_sorties for the group's vehicles (amount: "
    "sorties over)",
    "rest": "a trip ends a duty (trips with breaks shorter than rest.for) longer than the "
    "class's rest.after (amount: time over)",
    "destroyed": "a known destroy_vehicles event hits this trip's vehicles while loading or "
    "unloading (amount: vehicles)",
    "sunk": "a known sink_vehicles event strikes this trip under way (amount: vehicles)",
    "damaged": "a known damage_vehicles event hits this trip's vehicles while loading or "
    "unloading (amount: vehicles)",
    "population": "picks up people who are not there (amount: people short)",
    "instant_order": "at an instant where loaded trips that take no time chain through "
    "places, no order of the trips lets every pickup find its people (amount 1 an instant)",
    "haven_capacity": "net inflow of evacuees exceeds the place's capacity (amount: people over)",
    "no_capacity": "a trip delivers people to a place without capacity, which holds no "
    "evacuees (amount: people)",
    "berths": "more vehicles load or unload at once than the place has berths (amount: vehicles)",
    "load_rate": "more people load in throughput periods than load_per_hour allows there (a "
    "loading draws on every period it spans) (amount: people over)",
    "unload_rate": "more people arrive in one throughput period than unload_per_hour allows "
    "(amount: people over)",
    "walk_way": "a walk names no walkway of the scenario, or goes the wrong way along it "
    "(amount 1)",
    "walk_people_count": "a walk's people are not a whole number of at least 1 (amount 1)",
    "walk_time": "a walk arrives before depart + the walkway's time (amount: time short)",
    "walk_window": "a walk sets out outside the walkway's open_from/open_until (amount: time "
    "outside)",
    "walk_rate": "more people set out on a walkway (one direction) in one throughput period "
    "than its per_hour allows (amount: people over)",
    "walk_deadline_origin": "a walk sets out after its origin's deadline (amount: time late)",
    "walk_deadline_destination": "a walk arrives at or after its destination's deadline "
    "(amount: time late)",
    "walk_closed_place": "a walk sets out from or arrives at a place while a known close_place "
    "event closes it (amount: time until it reopens; inf if never)",
    "walk_population": "walkers set out who are not there (amount: people short)",
    "walk_capacity": "walkers reaching a haven take its net inflow over its capacity (amount: "
    "people over)",
    "claimed_rescued": "the plan's rescued differs from the checked count "
    "(amount: claimed - checked)",
    "claimed_bound": "a feasible plan rescues more than the plan's claimed bound (amount: excess)",
    "makespan": "the plan's meta makespan differs from the checked one (amount: claimed - checked)",
}
"""Every rule id the checker reports, with what it means and the unit of ``amount``."""

_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Violation:
    """One broken rule: which trip (0-based index in ``plan.trips``; None for the whole
    plan), which rule (see ``RULES``), what happened and by how much."""

    trip_index: int | None
    group: str | None
    rule: str
    message: str
    amount: float

    def __str__(self) -> str:
        where = "plan" if self.trip_index is None else f"trip {self.trip_index}"
        if self.group is not None:
            where += f" (group {self.group})"
        return f"{where}: {self.rule}: {self.message}"


@dataclass
class CheckReport:
    """What ``check`` found: violations, and the plan's outcome recomputed from its trips.

    People are counted at ``scenario.end``: ``rescued + lost + waiting_at_end +
    on_board_at_end == population`` always holds.
    """

    scenario_id: str
    variant: str | None
    time_unit: str
    trips: int
    population: int
    rescued: int
    """Sum over havens of their net inflow (delivered minus picked up) at the scenario end."""
    lost_people_by_place: dict[str, int]
    """People at a place when its deadline strikes (on or before the end), plus people who
    arrive there afterwards."""
    waiting_at_end: int
    """People at places that are not struck, not counting havens' net inflow; this includes
    people who start at a haven and arrivals due after the end."""
    on_board_at_end: int
    vehicles_lost: dict[str, int]
    """Vehicles per class idle at a place when its deadline strikes, or destroyed by known
    events, by the end."""
    vehicles_lost_by_place: dict[str, int]
    makespan: float | None
    """Latest arrival of a loaded trip from a non-haven into a haven by the end, or None."""
    violations: list[Violation] = field(default_factory=list)
    """Violations found, up to ``max_violations_per_rule`` per rule, by trip."""
    violation_counts: dict[str, int] = field(default_factory=dict)
    """Number of violations per rule (all of them, also those not kept in ``violations``)."""
    violation_totals: dict[str, float] = field(default_factory=dict)
    """Sum of the amounts per rule."""
    walks: int = 0
    """Walks in the plan (``travel.walkways``); walkers still walking at the end are
    counted in ``waiting_at_end``."""
    _by_place: dict[str, float] | Callable[[], dict[str, float]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def rescued_by_place(self) -> dict[str, float]:
        """Rescued people by the place they started from (havens that send people away
        count negative). People who went through a place that both receives and sends
        evacuees are split in proportion to who was there when they were picked up.
        Computed on first access: a sweep over time through such places."""
        if callable(self._by_place):
            self._by_place = self._by_place()
        return self._by_place

    @property
    def feasible(self) -> bool:
        return not any(self.violation_counts.values())

    @property
    def lost(self) -> int:
        return sum(self.lost_people_by_place.values())

    @property
    def n_violations(self) -> int:
        return sum(self.violation_counts.values())

    def to_rows(self) -> list[dict[str, object]]:
        """One dict per kept violation: trip, group, rule, amount, message (for a table)."""
        return [
            {
                "trip": v.trip_index,
                "group": v.group,
                "rule": v.rule,
                "amount": v.amount,
                "message": v.message,
            }
            for v in self.violations
        ]

    def to_dict(self) -> dict[str, object]:
        """Everything as plain data (amounts may be ``inf``)."""
        return {
            "scenario": self.scenario_id,
            "variant": self.variant,
            "time_unit": self.time_unit,
            "trips": self.trips,
            "walks": self.walks,
            "feasible": self.feasible,
            "population": self.population,
            "rescued": self.rescued,
            "lost": self.lost,
            "waiting_at_end": self.waiting_at_end,
            "on_board_at_end": self.on_board_at_end,
            "makespan": self.makespan,
            "rescued_by_place": dict(self.rescued_by_place),
            "lost_people_by_place": dict(self.lost_people_by_place),
            "vehicles_lost": dict(self.vehicles_lost),
            "vehicles_lost_by_place": dict(self.vehicles_lost_by_place),
            "violation_counts": dict(self.violation_counts),
            "violation_totals": dict(self.violation_totals),
            "violations": self.to_rows(),
        }

    def summary(self, max_violations: int = 20) -> str:
        """A few lines for people: verdict, people, vehicles lost, violations by rule."""
        n = self.n_violations
        verdict = "feasible" if self.feasible else f"INFEASIBLE: {n:,} violation(s)"
        variant = f", variant {self.variant}" if self.variant else ""
        pct = f" ({100.0 * self.rescued / self.population:.1f}%)" if self.population else ""
        lines = [
            f"check of {self.trips:,} trip(s)"
            + (f" and {self.walks:,} walk(s)" if self.walks else "")
            + f" for scenario {self.scenario_id}{variant}: {verdict}",
            f"  rescued {self.rescued:,} of {self.population:,} people{pct}; lost {self.lost:,};"
            f" waiting at end {self.waiting_at_end:,}; on board at end {self.on_board_at_end:,}",
        ]
        if self.makespan is not None:
            lines.append(f"  makespan {_t(self.makespan)} {self.time_unit}(s)")
        lost_v = sum(self.vehicles_lost.values())
        if lost_v:
            parts = ", ".join(f"{k} {v:,}" for k, v in sorted(self.vehicles_lost.items()))
            lines.append(f"  vehicles lost {lost_v:,} ({parts})")
        if n:
            by_rule = ", ".join(
                f"{rule} {count:,}"
                for rule, count in sorted(self.violation_counts.items(), key=lambda kv: -kv[1])
            )
            lines.append(f"  violations by rule: {by_rule}")
            for v in self.violations[:max_violations]:
                lines.append(f"    {v}")
            if n > max_violations:
                lines.append(f"    ... {n - max_violations:,} more")
        return "\n".join(lines)


class _Collector:
    """Keeps up to ``cap`` violations per rule and counts them all."""

    def __init__(self, cap: int | None, groups: Sequence[str]) -> None:
        self.cap = cap
        self.groups = groups
        self.kept: dict[str, list[Violation]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.totals: dict[str, float] = defaultdict(float)

    def room(self, rule: str) -> int:
        return len(self.groups) + 1 if self.cap is None else self.cap - len(self.kept[rule])

    def one(self, rule: str, trip: int | None, amount: float, message: str) -> None:
        self.counts[rule] += 1
        self.totals[rule] += amount
        if self.room(rule) > 0:
            group = None if trip is None else self.groups[trip]
            self.kept[rule].append(Violation(trip, group, rule, message, float(amount)))

    def many(
        self,
        rule: str,
        idx: IntArr | Sequence[int],
        amount: FloatArr | Sequence[float],
        message: Callable[[int, float], str],
    ) -> None:
        idx_a = np.asarray(idx, dtype=np.int64)
        amt_a = np.asarray(amount, dtype=np.float64)
        if len(idx_a) == 0:
            return
        self.counts[rule] += len(idx_a)
        self.totals[rule] += float(amt_a.sum())
        room = max(0, self.room(rule))
        for i, a in zip(idx_a[:room].tolist(), amt_a[:room].tolist(), strict=True):
            self.kept[rule].append(Violation(i, self.groups[i], rule, message(i, a), a))

    def violations(self) -> list[Violation]:
        out = [v for vs in self.kept.values() for v in vs]
        out.sort(
            key=lambda v: (
                -1 if v.trip_index is None else v.trip_index,
                _RULE_ORDER.get(v.rule, len(_RULE_ORDER)),
            )
        )
        return out
