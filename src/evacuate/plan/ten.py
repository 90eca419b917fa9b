"""The time-expanded network (TEN): the textbook LP bound and an exact MIP for small instances.

Nodes are ``(class, place, step)`` on a grid ``t_k = k * dt``, ``k = 0..K``; arcs are *wait*
(``k -> k+1``), *empty move* and *loaded move* (vehicles ``x`` and people ``y <= capacity * x``)
between every pair of places with a route: as the checker lets a pickup at ``t`` take people
delivered at ``t``, even a place without capacity can be a transfer point. Vehicles enter as
the ``Problem``'s supply; a node may pass on fewer vehicles than reach it (idle vehicles stop:
``out - in <= supply``). People are a stock per place and step: population arrivals and
deliveries in, pickups out, never negative. The rules are docs/model.md's, read from
``evacuate.plan.problem.Problem`` (known events applied). Two modes:

``mode="relax"`` (``ten_bound``: the LP optimum bounds rescued from above). Map any feasible
plan onto the grid: a trip departing at ``d`` takes the arc leaving step ``floor(d/dt)``, which
is ``floor(D/dt)`` steps long for its shortest duration ``D`` (load + travel + unload, or
travel), so it lands no later than ``floor(arrive/dt)`` as ``floor(a + b) >= floor(a) +
floor(b)``, and the group waits there for its next trip; supply, population arrivals and
pickups sit at ``floor(t/dt)``; trips that depart after ``end`` or arrive after it are dropped
with the rest of their group's trips (that only leaves people where they were). Each rule
then holds in relaxed form, so the image is LP-feasible with the plan's rescued count:
 1. an arc leaves step ``k`` when *some* ``d`` in ``[k dt, (k+1) dt]`` meets each departure
    rule on its own: open_from, deadline - load, withdrawal (and, without
    finish_current_trip, an arrival by it), ``d <= end``, a lane window or
    closure at ``d + load``, origin closures, and an arrival before the destination's deadline
    (or a closure that never ends); finite closures at the destination are ignored;
 2. stocks: deliveries land at rounded-down steps, so people are available no later than in
    the plan, and pickups of a step may use that step's deliveries;
 3. ``r_h <= min(capacity_h, delivered_h - picked_h)`` for each haven, objective ``sum r_h``:
    delivered counts every landing ``<= K``, a superset of the arrivals by ``end``, so the
    plan's net inflow at ``end`` (<= capacity) is feasible for ``r_h``; capacity at other
    instants and the capacity of non-havens are dropped;
 4. load throughput: pickups starting in step ``k`` are at most the budget times the periods
    that step meets, and steps inside one period share its budget; unload throughput (havens
    only): deliveries landing at steps ``>= k`` that arrive by ``end`` (``delta <= y``) are at
    most the budget of the periods in ``[k dt, end]``; berths (loading only): the loading
    time of vehicles departing in a step, or a block of steps, fits in
    ``berths * (block length + longest load)``, and at most ``berths`` vehicles whose loading
    lasts a step or more depart in one step (they all load at the step's end);
 5. vehicles destroyed by known events are removed from supply only where ``Problem`` holds
    them; vehicles at a place after its deadline simply cannot depart.
Zero-step arcs are allowed. Empty ones only form circulations that carry nobody; loaded ones
(``dt`` longer than a loaded trip) keep the bound valid but weak, so choose ``dt`` no longer than
the shortest loaded trip (a warning is logged). Floors use a 1e-9 relative tolerance, and the
returned bound is padded by HiGHS's feasibility tolerance.

``mode="feasible"`` (``ten_mip``): trips depart at grid times ``t_k``; a move arrives at the
first grid time ``t_{k+s} >= t_k + D`` (``s >= 1``, ``D`` for the fastest route open when travel
starts) or, with ``max_delay_steps``, up to that many steps later (waiting en route). Every rule
is checked at these exact times: route open at ``t_k + load``, ``t_k + load <= deadline``,
arrival ``< deadline``, closures at both ends, withdrawal (arrival by it without
finish_current_trip), open_from; pickups at ``t_k`` may use people who arrived or were
delivered at or before ``t_k``; at every grid instant, after its pickups and deliveries, net
inflow is within capacity (the checker's order at equal times); throughput per period; berths
at every instant where a loading or unloading starts; no vehicle of a destroyed class at the
place at a known destroy time; loaded arcs whose timing would not suit an empty trip carry at
least one person per vehicle. Integer vehicles and people then decompose into groups whose
``planio.Trip`` rows (``depart = t_k``, ``arrive = t_{k+s}``) pass ``evacuate.check``. With
integer data, ``dt = 1`` and delays up to the horizon, this MIP is exact (``tests/oracle.py``).
Tie-breaks worth less than one person in all prefer earlier deliveries and fewer moves.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evacuate.plan.problem import Problem, Route
from evacuate.planio import Trip
from evacuate.scenario.model import WithdrawOperator
from evacuate.solvers import highs

__all__ = [
    "Mode",
    "TenBound",
    "TenMip",
    "TenModel",
    "build_ten",
    "ten_bound",
    "ten_mip",
    "trivial_bound",
]

log = logging.getLogger(__name__)

Mode = Literal["relax", "feasible"]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

INF = math.inf
_BIG = 1 << 40
_TOL = 1e-9


class TenBound(NamedTuple):
    """``ten_bound``'s answer: the LP upper bound and the LP's size and solve time."""

    bound: float
    seconds: float
    status: str
    n_cols: int
    n_rows: int


class TenMip(NamedTuple):
    """``ten_mip``'s answer: the trips, the people they rescue, and the MIP's own bound."""

    trips: list[Trip]
    rescued: float
    mip_dual_bound: float
    seconds: float
    status: str


@dataclass
class _Arcs:
    """Move arcs: vehicles of class ``c`` leave ``i`` at step ``k`` and reach ``j`` at ``k + s``."""

    c: IntArray
    i: IntArray
    j: IntArray
    k: IntArray
    s: IntArray
    must_load: BoolArray
    """Loaded arcs whose timing is not valid for an empty trip: every vehicle carries someone."""

    @staticmethod
    def empty() -> _Arcs:
        z = np.zeros(0, dtype=np.int64)
        return _Arcs(z, z, z, z, z, np.zeros(0, dtype=np.bool_))

    def __len__(self) -> int:
        return len(self.k)

    def take(self, mask: BoolArray | IntArray) -> _Arcs:
        return _Arcs(
            self.c[mask],
            self.i[mask],
            self.j[mask],
            self.k[mask],
            self.s[mask],
            self.must_load[mask],
        )


@dataclass
class TenModel:
    """A built TEN model: the LP/MIP arrays plus the index maps to read a solution back."""

    mode: Mode
    dt: float
    K: int
    times: FloatArray
    c: FloatArray
    A: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integrality: BoolArray
    offset: float
    """Constant added to ``c @ x`` to get the objective (people already counted)."""
    wait: _Arcs
    empty: _Arcs
    loaded: _Arcs
    col_wait: IntArray
    col_empty: IntArray
    col_loaded_x: IntArray
    col_loaded_y: IntArray
    supply: dict[tuple[int, int, int], int]
    tiebreak_max: float = 0.0
    people_scale: float = 1.0
    """People are counted in units of this many (relax mode) to keep the LP well scaled."""
    notes: list[str] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return int(self.A.shape[1])

    @property
    def n_rows(self) -> int:
        return int(self.A.shape[0])


class _Builder:
    """Columns, rows and nonzeros gathered as numpy blocks, assembled once into CSC."""

    def __init__(self) -> None:
        self.cost: list[FloatArray] = []
        self.lb: list[FloatArray] = []
        self.ub: list[FloatArray] = []
        self.integer: list[BoolArray] = []
        self.n_cols = 0
        self.rlo: list[FloatArray] = []
        self.rhi: list[FloatArray] = []
        self.n_rows = 0
        self.ri: list[IntArray] = []
        self.ci: list[IntArray] = []
        self.val: list[FloatArray] = []

    def cols(
        self,
        n: int,
        cost: float | FloatArray = 0.0,
        lb: float | FloatArray = 0.0,
        ub: float | FloatArray = INF,
        integer: bool = False,
    ) -> IntArray:
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,)).copy())
        self.integer.append(np.full(n, integer, dtype=np.bool_))
        self.n_cols += n
        return idx

    def rows(self, n: int, lo: float | FloatArray, hi: float | FloatArray) -> IntArray:
        idx = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.rhi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy())
        self.n_rows += n
        return idx

    def nz(self, r: IntArray, c: IntArray, v: float | FloatArray) -> None:
        r = np.asarray(r, dtype=np.int64)
        c = np.asarray(c, dtype=np.int64)
        self.ri.append(r)
        self.ci.append(c)
        self.val.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape).copy())

    @staticmethod
    def _cat(parts: list[FloatArray] | list[BoolArray] | list[IntArray], dtype: type) -> NDArray:  # type: ignore[type-arg]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    def build(
        self,
    ) -> tuple[FloatArray, sp.csc_array, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
        ri = self._cat(self.ri, np.int64)
        ci = self._cat(self.ci, np.int64)
        val = self._cat(self.val, np.float64)
        keep = val != 0.0
        A = sp.csc_array(
            (val[keep], (ri[keep], ci[keep])), shape=(self.n_rows, self.n_cols), dtype=np.float64
        )
        A.sum_duplicates()
        return (
            self._cat(self.cost, np.float64),
            A,
            self._cat(self.rlo, np.float64),
            self._cat(self.rhi, np.float64),
            self._cat(self.lb, np.float64),
            self._cat(self.ub, np.float64),
            self._cat(self.integer, np.bool_),
        )


# --------------------------------------------------------------------------------- helpers
def trivial_bound(problem: Problem) -> float:
    """min(everyone, total haven capacity): valid for every plan."""
    return float(
        min(int(problem.population.sum()), int(problem.sink_capacity[problem.is_haven].sum()))
    )


def _closures(problem: Problem) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[] for _ in range(problem.n_places)]
    for p, a, b in problem.place_closed:
        out[p].append((a, b))
    return out


def _arrival_limit(deadline: float, closed: list[tuple[float, float]]) -> float:
    """Arrivals must come before this: the deadline, pulled back by closures that reach it."""
    limit = deadline
    changed = True
    while changed:
        changed = False
        for a, b in closed:
            if a < limit <= b:
                limit = a
                changed = True
    return limit


def _free_intervals(
    lo: float, hi: float, closed: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Parts of ``[lo, hi]`` outside the half-open closures (endpoints kept: permissive)."""
    segs = [(lo, hi)]
    for a, b in closed:
        nxt: list[tuple[float, float]] = []
        for x, y in segs:
            if b <= x or a > y:
                nxt.append((x, y))
                continue
            if x < a:
                nxt.append((x, a))
            if b <= y:
                nxt.append((b, y))
        segs = nxt
    return segs


