"""The dispatcher's hot loop, compiled with numba: for one free group, score every (pickup,
candidate drop) pair and keep the best few (``plan/heuristic.py`` then checks those exactly).

A pickup place i is an option when the group reaches it before its deadline and the end,
can load there before the deadline and before its operator's withdrawal, and people are
there; a drop j (one of i's nearest candidates, ``drops.DropLists``) when it has room and the
trip ends before j's deadline and the end. The score is the people moved per unit of time:
value per person x min(seats, people at i, room at j) x urgency / (time until unloaded).
One pass over places x candidates, no temporaries: a decision costs a few microseconds per
thousand places, where numpy's per-call overhead used to cost about a millisecond.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["best_options", "compile_kernel", "estimates", "pickups", "transfers"]

EPS = 1e-9


@numba.njit(cache=True)
def estimates(
    stock: NDArray[np.float64],
    res_pick: NDArray[np.float64],
    netin: NDArray[np.float64],
    res_room: NDArray[np.float64],
    cap: NDArray[np.float64],
    has_pick: NDArray[np.bool_],
    pick: NDArray[np.float64],
    room: NDArray[np.float64],
) -> None:  # pragma: no cover - compiled
    """People to pick up and room per place (into ``pick`` and ``room``), less what guided
    legs not flown yet count on; a place people leave again, with room left, has at least 1
    there (checked exactly later). A place full at the end has none at any instant (the
    exact room at an instant is at most the capacity less the net inflow at the end,
    ``Ledger.room``): the estimate of 1 there made every exact check of it fail (25 s of CPU
    in one sector of ``scale-10000``, bench/results/2026-11-28-cityplan2.md)."""
    for q in range(stock.shape[0]):
        pick[q] = max(0.0, max(0.0, stock[q]) - res_pick[q])
        r = max(0.0, cap[q] - netin[q]) if cap[q] > 0 else 0.0
        if r > 0:
            r = max(0.0, r - res_room[q])
            if has_pick[q]:
                r = max(r, 1.0)
        room[q] = r


@numba.njit(cache=True)
def pickups(
    t: float,
    p: int,
    travel: NDArray[np.float64],
    open_from: NDArray[np.float64],
    deadline: NDArray[np.float64],
    end: float,
    load: float,
    withdraw: float,
    pick: NDArray[np.float64],
    x: NDArray[np.float64],
    ok: NDArray[np.bool_],
) -> int:  # pragma: no cover - compiled
    """Where a group at ``p`` free at ``t`` could load (into ``ok``) and from when (into
    ``x``: its arrival over ``travel``, the row of times from ``p``, or the place's opening):
    reached before the deadline and the end, loaded before the deadline and the operator's
    withdrawal, with people there. Returns how many places."""
    count = 0
    for q in range(x.shape[0]):
        ti = t if q == p else t + travel[q]
        xq = max(ti, open_from[q])
        x[q] = xq
        good = (
            ti < deadline[q]
            and ti <= end
            and pick[q] > 0
            and xq + load <= deadline[q] + EPS
            and xq < withdraw
        )
        ok[q] = good
        count += good
    return count


@numba.njit(cache=True)
def transfers(
    pick: NDArray[np.float64],
    room: NDArray[np.float64],
    haven: NDArray[np.bool_],
    reachable: NDArray[np.bool_],
    full_room: NDArray[np.float64],
    out: NDArray[np.bool_],
) -> bool:  # pragma: no cover - compiled
    """Where moving people on to another haven pays (into ``out``): room is what limits
    the rescue (the ``reachable`` havens cannot take everyone still waiting outside havens)
    and the haven is (nearly) full. Returns whether anywhere."""
    room_left = 0.0
    waiting = 0.0
    for q in range(pick.shape[0]):
        if reachable[q]:
            room_left += room[q]
        if pick[q] > 0 and not haven[q]:
            waiting += pick[q]
    scarce = room_left < waiting
    anywhere = False
    for q in range(pick.shape[0]):
        out[q] = scarce and room[q] < full_room[q]
        anywhere |= out[q]
    return anywhere


@numba.njit(cache=True)
def best_options(
    t: float,
    x: NDArray[np.float64],
    ok_i: NDArray[np.bool_],
    pick: NDArray[np.float64],
    room: NDArray[np.float64],
    ncap: float,
    load: float,
    unload: float,
    deadline: NDArray[np.float64],
    end: float,
    cand: NDArray[np.int64],
    ctt: NDArray[np.float64],
    cval: NDArray[np.float64],
    haven: NDArray[np.bool_],
    transfer_ok: NDArray[np.bool_],
    urgent_until: NDArray[np.float64],
    urgency: float,
    prio: NDArray[np.float64],
    out_score: NDArray[np.float64],
    out_i: NDArray[np.int64],
    out_j: NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """The best ``len(out_score)`` options, best first (ties: lower pickup, then nearer
    drop), into ``out_*``; returns how many were found.

    ``x``: when loading could start at each place (the group's arrival, or its opening);
    ``ok_i``: which places can be pickups at all; ``ctt``: travel times to their candidate
    drops ``cand`` (-1: none); ``cval``: their values per person (<= 0: no option);
    ``transfer_ok``: a move between havens may start here (room is what limits the rescue).
    """
    top = out_score.shape[0]
    found = 0
    for i in range(ok_i.shape[0]):
        if not ok_i[i]:
            continue
        urgent = (1.0 + urgency if x[i] >= urgent_until[i] else 1.0) * prio[i]
        seats = min(ncap, pick[i])
        for q in range(cand.shape[1]):
            j = cand[i, q]
            if j < 0:
                break
            value = cval[i, q]
            if value <= 0 or room[j] <= 0:
                continue
            y = x[i] + load + ctt[i, q] + unload
            if not (y < deadline[j] and y <= end + EPS):
                continue
            if haven[i] and haven[j] and not transfer_ok[i]:
                continue
            score = value * min(seats, room[j]) * urgent / max(y - t, EPS)
            if score <= 0:
                continue
            if found == top and score <= out_score[top - 1]:
                continue
            k = min(found, top - 1)
            while k > 0 and out_score[k - 1] < score:
                out_score[k] = out_score[k - 1]
                out_i[k] = out_i[k - 1]
                out_j[k] = out_j[k - 1]
                k -= 1
            out_score[k] = score
            out_i[k] = i
            out_j[k] = j
            found = min(found + 1, top)
    return found


def compile_kernel() -> None:
    """Compile the kernels (or load them from numba's cache) without running them: the
    planner calls this before its safety stop starts (see ``sweep.compile_sweep``)."""
    f1 = np.zeros(1)
    b1 = np.zeros(1, dtype=np.bool_)
    i1 = np.zeros(1, dtype=np.int64)
    f2 = np.zeros((1, 1))
    i2 = np.zeros((1, 1), dtype=np.int64)
    sample: list[object] = [f1, f1, f1, f1, f1, b1, f1, f1]
    estimates.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
    sample = [f1, f1, b1, b1, f1, b1]
    transfers.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
    sample = [1.0, 1, f1, f1, f1, 1.0, 1.0, 1.0, f1, f1, b1]
    pickups.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
    sample = [1.0, f1, b1, f1, f1, 1.0, 1.0, 1.0, f1, 1.0, i2, f2, f2, b1, b1, f1, 1.0, f1, f1]
    sample += [i1, i1]
    best_options.compile(tuple(numba.typeof(a) for a in sample))  # type: ignore[no-untyped-call]
