"""The bound's longest-path sweep over the grid (compiled with numba), and the walk that reads
one vehicle's loaded legs off its choices.

Vehicle moves are uncapacitated once the side constraints are priced, so each class's best
path from every (place, step) is one backward sweep over time (see ``sweep_windows``).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["compile_sweep", "loaded_legs", "sweep_windows"]


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
) -> None:  # pragma: no cover - compiled
    """Backward longest path for one class with time-windowed prices.

    A loaded arc i->j departing in step s (window w) and delivering in step s' (window w'),
    any step from ``s + loaded[i, j]`` on (the vehicle may wait before unloading), is worth
    ``vcap * (b[j] - b[i] + avail[j,w'] - avail[i,w] - nu[i,w]) - load_time * rho[i,w]``
    (haven value less room price, availability and room, throughput and berth duals);
    carrying nobody is an empty move. choice: -1 wait, j empty move, P+j loaded move
    (delivering in step ``arrive``), 2P+j zero-step empty move.

    Arcs are scanned shortest first and the scan stops once no longer arc can win: values
    never grow with time (waiting is free), so the best value of any place at the arrival
    step bounds every arc arriving then or later. Same optimum, a fraction of the work.
    """
    n_p = e_ptr.shape[0] - 1
    neg = -1e300
    # best[j, s]: max over s' >= s (s' <= arr_last[j]) of vcap * avail[j, win[s']] + value[j, s']
    best_at = np.full((n_p, n_steps + 1), neg)
    best_step = np.full((n_p, n_steps + 1), -1, dtype=np.int64)
    top_value = np.full(n_steps + 1, neg)  # max over places of value[., s'] for s' >= s
    top_land = np.full(n_steps + 1, neg)  # max over places of vcap * b + best_at, same
    for s in range(n_steps - 1, -1, -1):
        w = win[s]
        for p in range(n_p):
            best = value[p, s + 1] if s + 1 < n_steps else 0.0
            arg = -1
            if s <= dep_last_empty[p]:
                for k in range(e_ptr[p], e_ptr[p + 1]):
                    s2 = s + e_len[k]
                    if s2 >= n_steps or top_value[s2] <= best + 1e-12:
                        break
                    j = e_to[k]
                    if s2 <= arr_last[j]:
                        v = value[j, s2]
                        if v > best + 1e-12:
                            best = v
                            arg = j
            if dep_first[p] <= s <= dep_last_loaded[p]:
                here = vcap * (-b[p] - avail[p, w] - nu[p, w]) - load_time * rho[p, w]
                for k in range(l_ptr[p], l_ptr[p + 1]):
                    s2 = s + l_len[k]
                    if s2 >= n_steps or top_land[s2] + here <= best + 1e-12:
                        break
                    j = l_to[k]
                    if s2 <= arr_last[j]:
                        v = vcap * b[j] + best_at[j, s2] + here
                        if v > best + 1e-12:
                            best = v
                            arg = n_p + j
                            arrive[p, s] = best_step[j, s2]
            value[p, s] = best
            choice[p, s] = arg
        changed = z_ptr[n_p] > 0
        rounds = 0
        while changed and rounds < n_p:
            changed = False
            rounds += 1
            for p in range(n_p):
                if s > dep_last_empty[p]:
                    continue
                for k in range(z_ptr[p], z_ptr[p + 1]):
                    j = z_to[k]
                    if s <= arr_last[j] and value[j, s] > value[p, s] + 1e-12:
                        value[p, s] = value[j, s]
                        choice[p, s] = 2 * n_p + j
                        changed = True
        top_value[s] = top_value[s + 1]
        top_land[s] = top_land[s + 1]
        for p in range(n_p):
            best_at[p, s] = best_at[p, s + 1]
            best_step[p, s] = best_step[p, s + 1]
            if s <= arr_last[p]:
                v = vcap * avail[p, w] + value[p, s]
                if v >= best_at[p, s]:
                    best_at[p, s] = v
                    best_step[p, s] = s
            if value[p, s] > top_value[s]:
                top_value[s] = value[p, s]
            if vcap * b[p] + best_at[p, s] > top_land[s]:
                top_land[s] = vcap * b[p] + best_at[p, s]


def loaded_legs(
    n_steps: int,
    empty: NDArray[np.int64],
    arrive: NDArray[np.int64],
    choice: NDArray[np.int64],
    p: int,
    s: int,
) -> list[tuple[int, int, int, int]]:
    """The loaded legs (i, j, departure step, arrival step) of one vehicle's chosen path from
    (p, s), in order (zero-step moves are acyclic, so the walk ends)."""
    n_p = empty.shape[0]
    legs: list[tuple[int, int, int, int]] = []
    while s < n_steps:
        a = int(choice[p, s])
        if a == -1:
            s += 1
        elif a < n_p:
            s += int(empty[p, a])
            p = a
        elif a < 2 * n_p:
            j = a - n_p
            s_arr = int(arrive[p, s])
            legs.append((p, j, s, s_arr))
            s = s_arr
            p = j
        else:
            p = a - 2 * n_p
    return legs


def compile_sweep() -> None:
    """Compile ``sweep_windows`` (or load it from numba's cache) without running it.

    The planner calls this before its safety stop starts: compiling takes seconds on a cold
    cache, and a stop that counted it would bind on a slow or busy machine, giving another plan.
    """
    i1 = np.zeros(1, dtype=np.int64)
    f1 = np.zeros(1)
    f2 = np.zeros((1, 1))
    i2 = np.zeros((1, 1), dtype=np.int64)
    sample: list[object] = [1, i1, i1, i1, i1, i1, i1, i1, i1, f1, f2, f2, f2, i1, 1.0, 1.0]
    sample += [i1, i1, i1, i1, f2, i2, i2]
    sweep_windows.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
