"""A bound from the fleet's round trips: a small LP over trips per class and pair of places.

Every vehicle's life is a chain: it enters at time ``s`` at its place, makes an empty approach
to the origin of its first loaded trip, then loaded trip, turnaround, approach, loaded trip,
and so on. A loaded trip ``i -> j`` of class ``c`` lasts at least ``D = load + travel +
unload`` (fastest route; windows and closures ignored), an approach at least the shortest
empty path, and only loaded trips that end by the horizon count. So per class, summed over
the vehicles a plan uses,

    sum over trips (D + turnaround) + sum over approaches (shortest path)
        <= sum over vehicles (T - s - lost + turnaround)

where ``T`` is the horizon (or a withdrawal, plus the longest trip when the trip under way
may finish) and ``lost`` the part of a pause (a withdrawal that ``return_operator`` ends)
that no trip can use. The LP counts trips ``n[c,i,j]``, their people ``y <= capacity x n``,
approaches ``e[c,j,i]`` (from a trip's end to the next one's origin, or none) and first
approaches ``f[g,i]`` of each entry ``g`` (stock, production batches, reinforcements: the
problem's supply; vehicles a known ``damage_vehicles`` is certain to hit enter when repaired).
People are conserved per place (out <= released by its deadline + delivered in); a haven's
net inflow is at most its capacity; people loaded (unloaded) at a place are at most the
allowances of the periods up to its last departure (the horizon), and vehicle-time loading
or unloading at most ``berths`` x that time. For each class and each last departure
``theta`` below the horizon, the trips from places that must be left by ``theta`` and their
approaches fit in each vehicle's time before ``theta`` plus one trip. Any plan maps onto a
feasible point with its rescued count (each vehicle's chain gives ``f``, ``n``, ``e``), so the
LP optimum bounds it. Size: ``C x P^2`` columns, whatever the head count or the fleet.
Known sinkings and lane windows are left out (relaxed).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from evacuate.plan.budget import SafetyStop
from evacuate.plan.problem import Problem
from evacuate.scenario.model import DamageVehicles
from evacuate.solvers import highs

__all__ = ["MAX_COLUMNS", "MAX_LEVELS", "round_trip_bound"]

log = logging.getLogger(__name__)

MAX_COLUMNS = 20_000
"""Larger LPs are not built: the pooled LP (``pooled_trips.py``) stands in. 4 x classes x places²
columns at most: the 30-place, 3-class rung of the ladder (10,800) takes under a second;
the 71-place rung took 80 s in HiGHS, too long for a bound that comes first."""

MAX_LEVELS = 24
"""Deadline levels per class (a subset of the valid ones: each is valid on its own)."""

_TOL = 1e-9


@dataclass(frozen=True)
class _Entry:
    c: int
    p: int
    t: float
    count: int


def _repairs(problem: Problem) -> dict[tuple[float, int], float]:
    """(at, place) of each known damage: when its vehicles are back."""
    out: dict[tuple[float, int], float] = {}
    for ev in problem.scenario.enabled_events:
        if ev.mode != "known":
            continue
        for fx in ev.effects:
            if isinstance(fx, DamageVehicles) and fx.place in problem.pindex:
                key = (float(ev.at), problem.pindex[fx.place])
                out[key] = max(out.get(key, -math.inf), float(fx.until))
    return out


def _entries(problem: Problem) -> list[_Entry]:
    """Vehicles as they enter; those a known damage is certain to hit (made before it, free
    only after it, at its place) enter when repaired."""
    entries = [(_Entry(s.c, s.p, s.t, s.count), s.made) for s in problem.supply]
    repairs = _repairs(problem)
    for d in problem.damages:
        until = repairs.get((d.t, d.p))
        if until is None:
            continue
        left = d.count
        kept: list[tuple[_Entry, float]] = []
        for e, made in entries:
            if not (e.p == d.p and e.c in d.classes and made <= d.t < e.t) or left == 0:
                kept.append((e, made))
                continue
            hit = e.count if left is None else min(left, e.count)
            if left is not None:
                left -= hit
            kept.append((_Entry(e.c, e.p, max(e.t, until), hit), made))
            if e.count > hit:
                kept.append((_Entry(e.c, e.p, e.t, e.count - hit), made))
        entries = kept
    return [e for e, _ in entries]


def _shortest_paths(travel: np.ndarray) -> np.ndarray:
    """(C, P, P) shortest empty-move times (Floyd-Warshall per class; inf: unreachable)."""
    dist = np.array(travel, dtype=np.float64, copy=True)
    n_p = dist.shape[1]
    for c in range(dist.shape[0]):
        np.fill_diagonal(dist[c], 0.0)
        for m in range(n_p):
            dist[c] = np.minimum(dist[c], dist[c][:, m : m + 1] + dist[c][m : m + 1, :])
    return dist


class _Lp:
    """Columns and sparse rows gathered as lists."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.ub: list[float] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.hi: list[float] = []

    def col(self, cost: float = 0.0, ub: float = math.inf) -> int:
        self.cost.append(cost)
        self.ub.append(ub)
        return len(self.cost) - 1

    def row(self, terms: list[tuple[int, float]], hi: float) -> None:
        if not terms:
            return
        n = len(self.hi)
        for col, val in terms:
            self.r.append(n)
            self.c.append(col)
            self.v.append(val)
        self.hi.append(hi)

    def maximise(
        self,
        label: str,
        scale: float,
        *,
        rows_scaled: bool = False,
        stop: SafetyStop | None = None,
    ) -> float:
        """The LP's optimum times ``scale``, padded by HiGHS's tolerances (inf when HiGHS
        finds none). ``rows_scaled`` divides the rows' limits by ``scale`` first (the
        columns then count ``scale`` people each); otherwise the costs carry the scale.
        ``stop``: the safety stop; HiGHS gets its time left, and cut by it gives no bound."""
        A = sp.csc_array((self.v, (self.r, self.c)), shape=(len(self.hi), len(self.cost)))
        hi = np.array(self.hi)
        res = highs.solve(
            np.array(self.cost),
            A,
            np.full(len(self.hi), -math.inf),
            hi / scale if rows_scaled else hi,
            np.zeros(len(self.cost)),
            np.array(self.ub),
            sense="max",
            time_limit=None if stop is None else stop.left(),
        )
        if stop is not None:
            stop.note_solver(res.status)
        if res.status != "optimal" or res.objective is None:
            log.warning("%s: HiGHS says %s; no bound", label, res.status)
            return math.inf
        value = res.objective * scale
        log.info("%s %.1f (%d columns, %d rows)", label, value, len(self.cost), len(self.hi))
        # HiGHS's optimum is exact up to its tolerances: pad by as much
        return value + 1e-7 * abs(value) + 1e-6 * scale


