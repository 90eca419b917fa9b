"""Upper bound on rescued people: Lagrangian relaxation solved by column generation.

The relaxed problem is the time-expanded network on a grid of step ``dt``: travel steps are
rounded *down*, departure windows *widened*, lane windows, closures and unloading limits
dropped, and the people, room, throughput and berth constraints of docs/model.md kept only on
time windows (see ``column_generation_bound``); a loaded trip delivers in any step from its
earliest arrival on, so deliveries are counted at the step of their true arrival. Any
feasible plan maps onto a feasible point of the relaxation with the same rescued count.
Dualising those constraints leaves vehicles uncapacitated and independent: each follows a
longest path in a DAG (one backward sweep over time, compiled with numba), so for *every*
choice of non-negative multipliers

    L = sum(multiplier * limit) + sum over supplies of count * V(depot, first step)

is a valid upper bound (weak duality). A small master LP over the paths found so far
(Dantzig-Wolfe) chooses the next multipliers; the best L seen is the bound, and it converges
to the LP optimum of the relaxation. The master's paths also guide the dispatcher.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from evacuate.plan.grid import (
    Grid,
    build_grid,
    choose_dt,
    city_scale,
    has_instant_trips,
    trivial_bound,
)
from evacuate.plan.lagrows import Rows, SweepSpace, finer_sweep
from evacuate.plan.lagrows import price as _price
from evacuate.plan.lagrows import window_rows as _rows
from evacuate.plan.problem import Problem

if TYPE_CHECKING:
    from evacuate.plan.budget import SafetyStop
    from evacuate.solvers.highs import HighsResult

__all__ = [
    "Grid",
    "LagrangeResult",
    "build_grid",
    "choose_dt",
    "column_generation_bound",
    "finer_sweep",
    "has_instant_trips",
    "trivial_bound",
]

log = logging.getLogger(__name__)

MIP_GUIDE_NODES = 200
"""Branch-and-bound nodes for the whole-vehicle guide: a work budget (its time limit is
only a safety stop), so the guide does not depend on the machine's load."""


@dataclass
class LagrangeResult:
    bound: float
    sigma: NDArray[np.float64]
    mu: NDArray[np.float64]
    iterations: int
    seconds: float
    dt: float
    n_steps: int
    guide: dict[int, list[tuple[int, list[tuple[int, int]]]]] = field(default_factory=dict)
    """Per supply index: (vehicles, loaded legs (i, j) in order) from the master LP's paths."""
    rows: Rows | None = None
    """The master's rows, and the best multipliers of each (``duals``): ``finer_sweep``."""
    duals: dict[str, NDArray[np.float64]] = field(default_factory=dict)


SMOOTHING = 0.65
"""Weight of the best multipliers so far in the next pricing (Wentges smoothing)."""

CITY_SMOOTHING = 0.9
"""The same at city scale, where the master's people rows' duals are also capped at 1
(``cap_people``). Measured on ``scale-200`` (bench/results/2026-11-28-cgfast.md, LP solves
until L first falls below the population / L after 70 solves, the LP optimum being 92.49%
of the people): 0.65 uncapped 57 / 95.79%; 0.65 capped 53 / 94.17%; 0.8 capped 44 / 92.61%;
0.9 capped 37 / 92.59%. On the ladder (below city scale) 0.9 with the cap reaches the same
bounds with more LP solves (xlarge 80 instead of 69), so it stays at city scale."""

ADAPTIVE_STEP = 0.1
"""At city scale the bound's smoothing weight starts at ``CITY_SMOOTHING`` and adapts
(in-out separation with automatic smoothing, Pessoa, Sadykov, Uchoa and Vanderbeck 2018):
after each pricing at a mix, when L's subgradient there says L still falls towards the
master's duals, the weight drops by this much, else it moves this fraction of the way to 1.
Every pricing is still at non-negative multipliers, so every L is a bound. Converged on
``scale-200`` (4 h grid, 8 haven windows, loaded; bench/results/2026-11-28-hbound2.md): 142
LP solves and 88.2 s of CPU with the fixed weight, 104 solves and 72.8 s adapted (the same
20,338,083); L after 60 solves 89.97% of the people against 89.43%."""

HAVEN_WINDOWS = 8
"""At city scale, the havens that are also pickups get people and room rows at the
boundaries of this many equal windows (and at the end): the LP may no longer fill a haven
far past its room and move the surplus on later. Converged on ``scale-200`` (4 h grid): 0
windows 21,176,577, 2 21,157,907, 4 20,886,525, 8 20,338,083 (bench/results/
2026-11-28-hbound.md); the master's CPU grows with them (36.6 s with 2, 102.7 s with 8)."""

