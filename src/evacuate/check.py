"""The independent checker: re-verify a plan from its trips alone against docs/model.md.

It shares no code with the planners nor with ``evacuate.scenario.derive``: distances, hazard
deadlines, travel times, lane windows, production and every sweep over time are re-implemented
here, so that one mistake cannot hide in both. Only ``mode: known``, enabled events count.
All checks are vectorised or sorted sweeps (O(n log n) in the number of trips).
"""

from __future__ import annotations

import logging
import math
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from evacuate.planio import Plan
from evacuate.scenario.model import (
    CloseLane,
    ClosePlace,
    DestroyVehicles,
    Lane,
    LatLon,
    MoveDeadline,
    Shipyard,
    StopProduction,
    VehicleClass,
    WithdrawOperator,
)
from evacuate.units import DISTANCE_UNITS, TIME_UNITS

if TYPE_CHECKING:
    from evacuate.scenario.model import Position
    from evacuate.scenario.scenario import Scenario

__all__ = ["RULES", "CheckReport", "Violation", "check"]

log = logging.getLogger(__name__)

FloatArr = npt.NDArray[np.float64]
IntArr = npt.NDArray[np.int64]
BoolArr = npt.NDArray[np.bool_]

REL_TOL = 1e-9
ABS_TOL = 1e-6
EARTH_RADIUS_KM = 6371.0
INF = math.inf
_BIG = 2.0**62  # vehicle counts are capped here before integer arithmetic

