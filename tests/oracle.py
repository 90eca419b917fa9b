"""Exact maximum of rescued people for tiny scenarios, by exhaustive search (a test oracle).

It shares no code with the planners nor with ``evacuate.scenario.derive``: it reads the
``Scenario`` and re-derives travel times, lane windows and closures itself, then searches every
plan whose times are integers, vehicle by vehicle (groups of one), with memoisation.

Scope: at most 4 vehicles and a handful of people; integer times and durations (travel times
>= 1 after load and unload); explicit deadlines (no hazard); lanes or direct routes; lane
windows; stock (no shipyards), with its ``record`` (integer times; each vehicle starts from
its own); class turnarounds, sortie limits and rest (integer ``after`` and ``for``; each
vehicle keeps its own record); known ``close_place``, ``close_lane``,
``withdraw_operator`` (with ``return_operator`` after soft ones), ``add_vehicles``
(reinforcements: stock from ``at``), ``open_place``, ``open_lane``, ``note`` and
``damage_vehicles`` without a ``count`` (every idle vehicle of its classes at the place, whose
turnaround has ended, stays there until ``until``; loading or unloading there then is not
allowed; a vehicle leaving at ``at`` has left) events;
``load_per_hour`` and ``unload_per_hour`` when the throughput period is one time unit (hours
or days), changed by ``load_rates``/``unload_rates`` tables and known ``change_throughput``
rates whose times are whole time units (so each period has one rate, worked out here from
docs/model.md, Throughput); ``berths``, also changed by ``change_throughput`` on whole time
units (a vehicle holds one from the start of its loading to its end, and from the start of its
unloading to its arrival; checked at the end of every instant); parking ``stands`` (one number
or per class). Other events are refused.

Stands (docs/model.md, Stands): a vehicle is present at a place while idle there (stock from
its ``available_from``), while loading there (until ``depart + load_time``) and from the start
of its unloading (``arrive - unload_time``); at the end of each instant at which some vehicle's
presence began at a place, the vehicles present in each of its stand pools are at most its
stands (those leaving at that instant have left). A loaded vehicle bound for a place with
stands chooses when to begin unloading, and then arrives ``unload_time`` later.

Rates (docs/model.md, Throughput): a loading over ``[t, t + load)`` draws on the periods
``t .. t + load - 1`` (the period ``t`` when instant), in any split. The search keeps, per
place, the loadings still drawing (last period, people left) and at the end of each period
serves them earliest deadline first (optimal: every loading that can use the period is known
by then); a loading left short in its last period makes the branch infeasible. People
arriving at a place in one period are at most its unloading allowance.

Why integer times lose nothing (without rates): with integer data, flooring every time of a
feasible plan keeps it feasible (``floor(a) >= floor(d) + D`` when ``a >= d + D``; deadlines,
windows, closures and availability are integer-bounded intervals; the state at integer ``n`` becomes
the original state just before ``n + 1``) and rescues at least as many. Trips arriving after
the end are left out: they count for nothing, and moving people out of a haven frees as much
room as it costs. At equal times the checker's order applies: people delivered at ``t`` can be
picked up at ``t``, and pickups at ``t`` free room for deliveries at ``t``. With rates a plan
may gain by starting a loading between whole instants (a one-hour loading from half past
meets two periods), so there the answer is the optimum over integer-time plans: a lower
bound of the optimum, which is what a bound is tested against.

Layout: the search is here; what it reads of the scenario and the rules a state is checked
against, ``tests/oracle_data.py``; a vehicle's moves and the replay into trips,
``tests/oracle_steps.py``; routes and throughput rates, ``tests/oracle_parts.py``. Every name
these define is importable from ``tests.oracle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from evacuate.planio import Trip
from evacuate.scenario.scenario import Scenario

# the oracle's parts; every name that ``tests.oracle`` held before its split stays importable
# from here (``as`` marks the re-exports)
from tests.oracle_data import INF as INF
from tests.oracle_data import NEG as NEG
from tests.oracle_data import VState as VState
from tests.oracle_data import _Data as _Data
from tests.oracle_parts import Flow as Flow
from tests.oracle_parts import _is_int as _is_int
from tests.oracle_parts import _Rates as _Rates
from tests.oracle_parts import _Route as _Route
from tests.oracle_parts import _Throughput as _Throughput
from tests.oracle_steps import _arrival as _arrival
from tests.oracle_steps import _arrivals as _arrivals
from tests.oracle_steps import _leaving as _leaving
from tests.oracle_steps import _replay as _replay
from tests.oracle_steps import _unloading as _unloading

__all__ = ["OracleResult", "OracleTooBig", "exhaustive"]


@dataclass(frozen=True)
class OracleResult:
    rescued: int
    trips: list[Trip]
    states: int
    """Memoised states visited (a measure of the work done)."""


class OracleTooBig(Exception):
    """The search passed its budget of memoised states (``exhaustive(max_states=...)``)."""


def exhaustive(scenario: Scenario, max_states: int | None = None) -> OracleResult:
    """The most people any integer-time plan rescues, and one plan that does it.

    ``max_states``: raise ``OracleTooBig`` once the search has memoised more states (a work
    budget: a few tiny scenarios take millions, a minute and a gigabyte)."""
    d = _Data(scenario)
    visited = [0]
    rates = _Rates(d)
    end, P = d.end, d.P
    options_cache: dict[tuple[int, int, int, int], list[tuple[int, int, int]]] = {}

    def departures(c: int, p: int, t: int, present: int) -> list[tuple[int, int, int]]:
        """(destination, people, duration) choices of an idle vehicle, 'stay' excluded."""
        key = (c, p, t, present)
        if key in options_cache:
            return options_cache[key]
        out: list[tuple[int, int, int]] = []
        paused = any(a <= t < b for a, b in d.paused[c])
        if t < d.withdraw[c] and not paused and d.place_open(p, t):
            for j in range(P):
                if j == p or (c, p, j) not in d.routes:
                    continue
                if t <= d.deadline[p]:
                    dur = d.duration(c, p, j, t, False)
                    if dur is not None and t + dur <= end:
                        out.append((j, 0, dur))
                loading_hit = d.L[c] > 0 and d.busy_hit(c, p, t, t + d.L[c])
                if (
                    t + d.L[c] <= d.deadline[p]
                    and t >= d.open_from[p]
                    and present > 0
                    and not loading_hit
                    and d.cap[j] > 0  # people are dropped only where there is capacity
                ):
                    dur = d.duration(c, p, j, t, True)
                    if dur is not None and t + dur <= end:
                        for n in range(1, min(d.vcap[c], present) + 1):
                            out.append((j, n, dur))
        options_cache[key] = out
        return out

    @cache
    def value(
        t: int,
        phase: int,
        idx: int,
        veh: tuple[VState, ...],
        present: tuple[int, ...],
        net: tuple[int, ...],
        q: Flow,
        started: int,
    ) -> int:
        """``started``: bit ``p`` set when some vehicle's presence began at ``p`` at ``t``."""
        visited[0] += 1
        if max_states is not None and visited[0] > max_states:
            raise OracleTooBig(f"more than {max_states:,} states")
        if phase == 0 and idx == 0:
            # start of instant t: population arrivals
            if t > end:
                return sum(net[h] for h in range(P) if d.haven[h])
            arr = d.arrivals.get(t)
            if arr:
                pl = list(present)
                for p, n in arr:
                    pl[p] += n
                present = tuple(pl)
        if idx >= len(veh):
            if phase == 0:
                return value(t, 1, 0, tuple(sorted(veh)), present, net, q, started)
            # end of instant t: capacity after all pickups and deliveries, stands
            if any(net[p] > d.cap[p] for p in range(P)) or (
                started and not d.stands_ok(veh, started, t)
            ):
                return NEG
            if any(d.berthed) and not d.berths_ok(veh, t):
                return NEG
            settled = rates.settle(q, t)
            if settled is None:
                return NEG
            # vehicles and people at struck places are out of the game
            nv = tuple(sorted(v for v in veh if v[1] == 1 or t + 1 <= d.deadline[v[2]]))
            return value(t + 1, 0, 0, nv, present, net, settled, 0)
        c, moving, p, when = veh[idx][:4]
        best = NEG
        if phase == 0:
            if not moving or (when > t and not d.track):  # nothing to decide (fast path)
                return value(t, 0, idx + 1, veh, present, net, q, started)
            for new, delta, q2, mark in _arrivals(d, rates, veh[idx], t, q):
                if new is veh[idx]:  # keeps travelling
                    best = max(best, value(t, 0, idx + 1, veh, present, net, q, started))
                    continue
                nv = (*veh[:idx], new, *veh[idx + 1 :])
                pl, nl = list(present), list(net)
                pl[p] += delta
                nl[p] += delta
                best = max(best, value(t, 0, idx + 1, nv, tuple(pl), tuple(nl), q2, started | mark))
            return best
        if moving or when > t:
            return value(t, 1, idx + 1, veh, present, net, q, started)
        back = d.damaged(c, p, t)
        stay = veh if back == t else (*veh[:idx], (c, 0, p, back, *veh[idx][4:]), *veh[idx + 1 :])
        best = value(t, 1, idx + 1, stay, present, net, q, started)  # stay
        for j, n, dur in departures(c, p, t, present[p]):
            gone = _leaving(d, veh[idx], t, j, n, dur)
            if gone is None:
                continue
            nv = (*veh[:idx], gone, *veh[idx + 1 :])
            pl, nl = list(present), list(net)
            pl[p] -= n
            nl[p] -= n
            q2 = rates.book(q, c, p, t, n)
            best = max(best, value(t, 1, idx + 1, nv, tuple(pl), tuple(nl), q2, started))
        return best

    present_from = (lambda r: (-1, 0, r)) if d.track else (lambda r: ())
    veh0 = tuple(
        sorted(
            (c, 0, p, r, 0, flown, duty, last, *present_from(r))
            for c, p, r, flown, duty, last in d.vehicles
        )
    )
    zero = tuple(0 for _ in range(P))
    best = value(0, 0, 0, veh0, zero, zero, rates.start(), 0)
    trips = _replay(d, rates, value, departures, veh0, best)
    return OracleResult(best, trips, value.cache_info().currsize)
