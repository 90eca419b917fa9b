"""The planning problem in arrays: a scenario with its known events applied (``compile``).

Times stay continuous here (scenario time unit). ``Problem`` is what every planner reads:
places and classes by index, travel times, deadlines, vehicle supply (stock and production
batches), and the known events as windows. Surprise and disabled events are left out: the
planner does not know them. Time grids for bounds are built from it in ``grid.py``; the
routes (direct travel times, lanes and their closures) live in ``routes.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.routes import DirectTimes, Route, Routes, Times, direct_times
from evacuate.scenario import arrivals as scenario_arrivals
from evacuate.scenario import derive
from evacuate.scenario.fleet_limits import fleet_limited, record_of
from evacuate.scenario.model import (
    AddVehicles,
    CloseLane,
    ClosePlace,
    DamageVehicles,
    DestroyVehicles,
    Lane,
    MoveDeadline,
    OpenLane,
    OpenPlace,
    ReturnOperator,
    SinkVehicles,
    StopProduction,
    WithdrawOperator,
)
from evacuate.scenario.scenario import Scenario
from evacuate.scenario.throughput import allowances, berth_changes, berth_range

__all__ = ["Destroy", "Problem", "Route", "Routes", "Supply", "Times", "compile_problem"]

INF = math.inf


Flown = tuple[int, float | None, float]
"""(sorties, first departure of the duty or None when rested, end of the last trip)."""


@dataclass(frozen=True)
class Supply:
    """``count`` vehicles of class index ``c`` at place index ``p``, free to leave from ``t``."""

    c: int
    p: int
    t: float
    count: int
    made: float
    """When they entered (production batch end; stock and reinforcements: when free)."""
    record: Flown | None = None
    """Sorties and duty the vehicles bring (stock written mid-operation): ``Flown``."""


@dataclass(frozen=True)
class Destroy:
    """A known destroy_vehicles effect."""

    t: float
    p: int
    classes: frozenset[int]
    count: int | None


def _worn_stock(
    scenario: Scenario, cindex: dict[str, int], pindex: dict[str, int]
) -> dict[tuple[int, int], Flown]:
    """Per (class, place) index with stock that brings a ``record``: the worst of those records
    (most sorties, earliest duty, latest trip end), for every vehicle there. The model gives a
    departing group the least worn vehicles at its place, which need not be the planner's
    own; with the worst record the planner's plan holds whichever it gets."""
    out: dict[tuple[int, int], Flown] = {}
    for st in scenario.fleet.stock:
        r = record_of(st.record)
        if r is None or st.vehicle_class not in cindex or st.place not in pindex:
            continue
        key = (cindex[st.vehicle_class], pindex[st.place])
        s0, d0, e0 = out.get(key, (0, None, -INF))
        duty = [x for x in (d0, r[1]) if x is not None]
        out[key] = (max(s0, r[0]), min(duty) if duty else None, max(e0, r[2]))
    return out


def _allowance(
    periods: list[NDArray[np.float64] | None], budget: NDArray[np.float64], p: int, k: int
) -> float:
    a = periods[p] if periods else None
    if a is None:
        return float(budget[p])
    return float(a[min(max(k, 0), len(a) - 1)])