RULES: dict[str, str] = {
    "header": "the plan was made for another scenario, variant or time unit (amount 1)",
    "not_finite": "a trip time is not a finite number (amount 1)",
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
    "withdrawn": "a withdrawn operator's trip departs at or after the withdrawal, or is under way "
    "then without finish_current_trip (amount: time past the withdrawal)",
    "group_chain": "a group's trip does not start where and after its previous trip ended, or "
    "changes class or count (amount: time overlap, vehicles, or count change)",
    "inventory": "vehicles leave a place that does not hold them (amount: vehicles short)",
    "destroyed": "a known destroy_vehicles event hits this trip's vehicles while loading or "
    "unloading (amount: vehicles)",
    "population": "picks up people who are not there (amount: people short)",
    "haven_capacity": "net inflow of evacuees exceeds the place's capacity (amount: people over)",
    "berths": "more vehicles load or unload at once than the place has berths (amount: vehicles)",
    "load_rate": "more people start loading in one throughput period than load_per_hour allows "
    "(amount: people over)",
    "unload_rate": "more people arrive in one throughput period than unload_per_hour allows "
    "(amount: people over)",
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
            f"check of {self.trips:,} trip(s) for scenario {self.scenario_id}{variant}: {verdict}",
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


# ---------------------------------------------------------------------------- helpers
def _tol(x: float) -> float:
    return max(ABS_TOL, REL_TOL * abs(x)) if math.isfinite(x) else ABS_TOL


def _tols(x: FloatArr) -> FloatArr:
    return np.maximum(ABS_TOL, REL_TOL * np.abs(np.where(np.isfinite(x), x, 0.0)))


def _t(x: float) -> str:
    return f"{x:.6g}"


def _seg_cumsum(keys: IntArr, values: IntArr) -> IntArr:
    """Cumulative sums of ``values`` restarting wherever the (sorted) ``keys`` change."""
    if len(values) == 0:
        return values.copy()
    cum: IntArr = np.cumsum(values)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    base = np.r_[0, cum[starts[1:] - 1]] if len(starts) > 1 else np.zeros(1, dtype=cum.dtype)
    lengths = np.diff(np.r_[starts, len(values)])
    out: IntArr = cum - np.repeat(base, lengths)
    return out


def _codes(names: list[str], known: dict[str, int], also: Iterable[str] = ()) -> IntArr:
    """A number per name: ``known`` ids keep theirs, other names (from ``names`` and
    ``also``, so that two lists share codes) follow in sorted order."""
    unseen = (set(names) | set(also)) - known.keys()
    table = {**known, **{name: len(known) + i for i, name in enumerate(sorted(unseen))}}
    return np.fromiter(map(table.__getitem__, names), np.int64, len(names))


def _sum_by(index: IntArr, values: IntArr, size: int) -> IntArr:
    """Exact integer sums of ``values`` per ``index`` (0 .. size-1)."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _const(text: str) -> Callable[[int, float], str]:
    return lambda i, a: text


def _with_prev(
    text: Callable[[int, int], str], prev_of: dict[int, int]
) -> Callable[[int, float], str]:
    return lambda i, a: text(i, prev_of[i])


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


@dataclass
class _Route:
    """One way from a to b for one class: its travel time and what can close it."""

    time: float
    lane: Lane | None
    closures: list[tuple[float, float]]

    @property
    def dynamic(self) -> bool:
        lane = self.lane
        return bool(self.closures) or (
            lane is not None and (bool(lane.windows) or lane.periodic is not None)
        )


def _window_open(lane: Lane, t: float) -> bool:
    """Whether travel may start on the lane at ``t`` (docs/model.md, "Travel time")."""
    if not lane.windows and lane.periodic is None:
        return True
    for w in lane.windows:
        if w.start - _tol(w.start) <= t and (w.end is None or t < w.end):
            return True
    pw = lane.periodic
    if pw is None:
        return False
    if pw.start is not None and t < pw.start - _tol(pw.start):
        return False
    if pw.end is not None and t >= pw.end:
        return False
    phase = (t - pw.offset) % pw.every
    if pw.every - phase <= _tol(t):
        phase = 0.0
    return phase < pw.open_for


def _next_open(lane: Lane, t: float) -> float:
    """The first instant at or after ``t`` at which travel may start on the lane (inf: never)."""
    if not lane.windows and lane.periodic is None:
        return t
    best = INF
    for w in lane.windows:
        if w.end is None or w.end > t:
            best = min(best, max(w.start, t))
    pw = lane.periodic
    if pw is not None and pw.open_for > 0:
        s = t if pw.start is None else max(t, pw.start)
        phase = (s - pw.offset) % pw.every
        cand = s if phase < pw.open_for else s + (pw.every - phase)
        if pw.end is None or cand < pw.end:
            best = min(best, cand)
    return best


# ---------------------------------------------------------------------------- supply
@dataclass
class _Yard:
    starts: FloatArr
    ends: FloatArr
    rates: FloatArr
    max_total: float
    available_from: float
    stop: float

    def available(self, t: FloatArr) -> IntArr:
        """Vehicles produced by ``t`` that may leave by ``t``."""
        te = np.minimum(t, self.stop)[:, None]
        overlap = np.clip(
            np.minimum(self.ends[None, :], te) - np.maximum(self.starts, 0.0), 0.0, None
        )
        with np.errstate(invalid="ignore", over="ignore"):
            total = np.where(overlap > 0, overlap * self.rates[None, :], 0.0).sum(axis=1)
            made = np.floor(total + REL_TOL * np.maximum(1.0, total))
        made = np.minimum(np.nan_to_num(made, posinf=_BIG), min(self.max_total, _BIG))
        return np.where(t >= self.available_from, made, 0.0).astype(np.int64)


@dataclass
class _Supply:
    """Vehicles of one class entering at one place: stock and shipyards."""

    stock: list[tuple[float, int]] = field(default_factory=list)
    yards: list[_Yard] = field(default_factory=list)

    def at(self, t: FloatArr) -> IntArr:
        out = np.zeros(len(t), dtype=np.int64)
        if self.stock:
            times = np.array([s[0] for s in self.stock], dtype=np.float64)
            counts = np.array([s[1] for s in self.stock], dtype=np.int64)
            order = np.argsort(times, kind="stable")
            cum = np.r_[0, np.cumsum(counts[order])]
            out += cum[np.searchsorted(times[order], t, side="right")]
        for yard in self.yards:
            out += yard.available(t)
        return out

    def at1(self, t: float) -> int:
        return int(self.at(np.array([t], dtype=np.float64))[0])


# ---------------------------------------------------------------------------- the checker
def check(
    scenario: Scenario, plan: Plan, *, max_violations_per_rule: int | None = 1000
) -> CheckReport:
    """Re-verify ``plan`` against ``scenario`` (docs/model.md) from its trips alone.

    Parameters
    ----------
    max_violations_per_rule:
        Keep at most this many ``Violation`` objects per rule (None: all);
        ``violation_counts`` and ``violation_totals`` always count every one.
    """
    started = _time.perf_counter()
    # non-finite trip times are reported as violations; the arithmetic on them must not warn
    with np.errstate(all="ignore"):
        report = _Checker(scenario, plan, max_violations_per_rule).run()
    log.info(
        "checked %d trips in %.2f s: %s",
        report.trips,
        _time.perf_counter() - started,
        "feasible" if report.feasible else f"{report.n_violations} violation(s)",
    )
    return report


class _Checker:
    def __init__(self, sc: Scenario, plan: Plan, cap: int | None) -> None:
        self.sc = sc
        self.plan = plan
        self.end = float(sc.scenario.end)
        self.E = self.end + _tol(self.end)
        self.unit = sc.scenario.time_unit
        self.places = list(sc.places)
        self.pidx = {p.id: i for i, p in enumerate(self.places)}
        self.classes = list(sc.fleet.classes)
        self.cidx = {c.id: i for i, c in enumerate(self.classes)}
        self.events = [e for e in sc.events if e.enabled and e.mode == "known"]
        trips = plan.trips
        self.n = n = len(trips)
        groups, vclasses, origins, dests = (
            list(map(attrgetter(name), trips))
            for name in ("group", "vehicle_class", "origin", "destination")
        )
        self.out = _Collector(cap, groups)

        P, C = len(self.places), len(self.classes)
        self.P, self.C = P, C
        self.deadline = np.array(
            [INF if d is None else d for d in self._deadlines()], dtype=np.float64
        )
        self.has_deadline = np.isfinite(self.deadline)
        self.struck = self.deadline <= self.end
        self.capacity = np.array([p.capacity for p in self.places], dtype=np.int64)
        self.haven = (self.capacity > 0) & ~self.struck

        self.ccap = np.array([c.capacity for c in self.classes] + [0], dtype=np.int64)
        self.cload = np.array([c.load_time for c in self.classes] + [0.0], dtype=np.float64)
        self.cunload = np.array([c.unload_time for c in self.classes] + [0.0], dtype=np.float64)
        self.cenabled = np.array([c.enabled for c in self.classes] + [False], dtype=bool)

        # trip arrays. Codes number every name (known ids first, unknown ones after); the
        # index arrays hold -1 for unknown ids (the extra last slot of the per-class arrays).
        self.cls_code = _codes(vclasses, self.cidx)
        self.o_code = _codes(origins, self.pidx, also=dests)
        self.d_code = _codes(dests, self.pidx, also=origins)
        self.group_code = _codes(groups, {})
        self.cls = np.where(self.cls_code < C, self.cls_code, -1)
        self.o = np.where(self.o_code < P, self.o_code, -1)
        self.d = np.where(self.d_code < P, self.d_code, -1)
        self.count = np.fromiter(map(attrgetter("count"), trips), np.int64, n)
        self.people = np.fromiter(map(attrgetter("people"), trips), np.int64, n)
        self.depart = np.fromiter(map(attrgetter("depart"), trips), np.float64, n)
        self.arrive = np.fromiter(map(attrgetter("arrive"), trips), np.float64, n)
        self.finite = np.isfinite(self.depart) & np.isfinite(self.arrive)
        self.kc = self.cls >= 0
        self.kp = (self.o >= 0) & (self.d >= 0)
        self.loaded = self.people > 0
        self.L = np.where(self.loaded, self.cload[self.cls], 0.0)
        self.U = np.where(self.loaded, self.cunload[self.cls], 0.0)
        self.t0 = self.depart + self.L
        # people are delivered at arrive (never before they left, for the accounting)
        self.tdel = np.where(self.finite, np.maximum(self.arrive, self.depart), self.arrive)

    # ------------------------------------------------------------------ geometry
    def _distance(self, a: Position | None, b: Position | None) -> float | None:
        if a is None or b is None:
            return None
        if self.sc.map.kind == "sphere":
            if not isinstance(a, LatLon) or not isinstance(b, LatLon):
                return None
            p1, p2 = math.radians(a.lat), math.radians(b.lat)
            dp, dl = p2 - p1, math.radians(b.lon - a.lon)
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            km = 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
            return km * DISTANCE_UNITS["km"] / DISTANCE_UNITS[self.sc.map.unit]
        if isinstance(a, LatLon) or isinstance(b, LatLon):
            return None
        za = a[2] if len(a) > 2 else 0.0
        zb = b[2] if len(b) > 2 else 0.0
        return math.hypot(a[0] - b[0], a[1] - b[1], za - zb)

    def _deadlines(self) -> list[float | None]:
        """Explicit deadline, else the hazard front's arrival (within max_radius), then known
        move_deadline events in time order."""
        hz = self.sc.hazard
        moves: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, MoveDeadline):
                    moves[eff.place].append((ev.at, eff.to))
        out: list[float | None] = []
        for p in self.places:
            d: float | None = p.deadline
            if d is None and hz is not None:
                r = self._distance(hz.origin, p.position)
                if r is not None and (hz.max_radius is None or r <= hz.max_radius):
                    d = hz.start + r / hz.speed
            # AMBIGUITY: a move that comes after the deadline has struck changes nothing (the
            # place is already lost); a move to a time before the event takes effect at the
            # event: trips before it were judged by the old deadline.
            for at, to in sorted(moves.get(p.id, [])):
                if d is not None and d < at:
                    break
                d = max(to, at)
            out.append(d)
        return out

    # ------------------------------------------------------------------ run
    def run(self) -> CheckReport:
        self._check_header()
        self._check_static()
        self._check_travel()
        self._check_deadlines_and_events()
        self._check_chain()
        people = self._check_people()
        vehicles = self._check_inventory()
        self._check_berths()
        self._check_rates()
        makespan = self._makespan()
        report = CheckReport(
            scenario_id=self.sc.scenario.id,
            variant=self.sc.applied_variant,
            time_unit=self.unit,
            trips=self.n,
            population=people["population"],
            rescued=people["rescued"],
            lost_people_by_place=people["lost"],
            waiting_at_end=people["waiting"],
            on_board_at_end=people["on_board"],
            vehicles_lost=vehicles[0],
            vehicles_lost_by_place=vehicles[1],
            makespan=makespan,
            _by_place=self._rescued_by_place,
        )
        self._check_claims(report)
        report.violations = self.out.violations()
        report.violation_counts = dict(self.out.counts)
        report.violation_totals = dict(self.out.totals)
        return report

    def _text(self, template: str) -> Callable[[int, float], str]:
        """A message maker filling {group}, {count}, {depart}... from the trip, {amount}."""

        def make(i: int, amount: float) -> str:
            t = self.plan.trips[i]
            return template.format(
                group=t.group,
                vehicle_class=t.vehicle_class,
                count=t.count,
                origin=t.origin,
                depart=_t(t.depart),
                destination=t.destination,
                arrive=_t(t.arrive),
                people=f"{t.people:,}",
                amount=f"{amount:,.6g}",
            )

        return make

    def _name(self, i: int, what: str) -> str:
        t = self.plan.trips[i]
        return str(getattr(t, what))

    # ------------------------------------------------------------------ header and claims
    def _check_header(self) -> None:
        plan, sc = self.plan, self.sc
        variant = sc.applied_variant
        if plan.scenario_id != sc.scenario.id:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan is for scenario '{plan.scenario_id}', not '{sc.scenario.id}'",
            )
        if plan.variant != variant:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan is for variant {plan.variant!r}, the scenario has variant {variant!r}",
            )
        if plan.time_unit != self.unit:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan times are in {plan.time_unit}s, the scenario counts {self.unit}s",
            )

    def _check_claims(self, report: CheckReport) -> None:
        plan = self.plan
        rescued = report.rescued
        slack = 1e-6 * max(1.0, abs(rescued))
        if plan.rescued is not None and abs(plan.rescued - rescued) > slack:
            self.out.one(
                "claimed_rescued",
                None,
                plan.rescued - rescued,
                f"plan claims {plan.rescued:,.6g} rescued; its trips rescue {rescued:,}",
            )
        trip_rules = sum(v for k, v in self.out.counts.items() if k not in ("claimed_rescued",))
        if plan.bound is not None and trip_rules == 0 and rescued > plan.bound + slack:
            self.out.one(
                "claimed_bound",
                None,
                rescued - plan.bound,
                f"the plan rescues {rescued:,}, more than its claimed bound {plan.bound:,.6g}",
            )
        claimed = plan.meta.get("makespan")
        if isinstance(claimed, (int, float)) and not isinstance(claimed, bool):
            actual = report.makespan
            if actual is None:
                self.out.one(
                    "makespan",
                    None,
                    float(claimed),
                    f"plan claims makespan {_t(claimed)}; no loaded trip reaches a haven",
                )
            elif abs(claimed - actual) > _tol(actual):
                self.out.one(
                    "makespan",
                    None,
                    claimed - actual,
                    f"plan claims makespan {_t(claimed)}; its trips give {_t(actual)}",
                )

    # ------------------------------------------------------------------ per-trip rules
    def _check_static(self) -> None:
        out, n = self.out, self.n
        idx = np.arange(n, dtype=np.int64)
        bad = ~self.finite
        out.many(
            "not_finite",
            idx[bad],
            np.ones(int(bad.sum())),
            lambda i, a: (
                f"depart {self.depart[i]} / arrive {self.arrive[i]}; expected finite times"
            ),
        )
        m = self.count < 1
        out.many(
            "negative",
            idx[m],
            (1 - self.count[m]).astype(np.float64),
            lambda i, a: f"count is {self.count[i]}; a group has at least 1 vehicle",
        )
        m = self.people < 0
        out.many(
            "negative",
            idx[m],
            (-self.people[m]).astype(np.float64),
            lambda i, a: f"people is {self.people[i]}; expected 0 or more",
        )
        m = ~self.kc
        out.many(
            "unknown_class",
            idx[m],
            np.ones(int(m.sum())),
            lambda i, a: f"no vehicle class '{self._name(i, 'vehicle_class')}' in the scenario",
        )
        m = self.kc & ~self.cenabled[self.cls]
        out.many(
            "disabled_class",
            idx[m],
            np.ones(int(m.sum())),
            lambda i, a: f"vehicle class '{self._name(i, 'vehicle_class')}' is disabled",
        )

        def unknown(i: int, a: float) -> str:
            names = [
                f"'{self._name(i, w)}'"
                for w, k in (("origin", self.o[i]), ("destination", self.d[i]))
                if k < 0
            ]
            return f"no place {' or '.join(names)} in the scenario"

        m = ~self.kp
        out.many("unknown_place", idx[m], np.ones(int(m.sum())), unknown)
        same = self.o_code == self.d_code
        out.many(
            "same_place",
            idx[same],
            np.ones(int(same.sum())),
            lambda i, a: f"origin and destination are both '{self._name(i, 'origin')}'",
        )
        limit = self.count * self.ccap[self.cls]
        m = self.kc & (self.people > limit)
        out.many(
            "capacity",
            idx[m],
            (self.people - limit)[m].astype(np.float64),
            lambda i, a: (
                f"{self.people[i]:,} people on {self.count[i]} x {self._name(i, 'vehicle_class')}"
                f" (capacity {self.ccap[self.cls[i]]:,} each, {limit[i]:,} in all)"
            ),
        )

    # ------------------------------------------------------------------ travel
    def _closures(
        self,
    ) -> tuple[
        dict[str, list[tuple[float, float]]], dict[frozenset[str], list[tuple[float, float]]]
    ]:
        by_lane: dict[str, list[tuple[float, float]]] = defaultdict(list)
        by_pair: dict[frozenset[str], list[tuple[float, float]]] = defaultdict(list)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, CloseLane):
                    until = INF if eff.until is None else eff.until
                    if eff.lane is not None:
                        by_lane[eff.lane].append((ev.at, until))
                    if eff.between is not None:
                        # AMBIGUITY: 'between' closes every way between the two places (the
                        # direct route and any declared lane), in both directions.
                        by_pair[frozenset(eff.between)].append((ev.at, until))
        return by_lane, by_pair

    def _routes(self, vc: VehicleClass, a: int, b: int) -> list[_Route]:
        pa, pb = self.places[a], self.places[b]
        out: list[_Route] = []
        pair = frozenset((pa.id, pb.id))
        declared = pair in self._declared
        if self.sc.travel.routes == "all" and not declared and vc.speed is not None:
            dist = self._distance(pa.position, pb.position)
            if dist is not None:
                out.append(_Route(dist / vc.speed, None, list(self._by_pair.get(pair, []))))
        for lane in self.sc.travel.lanes:
            forward = lane.start == pa.id and lane.end == pb.id
            backward = lane.bidirectional and lane.start == pb.id and lane.end == pa.id
            if not (forward or backward):
                continue
            tau: float | None
            if vc.id in lane.class_times:
                tau = lane.class_times[vc.id]
            elif lane.time is not None:
                tau = lane.time
            else:
                dist = lane.distance
                if dist is None:
                    s, e = self.pidx.get(lane.start), self.pidx.get(lane.end)
                    if s is not None and e is not None:
                        dist = self._distance(self.places[s].position, self.places[e].position)
                tau = (
                    None
                    if dist is None or vc.speed is None
                    else dist / vc.speed / lane.speed_factor
                )
            if tau is None:
                continue
            closures = list(self._by_lane.get(lane.id, [])) + list(self._by_pair.get(pair, []))
            out.append(_Route(tau, lane, closures))
        return out

    @staticmethod
    def _route_block(route: _Route, t0: float) -> tuple[str, float] | None:
        """Why travel cannot start on the route at ``t0`` (rule, wait), or None if it can."""
        if route.lane is not None and not _window_open(route.lane, t0):
            return "lane_window", _next_open(route.lane, t0) - t0
        for at, until in route.closures:
            if at <= t0 and (until == INF or t0 < until - _tol(until)):
                return "lane_closed", until - t0
        return None

    def _check_travel(self) -> None:
        self._by_lane, self._by_pair = self._closures()
        self._declared = {frozenset((ln.start, ln.end)) for ln in self.sc.travel.lanes}
        P = max(self.P, 1)
        ok = self.finite & self.kc & self.kp & (self.o != self.d)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return
        key = (self.cls[idx] * P + self.o[idx]) * P + self.d[idx]
        order = np.argsort(key, kind="stable")
        idx, key = idx[order], key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        bounds = np.r_[starts, len(idx)]
        extra = self.L + self.U
        for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            trips = idx[s:e]
            i0 = int(trips[0])
            c, a, b = int(self.cls[i0]), int(self.o[i0]), int(self.d[i0])
            vc = self.classes[c]
            routes = self._routes(vc, a, b)
            if not routes:
                text = (
                    f"no route from {self.places[a].id} to {self.places[b].id} for {vc.id}"
                    " (no lane, no positions or no speed)"
                )
                self.out.many("no_route", trips, np.ones(len(trips)), _const(text))
                continue
            if not any(r.dynamic for r in routes):
                best = min(r.time for r in routes)
                need = self.depart[trips] + extra[trips] + best
                short = need - self.arrive[trips]
                bad = short > _tols(need)
                self._travel_violation(trips[bad], short[bad], best)
                continue
            for i in trips.tolist():
                self._travel_dynamic(i, routes, float(extra[i]))

    def _travel_violation(self, trips: IntArr, short: FloatArr, best: float) -> None:
        def msg(i: int, a: float) -> str:
            lt, ut = self.L[i], self.U[i]
            parts = f"depart {_t(self.depart[i])}"
            parts += f" + load {_t(lt)}" if lt else ""
            parts += f" + travel {_t(best)}"
            parts += f" + unload {_t(ut)}" if ut else ""
            return (
                f"arrives at {_t(self.arrive[i])}, {_t(a)} too early: the earliest is "
                f"{_t(self.arrive[i] + a)} ({parts})"
            )

        self.out.many("travel_time", trips, short, msg)

    def _travel_dynamic(self, i: int, routes: list[_Route], extra: float) -> None:
        dep, arr = float(self.depart[i]), float(self.arrive[i])
        t0 = float(self.t0[i])
        usable: list[_Route] = []
        blocked: list[tuple[_Route, str, float]] = []
        for r in routes:
            why = self._route_block(r, t0)
            if why is None:
                usable.append(r)
            else:
                blocked.append((r, why[0], why[1]))

        def fits(r: _Route) -> bool:
            need = dep + extra + r.time
            return arr >= need - _tol(need)

        if any(fits(r) for r in usable):
            return
        fitting = [b for b in blocked if fits(b[0])]
        if fitting:
            route, rule, wait = min(fitting, key=lambda b: b[0].time)
            name = "the direct route" if route.lane is None else f"lane {route.lane.id}"
            cause = "its windows" if rule == "lane_window" else "a known close_lane event"
            when = "never reopens" if wait == INF else f"opens {_t(wait)} later"
            self.out.one(
                rule,
                i,
                wait,
                f"travel starts at {_t(t0)} on {name}, closed then by {cause} ({when})",
            )
            return
        best = min(r.time for r in (usable or routes))
        if not usable:
            route, rule, wait = min(blocked, key=lambda b: b[0].time)
            name = "the direct route" if route.lane is None else f"lane {route.lane.id}"
            self.out.one(
                rule,
                i,
                wait,
                f"travel starts at {_t(t0)}; no route is open then ({name} "
                f"{'never reopens' if wait == INF else f'opens {_t(wait)} later'})",
            )
        need = dep + extra + best
        self._travel_violation(
            np.array([i], dtype=np.int64), np.array([need - arr], dtype=np.float64), best
        )

    # ------------------------------------------------------------------ deadlines and events
    def _check_deadlines_and_events(self) -> None:
        out, n = self.out, self.n
        idx = np.arange(n, dtype=np.int64)
        base = self.finite & self.kp
        o = np.where(self.o >= 0, self.o, 0)
        d = np.where(self.d >= 0, self.d, 0)
        dl_o = self.deadline[o]
        late = self.t0 - dl_o
        m = base & self.has_deadline[o] & (late > _tols(dl_o))
        out.many(
            "deadline_origin",
            idx[m],
            late[m],
            lambda i, a: (
                f"leaves {self.places[o[i]].id} at {_t(self.t0[i])}"
                + (f" (loading from {_t(self.depart[i])})" if self.L[i] else "")
                + f", after its deadline {_t(self.deadline[o[i]])}"
            ),
        )
        dl_d = self.deadline[d]
        m = base & self.has_deadline[d] & (self.arrive >= dl_d)
        out.many(
            "deadline_destination",
            idx[m],
            (self.arrive - dl_d)[m],
            lambda i, a: (
                f"arrives at {self.places[d[i]].id} at {_t(self.arrive[i])}, not before its"
                f" deadline {_t(self.deadline[d[i]])}"
            ),
        )
        open_from = np.array(
            [-INF if p.open_from is None else p.open_from for p in self.places], dtype=np.float64
        )
        of = open_from[o]
        early = of - self.depart
        m = base & self.loaded & np.isfinite(of) & (early > _tols(of))
        out.many(
            "open_from",
            idx[m],
            early[m],
            lambda i, a: (
                f"picks up at {self.places[o[i]].id} at {_t(self.depart[i])}, before it opens"
                f" at {_t(open_from[o[i]])}"
            ),
        )

        operators: dict[str, list[int]] = defaultdict(list)
        for ci, vc in enumerate(self.classes):
            operators[vc.operator].append(ci)
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, ClosePlace):
                    self._closed_place(ev.at, eff, base)
                elif isinstance(eff, WithdrawOperator):
                    classes = operators.get(eff.operator, [])
                    if not classes:
                        continue
                    mine = self.finite & self.kc & np.isin(self.cls, classes)
                    m = mine & (self.depart >= ev.at)
                    tail = f"operator {eff.operator} withdraws at {_t(ev.at)} (event {ev.id})"
                    out.many(
                        "withdrawn",
                        idx[m],
                        self.depart[m] - ev.at,
                        self._text("departs at {depart}; " + tail),
                    )
                    if not eff.finish_current_trip:
                        m = mine & (self.depart < ev.at) & (self.arrive > ev.at + _tol(ev.at))
                        out.many(
                            "withdrawn",
                            idx[m],
                            self.arrive[m] - ev.at,
                            self._text(
                                "under way until {arrive} when " + tail + " without finishing trips"
                            ),
                        )

    def _closed_place(self, at: float, eff: ClosePlace, base: BoolArr) -> None:
        p = self.pidx.get(eff.place)
        if p is None:
            return
        until = INF if eff.until is None else eff.until
        idx = np.arange(self.n, dtype=np.int64)
        for side, where, times in (
            ("departs", self.o, self.depart),
            ("arrives", self.d, self.arrive),
        ):
            inside = (times >= at) & (
                np.ones(self.n, dtype=bool) if until == INF else times < until - _tol(until)
            )
            m = base & (where == p) & inside
            when = "{depart}" if side == "departs" else "{arrive}"
            self.out.many(
                "closed_place",
                idx[m],
                until - times[m],
                self._text(
                    f"{side} at {eff.place} at {when}, closed from {_t(at)}"
                    + (" for good" if until == INF else f" until {_t(until)}")
                ),
            )

    # ------------------------------------------------------------------ group continuity
    def _check_chain(self) -> None:
        trips = self.plan.trips
        idx = np.flatnonzero(self.finite)
        if len(idx) < 2:
            return
        g, cl = self.group_code[idx], self.cls_code[idx]
        orig, dest = self.o_code[idx], self.d_code[idx]
        order = np.lexsort((idx, self.arrive[idx], self.depart[idx], g))
        idx, g, cl, orig, dest = idx[order], g[order], cl[order], orig[order], dest[order]
        same = g[1:] == g[:-1]
        cur, prev = idx[1:], idx[:-1]
        count_change = np.abs(self.count[cur] - self.count[prev])
        overlap = self.arrive[prev] - self.depart[cur]
        checks: list[tuple[BoolArr, FloatArr, Callable[[int, int], str]]] = [
            (
                same & ((cl[1:] != cl[:-1]) | (count_change != 0)),
                np.maximum(1, count_change).astype(np.float64),
                lambda i, j: (
                    f"the group is {trips[i].count} x {trips[i].vehicle_class} here but"
                    f" {trips[j].count} x {trips[j].vehicle_class} on trip {j}"
                ),
            ),
            (
                same & (orig[1:] != dest[:-1]),
                self.count[cur].astype(np.float64),
                lambda i, j: (
                    f"departs from {trips[i].origin} but the group's previous trip {j} ended at"
                    f" {trips[j].destination}"
                ),
            ),
            (
                same & (overlap > _tols(self.arrive[prev])),
                overlap,
                lambda i, j: (
                    f"departs at {_t(trips[i].depart)}, before the group's previous trip {j}"
                    f" arrives at {_t(trips[j].arrive)}"
                ),
            ),
        ]
        for m, amount, text in checks:
            prev_of = dict(zip(cur[m].tolist(), prev[m].tolist(), strict=True))
            self.out.many("group_chain", cur[m], amount[m], _with_prev(text, prev_of))

    # ------------------------------------------------------------------ people
    def _check_people(self) -> dict[str, Any]:
        """Population never negative, net inflow within capacity, and the accounting at the
        end. At equal times each check takes the order that favours the plan (see below)."""
        P = self.P
        pop_place: list[int] = []
        pop_time: list[float] = []
        pop_n: list[int] = []
        for pi, p in enumerate(self.places):
            if p.population:
                pop_place.append(pi)
                pop_time.append(0.0)
                pop_n.append(p.population)
            for arr in p.arrivals:
                if arr.people:
                    pop_place.append(pi)
                    pop_time.append(arr.at)
                    pop_n.append(arr.people)
        pp = np.array(pop_place, dtype=np.int64)
        pt = np.array(pop_time, dtype=np.float64)
        pn = np.array(pop_n, dtype=np.int64)
        population = int(pn.sum())

        tr = np.flatnonzero(self.finite & self.kp & (self.people != 0))
        self._people_trips = tr
        npop, k = len(pp), len(tr)
        # events: population arrivals, deliveries (+ at destination), pickups (- at origin)
        place = np.r_[pp, self.d[tr], self.o[tr]]
        t = np.r_[pt, self.tdel[tr], self.depart[tr]]
        delta = np.r_[pn, self.people[tr], -self.people[tr]]
        trip = np.r_[np.full(npop, -1, dtype=np.int64), tr, tr]
        is_pick = np.r_[np.zeros(npop + k, dtype=bool), np.ones(k, dtype=bool)]
        tol = _tols(t)

        # population: a pickup at t may take people who arrive up to tol later
        key = np.where(is_pick, t, t - tol)
        order = np.lexsort((is_pick, key, place))
        after = _seg_cumsum(place[order], delta[order])
        ev = order[is_pick[order] & (after < 0)]
        short = -after[is_pick[order] & (after < 0)]
        ev_trips = trip[ev]
        people_ev = self.people[ev_trips]
        pos = people_ev > 0
        self.out.many(
            "population",
            ev_trips[pos],
            np.minimum(short[pos], people_ev[pos]).astype(np.float64),
            lambda i, a: (
                f"picks up {self.people[i]:,} at {self.places[self.o[i]].id} at"
                f" {_t(self.depart[i])}; {a:,.0f} of them are not there"
            ),
        )

        # capacity: trips only; a pickup at t frees room for a delivery up to tol earlier
        sel = np.flatnonzero(trip >= 0)
        tp, tt, td, tk = place[sel], t[sel], delta[sel], is_pick[sel]
        key = np.where(tk, tt - tol[sel], tt)
        order = np.lexsort((~tk, key, tp))
        after = _seg_cumsum(tp[order], td[order])
        over = after - self.capacity[tp[order]]
        bad = ~tk[order] & (over > 0)
        ev_trips = trip[sel][order][bad]
        self.out.many(
            "haven_capacity",
            ev_trips,
            np.minimum(over[bad], self.people[ev_trips]).astype(np.float64),
            lambda i, a: (
                f"delivers {self.people[i]:,} to {self.places[self.d[i]].id} at"
                f" {_t(self.tdel[i])}: {a:,.0f} over its capacity"
                f" {self.capacity[self.d[i]]:,}"
            ),
        )

        # accounting at the end of the horizon
        E = self.E
        arrived = _sum_by(pp[pt <= E], pn[pt <= E], P)
        late_arrivals = int(pn[pt > E].sum())
        delivered = self.tdel[tr] <= E
        picked = self.depart[tr] <= E
        net_i = _sum_by(self.d[tr][delivered], self.people[tr][delivered], P)
        net_i -= _sum_by(self.o[tr][picked], self.people[tr][picked], P)
        on_board = int(self.people[tr][picked & ~delivered].sum())
        present = arrived + net_i
        rescued = int(net_i[self.haven].sum())
        lost = {
            self.places[i].id: int(present[i]) for i in np.flatnonzero(self.struck) if present[i]
        }
        waiting = int(arrived[~self.struck].sum() + net_i[~self.struck & ~self.haven].sum())
        return {
            "population": population,
            "rescued": rescued,
            "lost": lost,
            "waiting": waiting + late_arrivals,
            "on_board": on_board,
            "arrived": arrived,
        }

    def _rescued_by_place(self) -> dict[str, float]:
        """Rescued people by the place they started from (proportional through staging)."""
        tr = self._people_trips
        E = self.E
        tr = tr[self.depart[tr] <= E]
        o, d = self.o[tr], self.d[tr]
        n_people = self.people[tr]
        receives = np.zeros(self.P, dtype=bool)
        receives[d] = True
        sends = np.zeros(self.P, dtype=bool)
        sends[o] = True
        mixing = receives & sends
        into = self.haven[d] & (self.tdel[tr] <= E)
        out_of = self.haven[o]
        result = np.zeros(self.P, dtype=np.float64)
        pure = ~mixing[o]
        result += _sum_by(o[pure & into], n_people[pure & into], self.P)
        result -= _sum_by(o[pure & out_of], n_people[pure & out_of], self.P)
        if not pure.all():
            comps = self._mix(tr, mixing)
            mixed = ~pure
            for i, is_in, is_out in zip(
                tr[mixed].tolist(), into[mixed].tolist(), out_of[mixed].tolist(), strict=True
            ):
                if not (is_in or is_out):
                    continue
                sign = (1.0 if is_in else 0.0) - (1.0 if is_out else 0.0)
                for src, amount in comps[i].items():
                    result[src] += sign * amount
        out: dict[str, float] = {}
        for pi, p in enumerate(self.places):
            value = float(result[pi])
            if abs(value - round(value)) < 1e-6:
                value = float(round(value))
            if value or ((p.population or p.arrivals) and not self.haven[pi]):
                out[p.id] = value
        return out

    def _mix(self, tr: IntArr, mixing: BoolArr) -> dict[int, dict[int, float]]:
        """Composition (people by place of origin) of each trip picked up at a mixing place,
        by a sweep over time: a pickup takes the mix present at that moment."""
        E = self.E
        pop_key: list[float] = []
        pop_place: list[int] = []
        pop_n: list[int] = []
        for pi, p in enumerate(self.places):
            if not mixing[pi]:
                continue
            for at, k in [(0.0, p.population), *((a.at, a.people) for a in p.arrivals)]:
                if k and at <= E:
                    pop_key.append(at - _tol(at))
                    pop_place.append(pi)
                    pop_n.append(k)
        into = tr[mixing[self.d[tr]] & (self.tdel[tr] <= E)]
        out_of = tr[mixing[self.o[tr]]]
        # events: kind 0 population, 1 delivery, 2 pickup; additions first at equal keys
        key = np.r_[pop_key, self.tdel[into] - _tols(self.tdel[into]), self.depart[out_of]]
        kind = np.r_[
            np.zeros(len(pop_key), np.int64),
            np.ones(len(into), np.int64),
            np.full(len(out_of), 2, np.int64),
        ]
        ref = np.r_[np.array(pop_place, np.int64), into, out_of]
        amount = np.r_[np.array(pop_n, np.int64), np.zeros(len(into) + len(out_of), np.int64)]
        order = np.lexsort((kind, key))
        o_list, d_list, people = self.o.tolist(), self.d.tolist(), self.people.tolist()
        mixing_list = mixing.tolist()
        comp: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        total: dict[int, float] = defaultdict(float)
        trip_comp: dict[int, dict[int, float]] = {}

        def pickup(i: int) -> dict[int, float]:
            c = trip_comp.get(i)
            if c is not None:
                return c
            o, k = o_list[i], float(people[i])
            here_total = total[o] if mixing_list[o] else 0.0
            if here_total <= 0:
                c = {o: k}
            else:
                here = comp[o]
                share = k / here_total
                c = {src: v * share for src, v in here.items() if v > 0}
                if k >= here_total:  # more than is there: a population violation
                    here.clear()
                    total[o] = 0.0
                else:
                    for src, v in c.items():
                        here[src] -= v
                    total[o] = here_total - k
            trip_comp[i] = c
            return c

        for kd, r, n in zip(
            kind[order].tolist(), ref[order].tolist(), amount[order].tolist(), strict=True
        ):
            if kd == 0:
                comp[r][r] += n
                total[r] += n
            elif kd == 1:
                dest = d_list[r]
                here = comp[dest]
                for src, v in pickup(r).items():
                    here[src] += v
                total[dest] += people[r]
            else:
                pickup(r)
        return trip_comp

    def _makespan(self) -> float | None:
        tr = self._people_trips
        o, d = self.o[tr], self.d[tr]
        m = (self.people[tr] > 0) & ~self.haven[o] & self.haven[d] & (self.tdel[tr] <= self.E)
        return float(self.arrive[tr][m].max()) if m.any() else None

    # ------------------------------------------------------------------ vehicles
    def _supplies(self) -> dict[tuple[int, int], _Supply]:
        stops: dict[str, float] = {}
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, StopProduction):
                    stops[eff.shipyard] = min(stops.get(eff.shipyard, INF), ev.at)
        out: dict[tuple[int, int], _Supply] = defaultdict(_Supply)
        for s in self.sc.fleet.stock:
            p, c = self.pidx.get(s.place), self.cidx.get(s.vehicle_class)
            if p is not None and c is not None and self.cenabled[c] and s.count:
                out[(p, c)].stock.append((s.available_from, s.count))
        for y in self.sc.fleet.shipyards:
            p, c = self.pidx.get(y.place), self.cidx.get(y.vehicle_class)
            if p is not None and c is not None and self.cenabled[c] and y.schedule:
                out[(p, c)].yards.append(self._yard(y, stops.get(y.id, INF)))
        return out

    @staticmethod
    def _yard(y: Shipyard, stop: float) -> _Yard:
        return _Yard(
            starts=np.array([pp.start for pp in y.schedule], dtype=np.float64),
            ends=np.array(
                [INF if pp.end is None else pp.end for pp in y.schedule], dtype=np.float64
            ),
            rates=np.array([pp.rate / pp.per for pp in y.schedule], dtype=np.float64),
            max_total=INF if y.max_total is None else float(y.max_total),
            available_from=-INF if y.available_from is None else y.available_from,
            stop=stop,
        )

    def _check_inventory(self) -> tuple[dict[str, int], dict[str, int]]:
        """Inventory per (place, class) never negative; vehicles lost at deadlines and to
        known destroy_vehicles events."""
        C = self.C
        supplies = self._supplies()
        tr = np.flatnonzero(self.finite & self.kp & self.kc & self.cenabled[self.cls])
        k = len(tr)
        pair = np.r_[self.o[tr] * C + self.cls[tr], self.d[tr] * C + self.cls[tr]]
        t = np.r_[self.depart[tr], self.tdel[tr]]
        delta = np.r_[-self.count[tr], self.count[tr]]
        is_dep = np.r_[np.ones(k, dtype=bool), np.zeros(k, dtype=bool)]
        trip = np.r_[tr, tr]
        # a departure at t may use vehicles that arrive up to tol later
        key = np.where(is_dep, t, t - _tols(t))
        order = np.lexsort((is_dep, key, pair))
        pair, t, delta, is_dep, trip = (
            pair[order],
            t[order],
            delta[order],
            is_dep[order],
            trip[order],
        )
        seg: dict[int, tuple[int, int]] = {}
        if len(pair):
            starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
            ends = np.r_[starts[1:], len(pair)]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                seg[int(pair[s])] = (s, e)

        def entered(pc: int, times: FloatArr) -> IntArr:
            sup = supplies.get((pc // C, pc % C))
            return np.zeros(len(times), dtype=np.int64) if sup is None else sup.at(times)

        def moved(pc: int, at: float) -> int:
            """Vehicles that arrived by ``at`` minus those that departed by ``at``."""
            if pc not in seg:
                return 0
            s, e = seg[pc]
            tt, dd = t[s:e], delta[s:e]
            return int(dd[tt <= at].sum())

        destroyed: dict[int, list[tuple[float, int]]] = defaultdict(list)
        lost_class: dict[str, int] = defaultdict(int)
        lost_place: dict[str, int] = defaultdict(int)
        self._destroy_events(entered, moved, destroyed, lost_class, lost_place)

        # departures: the inventory after each may not be negative
        for pc, (s, e) in seg.items():
            dep = is_dep[s:e]
            if not dep.any():
                continue
            tt = t[s:e]
            after = np.cumsum(delta[s:e])[dep]
            tdep = tt[dep]
            after = after + entered(pc, tdep + _tols(tdep))
            if pc in destroyed:
                at = np.array([x[0] for x in destroyed[pc]], dtype=np.float64)
                cum = np.r_[0, np.cumsum([x[1] for x in destroyed[pc]])]
                after = after - cum[np.searchsorted(at, tdep, side="left")]
            bad = after < 0
            if bad.any():
                trips = trip[s:e][dep][bad]
                self.out.many(
                    "inventory",
                    trips,
                    np.minimum(-after[bad], self.count[trips]).astype(np.float64),
                    self._text(
                        "takes {count} x {vehicle_class} from {origin} at {depart};"
                        " {amount} of them are not there"
                    ),
                )

        # vehicles idle at a place when its deadline strikes are lost
        pcs = set(seg) | {pi * C + ci for pi, ci in supplies}
        for pc in sorted(pcs):
            place = pc // C
            if not self.struck[place]:
                continue
            dl = float(self.deadline[place])
            n_here = int(entered(pc, np.array([dl], dtype=np.float64))[0]) + moved(pc, dl)
            n_here -= sum(x[1] for x in destroyed.get(pc, []) if x[0] <= dl)
            if n_here > 0:
                lost_class[self.classes[pc % C].id] += n_here
                lost_place[self.places[place].id] += n_here
        return dict(lost_class), dict(lost_place)

    def _destroy_events(
        self,
        entered: Callable[[int, FloatArr], IntArr],
        moved: Callable[[int, float], int],
        destroyed: dict[int, list[tuple[float, int]]],
        lost_class: dict[str, int],
        lost_place: dict[str, int],
    ) -> None:
        C = self.C
        todo: list[tuple[float, str, DestroyVehicles]] = []
        for ev in self.events:
            for eff in ev.effects:
                if isinstance(eff, DestroyVehicles):
                    todo.append((ev.at, ev.id, eff))
        todo.sort(key=lambda x: x[0])
        for at, ev_id, eff in todo:
            p = self.pidx.get(eff.place)
            if p is None or at > self.end or (self.struck[p] and at > self.deadline[p]):
                continue
            # AMBIGUITY: with a count, idle vehicles go first, class by class in the event's
            # (else the fleet's) order, then vehicles loading or unloading, by trip order.
            # A group departing exactly at `at` has left, unless it is still loading.
            names = eff.classes if eff.classes is not None else [c.id for c in self.classes]
            classes = [
                self.cidx[c] for c in names if c in self.cidx and self.cenabled[self.cidx[c]]
            ]
            left = INF if eff.count is None else float(eff.count)
            for c in classes:
                if left <= 0:
                    break
                pc = p * C + c
                here = int(entered(pc, np.array([at], dtype=np.float64))[0]) + moved(pc, at)
                here -= sum(x[1] for x in destroyed.get(pc, []))
                take = int(min(left, max(0, here)))
                if take:
                    destroyed[pc].append((at, take))
                    lost_class[self.classes[c].id] += take
                    lost_place[self.places[p].id] += take
                    left -= take
            if left <= 0:
                continue
            ok = self.finite & self.loaded & self.kc & np.isin(self.cls, classes)
            loading = ok & (self.o == p) & (self.depart <= at) & (at < self.t0)
            unloading = ok & (self.d == p) & (self.arrive - self.U <= at) & (at < self.arrive)
            for i in np.flatnonzero(loading | unloading).tolist():
                if left <= 0:
                    break
                take = int(min(left, self.count[i]))
                left -= take
                lost_class[self.classes[int(self.cls[i])].id] += take
                lost_place[self.places[p].id] += take
                what = "loading" if loading[i] else "unloading"
                self.out.one(
                    "destroyed",
                    i,
                    float(take),
                    f"{take} x {self.classes[int(self.cls[i])].id} {what} at {eff.place} are"
                    f" destroyed at {_t(at)} (event {ev_id})",
                )

    # ------------------------------------------------------------------ throughput
    def _check_berths(self) -> None:
        berths = np.array(
            [0 if p.berths is None else p.berths for p in self.places], dtype=np.int64
        )
        if not berths.any():
            return
        ok = self.finite & self.kp & self.kc & self.loaded
        o = np.where(self.o >= 0, self.o, 0)
        d = np.where(self.d >= 0, self.d, 0)
        ld = np.flatnonzero(ok & (berths[o] > 0) & (self.L > 0))
        ul = np.flatnonzero(ok & (berths[d] > 0) & (self.U > 0))
        place = np.r_[o[ld], d[ul]]
        start = np.r_[self.depart[ld], self.arrive[ul] - self.U[ul]]
        stop = np.r_[self.t0[ld], self.arrive[ul]]
        trip = np.r_[ld, ul]
        is_load = np.r_[np.ones(len(ld), dtype=bool), np.zeros(len(ul), dtype=bool)]
        m = len(trip)
        if m == 0:
            return
        # a berth freed at t may be taken by a vehicle starting up to tol earlier
        ev_place = np.r_[place, place]
        ev_key = np.r_[start, stop - _tols(stop)]
        ev_delta = np.r_[self.count[trip], -self.count[trip]]
        ev_start = np.r_[np.ones(m, dtype=bool), np.zeros(m, dtype=bool)]
        ev_ref = np.r_[np.arange(m), np.arange(m)]
        order = np.lexsort((ev_start, ev_key, ev_place))
        level = _seg_cumsum(ev_place[order], ev_delta[order])
        over = level - berths[ev_place[order]]
        bad = ev_start[order] & (over > 0)
        refs = ev_ref[order][bad]
        amounts = np.minimum(over[bad], self.count[trip[refs]]).astype(np.float64)
        for r, a in zip(refs.tolist(), amounts.tolist(), strict=True):
            i = int(trip[r])
            p = self.places[int(place[r])]
            what = "loading" if is_load[r] else "unloading"
            self.out.one(
                "berths",
                i,
                a,
                f"{self.count[i]} vehicle(s) {what} at {p.id} from {_t(start[r])}: {a:,.0f} more"
                f" than its {p.berths} berth(s)",
            )

    def _check_rates(self) -> None:
        secs = TIME_UNITS[self.unit]
        period = max(1.0, 3600.0 / secs)  # in time units: one hour or one time unit
        hours = period * secs / 3600.0
        ok = self.finite & self.kp & self.loaded
        for rule, attr, where, times in (
            ("load_rate", "load_per_hour", self.o, self.depart),
            ("unload_rate", "unload_per_hour", self.d, self.arrive),
        ):
            rates = np.array(
                [getattr(p, attr) or 0.0 for p in self.places] + [0.0], dtype=np.float64
            )
            sel = np.flatnonzero(ok & (rates[where] > 0))
            if len(sel) == 0:
                continue
            tt = times[sel]
            k = np.floor(tt / period)
            k = np.where((k + 1) * period - tt <= _tols(tt), k + 1, k).astype(np.int64)
            place = where[sel]
            order = np.lexsort((sel, tt, k, place))
            sel, k, place = sel[order], k[order], place[order]
            group = np.r_[True, (k[1:] != k[:-1]) | (place[1:] != place[:-1])].cumsum()
            cum = _seg_cumsum(group.astype(np.int64), self.people[sel])
            limit = rates[place] * hours
            over = cum - limit
            bad = over > REL_TOL * np.maximum(1.0, limit)
            if rule == "load_rate":
                text = "{people} people start loading at {origin} at {depart}"
            else:
                text = "{people} people arrive at {destination} at {arrive}"
            text += f"; {{amount}} over the limit {attr} x {_t(hours)} h per period"
            self.out.many(
                rule, sel[bad], np.minimum(over[bad], self.people[sel[bad]]), self._text(text)
            )