def _route_is_plain(route: Route) -> bool:
    lane = route.lane
    windowed = lane is not None and (bool(lane.windows) or lane.periodic is not None)
    return not windowed and not route.closed


def _hard_withdraw(problem: Problem) -> FloatArray:
    """(C,) times by which trips must have arrived (withdrawals without finish_current_trip)."""
    out = np.full(problem.n_classes, INF)
    for ev in problem.scenario.enabled_events:
        if ev.mode != "known":
            continue
        for eff in ev.effects:
            if isinstance(eff, WithdrawOperator) and not eff.finish_current_trip:
                for c, op in enumerate(problem.operator):
                    paused = any(k == c and a == ev.at for k, a, _, _ in problem.pauses)
                    if op == eff.operator and not paused:  # a return ends a pause: relaxed
                        out[c] = min(out[c], ev.at)
    return out


def _grid_size(end: float, dt: float, mode: Mode) -> int:
    if end < 0:
        return -1
    if mode == "relax":
        return math.floor(end / dt + _TOL)
    k = math.floor(end / dt)
    while (k + 1) * dt <= end:
        k += 1
    while k >= 0 and k * dt > end:
        k -= 1
    return k


def _first_step_at_or_after(t: FloatArray, dt: float) -> IntArray:
    """Smallest k with ``k * dt >= t`` (exact in floats)."""
    k = np.ceil(t / dt).astype(np.int64)
    k = np.where((k - 1) * dt >= t, k - 1, k)
    k = np.where(k * dt < t, k + 1, k)
    return np.maximum(k, 0)