@dataclass
class Problem:
    """Arrays of a scenario's planning problem (known events applied)."""

    scenario: Scenario
    places: tuple[str, ...]
    classes: tuple[str, ...]
    capacity: NDArray[np.int64]
    """(C,) people per vehicle."""
    load: NDArray[np.float64]
    unload: NDArray[np.float64]
    operator: tuple[str, ...]
    withdraw: NDArray[np.float64]
    """(C,) no departure at or after this time (inf: never withdrawn)."""
    hard_by: NDArray[np.float64]
    """(C,) the earliest withdrawal without finish_current_trip that no return ends (inf:
    none): no trip may be under way then, even after an earlier withdrawal that let trips
    finish (``withdraw`` is the first withdrawal only)."""
    times: Times
    """Fastest travel times over every route ignoring windows and closures (inf: none), by
    rows, blocks and pairs (computed on demand with straight-line travel); ``travel`` is
    the whole (C, P, P) array."""
    routes: Routes
    """Routes for (class, i, j) pairs that have any travel time."""
    deadline: NDArray[np.float64]
    """(P,) inf where none."""
    open_from: NDArray[np.float64]
    population: NDArray[np.int64]
    """(P,) people to evacuate (time 0 plus every arrival)."""
    arrivals: list[tuple[int, float, int]]
    """(place, time, people), time-zero populations included, sorted by time."""
    sink_capacity: NDArray[np.int64]
    is_haven: NDArray[np.bool_]
    load_budget: NDArray[np.float64]
    """(P,) the most people that may load in any one throughput period (inf:
    unlimited); ``load_allowance`` gives each period's own."""
    unload_budget: NDArray[np.float64]
    berths: NDArray[np.int64]
    """(P,) vehicles loading or unloading at once (a large number where unlimited; the fewest
    a known change_throughput leaves over the horizon: planners keep to it)."""
    period: float
    supply: list[Supply]
    destroys: list[Destroy]
    place_closed: list[tuple[int, float, float]]
    end: float
    pindex: dict[str, int] = field(default_factory=dict)
    cindex: dict[str, int] = field(default_factory=dict)
    load_periods: list[NDArray[np.float64] | None] = field(default_factory=list)
    """Per place, the loading allowance of each period up to the end (None: constant)."""
    unload_periods: list[NDArray[np.float64] | None] = field(default_factory=list)
    turnaround: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    """(C,) time after each loaded trip before the vehicles' next trip (empty: none)."""
    berths_most: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """(P,) the most berths in force over the horizon (``berths``: the fewest; empty: same)."""

    @property
    def travel(self) -> NDArray[np.float64]:
        """(C, P, P) fastest travel time over every route ignoring windows and closures (inf:
        none), built on first use (``times`` reads rows and pairs without it)."""
        return self.times.dense()

    def bound_berths(self, p: int) -> int:
        """Berths a bound may count at ``p``: the most in force at any instant."""
        return int(self.berths_most[p]) if len(self.berths_most) else int(self.berths[p])

    def berth_schedule(self, p: int) -> tuple[int, list[tuple[float, float, int]]]:
        """The place's own berths (a large number: none) and the known changes (from, until,
        berths), for planners that follow the berths in force at each instant."""
        place = self.scenario.places[p]
        own = 1 << 40 if place.berths is None else place.berths
        return own, berth_changes(self.scenario, place)

    def load_allowance(self, p: int, k: int) -> float:
        """People that may load at ``p`` in throughput period ``k`` (a loading draws on every
        period it spans)."""
        return _allowance(self.load_periods, self.load_budget, p, k)

    def unload_allowance(self, p: int, k: int) -> float:
        """People that may arrive unloaded at ``p`` in throughput period ``k``."""
        return _allowance(self.unload_periods, self.unload_budget, p, k)

    def rest(self, c: int) -> float:
        """The turnaround of class index ``c`` (0 when none)."""
        return float(self.turnaround[c]) if len(self.turnaround) else 0.0

    damages: list[Destroy] = field(default_factory=list)
    """Known damage_vehicles effects: planners treat them as losses (they do not count on
    the vehicles' return); the bound leaves them out."""
    pauses: list[tuple[int, float, float, bool]] = field(default_factory=list)
    """(class, from, until, hard): withdrawals that a known return_operator ends; no departure
    in ``[from, until)`` (hard: no trip under way at ``from``). Not in ``withdraw``."""

    @property
    def withdraw_hard(self) -> NDArray[np.bool_]:
        """(C,) the first withdrawal does not let a trip under way finish: trips must end by
        then."""
        return np.isfinite(self.hard_by) & (self.hard_by <= self.withdraw)

    def arrive_by(self, c: int) -> float:
        """When a trip of class ``c`` (all depart before ``withdraw[c]``) must have ended."""
        return float(self.hard_by[c])

    def pause_end(self, c: int, t: float) -> float | None:
        """When class ``c`` may depart again if ``t`` is inside one of its pauses, else None."""
        for k, a, b, _ in self.pauses:
            if k == c and a <= t < b:
                return b
        return None

    def crosses_hard_pause(self, c: int, a: float, b: float) -> bool:
        """Whether a trip of class ``c`` from ``a`` to ``b`` is under way when a hard pause
        (a withdrawal without finish_current_trip) begins."""
        return any(k == c and hard and a < w < b for k, w, _, hard in self.pauses)

    def stop_for_good(self, c: int) -> float:
        """The first withdrawal of class ``c``, pauses included (for planners that cannot
        wait for a return)."""
        return min([float(self.withdraw[c]), *(a for k, a, _, _ in self.pauses if k == c)])

    @property
    def tires(self) -> bool:
        """Some class has a turnaround, sorties or rest, or a place has stands (planners that cannot
        honour them stand aside)."""
        return bool(np.any(self.turnaround > 0)) or fleet_limited(self.scenario)

    @property
    def n_places(self) -> int:
        return len(self.places)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def total_vehicles(self) -> int:
        return sum(s.count for s in self.supply)

    def is_source(self, p: int) -> bool:
        """People can be picked up here: it has people, or it can hold delivered people."""
        return bool(self.population[p] > 0 or self.sink_capacity[p] > 0)

    def place_open(self, p: int, t: float) -> bool:
        return not any(q == p and a <= t < b for q, a, b in self.place_closed)

    def best_route(
        self, c: int, i: int, j: int, ready: float, latest_start: float = INF
    ) -> tuple[float, float] | None:
        """(start, arrival) of the earliest arrival from i to j with travel ready at ``ready``.

        ``start`` is when travel begins (>= ready); None if no route opens by ``latest_start``.
        """
        best: tuple[float, float] | None = None
        for route in self.routes.get((c, i, j), ()):
            start = route.next_open(ready, min(latest_start, self.end))
            if start is None:
                continue
            arrival = start + route.time
            if best is None or arrival < best[1]:
                best = (start, arrival)
        return best