_MASTER_OPTIONS = {"simplex_strategy": 4}
"""Primal simplex for the master LP: new columns keep the last solution feasible, and on the
large rungs it solves the master about twice as fast as HiGHS's default (dual simplex)."""


def column_generation_bound(
    problem: Problem,
    dt: float | None = None,
    *,
    iterations: int = 100,
    time_limit: float | None = None,
    tolerance: float = 1e-6,
    n_windows: int = 48,
    conservative: bool = False,
    integer_guide: float = 0.0,
    transfers: bool = True,
    smoothing: float | None = None,
    stop: SafetyStop | None = None,
    city: bool | None = None,
    target: float | None = None,
    multipliers: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
    cap_people: bool | None = None,
    haven_windows: int | None = None,
    adaptive: bool | None = None,
) -> LagrangeResult:
    """The Lagrangian dual solved by Dantzig-Wolfe column generation, with time windows.

    Rows of the master LP (all valid for every plan mapped to the grid, see docs/planner.md):
    per place and window boundary, pickups before it <= people arrived before it + deliveries
    before it; per place with capacity, at every window boundary and at the end, deliveries -
    pickups before it <= capacity; per place and window, people
    starting to load <= load budget of the periods it overlaps, and vehicle-hours of loading
    <= berths x (window + longest load time); per supply, vehicles <= its count. A column is
    the path of one vehicle of a supply. The master's row duals price the next longest-path
    sweep; every sweep's Lagrangian value is a valid bound, and the best one is returned.

    ``conservative`` and ``transfers=False`` (see ``build_grid``) make the result a guide for
    plans, not a bound. ``integer_guide``: seconds for HiGHS to solve the last master with whole
    vehicles per path (the guide then needs no rounding; at most ``MIP_GUIDE_NODES`` nodes);
    0: round the LP solution.
    ``smoothing``: weight of the best multipliers so far in the next pricing (0: none;
    default ``CITY_SMOOTHING`` from ``CITY_PLACES`` places on, else ``SMOOTHING``).
    ``cap_people``: the master may make a person at a place with people for 1 (caps the
    people rows' duals at 1 until the capped master is solved; only the multipliers
    change, so every L stays a bound; default: from ``CITY_PLACES`` places on).
    ``multipliers``: (per place, people at the end; per place, room) to start from, e.g. a
    coarser problem's: their L is the first bound and the smoothing's first centre.
    ``city``: the city-scale master (people and room rows at the end and at late arrivals
    only; default: from ``CITY_PLACES`` places on); ``haven_windows``: there, places with
    room that are also pickups get them at the boundaries of that many equal windows too
    (default ``HAVEN_WINDOWS``; 0: at the end only). ``adaptive``: the smoothing's weight
    follows L's subgradient (``ADAPTIVE_STEP``; default: the bound at city scale, not the
    guides).
    ``iterations`` is the work budget (LP solves); ``time_limit`` (seconds) and ``stop`` are
    safety stops only (``stop.bound`` says when one cut the rounds or the MIP short).
    ``target``: only whether the bound is below it matters (min makespan's lower bound), so
    the rounds end as soon as that is known: a bound below it, or a master LP value (a
    feasible value of the relaxation, so the bound never falls below it) at or above it.
    """
    start = time.perf_counter()
    dt = choose_dt(problem) if dt is None else dt
    grid = build_grid(problem, dt, conservative, transfers)
    # city scale: rows at the end only (fewer, and still valid), so the master stays small
    big = city_scale(problem)
    city = big if city is None else city
    smoothing = (CITY_SMOOTHING if big else SMOOTHING) if smoothing is None else smoothing
    cap_people = big if cap_people is None else cap_people
    adaptive = big and not conservative if adaptive is None else adaptive
    haven_windows = HAVEN_WINDOWS if haven_windows is None else haven_windows
    rows = _rows(problem, grid, 1 if city else n_windows, city, haven_windows if city else 0)
    n_s = len(grid.supply_n)
    n_a, n_m, n_r, n_b = len(rows.avail), len(rows.cap), len(rows.rate), len(rows.berth)
    n_w = len(rows.room)
    o_w = n_a + n_m + n_r + n_b + n_s  # the room rows come last
    n_rows = o_w + n_w
    rm_p = np.array([p for p, _ in rows.room], dtype=np.int64)
    rm_k = np.array([k for _, k in rows.room], dtype=np.int64)
    row_upper = np.concatenate(
        [
            rows.avail_limit,
            grid.capacity[rows.cap],
            rows.rate_limit,
            rows.berth_limit,
            grid.supply_n,
            grid.capacity[rm_p],
        ]
    ).astype(np.float64)
    row_lower = np.full(n_rows, -np.inf)
    av_p = np.array([p for p, _ in rows.avail], dtype=np.int64)
    av_k = np.array([k for _, k in rows.avail], dtype=np.int64)
    rt_p, rt_k0, rt_k1 = np.array(rows.rate, dtype=np.int64).reshape(-1, 3).T
    bt_p, bt_k0, bt_k1 = np.array(rows.berth, dtype=np.int64).reshape(-1, 3).T
    cap_p = np.array(rows.cap, dtype=np.int64)
    cols = _Columns(n_rows)
    values: list[float] = []
    paths: list[tuple[int, list[tuple[int, int]]]] = []
    seen: set[bytes] = set()
    usage = np.zeros(n_rows)  # rows used by the last pricing's paths, all vehicles

    def add(
        k: int,
        picked: NDArray[np.float64],
        delivered: NDArray[np.float64],
        legs: list[tuple[int, int]],
    ) -> bool:
        c = int(grid.supply_c[k])
        vcap = float(grid.vcap[c])
        # only the legs' places have loads (path_loads): the sums of the others are 0
        on = np.unique(np.asarray(legs, dtype=np.int64).reshape(-1))
        cum_pick = np.zeros(picked.shape)  # [p, w]: loads in windows <= w
        cum_pick[on] = np.cumsum(picked[on], axis=1)
        runs = np.concatenate([np.zeros((picked.shape[0], 1)), cum_pick], axis=1)
        cum_del = np.zeros(delivered.shape)
        cum_del[on] = np.cumsum(delivered[on], axis=1)
        col = np.zeros(n_rows)
        if n_a:
            col[:n_a] = vcap * (cum_pick[av_p, av_k - 1] - cum_del[av_p, av_k - 1])
        tot_pick, tot_del = cum_pick[:, -1], cum_del[:, -1]
        if n_m:
            col[n_a : n_a + n_m] = vcap * (tot_del[cap_p] - tot_pick[cap_p])
        if n_r:
            col[n_a + n_m : n_a + n_m + n_r] = vcap * (runs[rt_p, rt_k1] - runs[rt_p, rt_k0])
        if n_b:
            col[n_a + n_m + n_r : n_a + n_m + n_r + n_b] = float(problem.load[c]) * (
                runs[bt_p, bt_k1] - runs[bt_p, bt_k0]
            )
        col[n_a + n_m + n_r + n_b + k] = 1.0
        if n_w:
            col[o_w:] = vcap * (cum_del[rm_p, rm_k - 1] - cum_pick[rm_p, rm_k - 1])
        if adaptive:
            usage[:] += float(grid.supply_n[k]) * col
        nz = np.flatnonzero(col)
        vals = col[nz]
        key = nz.tobytes() + vals.tobytes()
        if key in seen:
            return False
        seen.add(key)
        cols.append(nz, vals)
        paths.append((k, legs))
        # deliveries arriving past the horizon (window K) are not rescued
        del_in = tot_del - delivered[:, -1]
        values.append(vcap * float(np.dot(grid.haven, del_in - tot_pick)))
        return True

    duals = {
        "avail": np.zeros(n_a),
        "mu": np.zeros(problem.n_places),
        "rate": np.zeros(n_r),
        "berth": np.zeros(n_b),
        "room": np.zeros(n_w),
    }
    from evacuate.solvers.highs import IncrementalLP

    master = IncrementalLP(row_lower, row_upper, options=_MASTER_OPTIONS)
    space = SweepSpace()  # the pricing sweeps' arrays, reused from round to round
    n_in = 0  # columns passed to the master so far
    best = math.inf
    master_x: NDArray[np.float64] | None = None

    def read_duals(y: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        mu = np.zeros(problem.n_places)
        mu[cap_p] = y[n_a : n_a + n_m]
        return {
            "avail": y[:n_a],
            "mu": mu,
            "rate": y[n_a + n_m : n_a + n_m + n_r],
            "berth": y[n_a + n_m + n_r : n_a + n_m + n_r + n_b],
            "room": y[o_w:],
        }

    n_art = 0
    rr = np.zeros(0, dtype=np.int64)
    if cap_people:
        # a column per people row that makes a person there for 1 (what one person rescued
        # is worth): the row's dual is at most 1 while the cap lasts, which keeps a
        # degenerate master's multipliers from pricing places far above what they give
        import scipy.sparse as sp

        rr = np.array(
            [r for r, (p, _) in enumerate(rows.avail) if grid.population[p] > 0], dtype=np.int64
        )
        art = sp.csc_array((-np.ones(len(rr)), (rr, np.arange(len(rr)))), shape=(n_rows, len(rr)))
        master.add_columns(-np.ones(len(rr)), art)
        n_art = len(rr)
    capped = n_art > 0
    best_duals = duals
    if multipliers is not None:
        # multipliers from elsewhere (a coarser problem's): per place, people at the end
        # and room; L there is a bound, and they are the smoothing's first centre
        sig, mu0 = multipliers
        y = np.zeros(n_a)
        last = np.array([k == len(rows.windows) - 1 for _, k in rows.avail], dtype=bool)
        y[last] = np.maximum(sig[av_p[last]], 0.0)
        best_duals = {**duals, "avail": y, "mu": np.maximum(mu0, 0.0) * (grid.capacity > 0)}
        best, _ = _price(problem, grid, rows, best_duals, space)
        log.debug("start multipliers: L %.6g", best)
    # Wentges smoothing: price at a mix of the best multipliers so far and the master's (both
    # non-negative, so every L stays a bound); a round that finds nothing new prices at the
    # master's own duals next, and only a round at those that finds nothing ends the search
    at = duals
    mixed = False
    it = 0
    alpha = smoothing
    step: NDArray[np.float64] | None = None  # master's duals - centre, at the last mixing
    supply_rows = slice(n_a + n_m + n_r + n_b, o_w)

    def flat(d: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Multipliers in the master's row order (the supply rows are not dualised)."""
        parts = [d["avail"], d["mu"][cap_p], d["rate"], d["berth"], np.zeros(n_s), d["room"]]
        return np.concatenate(parts)

    for it in range(1, iterations + 1):
        usage[:] = 0.0
        value, columns = _price(problem, grid, rows, at, space)
        if value < best:
            best, best_duals = value, at
        added = sum(add(k, pk, dl, lg) for k, pk, dl, lg in columns)
        if step is not None:
            # automatic smoothing (Pessoa et al. 2018): L's subgradient at the mixed point
            # (limits - rows used by the paths priced there) says whether L still falls
            # towards the master's duals; if so, mix less of the centre next, else more
            g = row_upper - usage
            g[supply_rows] = 0.0
            if float(np.dot(g, step)) < 0.0:
                alpha = max(0.0, alpha - ADAPTIVE_STEP)
            else:
                alpha += ADAPTIVE_STEP * (1.0 - alpha)
            step = None
        if not cols:
            break
        master.add_columns(values[n_in:], cols.matrix(n_in))
        n_in = len(cols)
        res = master.solve()
        if res.row_dual is None or res.objective is None:
            log.warning("column generation: master LP %s", res.status)
            break
        y = np.abs(res.row_dual)  # <= rows of a max problem: duals are >= 0
        log.debug(
            "round %d: master %.6g, best L %.6g, %d columns", it, res.objective, best, len(cols)
        )
        if res.x is not None:
            master_x = res.x[n_art:]
        duals = read_duals(y)
        # people made by the cap's columns: the master's value is then no lower bound
        made = res.x is not None and capped and float(np.sum(res.x[:n_art])) > 1e-9
        if target is not None and (best < target or (not made and res.objective >= target)):
            break  # the answer is known: the bound is below ``target``, or never will be
        if capped and added == 0 and it > 1 and not mixed and np.any(y[rr] >= 1.0 - 1e-9):
            # the capped master is solved, but some people rows are worth more than 1
            # here: the cap goes (its optimum would be looser than the bound's LP), and
            # the next pricing is at the uncapped master's duals
            master.fix_to_zero(np.arange(n_art))
            capped, mixed = False, False
            again = master.solve()
            if again.row_dual is None or again.x is None:
                log.warning("column generation: master LP %s", again.status)
                break
            master_x, at = again.x[n_art:], read_duals(np.abs(again.row_dual))
            continue
        if (not made and best - res.objective <= tolerance * max(1.0, best)) or (
            added == 0 and it > 1 and not mixed
        ):
            value, _ = _price(problem, grid, rows, duals, space)
            if value < best:
                best, best_duals = value, duals
            break
        if time_limit is not None and time.perf_counter() - start > time_limit:
            break
        if stop is not None and stop.reached():
            break
        mixed = smoothing > 0 and (added > 0 or it == 1)
        a = (alpha if adaptive else smoothing) if mixed else 0.0
        if mixed and adaptive:
            step = flat(duals) - flat(best_duals)
        at = {key: a * best_duals[key] + (1.0 - a) * duals[key] for key in duals}
    guide_x = master_x
    if stop is not None and stop.reached():
        integer_guide = 0.0  # the safety stop struck: round the LP solution
    if integer_guide > 0 and cols and master_x is not None:
        mip = _solve_master(
            values,
            cols,
            row_lower,
            row_upper,
            integrality=np.ones(len(cols), dtype=bool),
            # the stop's time left now, not when the column generation began
            time_limit=min(integer_guide, stop.left() or math.inf) if stop else integer_guide,
            mip_rel_gap=1e-3,
            options={"mip_max_nodes": MIP_GUIDE_NODES},
            start=np.floor(master_x[: len(cols)] + 1e-9),
        )
        if stop is not None:
            stop.note_solver(mip.status)
        if mip.x is not None:
            guide_x = np.round(mip.x)
    seconds = time.perf_counter() - start
    log.info("column generation bound %.6g after %d rounds, dt=%.4g, %.2fs", best, it, dt, seconds)
    sigma = np.zeros(problem.n_places)
    for (p, k), yv in zip(rows.avail, best_duals["avail"], strict=True):
        if k == len(rows.windows) - 1:
            sigma[p] += yv
    return LagrangeResult(
        best,
        sigma,
        best_duals["mu"],
        it,
        seconds,
        dt,
        grid.n_steps,
        _guide(guide_x, paths, grid),
        rows,
        best_duals,
    )


class _Columns:
    """The master's columns, kept sparse (a path touches few rows)."""

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.index: list[NDArray[np.int64]] = []
        self.value: list[NDArray[np.float64]] = []

    def append(self, index: NDArray[np.int64], value: NDArray[np.float64]) -> None:
        self.index.append(index)
        self.value.append(value)

    def __len__(self) -> int:
        return len(self.index)

    def matrix(self, first: int = 0) -> Any:
        """The columns from ``first`` on, as a sparse matrix."""
        import scipy.sparse as sp

        idx, val = self.index[first:], self.value[first:]
        ptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in idx], out=ptr[1:])
        index = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
        value = np.concatenate(val) if val else np.zeros(0)
        return sp.csc_array((value, index, ptr), shape=(self.n_rows, len(idx)))