def _relax_step(t: float, dt: float) -> int:
    return max(0, math.floor(t / dt + _TOL))


# ------------------------------------------------------------------------------- arcs
def _pair_arcs(
    problem: Problem,
    mode: Mode,
    dt: float,
    K: int,
    c: int,
    i: int,
    j: int,
    loaded: bool,
    closed: list[list[tuple[float, float]]],
    arr_limit: FloatArray,
    hard_w: FloatArray,
    max_delay: int = 0,
) -> tuple[IntArray, IntArray, BoolArray]:
    """(steps k, lengths s, must_load) of the arcs from i to j for class c; in feasible mode
    also the arcs arriving up to ``max_delay`` steps after the earliest (waiting en route)."""
    routes = problem.routes.get((c, i, j), [])
    ks = np.arange(K + 1, dtype=np.int64)
    best = np.full(K + 1, _BIG, dtype=np.int64)
    L = float(problem.load[c]) if loaded else 0.0
    U = float(problem.unload[c]) if loaded else 0.0
    dl_i = float(problem.deadline[i])
    w = float(problem.withdraw[c])
    scale = max(1.0, abs(problem.end))
    margin = _TOL * scale
    if mode == "relax":
        lo = ks * dt
        hi = np.minimum((ks + 1) * dt, min(problem.end, w))
        if loaded:
            lo = np.maximum(lo, float(problem.open_from[i]))
            hi = np.minimum(hi, dl_i - L)
        else:
            hi = np.minimum(hi, dl_i)
        for r in routes:
            D = L + r.time + U
            s = math.floor(D / dt + _TOL)
            hi_r = np.minimum(hi, min(float(arr_limit[j]), float(hard_w[c])) - D)
            ok = (lo <= hi_r + margin) & (ks + s <= K)
            if not _route_is_plain(r) or closed[i]:
                for k in np.flatnonzero(ok):
                    good = False
                    for x, y in _free_intervals(float(lo[k]), float(hi_r[k]) + margin, closed[i]):
                        if r.next_open(x + L, y + L) is not None:
                            good = True
                            break
                    ok[k] = good
            best = np.where(ok & (s < best), s, best)
        sel = best < _BIG
        return ks[sel], best[sel], np.zeros(int(sel.sum()), dtype=np.bool_)

    t = ks.astype(np.float64) * dt
    base = t < w
    if loaded:
        base &= (t >= float(problem.open_from[i])) & (t + L <= dl_i)
    else:
        base &= t <= dl_i
    for a, b in closed[i]:
        base &= ~((t >= a) & (t < b))
    # earliest arrival step over the routes open when travel starts
    for r in routes:
        D = L + r.time + U
        s0 = max(1, math.ceil(D / dt - _TOL))
        steps = np.full(K + 1, s0, dtype=np.int64)
        steps = np.where((ks + steps) * dt < t + D, steps + 1, steps)
        ok = base.copy()
        if not _route_is_plain(r):
            for k in np.flatnonzero(ok):
                ok[k] = r.open_at(float(t[k]) + L)
        best = np.where(ok & (steps < best), steps, best)
    dl_j = float(problem.deadline[j])
    out_k: list[IntArray] = []
    out_s: list[IntArray] = []
    for delay in range(max_delay + 1):
        steps = best + delay
        ok = (best < _BIG) & (ks + steps <= K)
        ta = np.where(ok, ks + steps, 0).astype(np.float64) * dt
        ok &= (ta < dl_j - margin) & (ta <= hard_w[c])
        for a, b in closed[j]:
            ok &= ~((ta >= a) & (ta < b))
        out_k.append(ks[ok])
        out_s.append(steps[ok])
    kk = np.concatenate(out_k)
    ss = np.concatenate(out_s)
    must = np.zeros(len(kk), dtype=np.bool_)
    if loaded and len(kk):
        # arcs whose timing also suits an empty trip: some route open at t_k fits in it
        empty_ok = np.zeros(len(kk), dtype=np.bool_)
        for r in routes:
            fits = (kk + ss) * dt >= t[kk] + r.time
            if not _route_is_plain(r):
                for n in np.flatnonzero(fits):
                    fits[n] = r.open_at(float(t[kk[n]]))
            empty_ok |= fits
        must = ~empty_ok
    return kk, ss, must


def _moves(
    problem: Problem,
    mode: Mode,
    dt: float,
    K: int,
    loaded: bool,
    hard_w: FloatArray,
    max_delay: int = 0,
    zero_capacity_transfers: bool = True,
) -> _Arcs:
    closed = _closures(problem)
    arr_limit = np.array(
        [_arrival_limit(float(problem.deadline[p]), closed[p]) for p in range(problem.n_places)]
    )
    parts: list[tuple[int, int, int, IntArray, IntArray, BoolArray]] = []
    for c, i, j in sorted(problem.routes):
        if loaded and not zero_capacity_transfers and problem.sink_capacity[j] <= 0:
            continue
        ks, s, must = _pair_arcs(
            problem, mode, dt, K, c, i, j, loaded, closed, arr_limit, hard_w, max_delay
        )
        if len(ks):
            parts.append((c, i, j, ks, s, must))
    if not parts:
        return _Arcs.empty()
    n = [len(p[3]) for p in parts]
    return _Arcs(
        c=np.repeat(np.array([p[0] for p in parts], dtype=np.int64), n),
        i=np.repeat(np.array([p[1] for p in parts], dtype=np.int64), n),
        j=np.repeat(np.array([p[2] for p in parts], dtype=np.int64), n),
        k=np.concatenate([p[3] for p in parts]),
        s=np.concatenate([p[4] for p in parts]),
        must_load=np.concatenate([p[5] for p in parts]),
    )


def _min_steps(problem: Problem, dt: float) -> IntArray:
    """(C, P, P) fewest steps between places (floor of the fastest route; a lower bound)."""
    C, P = problem.n_classes, problem.n_places
    dist = np.full((C, P, P), _BIG, dtype=np.int64)
    for (c, i, j), routes in problem.routes.items():
        dist[c, i, j] = min(math.floor(r.time / dt + _TOL) for r in routes)
    for c in range(C):
        np.fill_diagonal(dist[c], 0)
        for m in range(P):
            dist[c] = np.minimum(dist[c], dist[c][:, m : m + 1] + dist[c][m : m + 1, :])
    return np.minimum(dist, _BIG)


