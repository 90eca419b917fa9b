"""Builds the TEN LP (``relax``) or MIP (``feasible``): arcs, supply, vehicle balance, people
stocks, then the side rows (``plan/ten.py`` states the model and why each mode is sound)."""

from __future__ import annotations

import logging
import math
from collections import defaultdict

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.ten_arcs import min_steps, moves
from evacuate.plan.ten_grid import (
    BIG,
    INF,
    TOL,
    Arcs,
    Builder,
    FloatArray,
    IntArray,
    Mode,
    TenModel,
    first_step_at_or_after,
    grid_size,
    hard_withdraw,
    relax_step,
)
from evacuate.plan.ten_rows import relax_people_rules, throughput
from evacuate.plan.ten_walks import WalkArcs, walk_arcs, walk_capacity_terms, walk_rate_rows

__all__ = [
    "build_ten",
]

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------- build
def build_ten(
    problem: Problem,
    dt: float,
    mode: Mode = "relax",
    *,
    max_delay_steps: int = 0,
    walks: bool = False,
) -> TenModel:
    """Build the TEN LP (``relax``) or MIP (``feasible``) of ``problem`` on steps of ``dt``.

    ``max_delay_steps`` (feasible mode): moves may also arrive up to this many steps after
    their earliest grid arrival (waiting en route, e.g. for a closure to end or for room at a
    haven). With integer data, ``dt = 1`` and a delay as long as the horizon, the MIP is exact.
    Loaded moves go only into places with capacity: a place without capacity takes no drops
    (docs/model.md).
    ``walks``: people may also walk along the scenario's walkways (``plan/ten_walks.py``);
    without it the model plans vehicles only (and its bound ignores walking).
    """
    if not dt > 0 or not math.isfinite(dt):
        raise ValueError(f"dt must be a positive number, got {dt}")
    C, P = problem.n_classes, problem.n_places
    K = grid_size(problem.end, dt, mode)
    notes: list[str] = []
    K = max(K, 0) if problem.end >= 0 else -1
    n_steps = K + 1
    times = np.arange(max(n_steps, 0), dtype=np.float64) * dt
    hard_w = hard_withdraw(problem)
    feasible = mode == "feasible"

    delay = max(0, int(max_delay_steps)) if mode == "feasible" else 0
    loaded = moves(problem, mode, dt, K, True, hard_w, delay) if K >= 0 else Arcs.empty()
    empty = moves(problem, mode, dt, K, False, hard_w, delay) if K >= 0 else Arcs.empty()
    walk = walk_arcs(problem, mode, dt, K, delay) if walks else WalkArcs.none()
    if not feasible and len(loaded) and int(loaded.s.min()) == 0:
        msg = f"dt={dt} exceeds some loaded trip: zero-step loaded arcs weaken the bound"
        log.warning(msg)
        notes.append(msg)

    # supply per node
    supply: dict[tuple[int, int, int], int] = defaultdict(int)
    for sp_ in problem.supply:
        if feasible:
            k = int(first_step_at_or_after(np.array([sp_.t]), dt)[0])
        else:
            k = relax_step(sp_.t, dt)
        if feasible and any(
            d.p == sp_.p
            and sp_.c in d.classes
            and sp_.made <= d.t
            and k * dt >= d.t - TOL * max(1.0, abs(d.t))
            for d in problem.destroys
        ):
            continue  # at the place when a known event destroys them: they never leave
        if 0 <= k <= K:
            supply[(sp_.c, sp_.p, k)] += sp_.count

    # prune arcs no vehicle can reach, and moves after which no pickup can follow
    dist = min_steps(problem, dt)
    earliest = np.full((C, P), BIG, dtype=np.int64)
    for c, p, k in supply:
        earliest[c] = np.minimum(earliest[c], k + dist[c, p])
    if len(loaded):
        loaded = loaded.take(loaded.k >= earliest[loaded.c, loaded.i])
    lastload = np.full((C, P), -BIG, dtype=np.int64)
    if len(loaded):
        np.maximum.at(lastload, (loaded.c, loaded.i), loaded.k)
    useful = np.full((C, P), -BIG, dtype=np.int64)
    for c in range(C):
        ll = lastload[c][None, :] - dist[c]  # (P, P): last useful step at p heading to q
        ll = np.where(lastload[c][None, :] >= 0, ll, -BIG)
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
    wait = Arcs(
        wc[keep_w],
        wp[keep_w],
        wp[keep_w],
        wk[keep_w],
        np.ones(int(keep_w.sum()), dtype=np.int64),
        np.zeros(int(keep_w.sum()), dtype=np.bool_),
    )

    b = Builder()
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
    col_walk = b.cols(len(walk), 0.0, 0.0, INF, integer=feasible)

    # destroy events (feasible mode): no vehicle of the class at the place at that instant
    zero_cols: list[IntArray] = []
    if feasible and problem.destroys and len(times):
        for d in problem.destroys:
            cls = np.array(sorted(d.classes), dtype=np.int64)
            if not len(cls):
                continue
            tol = TOL * max(1.0, abs(d.t))
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
    # after a loaded trip the vehicles rest for their class's turnaround: they reach the
    # node of their next departure that much later (rounded down in relax mode, up in
    # feasible mode; past the grid they simply stop), the people are delivered on arrival
    rest = np.array([problem.rest(c) for c in range(C)], dtype=np.float64)
    rest_steps = (np.ceil(rest / dt - TOL) if feasible else np.floor(rest / dt + TOL)).astype(
        np.int64
    )[loaded.c]
    land = loaded.k + loaded.s + rest_steps
    heads = np.concatenate(
        [
            (wait.c * P + wait.j) * n_steps + wait.k + 1,
            (empty.c * P + empty.j) * n_steps + empty.k + empty.s,
            np.where(land <= K, (loaded.c * P + loaded.j) * n_steps + land, -1),
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
    walked_at = np.zeros(P, dtype=np.bool_)
    walked_at[walk.i] = True
    walked_at[walk.j] = True
    stock_places = np.flatnonzero(picks_at | delivs_at | walked_at)
    sidx = np.full(P, -1, dtype=np.int64)
    sidx[stock_places] = np.arange(len(stock_places))
    arr = np.zeros((P, max(n_steps, 0)), dtype=np.float64)
    for p, tau, people in problem.arrivals:
        if tau > problem.end + TOL * max(1.0, abs(problem.end)) or n_steps <= 0:
            continue
        if feasible:
            k = int(first_step_at_or_after(np.array([tau]), dt)[0])
            if k > K:
                continue
        else:
            k = min(relax_step(tau, dt), K)
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
        b.nz(base_row + sidx[walk.i] * n_steps + walk.k, col_walk, 1.0)
        b.nz(base_row + sidx[walk.j] * n_steps + walk.k + walk.s, col_walk, -1.0)

    offset = 0.0
    stock_ub: list[tuple[IntArray, FloatArray]] = []
    if feasible and ns and n_steps > 0:
        # capacity at every grid instant, after its pickups and deliveries (the checker lets
        # a pickup at t free room for a delivery at t, and take people delivered at t)
        # walkers take room at havens (in the stock) but not elsewhere (rows without them)
        takes_room = delivs_at | (walked_at & is_haven)
        dp = stock_places[takes_room[stock_places] & (is_haven | ~walked_at)[stock_places]]
        k_all = np.arange(n_steps, dtype=np.int64)
        if len(dp):
            cols = scol(np.repeat(dp, n_steps), np.tile(k_all, len(dp)))
            hi = problem.sink_capacity[dp, None].astype(np.float64) + cum_arr[dp]
            stock_ub.append((cols, hi.ravel()))
        for p in stock_places[delivs_at[stock_places] & (walked_at & ~is_haven)[stock_places]]:
            rows = b.rows(n_steps, -INF, float(problem.sink_capacity[p]) + cum_arr[p])
            b.nz(rows, scol(p, k_all), 1.0)
            ks, cs, vs = walk_capacity_terms(problem, walk, col_walk, int(p), n_steps)
            b.nz(rows[ks], cs, vs)
        # objective: net inflow of havens at the end
        hv = stock_places[is_haven[stock_places]]
        if len(hv):
            ccost = np.concatenate(b.cost)
            ccost[scol(hv, K)] += 1.0
            b.cost = [ccost]
            offset = -float(cum_arr[hv, K].sum())
    elif not feasible and n_steps > 0:
        relax_people_rules(
            problem,
            b,
            loaded,
            col_ly,
            scol(problem.is_haven.nonzero()[0], K),
            cum_arr,
            dt,
            K,
            scale,
            (walk, col_walk),
        )

    throughput(problem, b, loaded, col_lx, col_ly, times, dt, K, mode, scale)
    walk_rate_rows(problem, b, walk, col_walk, dt, mode, scale)

    cost, A, rlo, rhi, lb, ub, integ = b.build()
    for cols, hi in stock_ub:
        ub[cols] = hi
    if zero_cols:
        ub[np.concatenate(zero_cols)] = 0.0
    tiebreak = 0.0
    if feasible:
        tiebreak = 0.5
    log.info(
        "TEN %s dt=%g: %d steps, %d wait + %d empty + %d loaded + %d walking arcs, %d cols, "
        "%d rows, %d nz",
        mode,
        dt,
        n_steps,
        len(wait),
        len(empty),
        len(loaded),
        len(walk),
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
        loaded_rest=rest_steps,
        tiebreak_max=tiebreak,
        people_scale=scale,
        notes=notes,
        walk=walk,
        col_walk=col_walk,
    )