def round_trip_bound(problem: Problem, stop: SafetyStop | None = None) -> float:
    """The LP optimum of the module docstring: no plan rescues more (inf: not built, or cut
    by the safety ``stop``)."""
    n_c, n_p, end = problem.n_classes, problem.n_places, float(problem.end)
    if not problem.supply or end < 0:
        return math.inf
    if 4 * n_c * n_p * n_p > MAX_COLUMNS:
        from evacuate.plan.pooled_trips import pooled_trip_bound

        log.info("round-trip bound: %d classes x %d places, trips pooled per place", n_c, n_p)
        return pooled_trip_bound(problem, stop)
    entries = _entries(problem)
    dist = _shortest_paths(problem.travel)
    load, unload = problem.load, problem.unload
    rest = np.array([problem.rest(c) for c in range(n_c)])
    dur = problem.travel + (load + unload)[:, None, None]
    dl = problem.deadline
    biggest = max(float(problem.population.sum()), 1.0)
    scale = float(10 ** max(0, math.floor(math.log10(biggest)) - 3))
    # the end of each class's useful time, and the longest trip it can make
    longest = np.zeros(n_c)
    horizon = np.full(n_c, end)
    for c in range(n_c):
        finite = dur[c][np.isfinite(dur[c])]
        empty = dist[c][np.isfinite(dist[c])]
        longest[c] = max([0.0, *finite.tolist(), *empty.tolist()])
        w = float(problem.withdraw[c])
        if math.isfinite(w):
            horizon[c] = min(end, w if problem.withdraw_hard[c] else w + longest[c])
    # earliest instant a vehicle of each class can be at each place
    reach = np.full((n_c, n_p), math.inf)
    for e in entries:
        reach[e.c] = np.minimum(reach[e.c], e.t + dist[e.c, e.p])
    lp = _Lp()
    n_col: dict[tuple[int, int, int], int] = {}
    y_col: dict[tuple[int, int, int], int] = {}
    for c in range(n_c):
        for i in range(n_p):
            dep = max(float(reach[c, i]), float(problem.open_from[i]))
            if not math.isfinite(dep) or dep + load[c] > dl[i] + _TOL or dep >= problem.withdraw[c]:
                continue
            for j in range(n_p):
                d = float(dur[c, i, j])
                if i == j or not math.isfinite(d):
                    continue
                if dep + d > min(float(horizon[c]), end) + _TOL or dep + d > dl[j] + _TOL:
                    continue
                n_col[(c, i, j)] = lp.col()
                y_col[(c, i, j)] = lp.col()
                lp.row(
                    [(y_col[(c, i, j)], 1.0), (n_col[(c, i, j)], -problem.capacity[c] / scale)], 0.0
                )
    if not n_col:
        return 0.0
    starts = {(c, i) for c, i, _ in n_col}
    ends = {(c, j) for c, _, j in n_col}
    time_terms: dict[int, list[tuple[int, float]]] = {c: [] for c in range(n_c)}
    into: dict[tuple[int, int], list[tuple[int, float]]] = {}  # vehicle flow into starts
    out_of: dict[tuple[int, int], list[tuple[int, float]]] = {}  # trips ending, reused
    e_cols: list[tuple[int, int, int, int]] = []  # (c, j, i, col)
    for (c, i, j), col in n_col.items():
        time_terms[c].append((col, float(dur[c, i, j] + rest[c])))
        into.setdefault((c, i), []).append((col, 1.0))
        out_of.setdefault((c, j), []).append((col, -1.0))
    for c, j in sorted(ends):
        for cc, i in sorted(starts):
            if cc != c or not math.isfinite(dist[c, j, i]):
                continue
            col = lp.col()
            if i == j:
                out_of[(c, j)].append((col, 1.0))
                into[(c, i)].append((col, -1.0))
                continue
            e_cols.append((c, j, i, col))
            time_terms[c].append((col, float(dist[c, j, i])))
            out_of[(c, j)].append((col, 1.0))
            into[(c, i)].append((col, -1.0))
    f_cols: list[tuple[int, int, int]] = []  # (entry, i, col)
    pauses = [(k, a, b, hard) for k, a, b, hard in problem.pauses]
    for g, e in enumerate(entries):
        lost = 0.0
        for k, a, b, hard in pauses:
            if k != e.c:
                continue
            overlap = min(b, float(horizon[e.c])) - max(a, e.t)
            slack = float(rest[e.c]) + (0.0 if hard else float(longest[e.c]))
            lost += max(0.0, overlap - slack)
        fleet: list[tuple[int, float]] = []
        for c, i in sorted(starts):
            if c != e.c:
                continue
            budget = float(horizon[c]) - e.t + float(rest[c]) - lost - float(dist[c, e.p, i])
            if not budget > 0:
                continue
            col = lp.col()
            f_cols.append((g, i, col))
            fleet.append((col, 1.0))
            into[(c, i)].append((col, -1.0))
            time_terms[c].append((col, -budget))
        lp.row(fleet, float(e.count))
    for terms in (*into.values(), *out_of.values(), *time_terms.values()):
        lp.row(terms, 0.0)
    _deadline_levels(problem, lp, entries, n_col, e_cols, f_cols, dur, dist, rest)
    _people_rows(problem, lp, n_col, y_col, scale)
    cost = np.array(lp.cost)
    if not np.any(cost > 0):
        return 0.0
    return lp.maximise("round-trip bound", scale, stop=stop)