def _solve_master(
    values: list[float],
    cols: _Columns,
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
    **options: Any,
) -> HighsResult:
    """The master problem: how many vehicles follow each path (``options``: as for
    ``highs.solve``, e.g. integrality for whole vehicles)."""
    from evacuate.solvers import highs

    n = len(cols)
    return highs.solve(
        np.array(values),
        cols.matrix(),
        row_lower,
        row_upper,
        np.zeros(n),
        np.full(n, np.inf),
        sense="max",
        **options,
    )


def _guide(
    x: NDArray[np.float64] | None,
    paths: list[tuple[int, list[tuple[int, int]]]],
    grid: Grid,
) -> dict[int, list[tuple[int, list[tuple[int, int]]]]]:
    """Whole vehicles per path from the master LP's solution (largest remainders first)."""
    if x is None:
        return {}
    by_supply: dict[int, list[tuple[float, list[tuple[int, int]]]]] = {}
    for (k, legs), v in zip(paths, x[: len(paths)], strict=False):
        if v > 1e-9 and legs:
            by_supply.setdefault(k, []).append((float(v), legs))
    guide: dict[int, list[tuple[int, list[tuple[int, int]]]]] = {}
    for k, items in by_supply.items():
        total = min(round(sum(v for v, _ in items)), int(grid.supply_n[k]))
        whole = [math.floor(v) for v, _ in items]
        order = sorted(range(len(items)), key=lambda i: -(items[i][0] - whole[i]))
        for i in order:
            if sum(whole) >= total:
                break
            whole[i] += 1
        guide[k] = [(n, legs) for n, (_, legs) in zip(whole, items, strict=True) if n > 0]
    return guide
