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
 6. after a loaded trip the vehicles reach their next node ``floor(turnaround / dt)`` steps
    later (the group may leave again only at ``arrive + turnaround``; feasible mode: ``ceil``).
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
inflow is within capacity (the checker's order at equal times); throughput per period (a
loading meeting several periods is split over them by share columns, as the heuristics book
it: ``ten_rows``); berths
at every instant where a loading or unloading starts; no vehicle of a destroyed class at the
place at a known destroy time; loaded arcs whose timing would not suit an empty trip carry at
least one person per vehicle. Integer vehicles and people then decompose into groups whose
``planio.Trip`` rows (``depart = t_k``, ``arrive = t_{k+s}``) pass ``evacuate.check``. With
integer data, ``dt = 1`` and delays up to the horizon, this MIP is exact (``tests/oracle.py``).
Tie-breaks worth less than one person in all prefer earlier deliveries and fewer moves.

With ``walks=True`` people may also walk along the walkways: walking arcs take them out of
their origin's stock and into the destination's (``ten_walks`` states both modes' rules).

The modules: ``ten_grid`` (the grid, arc sets, model arrays), ``ten_arcs`` (move arcs per
mode), ``ten_rows`` (throughput, berths and the relaxed haven rows), ``ten_walks`` (walking
arcs), ``ten_build`` (the model), ``ten_trips`` (a MIP solution read back as trips); this one
solves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Literal, NamedTuple

import numpy as np

from evacuate.plan.problem import Problem
from evacuate.plan.ten_build import build_ten
from evacuate.plan.ten_grid import INF, Mode, TenModel
from evacuate.plan.ten_trips import rescued_by, to_trips
from evacuate.plan.ten_walks import to_walks
from evacuate.planio import Trip, Walk
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
    walks: tuple[Walk, ...] = ()
    """People walking (``ten_mip(..., walks=True)`` only)."""


# --------------------------------------------------------------------------------- helpers
def trivial_bound(problem: Problem) -> float:
    """min(everyone, total haven capacity): valid for every plan."""
    return float(
        min(int(problem.population.sum()), int(problem.sink_capacity[problem.is_haven].sum()))
    )


# ------------------------------------------------------------------------------- solve
def ten_bound(
    problem: Problem,
    dt: float,
    time_limit: float | None = None,
    threads: int | None = 1,
    solver: Literal["choose", "simplex", "ipm"] | None = None,
    options: Mapping[str, bool | int | float | str] | None = None,
    walks: bool = True,
) -> TenBound:
    """The LP optimum of the relaxed TEN: an upper bound on the people any plan rescues.

    If HiGHS stops early (time limit), the bound falls back to ``trivial_bound``. ``solver``
    picks HiGHS's LP algorithm (default: its choice, dual simplex); ``options``: any other
    HiGHS options by name (e.g. ``{"simplex_strategy": 4}`` for primal simplex).
    ``walks``: people may walk along the
    walkways (without it the bound holds only for plans without walks).
    """
    t0 = time.perf_counter()
    model = build_ten(problem, dt, "relax", walks=walks)
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
    threads: int | None = 1,
    mip_rel_gap: float = 1e-6,
    max_delay_steps: int = 0,
    node_limit: int | None = None,
    walks: bool = False,
) -> TenMip:
    """Best plan on the grid by HiGHS's MIP (feasible mode): trips, rescued, MIP bound.

    ``rescued`` is computed from the trips (no tie-break); ``mip_dual_bound`` bounds what any
    plan *on this grid* rescues, not the continuous problem. ``max_delay_steps``: see
    ``build_ten``. ``node_limit``: HiGHS's ``mip_max_nodes`` (a work budget). ``walks``:
    people may also walk along the scenario's walkways, and the answer's ``walks`` says who
    (without it the trips alone are the plan).
    """
    t0 = time.perf_counter()
    model = build_ten(problem, dt, "feasible", max_delay_steps=max_delay_steps, walks=walks)
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
    trips = to_trips(problem, model, res.x)
    walked: list[Walk] = []
    if model.walk is not None and len(model.walk):
        walked = to_walks(problem, model.walk, res.x[model.col_walk], model.times)
    rescued = rescued_by(problem, trips, walked)
    return TenMip(
        trips, rescued, max(dual, rescued), time.perf_counter() - t0, res.status, tuple(walked)
    )