# ------------------------------------------------------------------------------- build
def build_ten(
    problem: Problem,
    dt: float,
    mode: Mode = "relax",
    *,
    max_delay_steps: int = 0,
    zero_capacity_transfers: bool = True,
) -> TenModel:
    """Build the TEN LP (``relax``) or MIP (``feasible``) of ``problem`` on steps of ``dt``.

    ``max_delay_steps`` (feasible mode): moves may also arrive up to this many steps after
    their earliest grid arrival (waiting en route, e.g. for a closure to end or for room at a
    haven). With integer data, ``dt = 1`` and a delay as long as the horizon, the MIP is exact.
    ``zero_capacity_transfers=False`` leaves out loaded moves into places without capacity
    (same-instant transfers there, which the checker accepts): a smaller model, whose relaxed
    bound is then valid only for plans that deliver nobody to such places.
    """
    if not dt > 0 or not math.isfinite(dt):
        raise ValueError(f"dt must be a positive number, got {dt}")
    C, P = problem.n_classes, problem.n_places
    K = _grid_size(problem.end, dt, mode)
    notes: list[str] = []
    K = max(K, 0) if problem.end >= 0 else -1
    n_steps = K + 1
    times = np.arange(max(n_steps, 0), dtype=np.float64) * dt
    hard_w = _hard_withdraw(problem)
    feasible = mode == "feasible"

    delay = max(0, int(max_delay_steps)) if mode == "feasible" else 0
    loaded = (
        _moves(problem, mode, dt, K, True, hard_w, delay, zero_capacity_transfers)
        if K >= 0
        else _Arcs.empty()
    )
    empty = _moves(problem, mode, dt, K, False, hard_w, delay) if K >= 0 else _Arcs.empty()
    if not feasible and len(loaded) and int(loaded.s.min()) == 0:
        msg = f"dt={dt} exceeds some loaded trip: zero-step loaded arcs weaken the bound"
        log.warning(msg)
        notes.append(msg)

    # supply per node
    supply: dict[tuple[int, int, int], int] = defaultdict(int)
    for sp_ in problem.supply:
        if feasible:
            k = int(_first_step_at_or_after(np.array([sp_.t]), dt)[0])
        else:
            k = _relax_step(sp_.t, dt)
        if feasible and any(
            d.p == sp_.p
            and sp_.c in d.classes
            and sp_.made <= d.t
            and k * dt >= d.t - _TOL * max(1.0, abs(d.t))
            for d in problem.destroys
        ):
            continue  # at the place when a known event destroys them: they never leave
        if 0 <= k <= K:
            supply[(sp_.c, sp_.p, k)] += sp_.count

    # prune arcs no vehicle can reach, and moves after which no pickup can follow
    dist = _min_steps(problem, dt)
    earliest = np.full((C, P), _BIG, dtype=np.int64)
    for c, p, k in supply:
        earliest[c] = np.minimum(earliest[c], k + dist[c, p])
    if len(loaded):
        loaded = loaded.take(loaded.k >= earliest[loaded.c, loaded.i])
    lastload = np.full((C, P), -_BIG, dtype=np.int64)
    if len(loaded):
        np.maximum.at(lastload, (loaded.c, loaded.i), loaded.k)
    useful = np.full((C, P), -_BIG, dtype=np.int64)
    for c in range(C):
        ll = lastload[c][None, :] - dist[c]  # (P, P): last useful step at p heading to q
        ll = np.where(lastload[c][None, :] >= 0, ll, -_BIG)
        useful[c] = ll.max(axis=1)
    if len(empty):
        keep = (empty.k >= earliest[empty.c, empty.i]) & (
            empty.k + empty.s <= useful[empty.c, empty.j]
        )
        empty = empty.take(keep)
    grid_c, grid_p, grid_k = np.meshgrid(
        np.arange(C, dtype=np.int64),
        np.arange(P, dtype=np.int64),
        np.arange(max(K, 0), dtype=np.int64),
        indexing="ij",
    )
    wc, wp, wk = grid_c.ravel(), grid_p.ravel(), grid_k.ravel()
    keep_w = (wk >= earliest[wc, wp]) & (wk + 1 <= useful[wc, wp])
    wait = _Arcs(
        wc[keep_w],
        wp[keep_w],
        wp[keep_w],
        wk[keep_w],
        np.ones(int(keep_w.sum()), dtype=np.int64),
        np.zeros(int(keep_w.sum()), dtype=np.bool_),
    )

    b = _Builder()
    # relax mode counts people in units of ``scale`` so HiGHS sees moderate numbers
    biggest = max(float(problem.population.sum()), float(problem.sink_capacity.max(initial=0)), 1.0)
    scale = 1.0 if feasible else float(10 ** max(0, math.floor(math.log10(biggest)) - 3))
    cap = problem.capacity.astype(np.float64) / scale
    total_people = float(problem.population.sum())
    total_vehicles = float(sum(supply.values()))
    is_haven = problem.is_haven

    # tie-breaks (feasible mode): earlier deliveries, fewer moves; together < 0.5 person
    eps_p = 0.25 / ((K + 2) * (total_people + 1) * max(P, 1)) if feasible else 0.0
    eps_v = 0.25 / ((K + 2) * (total_vehicles + 1)) if feasible else 0.0
    col_wait = b.cols(len(wait), 0.0, 0.0, INF, integer=feasible)
    col_empty = b.cols(len(empty), -eps_v, 0.0, INF, integer=feasible)
    col_lx = b.cols(len(loaded), -eps_v, 0.0, INF, integer=feasible)
    col_ly = b.cols(
        len(loaded),
        -eps_p * (loaded.k + loaded.s).astype(np.float64),
        0.0,
        INF,
        integer=feasible,
    )

    # destroy events (feasible mode): no vehicle of the class at the place at that instant
    zero_cols: list[IntArray] = []
    if feasible and problem.destroys and len(times):
        for d in problem.destroys:
            cls = np.array(sorted(d.classes), dtype=np.int64)
            if not len(cls):
                continue
            tol = _TOL * max(1.0, abs(d.t))
            in_c = np.isin(wait.c, cls) & (wait.i == d.p)
            tk, tk1 = times[wait.k], times[np.minimum(wait.k + 1, K)]
            zero_cols.append(col_wait[in_c & (tk <= d.t + tol) & (tk1 >= d.t - tol)])
            for arcs, cols, is_loaded in ((empty, col_empty, False), (loaded, col_lx, True)):
                if not len(arcs):
                    continue
                mc = np.isin(arcs.c, cls)
                td = times[arcs.k]
                ta = times[arcs.k + arcs.s]
                ld = problem.load[arcs.c] if is_loaded else np.zeros(len(arcs))
                ud = problem.unload[arcs.c] if is_loaded else np.zeros(len(arcs))
                at_tail = (arcs.i == d.p) & (td <= d.t + tol) & (td + ld >= d.t - tol)
                at_head = (arcs.j == d.p) & (ta - ud <= d.t + tol) & (ta >= d.t - tol)
                zero_cols.append(cols[mc & (at_tail | at_head)])

    # vehicle balance: out - in <= supply, rows for nodes with an outgoing arc
    tails = np.concatenate(
        [
            (wait.c * P + wait.i) * n_steps + wait.k,
            (empty.c * P + empty.i) * n_steps + empty.k,
            (loaded.c * P + loaded.i) * n_steps + loaded.k,
        ]
    )
    heads = np.concatenate(
        [
            (wait.c * P + wait.j) * n_steps + wait.k + 1,
            (empty.c * P + empty.j) * n_steps + empty.k + empty.s,
            (loaded.c * P + loaded.j) * n_steps + loaded.k + loaded.s,
        ]
    )
    move_cols = np.concatenate([col_wait, col_empty, col_lx])
    nodes = np.unique(tails)
    supply_at = np.zeros(C * P * max(n_steps, 0), dtype=np.float64)
    for (c, p, k), n in supply.items():
        supply_at[(c * P + p) * n_steps + k] += n
    node_supply = supply_at[nodes]
    node_rows = b.rows(len(nodes), -INF, node_supply)
    b.nz(node_rows[np.searchsorted(nodes, tails)], move_cols, 1.0)
    pos = np.searchsorted(nodes, heads)
    has = (pos < len(nodes)) & (nodes[np.minimum(pos, len(nodes) - 1)] == heads)
    b.nz(node_rows[pos[has]], move_cols[has], -1.0)

    # people per loaded arc
    link = b.rows(len(loaded), -INF, 0.0)
    b.nz(link, col_ly, 1.0)
    b.nz(link, col_lx, -cap[loaded.c])
    if feasible and loaded.must_load.any():
        m = np.flatnonzero(loaded.must_load)
        rows = b.rows(len(m), -INF, 0.0)
        b.nz(rows, col_lx[m], 1.0)
        b.nz(rows, col_ly[m], -1.0)

    # people stock per place and step
    picks_at = np.zeros(P, dtype=np.bool_)
    delivs_at = np.zeros(P, dtype=np.bool_)
    picks_at[loaded.i] = True
    delivs_at[loaded.j] = True
    stock_places = np.flatnonzero(picks_at | delivs_at)
    sidx = np.full(P, -1, dtype=np.int64)
    sidx[stock_places] = np.arange(len(stock_places))
    arr = np.zeros((P, max(n_steps, 0)), dtype=np.float64)
    for p, tau, people in problem.arrivals:
        if tau > problem.end + _TOL * max(1.0, abs(problem.end)) or n_steps <= 0:
            continue
        if feasible:
            k = int(_first_step_at_or_after(np.array([tau]), dt)[0])
            if k > K:
                continue
        else:
            k = min(_relax_step(tau, dt), K)
        arr[p, k] += people / scale
    cum_arr = np.cumsum(arr, axis=1) if n_steps > 0 else arr
    ns = len(stock_places)
    col_stock = b.cols(ns * n_steps, 0.0, 0.0, INF)

    stock_base = int(col_stock[0]) if ns else 0

    def scol(p: IntArray | int, k: IntArray | int) -> IntArray:
        """Column of the people stock at place ``p`` after step ``k``."""
        return np.asarray(stock_base + sidx[p] * n_steps + k, dtype=np.int64)

    if ns and n_steps > 0:
        sp_rep = np.repeat(stock_places, n_steps)
        k_rep = np.tile(np.arange(n_steps, dtype=np.int64), ns)
        srows = b.rows(ns * n_steps, arr[sp_rep, k_rep], arr[sp_rep, k_rep])
        b.nz(srows, col_stock, 1.0)
        prev = k_rep >= 1
        b.nz(srows[prev], col_stock[prev] - 1, -1.0)
        base_row = int(srows[0])
        b.nz(base_row + sidx[loaded.i] * n_steps + loaded.k, col_ly, 1.0)
        b.nz(base_row + sidx[loaded.j] * n_steps + loaded.k + loaded.s, col_ly, -1.0)

    offset = 0.0
    stock_ub: list[tuple[IntArray, FloatArray]] = []
    if feasible and ns and n_steps > 0:
        # capacity at every grid instant, after its pickups and deliveries (the checker lets
        # a pickup at t free room for a delivery at t, and take people delivered at t)
        dp = stock_places[delivs_at[stock_places]]
        if len(dp):
            k_all = np.arange(n_steps, dtype=np.int64)
            cols = scol(np.repeat(dp, n_steps), np.tile(k_all, len(dp)))
            hi = problem.sink_capacity[dp, None].astype(np.float64) + cum_arr[dp]
            stock_ub.append((cols, hi.ravel()))
        # objective: net inflow of havens at the end
        hv = stock_places[is_haven[stock_places]]
        if len(hv):
            ccost = np.concatenate(b.cost)
            ccost[scol(hv, K)] += 1.0
            b.cost = [ccost]
            offset = -float(cum_arr[hv, K].sum())
    elif not feasible and n_steps > 0:
        _relax_people_rules(
            problem,
            b,
            loaded,
            col_ly,
            scol(problem.is_haven.nonzero()[0], K),
            cum_arr,
            dt,
            K,
            scale,
        )

    _throughput(problem, b, loaded, col_lx, col_ly, times, dt, K, mode, scale)

    cost, A, rlo, rhi, lb, ub, integ = b.build()
    for cols, hi in stock_ub:
        ub[cols] = hi
    if zero_cols:
        ub[np.concatenate(zero_cols)] = 0.0
    tiebreak = 0.0
    if feasible:
        tiebreak = 0.5
    log.info(
        "TEN %s dt=%g: %d steps, %d wait + %d empty + %d loaded arcs, %d cols, %d rows, %d nz",
        mode,
        dt,
        n_steps,
        len(wait),
        len(empty),
        len(loaded),
        A.shape[1],
        A.shape[0],
        A.nnz,
    )
    return TenModel(
        mode=mode,
        dt=dt,
        K=K,
        times=times,
        c=cost,
        A=A,
        row_lower=rlo,
        row_upper=rhi,
        col_lower=lb,
        col_upper=ub,
        integrality=integ,
        offset=offset,
        wait=wait,
        empty=empty,
        loaded=loaded,
        col_wait=col_wait,
        col_empty=col_empty,
        col_loaded_x=col_lx,
        col_loaded_y=col_ly,
        supply=dict(supply),
        tiebreak_max=tiebreak,
        people_scale=scale,
        notes=notes,
    )


