"""The bound's longest-path sweep over the grid, and the walk that reads vehicles' loaded legs
off its choices (both compiled with numba).

Vehicle moves are uncapacitated once the side constraints are priced, so each class's best
path from every (place, step) is one backward sweep over time (see ``sweep_windows``).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["compile_sweep", "path_loads", "sweep_windows", "window_prices"]


@numba.njit(cache=True)
def sweep_windows(
    n_steps: int,
    e_ptr: NDArray[np.int64],
    e_to: NDArray[np.int64],
    e_len: NDArray[np.int64],
    z_ptr: NDArray[np.int64],
    z_to: NDArray[np.int64],
    l_ptr: NDArray[np.int64],
    l_to: NDArray[np.int64],
    l_len: NDArray[np.int64],
    b: NDArray[np.float64],
    avail: NDArray[np.float64],
    nu: NDArray[np.float64],
    rho: NDArray[np.float64],
    win: NDArray[np.int64],
    vcap: float,
    load_time: float,
    dep_first: NDArray[np.int64],
    dep_last_loaded: NDArray[np.int64],
    dep_last_empty: NDArray[np.int64],
    arr_last: NDArray[np.int64],
    value: NDArray[np.float64],
    choice: NDArray[np.int64],
    arrive: NDArray[np.int64],
    best_at: NDArray[np.float64],
    best_step: NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """Backward longest path for one class with time-windowed prices.

    A loaded arc i->j departing in step s (window w) and delivering in step s' (window w'),
    any step from ``s + loaded[i, j]`` on (the vehicle may wait before unloading), is worth
    ``vcap * (b[j] - b[i] + avail[j,w'] - avail[i,w] - nu[i,w]) - load_time * rho[i,w]``
    (haven value less room price, availability and room, throughput and berth duals);
    carrying nobody is an empty move. ``value``, ``choice`` and ``arrive`` are indexed
    [step, place] (step-major: a step's places lie together, which the sweep reads and
    writes one step at a time). choice: -1 wait, j empty move, P+j loaded move (delivering
    in step ``arrive``), 2P+j zero-step empty move. ``best_at`` and ``best_step``
    ((n_steps + 1, places)) are scratch space. Every entry of ``value`` and ``choice`` is
    written, and of ``arrive`` every one a loaded move reads, so the four may be reused from
    call to call as they are (fresh arrays this size cost page faults on every call).

    Arcs are scanned shortest first and the scan stops once no longer arc can win: values
    never grow with time (waiting is free), so the best value of any place at the arrival
    step bounds every arc arriving then or later. Same optimum, a fraction of the work.
    """
    n_p = e_ptr.shape[0] - 1
    neg = -1e300
    # best_at[s, j]: max over s' >= s (s' <= arr_last[j]) of vcap * avail[j, win[s']] +
    # value[s', j], reached at step best_step[s, j]; row s is written from row s + 1
    best_at[n_steps, :] = neg
    best_step[n_steps, :] = -1
    top_value = np.full(n_steps + 1, neg)  # max over places of value[s', .] for s' >= s
    top_land = np.full(n_steps + 1, neg)  # max over places of vcap * b + best_at, same
    # a loaded departure's own term and a landing's, per window and place (the same
    # expressions, evaluated once)
    n_w = avail.shape[1]
    here_w = np.empty((n_w, n_p))
    land_w = np.empty((n_w, n_p))
    vb = np.empty(n_p)
    for p in range(n_p):
        vb[p] = vcap * b[p]
        for w in range(n_w):
            here_w[w, p] = vcap * (-b[p] - avail[p, w] - nu[p, w]) - load_time * rho[p, w]
            land_w[w, p] = vcap * avail[p, w]
    zero_moves = z_ptr[n_p] > 0
    for s in range(n_steps - 1, -1, -1):
        w = win[s]
        for p in range(n_p):
            best = value[s + 1, p] if s + 1 < n_steps else 0.0
            arg = -1
            if s <= dep_last_empty[p]:
                for k in range(e_ptr[p], e_ptr[p + 1]):
                    s2 = s + e_len[k]
                    if s2 >= n_steps or top_value[s2] <= best + 1e-12:
                        break
                    j = e_to[k]
                    if s2 <= arr_last[j]:
                        v = value[s2, j]
                        if v > best + 1e-12:
                            best = v
                            arg = j
            if dep_first[p] <= s and s <= dep_last_loaded[p]:
                here = here_w[w, p]
                for k in range(l_ptr[p], l_ptr[p + 1]):
                    s2 = s + l_len[k]
                    if s2 >= n_steps or top_land[s2] + here <= best + 1e-12:
                        break
                    j = l_to[k]
                    if s2 <= arr_last[j]:
                        v = vb[j] + best_at[s2, j] + here
                        if v > best + 1e-12:
                            best = v
                            arg = n_p + j
                            arrive[s, p] = best_step[s2, j]
            value[s, p] = best
            choice[s, p] = arg
        changed = zero_moves
        rounds = 0
        while changed and rounds < n_p:
            changed = False
            rounds += 1
            for p in range(n_p):
                if s > dep_last_empty[p]:
                    continue
                for k in range(z_ptr[p], z_ptr[p + 1]):
                    j = z_to[k]
                    if s <= arr_last[j] and value[s, j] > value[s, p] + 1e-12:
                        value[s, p] = value[s, j]
                        choice[s, p] = 2 * n_p + j
                        changed = True
        tv = top_value[s + 1]
        tl = top_land[s + 1]
        for p in range(n_p):
            ba = best_at[s + 1, p]
            bs = best_step[s + 1, p]
            vp = value[s, p]
            if s <= arr_last[p]:
                v = land_w[w, p] + vp
                if v >= ba:
                    ba = v
                    bs = s
            best_at[s, p] = ba
            best_step[s, p] = bs
            if vp > tv:
                tv = vp
            if vb[p] + ba > tl:
                tl = vb[p] + ba
        top_value[s] = tv
        top_land[s] = tl


@numba.njit(cache=True)
def window_prices(
    n_p: int,
    n_w: int,
    avail_rows: NDArray[np.int64],
    avail_y: NDArray[np.float64],
    room_rows: NDArray[np.int64],
    room_y: NDArray[np.float64],
    rate_rows: NDArray[np.int64],
    rate_y: NDArray[np.float64],
    berth_rows: NDArray[np.int64],
    berth_y: NDArray[np.float64],
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:  # pragma: no cover - compiled
    """The sweep's prices per (place, window) from the master's row multipliers: ``avail``,
    the people rows' (place, k) summed over the boundaries after each window, less the room
    rows'; ``nu`` and ``rho``, the throughput and berth rows' (place, k0, k1) over their
    windows. Summed row by row, in the rows' order (the same floating-point sums as a
    Python loop over the rows)."""
    avail = np.zeros((n_p, n_w))
    nu = np.zeros((n_p, n_w))
    rho = np.zeros((n_p, n_w))
    for r in range(avail_rows.shape[0]):
        for w in range(avail_rows[r, 1]):
            avail[avail_rows[r, 0], w] += avail_y[r]
    for r in range(room_rows.shape[0]):
        for w in range(room_rows[r, 1]):
            avail[room_rows[r, 0], w] -= room_y[r]
    for r in range(rate_rows.shape[0]):
        for w in range(rate_rows[r, 1], rate_rows[r, 2]):
            nu[rate_rows[r, 0], w] += rate_y[r]
    for r in range(berth_rows.shape[0]):
        for w in range(berth_rows[r, 1], berth_rows[r, 2]):
            rho[berth_rows[r, 0], w] += berth_y[r]
    return avail, nu, rho


@numba.njit(cache=True)
def path_loads(
    n_steps: int,
    empty: NDArray[np.int64],
    arrive: NDArray[np.int64],
    choice: NDArray[np.int64],
    win: NDArray[np.int64],
    start_p: NDArray[np.int64],
    start_s: NDArray[np.int64],
) -> tuple[
    NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]
]:  # pragma: no cover - compiled
    """The chosen paths of vehicles starting at (``start_p[v]``, ``start_s[v]``) (steps
    before ``n_steps``), read off ``sweep_windows``'s ``choice`` and ``arrive``.

    Returns the loaded legs (i, j, departure step, arrival step) of every path in order
    (path v's are rows ``ptr[v]`` to ``ptr[v + 1]``; zero-step moves are acyclic, so each
    walk ends), and per path its loads picked up and delivered per (place, window of
    ``win``, arrivals counted in the window of ``min(arrival, n_steps)``)."""
    n_p = empty.shape[0]
    n_v = start_p.shape[0]
    n_k = win[n_steps] + 1
    picked = np.zeros((n_v, n_p, n_k))
    delivered = np.zeros((n_v, n_p, n_k))
    ptr = np.zeros(n_v + 1, dtype=np.int64)
    legs = np.zeros((16, 4), dtype=np.int64)
    m = 0
    for v in range(n_v):
        p = start_p[v]
        s = start_s[v]
        while s < n_steps:
            a = choice[s, p]
            if a == -1:
                s += 1
            elif a < n_p:
                s += empty[p, a]
                p = a
            elif a < 2 * n_p:
                j = a - n_p
                s_arr = arrive[s, p]
                if m == legs.shape[0]:
                    grown = np.zeros((2 * m, 4), dtype=np.int64)
                    grown[:m] = legs
                    legs = grown
                legs[m, 0] = p
                legs[m, 1] = j
                legs[m, 2] = s
                legs[m, 3] = s_arr
                m += 1
                picked[v, p, win[s]] += 1.0
                delivered[v, j, win[min(s_arr, n_steps)]] += 1.0
                s = s_arr
                p = j
            else:
                p = a - 2 * n_p
        ptr[v + 1] = m
    return legs[:m], ptr, picked, delivered


def compile_sweep() -> None:
    """Compile ``sweep_windows``, ``path_loads`` and ``window_prices`` (or load them from
    numba's cache) without running them.

    The planner calls this before its safety stop starts: compiling takes seconds on a cold
    cache, and a stop that counted it would bind on a slow or busy machine, giving another plan.
    """
    i1 = np.zeros(1, dtype=np.int64)
    f1 = np.zeros(1)
    f2 = np.zeros((1, 1))
    i2 = np.zeros((1, 1), dtype=np.int64)
    sample: list[object] = [1, i1, i1, i1, i1, i1, i1, i1, i1, f1, f2, f2, f2, i1, 1.0, 1.0]
    sample += [i1, i1, i1, i1, f2, i2, i2, f2, i2]
    sweep_windows.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
    legs_sample = (1, i2, i2, i2, i1, i1, i1)
    path_loads.compile(tuple(numba.typeof(a) for a in legs_sample))  # type: ignore[no-untyped-call]
    prices_sample = (1, 1, i2, f1, i2, f1, i2, f1, i2, f1)
    window_prices.compile(tuple(numba.typeof(a) for a in prices_sample))  # type: ignore[no-untyped-call]