def _production_batches(
    scenario: Scenario, yard_id: str, stop_at: float, batch: float, breaks: list[float]
) -> list[tuple[float, int]]:
    """(time, vehicles) batches: cumulative production per docs/model.md, grouped by ``batch``."""
    yard = next(y for y in scenario.fleet.shipyards if y.id == yard_id)
    horizon = min(stop_at, scenario.end)

    def cumulative(t: float) -> int:
        total = 0.0
        for period in yard.schedule:
            end = period.end if period.end is not None else INF
            overlap = max(0.0, min(end, t) - max(period.start, 0.0))
            total += period.rate / period.per * overlap
        made = math.floor(total + 1e-9)
        return made if yard.max_total is None else min(yard.max_total, made)

    out: list[tuple[float, int]] = []
    done = 0
    t = 0.0
    pending = sorted(b for b in breaks if 0 < b < horizon)
    while t < horizon:
        t = min(t + batch, horizon)
        if pending and pending[0] <= t:
            t = pending.pop(0)  # a batch boundary at every known event time
            while pending and pending[0] <= t:
                pending.pop(0)
        now = cumulative(t)
        if now > done:
            out.append((t, now - done))
            done = now
        if yard.max_total is not None and done >= yard.max_total:
            break
    return out


def _reopen(windows: list[tuple[float, float]], at: float) -> list[tuple[float, float]]:
    """Closures begun before ``at`` end by ``at`` (an open_place or open_lane effect)."""
    return [(a, min(b, at) if a < at else b) for a, b in windows]