def _relax_people_rules(
    problem: Problem,
    b: _Builder,
    loaded: _Arcs,
    col_ly: IntArray,
    haven_stock_end: IntArray,
    cum_arr: FloatArray,
    dt: float,
    K: int,
    scale: float,
) -> None:
    """Rescued ``r_h <= min(capacity, net inflow)`` per haven (relax mode), with the unload
    budget of havens that have one. ``haven_stock_end``: stock column of each haven at K;
    people in units of ``scale``."""
    for n, h in enumerate(np.flatnonzero(problem.is_haven)):
        cap_h = float(problem.sink_capacity[h]) / scale
        budget = float(problem.unload_budget[h]) / scale
        into = np.flatnonzero(loaded.j == h)
        out = np.flatnonzero(loaded.i == h)
        if not len(into):
            continue
        r = b.cols(1, 1.0, -INF, cap_h)
        if not math.isfinite(budget):
            # stock at the end = population arrived + net inflow
            row = b.rows(1, -INF, -float(cum_arr[h, K]))
            b.nz(row, r, 1.0)
            b.nz(row, haven_stock_end[n : n + 1], -1.0)
            continue
        # deliveries that arrive by the end (delta <= y), at most the budget of the periods left
        delta = b.cols(len(into), 0.0, 0.0, INF)
        lk = b.rows(len(into), -INF, 0.0)
        b.nz(lk, delta, 1.0)
        b.nz(lk, col_ly[into], -1.0)
        row = b.rows(1, -INF, 0.0)
        b.nz(row, r, 1.0)
        b.nz(np.repeat(row, len(into)), delta, -1.0)
        b.nz(np.repeat(row, len(out)), col_ly[out], 1.0)
        per = problem.period
        ks = np.arange(K + 1, dtype=np.int64)
        n_per = np.floor(problem.end / per + _TOL) - np.floor(ks * dt / per + _TOL) + 1
        z = b.cols(K + 1, 0.0, 0.0, budget * np.maximum(n_per, 1.0))
        zr = b.rows(K + 1, 0.0, 0.0)
        b.nz(zr, z, 1.0)
        b.nz(zr[:-1], z[1:], -1.0)
        b.nz(zr[loaded.k[into] + loaded.s[into]], delta, -1.0)