def _deadline_levels(
    problem: Problem,
    lp: _Lp,
    entries: list[_Entry],
    n_col: dict[tuple[int, int, int], int],
    e_cols: list[tuple[int, int, int, int]],
    f_cols: list[tuple[int, int, int]],
    dur: np.ndarray,
    dist: np.ndarray,
    rest: np.ndarray,
) -> None:
    """Trips that must leave by ``theta``, and their approaches, fit in the time before it."""
    for c in range(problem.n_classes):
        limit = problem.deadline - problem.load[c]
        levels = sorted({float(x) for x in limit if x < problem.end})
        if len(levels) > MAX_LEVELS:
            pick = np.linspace(0, len(levels) - 1, MAX_LEVELS).round().astype(int)
            levels = [levels[k] for k in sorted(set(pick.tolist()))]
        for theta in levels:
            early = limit <= theta + _TOL
            terms: list[tuple[int, float]] = []
            longest = 0.0
            for (k, i, j), col in n_col.items():
                if k == c and early[i]:
                    terms.append((col, float(dur[c, i, j] + rest[c])))
                    longest = max(longest, float(dur[c, i, j]))
            if not terms:
                continue
            terms += [(col, float(dist[c, j, i])) for k, j, i, col in e_cols if k == c and early[i]]
            terms += [
                (col, float(dist[c, entries[g].p, i]))
                for g, i, col in f_cols
                if entries[g].c == c and early[i]
            ]
            room = sum(
                e.count * max(0.0, theta - e.t + longest + float(rest[c]))
                for e in entries
                if e.c == c
            )
            lp.row(terms, room)