def compile_problem(scenario: Scenario, *, production_batch: float | None = None) -> Problem:
    """Arrays for the planners. ``production_batch``: production is released in batches of this
    length (default: a hundredth of the horizon), so cost grows with batches, not hulls."""
    places = tuple(p.id for p in scenario.places)
    pindex = {pid: i for i, pid in enumerate(places)}
    classes = tuple(c.id for c in scenario.enabled_classes)
    cindex = {cid: i for i, cid in enumerate(classes)}
    vcs = [scenario.vehicle_class(c) for c in classes]
    n_p, n_c = len(places), len(classes)
    end = scenario.end
    known = [e for e in scenario.enabled_events if e.mode == "known"]

    deadline = np.array(
        [INF if scenario.deadline(p) is None else float(scenario.deadline(p) or 0) for p in places]
    )
    withdraw = np.full(n_c, INF)
    hard_by = np.full(n_c, INF)
    stopped: dict[str, float] = {}
    destroys: list[Destroy] = []
    place_closed: list[tuple[int, float, float]] = []
    lane_closed: dict[str, list[tuple[float, float]]] = {}
    pair_closed: dict[frozenset[str], list[tuple[float, float]]] = {}
    reinforcements: list[Supply] = []
    returns: dict[str, list[float]] = {}
    for ev in known:
        for eff in ev.effects:
            if isinstance(eff, ReturnOperator):
                returns.setdefault(eff.operator, []).append(ev.at)
    pauses: list[tuple[int, float, float, bool]] = []
    sinks: list[tuple[tuple[int, int], float, list[int]]] = []
    damages: list[Destroy] = []
    lane_ends = {ln.id: (ln.start, ln.end) for ln in scenario.travel.lanes}
    for ev in sorted(known, key=lambda e: e.at):
        for eff in ev.effects:
            if isinstance(eff, MoveDeadline):
                k = pindex[eff.place]
                if deadline[k] >= ev.at:  # a place already lost stays lost
                    deadline[k] = max(eff.to, ev.at)
            elif isinstance(eff, WithdrawOperator) and any(
                r > ev.at for r in returns.get(eff.operator, ())
            ):
                back = min(r for r in returns[eff.operator] if r > ev.at)
                for ci, vc in enumerate(vcs):
                    if vc.operator == eff.operator:
                        pauses.append((ci, ev.at, back, not eff.finish_current_trip))
            elif isinstance(eff, WithdrawOperator):
                for ci, vc in enumerate(vcs):
                    if vc.operator == eff.operator and not eff.finish_current_trip:
                        hard_by[ci] = min(hard_by[ci], ev.at)
                    if vc.operator == eff.operator:
                        withdraw[ci] = min(withdraw[ci], ev.at)
            elif isinstance(eff, StopProduction):
                stopped[eff.shipyard] = min(stopped.get(eff.shipyard, INF), ev.at)
            elif isinstance(eff, DestroyVehicles):
                cls = (
                    frozenset(range(n_c))
                    if eff.classes is None
                    else frozenset(cindex[c] for c in eff.classes if c in cindex)
                )
                destroys.append(Destroy(ev.at, pindex[eff.place], cls, eff.count))
            elif isinstance(eff, ClosePlace):
                place_closed.append(
                    (pindex[eff.place], ev.at, INF if eff.until is None else eff.until)
                )
            elif isinstance(eff, CloseLane):
                window = (ev.at, INF if eff.until is None else eff.until)
                if eff.lane is not None:
                    lane_closed.setdefault(eff.lane, []).append(window)
                elif eff.between is not None:
                    pair_closed.setdefault(frozenset(eff.between), []).append(window)
            elif isinstance(eff, OpenPlace):
                k = pindex[eff.place]
                place_closed = [
                    (q, a, min(b, ev.at) if q == k and a < ev.at else b) for q, a, b in place_closed
                ]
            elif isinstance(eff, OpenLane):
                if eff.lane is not None and eff.lane in lane_closed:
                    lane_closed[eff.lane] = _reopen(lane_closed[eff.lane], ev.at)
                elif eff.between is not None and frozenset(eff.between) in pair_closed:
                    pair = frozenset(eff.between)
                    pair_closed[pair] = _reopen(pair_closed[pair], ev.at)
            elif isinstance(eff, DamageVehicles):
                hurt = (
                    frozenset(range(n_c))
                    if eff.classes is None
                    else frozenset(cindex[c] for c in eff.classes if c in cindex)
                )
                damages.append(Destroy(ev.at, pindex[eff.place], hurt, eff.count))
            elif isinstance(eff, SinkVehicles):
                ends = lane_ends.get(eff.lane or "") if eff.lane is not None else eff.between
                if ends is not None:
                    hit = [cindex[c] for c in eff.classes or classes if c in cindex]
                    sinks.append(((pindex[ends[0]], pindex[ends[1]]), ev.at, hit))
            elif isinstance(eff, AddVehicles) and eff.vehicle_class in cindex and ev.at <= end:
                ci, pi = cindex[eff.vehicle_class], pindex[eff.place]
                if eff.count > 0:
                    reinforcements.append(Supply(ci, pi, max(ev.at, 0.0), eff.count, ev.at))

    special: dict[tuple[int, int, int], list[Route]] = {}
    lanes_of: dict[tuple[int, int], list[Lane]] = {}
    for ln in scenario.travel.lanes:
        a, b = pindex[ln.start], pindex[ln.end]
        lanes_of.setdefault((a, b), []).append(ln)
        if ln.bidirectional and a != b:
            lanes_of.setdefault((b, a), []).append(ln)
    direct_t: Times | DirectTimes
    if lanes_of:
        travel = direct_times(scenario, vcs)
        laned: set[tuple[int, int]] = set()
        for ln in scenario.travel.lanes:
            a, b = pindex[ln.start], pindex[ln.end]
            # a declared lane replaces the direct route, in both directions
            travel[:, a, b] = INF
            travel[:, b, a] = INF
            laned |= {(a, b), (b, a)}
        # the fastest times differ from the direct ones only where lanes are (set below):
        # one array, the direct times read from it
        travel_t = Times(scenario, vcs, travel)
        direct_t = DirectTimes(travel_t, laned)
    else:
        # straight-line travel only: times computed on demand from the positions, the
        # whole array only for the planners that ask for it (``Problem.travel``)
        direct_t = travel_t = Times(scenario, vcs)
    for (i, j), lanes in lanes_of.items():
        if i == j:
            continue
        for ci, vc in enumerate(vcs):
            options = []
            for lane in lanes:
                t = derive.route_time(scenario, vc, places[i], places[j], lane)
                if t is not None:
                    closed = tuple(lane_closed.get(lane.id, ()))
                    options.append(Route(t, lane, closed))
            if options:
                special[(ci, i, j)] = options
                travel[ci, i, j] = min(r.time for r in options)
    for pair, windows in pair_closed.items():
        ids = sorted(pair)
        if len(ids) != 2:
            continue
        a, b = pindex[ids[0]], pindex[ids[1]]
        for i, j in ((a, b), (b, a)):
            for ci in range(n_c):
                opts = [
                    Route(r.time, r.lane, r.closed + tuple(windows))
                    for r in special.get((ci, i, j), ())
                ]
                if math.isfinite(direct_t.at(ci, i, j)):
                    opts.insert(0, Route(direct_t.at(ci, i, j), None, tuple(windows)))
                if opts:
                    special[(ci, i, j)] = opts
    # a known sinking: no travel may be under way between its places at its instant, so
    # travel may not start in [at - duration, at) on any route between them
    for (a, b), at, hit in sinks:
        for i, j in ((a, b), (b, a)):
            for ci in hit:
                found = special.get((ci, i, j))
                if found is None and not math.isfinite(direct_t.at(ci, i, j)):
                    continue
                ways = found if found is not None else [Route(direct_t.at(ci, i, j), None)]
                special[(ci, i, j)] = [
                    Route(r.time, r.lane, (*r.closed, (at - r.time, at))) for r in ways
                ]
    routes = Routes(travel_t, direct_t, special)

    hours_per_unit = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}[scenario.time_unit]
    period = max(1.0, 1.0 / hours_per_unit)  # one hour or one time unit, whichever is longer
    pl = scenario.places
    load_periods = [allowances(scenario, p, unload=False) for p in pl]
    unload_periods = [allowances(scenario, p, unload=True) for p in pl]
    load_budget = np.array([INF if a is None else float(np.max(a)) for a in load_periods])
    unload_budget = np.array([INF if a is None else float(np.max(a)) for a in unload_periods])
    # planners keep to the fewest berths a known change_throughput leaves (cautious and
    # feasible); bounds use the most (valid)
    ranges = [berth_range(scenario, p) for p in pl]
    berths = np.array([1 << 40 if lo is None else lo for lo, _ in ranges], dtype=np.int64)
    berths_most = np.array([1 << 40 if hi is None else hi for _, hi in ranges], dtype=np.int64)

    arrivals: list[tuple[int, float, int]] = []
    for i, p in enumerate(pl):
        if p.population:
            arrivals.append((i, 0.0, p.population))
        for at, n in scenario_arrivals.releases(scenario, p):
            arrivals.append((i, at, n))
    arrivals.sort(key=lambda x: (x[1], x[0]))
    population = np.zeros(n_p, dtype=np.int64)
    for i, _, n in arrivals:
        population[i] += n

    supply: list[Supply] = list(reinforcements)
    for st in scenario.fleet.stock:
        if st.vehicle_class in cindex and st.count > 0:
            # stock enters at ``available_from`` (docs/model.md): events before it miss it
            t = max(st.available_from, 0.0)
            supply.append(Supply(cindex[st.vehicle_class], pindex[st.place], t, st.count, t))
    batch = production_batch if production_batch is not None else max(end / 100.0, 1e-9)
    for yard in scenario.fleet.shipyards:
        if yard.vehicle_class not in cindex:
            continue
        breaks = [d.t for d in (*destroys, *damages)]
        for t, n in _production_batches(
            scenario, yard.id, stopped.get(yard.id, INF), batch, breaks
        ):
            free = max(t, yard.available_from if yard.available_from is not None else t)
            supply.append(Supply(cindex[yard.vehicle_class], pindex[yard.place], free, n, t))

    # vehicles certain to be at a place when a known event destroys them there: held there
    # (made before the event, free to leave only after it)
    for d in destroys:
        remaining = d.count
        kept: list[Supply] = []
        for s in supply:
            if (
                s.p == d.p
                and s.c in d.classes
                and s.made <= d.t < s.t
                and (remaining is None or remaining > 0)
            ):
                killed = s.count if remaining is None else min(remaining, s.count)
                if remaining is not None:
                    remaining -= killed
                if s.count - killed > 0:
                    kept.append(Supply(s.c, s.p, s.t, s.count - killed, s.made))
                continue
            kept.append(s)
        supply = kept
    # merge identical (class, place, time) supplies: identical vehicles are one group
    merged: dict[tuple[int, int, float], int] = {}
    made_at: dict[tuple[int, int, float], float] = {}
    for s in supply:
        key = (s.c, s.p, s.t)
        merged[key] = merged.get(key, 0) + s.count
        made_at[key] = min(made_at.get(key, INF), s.made)
    worn = _worn_stock(scenario, cindex, pindex)
    supply = [
        Supply(c, p, t, n, made_at[(c, p, t)], worn.get((c, p)))
        for (c, p, t), n in sorted(merged.items())
    ]

    return Problem(
        scenario=scenario,
        places=places,
        classes=classes,
        capacity=np.array([vc.capacity for vc in vcs], dtype=np.int64),
        load=np.array([vc.load_time for vc in vcs], dtype=np.float64),
        unload=np.array([vc.unload_time for vc in vcs], dtype=np.float64),
        operator=tuple(vc.operator for vc in vcs),
        withdraw=withdraw,
        hard_by=hard_by,
        times=travel_t,
        routes=routes,
        deadline=deadline,
        open_from=np.array(
            [p.open_from if p.open_from is not None else -INF for p in pl], dtype=np.float64
        ),
        population=population,
        arrivals=arrivals,
        # no place ever holds more than everyone: ``unlimited`` (10**12) binds nowhere
        sink_capacity=np.minimum(
            np.array([p.capacity for p in pl], dtype=np.int64), max(1, int(population.sum()))
        ),
        is_haven=np.array([p.capacity > 0 for p in pl], dtype=np.bool_) & (deadline > end),
        load_budget=load_budget,
        unload_budget=unload_budget,
        berths=berths,
        berths_most=berths_most,
        period=period,
        load_periods=load_periods,
        unload_periods=unload_periods,
        supply=supply,
        destroys=destroys,
        place_closed=place_closed,
        end=end,
        pindex=pindex,
        cindex=cindex,
        turnaround=np.array([vc.turnaround for vc in vcs], dtype=np.float64),
        pauses=pauses,
        damages=damages,
    )