def _throughput(
    problem: Problem,
    b: _Builder,
    loaded: _Arcs,
    col_lx: IntArray,
    col_ly: IntArray,
    times: FloatArray,
    dt: float,
    K: int,
    mode: Mode,
    scale: float = 1.0,
) -> None:
    """Load/unload budgets per throughput period (people in units of ``scale``) and berths."""
    if not len(loaded):
        return
    per = problem.period
    feasible = mode == "feasible"
    t_dep = times[loaded.k]
    t_arr = times[loaded.k + loaded.s]
    for p in range(problem.n_places):
        budget = float(problem.load_budget[p]) / scale
        out = np.flatnonzero(loaded.i == p)
        varies = problem.load_periods[p] is not None if problem.load_periods else False
        if (math.isfinite(budget) or (feasible and varies)) and len(out):
            if feasible:
                period = _period_of(t_dep[out], per)
                _group_rows(b, period, col_ly[out], _allowances(problem, p, False, scale))
            else:
                k = loaded.k[out]
                lo = k * dt
                # a loading draws on every period it spans (docs/model.md, Throughput):
                # periods met by loadings from [k dt, (k+1) dt) lasting up to `longest`
                longest = float(problem.load[loaded.c[out]].max())
                m_hi = np.minimum(
                    np.ceil(((k + 1) * dt + longest) / per - _TOL) - 1,
                    np.floor(problem.end / per + _TOL),
                )
                n_over = m_hi - np.floor(lo / per + _TOL) + 1
                uk, inv = np.unique(k, return_inverse=True)
                n_over_k = np.zeros(len(uk))
                np.maximum.at(n_over_k, inv, n_over)
                rows = b.rows(len(uk), -INF, budget * np.maximum(n_over_k, 1.0))
                b.nz(rows[inv], col_ly[out], 1.0)
                m_lo = np.floor(lo / per + _TOL).astype(np.int64)
                inside = (k + 1) * dt <= (m_lo + 1) * per + _TOL * max(1.0, per)
                if inside.any():
                    # loadings starting in period m draw on m .. m + spill
                    spill = max(0, math.ceil(longest / per - _TOL))
                    _group_rows(
                        b,
                        m_lo[inside],
                        col_ly[out[inside]],
                        budget * (1 + spill),
                        min_steps=2,
                        steps=k[inside],
                    )
        if feasible:
            ub = float(problem.unload_budget[p]) / scale
            into = np.flatnonzero(loaded.j == p)
            varies = problem.unload_periods[p] is not None if problem.unload_periods else False
            if (math.isfinite(ub) or varies) and len(into):
                period = _period_of(t_arr[into], per)
                _group_rows(b, period, col_ly[into], _allowances(problem, p, True, scale))
        berths = int(problem.berths[p])
        if berths >= _BIG:
            continue
        if feasible:
            _berth_rows_feasible(problem, b, loaded, col_lx, t_dep, t_arr, p, berths)
        elif len(out):
            L = problem.load[loaded.c[out]]
            Lmax = float(L.max())
            if Lmax <= 0:
                continue
            k = loaded.k[out]
            uk, inv = np.unique(k, return_inverse=True)
            rows = b.rows(len(uk), -INF, berths * (dt + Lmax))
            b.nz(rows[inv], col_lx[out], L)
            # loads at least a step long that start in one step all overlap at its end
            long = dt * (1 - _TOL) <= L
            if long.any():
                ul, inv_l = np.unique(k[long], return_inverse=True)
                rows = b.rows(len(ul), -INF, float(berths))
                b.nz(rows[inv_l], col_lx[out[long]], 1.0)
            w = max(2, math.ceil(2 * Lmax / dt))
            blk = k // w
            ub_, inv2 = np.unique(blk, return_inverse=True)
            rows = b.rows(len(ub_), -INF, berths * (w * dt + Lmax))
            b.nz(rows[inv2], col_lx[out], L)


