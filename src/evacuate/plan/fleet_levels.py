"""The fleet bound's deadline levels (``fleet_bound.py``): per class and last loading start
``theta``, the trips from the places that must be loaded by ``theta`` fit in the vehicles' time
before it, but for the part of each vehicle's last such trip that runs past ``theta``.

A vehicle free from ``t`` makes trips ``j`` (loading at the latest by ``limit(j)``: its place's
deadline less the load time, and at most ``theta``) and approaches before them; all but its
last such trip ``j*`` end, with their turnaround, before the approach to ``j*``, which ends by
the loading start ``s* <= limit(j*)``. So for any ``tau >= 0``, charging each trip
``rest + min(duration, theta + tau - limit)`` (its duration, but at most the time from its
latest loading start to ``theta + tau``) and each approach its time,

    charged <= (s* - t) + rest + (theta + tau - limit(j*)) <= theta - t + rest + tau,

a vehicle free after ``theta`` making none. Summed over the vehicles free by ``theta``
(``N``): ``charged <= sum (theta - t + rest) + N tau``. A trip filled in part counts as that
fraction of a trip (``fleet_bound.py``), charged no more. Every ``tau`` gives a valid row; a
small ``tau`` charges the trips that reach far past ``theta`` little and gives each vehicle
little, a large one the reverse. Before, one row per level charged every trip
``min(duration, L)`` and gave every vehicle ``L`` (``L`` the longest of the places' shortest
trips), vehicles free only after ``theta`` too: the row for ``tau = L`` here charges each trip
at least that and has no more room. That ``L`` for every vehicle was most of the bound's
looseness on ``scale-200`` (``bench/results/2026-11-28-cbound.md``).

The rows share their sums: ``u[k]`` adds every trip and approach of the bands up to level
``k`` at full charge (running sums), and for each ``T = theta + tau`` on a grid (the levels
themselves, and four more past the last), ``s_T[k]`` adds ``(limit + duration - T)`` of the
trips of the bands up to ``k`` that reach past ``T``; row ``(k, T)`` is ``u[k] - s_T[k] <=
budget[k] + N[k] (T - theta_k)``, for the ``T`` from ``theta_k`` to ``theta_k + L_k``. Each
trip enters the sums of the few ``T`` it reaches past (about as many as levels within one
trip of its place's), so the rows cost about as many nonzeros as the trips times that.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from evacuate.plan.fleet_parts import Model
    from evacuate.plan.problem import Problem
    from evacuate.plan.roundtrips import _Entry

__all__ = ["BEYOND", "REACH_COLUMNS", "level_rows"]

BEYOND = (0.25, 0.5, 0.75, 1.0)
"""``T`` past the last level, as fractions of its ``L``: the last level has no later level
to reach for (``scale-200``: 19,916,929 with these, the same as every ``T`` at every trip's
reach within 0.03%)."""

REACH_COLUMNS = 60_000
"""Past about this many columns of the LP (``fleet_bound.applies``'s estimate) each level
gets its one row of before (``tau = L``, trips charged ``min(duration, L)``): on
``scale-500`` (87,000 estimated) the rows for every ``tau`` give 43,127,976 (94.18% of the
people, against 44,588,068) but take 49-59 s of CPU against 14 s (loaded; 16 levels: 94.94%
in 29 s), more than the search has there beside its plan."""

_TOL = 1e-9


def level_rows(
    problem: Problem,
    m: Model,
    c: int,
    mine: list[_Entry],
    pk: NDArray[np.int64],
    horizon: float,
    rest: float,
    charged: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]],
    max_levels: int,
    every_tau: bool = True,
) -> None:
    """Class ``c``'s level rows (module docstring). ``mine``: its entries; ``pk``: the places
        with people; ``charged``: (columns, place index into ``pk``, hours) of every column that
        enters a place, the trips first (hours: duration + ``rest``); at most ``max_levels``
        levels (a subset: each row is valid on its own). ``every_tau``: rows for every ``tau``
    on the grid; else one per level, ``tau = L``, every trip charged ``min(duration, L)``."""
    limit = problem.deadline[pk] - float(problem.load[c])
    x, t_place, t_hours = charged[0]
    t_dur = t_hours - rest
    has = np.zeros(pk.size, dtype=bool)
    has[t_place] = True
    levels = np.unique(limit[has & (limit < horizon)])
    if levels.size == 0:
        return
    if levels.size > max_levels:
        levels = levels[np.linspace(0, levels.size - 1, max_levels).round().astype(np.int64)]
        levels = np.unique(levels)
    n_l = levels.size
    band = np.searchsorted(levels, limit - _TOL)  # == n_l: in no level
    t_band = band[t_place]
    inside = t_band < n_l
    starts = np.array([e.t for e in mine])
    counts = np.array([float(e.count) for e in mine])
    free = starts[None, :] <= levels[:, None] + _TOL  # (levels, entries)
    budget = np.sum(np.where(free, counts * (levels[:, None] - starts + rest), 0.0), axis=1)
    n_free = np.sum(np.where(free, counts, 0.0), axis=1)
    # L_k: the longest of the shortest trips of the places up to level k (the tau window)
    shortest = np.full(pk.size, math.inf)
    np.minimum.at(shortest, t_place, t_dur)
    most = np.zeros(n_l)
    sel = has & (band < n_l)
    np.maximum.at(most, band[sel], shortest[sel])
    window = np.maximum.accumulate(most)
    # u[k]: full charges of the bands up to k (u[k] >= u[k-1] + band k)
    u = m.cols(np.zeros(n_l))
    rows = m.rows(n_l, 0.0)
    m.terms(rows, u, -1.0)
    m.terms(rows[1:], u[:-1], 1.0)
    hours = t_hours
    if not every_tau:  # at most L of its band: L_k for every later level is no shorter
        hours = np.minimum(t_dur, window[np.minimum(t_band, n_l - 1)]) + rest
    m.terms(rows[t_band[inside]], x[inside], hours[inside])
    for cols, place, hours in charged[1:]:
        k = band[place]
        ins = k < n_l
        m.terms(rows[k[ins]], cols[ins], hours[ins])
    if not every_tau:
        caps = m.rows(n_l, budget + n_free * window)
        m.terms(caps, u, 1.0)
        return
    ends = limit[t_place] + t_dur
    grid = np.unique(np.concatenate([levels, levels[-1] + window[-1] * np.array(BEYOND)]))
    for T in grid.tolist():
        ks = np.flatnonzero((levels <= T + _TOL) & (levels + window + _TOL >= T))
        if ks.size == 0:
            continue
        hi = budget[ks] + n_free[ks] * (T - levels[ks])
        j = np.flatnonzero(inside & (t_band <= ks[-1]) & (ends > T + _TOL))
        caps = m.rows(ks.size, hi)
        m.terms(caps, u[ks], 1.0)
        if j.size == 0:
            continue
        # s[k - k0]: the excess past T of the trips of the bands k0..k (s[k] <= s[k-1] + band k)
        k0 = int(t_band[j].min())
        s = m.cols(np.zeros(ks[-1] - k0 + 1))
        chain = m.rows(s.size, 0.0)
        m.terms(chain, s, 1.0)
        m.terms(chain[1:], s[:-1], -1.0)
        m.terms(chain[t_band[j] - k0], x[j], -(ends[j] - T))
        late = ks >= k0
        m.terms(caps[late], s[ks[late] - k0], -1.0)