def _people_rows(
    problem: Problem,
    lp: _Lp,
    n_col: dict[tuple[int, int, int], int],
    y_col: dict[tuple[int, int, int], int],
    scale: float,
) -> None:
    """People conserved per place, havens within capacity, loads and unloads within the
    allowances and berths of the time they can happen in."""
    n_p, end = problem.n_places, float(problem.end)
    released = np.zeros(n_p)
    for p, t, n in problem.arrivals:
        if t <= min(end, float(problem.deadline[p])) + _TOL:
            released[p] += n
    for p in range(n_p):
        out = [(col, 1.0) for (_, i, _), col in y_col.items() if i == p]
        inn = [(col, 1.0) for (_, _, j), col in y_col.items() if j == p]
        lp.row(out + [(col, -v) for col, v in inn], released[p] / scale)
        if problem.is_haven[p] and inn:
            r = lp.col(1.0, float(problem.sink_capacity[p]) / scale)
            lp.row([(r, 1.0), *((col, -v) for col, v in inn), *out], 0.0)
        last = min(end, float(problem.deadline[p]))
        if out:
            allowed = _allowance_sum(problem, p, last, unload=False)
            if math.isfinite(allowed):
                lp.row(out, allowed / scale)
        if inn:
            allowed = _allowance_sum(problem, p, end, unload=True)
            if math.isfinite(allowed):
                lp.row(inn, allowed / scale)
        berths = problem.bound_berths(p)
        if berths < 1 << 30 and (out or inn):
            busy = [(col, float(problem.load[c])) for (c, i, _), col in n_col.items() if i == p]
            busy += [(col, float(problem.unload[c])) for (c, _, j), col in n_col.items() if j == p]
            lp.row([(col, v) for col, v in busy if v > 0], berths * max(0.0, end))


def _allowance_sum(problem: Problem, p: int, last: float, unload: bool) -> float:
    """People a place may load (unload) in all the periods up to ``last`` (inf: no limit)."""
    get = problem.unload_allowance if unload else problem.load_allowance
    n_periods = math.floor(max(0.0, last) / problem.period + _TOL) + 1
    total = 0.0
    for k in range(n_periods):
        a = get(p, k)
        if not math.isfinite(a):
            return math.inf
        total += a
    return total