def _period_of(t: FloatArray, per: float) -> IntArray:
    """Throughput period of each time, snapping times within tolerance of the next period's
    start into it (as the checker does)."""
    k = np.floor(t / per)
    tol = np.maximum(1e-6, _TOL * np.abs(t))
    return np.where((k + 1) * per - t <= tol, k + 1, k).astype(np.int64)


def _allowances(
    problem: Problem, p: int, unload: bool, scale: float
) -> Callable[[IntArray], FloatArray]:
    """Each throughput period's own allowance at ``p`` (in units of ``scale``)."""
    get = problem.unload_allowance if unload else problem.load_allowance
    return lambda ks: np.array([get(p, int(k)) for k in ks], dtype=np.float64) / scale


def _group_rows(
    b: _Builder,
    key: IntArray,
    cols: IntArray,
    budget: float | Callable[[IntArray], FloatArray],
    min_steps: int = 1,
    steps: IntArray | None = None,
) -> None:
    """One row ``sum cols <= budget`` per distinct key (with at least ``min_steps`` steps);
    ``budget`` may give each key's own limit (a throughput period's allowance)."""
    uk, inv = np.unique(key, return_inverse=True)
    if callable(budget):
        limit: float | FloatArray = budget(uk)
    else:
        limit = budget
    if steps is not None and min_steps > 1:
        pairs = np.unique(np.stack([inv, steps]), axis=1)
        n_steps = np.bincount(pairs[0], minlength=len(uk))
        keep = n_steps >= min_steps
        if not keep.any():
            return
        remap = np.full(len(uk), -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        sel = keep[inv]
        kept = limit[keep] if isinstance(limit, np.ndarray) else limit
        rows = b.rows(int(keep.sum()), -INF, kept)
        b.nz(rows[remap[inv[sel]]], cols[sel], 1.0)
        return
    rows = b.rows(len(uk), -INF, limit)
    b.nz(rows[inv], cols, 1.0)


def _berth_rows_feasible(
    problem: Problem,
    b: _Builder,
    loaded: _Arcs,
    col_lx: IntArray,
    t_dep: FloatArray,
    t_arr: FloatArray,
    p: int,
    berths: int,
) -> None:
    """At every instant where a loading or unloading starts, at most ``berths`` vehicles busy."""
    out = np.flatnonzero(loaded.i == p)
    into = np.flatnonzero(loaded.j == p)
    starts = np.concatenate([t_dep[out], t_arr[into] - problem.unload[loaded.c[into]]])
    ends = np.concatenate([t_dep[out] + problem.load[loaded.c[out]], t_arr[into]])
    cols = np.concatenate([col_lx[out], col_lx[into]])
    busy = ends > starts
    starts, ends, cols = starts[busy], ends[busy], cols[busy]
    for tau in np.unique(starts):
        m = (starts <= tau) & (tau < ends)
        if int(m.sum()) == 0:
            continue
        row = b.rows(1, -INF, float(berths))
        b.nz(np.repeat(row, int(m.sum())), cols[m], 1.0)


# ------------------------------------------------------------------------------- solve
def ten_bound(
    problem: Problem,
    dt: float,
    time_limit: float | None = None,
    threads: int | None = None,
    solver: Literal["choose", "simplex", "ipm"] | None = None,
    zero_capacity_transfers: bool = True,
    options: Mapping[str, bool | int | float | str] | None = None,
) -> TenBound:
    """The LP optimum of the relaxed TEN: an upper bound on the people any plan rescues.

    If HiGHS stops early (time limit), the bound falls back to ``trivial_bound``. ``solver``
    picks HiGHS's LP algorithm (default: its choice, dual simplex); ``options``: any other
    HiGHS options by name (e.g. ``{"simplex_strategy": 4}`` for primal simplex).
    ``zero_capacity_transfers``: see ``build_ten``.
    """
    t0 = time.perf_counter()
    model = build_ten(problem, dt, "relax", zero_capacity_transfers=zero_capacity_transfers)
    if model.n_cols == 0:
        return TenBound(0.0, time.perf_counter() - t0, "optimal", 0, model.n_rows)
    left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - t0))
    res = highs.solve(
        model.c,
        model.A,
        model.row_lower,
        model.row_upper,
        model.col_lower,
        model.col_upper,
        sense="max",
        time_limit=left,
        threads=threads,
        solver=solver,
        options=options,
    )
    seconds = time.perf_counter() - t0
    if res.status == "optimal" and res.objective is not None:
        obj = (res.objective + model.offset) * model.people_scale
        # HiGHS's optimum is exact up to its feasibility tolerances: pad by as much
        pad = 1e-7 * max(1.0, abs(obj)) + 1e-6 * model.people_scale
        bound = min(obj + pad, trivial_bound(problem))
    else:
        bound = trivial_bound(problem)
    return TenBound(max(bound, 0.0), seconds, res.status, model.n_cols, model.n_rows)


def ten_mip(
    problem: Problem,
    dt: float,
    time_limit: float | None = None,
    threads: int | None = None,
    mip_rel_gap: float = 1e-6,
    max_delay_steps: int = 0,
    node_limit: int | None = None,
) -> TenMip:
    """Best plan on the grid by HiGHS's MIP (feasible mode): trips, rescued, MIP bound.

    ``rescued`` is computed from the trips (no tie-break); ``mip_dual_bound`` bounds what any
    plan *on this grid* rescues, not the continuous problem. ``max_delay_steps``: see
    ``build_ten``. ``node_limit``: HiGHS's ``mip_max_nodes`` (a work budget).
    """
    t0 = time.perf_counter()
    model = build_ten(problem, dt, "feasible", max_delay_steps=max_delay_steps)
    if model.n_cols == 0:
        return TenMip([], 0.0, 0.0, time.perf_counter() - t0, "optimal")
    left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - t0))
    res = highs.solve(
        model.c,
        model.A,
        model.row_lower,
        model.row_upper,
        model.col_lower,
        model.col_upper,
        integrality=model.integrality,
        sense="max",
        time_limit=left,
        threads=threads,
        mip_rel_gap=mip_rel_gap,
        options=None if node_limit is None else {"mip_max_nodes": node_limit},
        start=np.zeros(model.n_cols),  # everyone idle is feasible: an incumbent from the start
    )
    dual = INF if res.dual_bound is None else res.dual_bound + model.offset
    if math.isfinite(dual):
        dual = float(math.floor(dual + model.tiebreak_max + 1e-6))
    dual = min(dual, trivial_bound(problem))
    if res.x is None:
        return TenMip([], 0.0, dual, time.perf_counter() - t0, res.status)
    trips = _to_trips(problem, model, res.x)
    rescued = _rescued(problem, trips)
    return TenMip(trips, rescued, max(dual, rescued), time.perf_counter() - t0, res.status)


# ------------------------------------------------------------------------------- trips
@dataclass
class _Leg:
    """One move of a bundle: place and step indices, and the people on board."""

    origin: int
    k: int
    destination: int
    k_arrive: int
    people: int


@dataclass
class _Bundle:
    """Vehicles of one class that have made the same moves so far (a group to be)."""

    c: int
    count: int
    legs: list[_Leg]


def _split_people(total: int, counts: list[int]) -> list[int]:
    """Split ``total`` people over groups of ``counts`` vehicles, proportionally (floors)."""
    out: list[int] = []
    rest, n_rest = total, sum(counts)
    for n in counts[:-1]:
        share = rest * n // n_rest if n_rest else 0
        out.append(share)
        rest -= share
        n_rest -= n
    out.append(rest)
    return out


def _split_bundle(b: _Bundle, n: int) -> _Bundle:
    """Detach ``n`` vehicles of ``b`` into a new bundle with its own copy of the history."""
    legs: list[_Leg] = []
    for leg in b.legs:
        mine, rest = _split_people(leg.people, [n, b.count - n])
        legs.append(_Leg(leg.origin, leg.k, leg.destination, leg.k_arrive, mine))
        leg.people = rest
    b.count -= n
    return _Bundle(b.c, n, legs)


def _to_trips(problem: Problem, model: TenModel, x: FloatArray) -> list[Trip]:
    """Decompose the integer vehicle flow into groups and emit their trips."""
    times = model.times
    flow_w = np.rint(x[model.col_wait]).astype(np.int64)
    flow_e = np.rint(x[model.col_empty]).astype(np.int64)
    flow_l = np.rint(x[model.col_loaded_x]).astype(np.int64)
    ppl_l = np.rint(x[model.col_loaded_y]).astype(np.int64)
    # outgoing arcs per node: loaded first, then empty, then wait
    out: dict[tuple[int, int, int], list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for arcs, flow, kind in (
        (model.loaded, flow_l, 0),
        (model.empty, flow_e, 1),
        (model.wait, flow_w, 2),
    ):
        for n in np.flatnonzero(flow > 0):
            node = (int(arcs.c[n]), int(arcs.i[n]), int(arcs.k[n]))
            people = int(ppl_l[n]) if kind == 0 else 0
            out[node].append((kind, int(arcs.j[n]), int(arcs.s[n]), int(flow[n]), people))
    pool: dict[tuple[int, int, int], list[_Bundle]] = defaultdict(list)
    for node, n_vehicles in sorted(model.supply.items()):
        pool[node].append(_Bundle(node[0], n_vehicles, []))
    finished: list[_Bundle] = []
    for k in range(model.K + 1):
        for c in range(problem.n_classes):
            for p in range(problem.n_places):
                node = (c, p, k)
                here = pool.pop(node, [])
                for kind, j, s, f, people in sorted(out.get(node, [])):
                    taken: list[_Bundle] = []
                    need = f
                    while need > 0 and here:
                        bd = here[-1]
                        if bd.count <= need:
                            here.pop()
                            taken.append(bd)
                            need -= bd.count
                        else:
                            taken.append(_split_bundle(bd, need))
                            need = 0
                    if need > 0:
                        log.warning("TEN flow short by %d vehicles at %s", need, node)
                    if kind != 2:
                        shares = _split_people(people, [bd.count for bd in taken]) if taken else []
                        for bd, share in zip(taken, shares, strict=True):
                            bd.legs.append(_Leg(p, k, j, k + s, share))
                    pool[(c, j, k + s)].extend(taken)
                finished.extend(here)
    finished.extend(bd for bundles in pool.values() for bd in bundles)
    trips: list[Trip] = []
    n_group = 0
    for bd in finished:
        if not bd.legs:
            continue
        n_group += 1
        gid = f"g{n_group}"
        for leg in bd.legs:
            trips.append(
                Trip(
                    group=gid,
                    vehicle_class=problem.classes[bd.c],
                    count=bd.count,
                    origin=problem.places[leg.origin],
                    depart=float(times[leg.k]),
                    destination=problem.places[leg.destination],
                    arrive=float(times[leg.k_arrive]),
                    people=leg.people,
                )
            )
    return trips


def _rescued(problem: Problem, trips: list[Trip]) -> float:
    """Net inflow of havens at ``end`` from the trips (docs/model.md, "Rescued")."""
    total = 0
    for t in trips:
        if problem.is_haven[problem.pindex[t.destination]] and t.arrive <= problem.end:
            total += t.people
        if problem.is_haven[problem.pindex[t.origin]] and t.depart <= problem.end:
            total -= t.people
    return float(total)
