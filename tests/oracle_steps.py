"""The exhaustive oracle's vehicle moves (``tests/oracle.py``): arriving, leaving, beginning
to unload, a moving vehicle's choices at the start of an instant, and the replay of the optimal
decisions into trips.

Part of the oracle: ``from tests.oracle import ...`` re-exports every name defined here."""

from __future__ import annotations

from evacuate.planio import Trip
from tests.oracle_data import INF, NEG, VState, _Data
from tests.oracle_parts import Flow, _Rates

__all__ = ["_arrival", "_arrivals", "_leaving", "_replay", "_unloading"]


def _arrival(d: _Data, state: VState, t: int) -> VState | None:
    """The idle state after arriving at ``t`` (None: not allowed now)."""
    c, _, p, _, people, flown, duty = state[:7]
    if not d.can_arrive(c, p, t) or t - duty > d.after[c]:
        return None
    if people > 0 and d.busy_hit(c, p, t - d.U[c], t):
        return None  # a damage strikes it while it unloads
    ready = t + round(d.rest[c]) if people > 0 else t  # turnaround
    last = t if d.after[c] < INF else NEG  # records only where they matter (fewer states)
    if d.track:
        return (c, 0, p, ready, 0, flown, duty, last, -1, 0, 0)
    return (c, 0, p, ready, 0, flown, duty, last)


def _leaving(d: _Data, state: VState, t: int, j: int, n: int, dur: int) -> VState | None:
    """The moving state after leaving at ``t`` for ``j`` with ``n`` people (None: the sorties
    or the duty do not allow it)."""
    c, _, p, _, _, flown, duty, last = state[:8]
    if n > 0 and flown >= d.sorties[c]:
        return None
    if d.after[c] == INF:
        start = -1  # no rest: no duty to keep
    elif duty < 0 or t - last >= d.rest_for[c]:
        start = t
    else:
        start = duty
    if start >= 0 and t + dur - start > d.after[c]:
        return None
    flown += int(n > 0 and d.sorties[c] < INF)
    if not d.track:
        return (c, 1, j, t + dur, n, flown, start, last)
    if n > 0 and d.L[c] > 0 and (d.pool[p][c] >= 0 or d.berthed[p]):
        return (c, 1, j, t + dur, n, flown, start, last, p, t + round(d.L[c]), 0)
    return (c, 1, j, t + dur, n, flown, start, last, -1, 0, 0)


def _unloading(d: _Data, state: VState, t: int) -> VState:
    """The moving state that begins unloading at ``t`` (present at its destination)."""
    return (*state[:3], t + round(d.U[state[0]]), *state[4:8], -1, 0, 1)


def _arrivals(
    d: _Data, rates: _Rates, state: VState, t: int, q: Flow
) -> list[tuple[VState, int, Flow, int]]:
    """A vehicle's choices at the start of instant ``t``: (new state, people delivered,
    throughput state, bit mask of the places where a presence began)."""
    c, moving, p, when, people = state[:5]
    if not moving:
        return [(state, 0, q, 0)]
    here = 1 << p if d.pool[p][c] >= 0 else 0
    unloading = bool(d.track and state[10])
    if not unloading and d.unloads_on_stand(c, p, people):
        # present from the start of its unloading: begin now, or keep travelling
        u = round(d.U[c])
        if when - u > t:
            return [(state, 0, q, 0)]
        out = [(_unloading(d, state, t), 0, q, here)] if t + u <= d.end else []
        return out + ([(state, 0, q, 0)] if t < d.end else [])
    if when > t:
        return [(state, 0, q, 0)]
    out = []
    came = _arrival(d, state, t)
    q2 = rates.unload(q, p, people, t) if came is not None else None
    if came is not None and q2 is not None:
        out.append((came, people, q2, 0 if unloading else here))
    if t < d.end and not unloading and not (came is not None and people == 0 and d.idle_free):
        out.append((state, 0, q, 0))  # keep travelling (it may still arrive by the end)
    return out


def _replay(
    d: _Data, rates: _Rates, value, departures, veh0: tuple[VState, ...], best: int
) -> list[Trip]:  # type: ignore[no-untyped-def]
    """Follow the optimal decisions forward and write the trips (one group per vehicle)."""
    end, P = d.end, d.P
    # full state: per vehicle id, (reduced state, origin, depart)
    ids = list(range(len(veh0)))
    full = {i: (veh0[i], -1, -1) for i in ids}
    trips: list[Trip] = []
    present = [0] * P
    net = [0] * P
    q = rates.start()

    def order() -> list[int]:
        return sorted(full, key=lambda i: (full[i][0], i))

    for t in range(end + 1):
        for p, n in d.arrivals.get(t, []):
            present[p] += n
        started = 0
        for phase in (0, 1):
            seq = order()
            veh = tuple(full[i][0] for i in seq)
            # value() adds the arrivals itself at (t, 0, 0): undo them for the lookup
            pres = list(present)
            if phase == 0:
                for p, n in d.arrivals.get(t, []):
                    pres[p] -= n
            for idx, vid in enumerate(seq):
                state, origin, depart = full[vid]
                c, moving, p, when, people = state[:5]
                cur = value(
                    t,
                    phase,
                    idx,
                    veh,
                    tuple(pres if idx == 0 and phase == 0 else present),
                    tuple(net),
                    q,
                    started,
                )
                # (new state, delta at place, place, throughput state, presences begun)
                choices: list[tuple[VState, int, int, Flow | None, int]] = []
                if phase == 0:
                    for came, delta, q3, mark in _arrivals(d, rates, state, t, q):
                        choices.append((came, delta, p, q3, mark))
                elif phase == 1 and not moving and when <= t:
                    back = d.damaged(c, p, t)
                    stay = state if back == t else (c, 0, p, back, *state[4:])
                    choices.append((stay, 0, p, q, 0))
                    for j, n, dur in departures(c, p, t, present[p]):
                        if (gone := _leaving(d, state, t, j, n, dur)) is not None:
                            choices.append((gone, -n, p, rates.book(q, c, p, t, n), 0))
                else:
                    choices.append((state, 0, p, q, 0))
                for new, delta, place, q2, mark in choices:
                    if q2 is None:
                        continue
                    nv = (*veh[:idx], new, *veh[idx + 1 :])
                    pl, nl = list(present), list(net)
                    pl[place] += delta
                    nl[place] += delta
                    if (
                        value(t, phase, idx + 1, nv, tuple(pl), tuple(nl), q2, started | mark)
                        == cur
                    ):
                        started |= mark
                        break
                else:  # pragma: no cover - the memo always has a matching choice
                    raise AssertionError("oracle replay lost the optimum")
                if new != state and phase == 0 and new[1] == 1:
                    full[vid] = (new, origin, depart)  # begins unloading
                elif new != state:
                    if phase == 0:
                        trips.append(
                            Trip(
                                group=f"v{vid}",
                                vehicle_class=d.cnames[c],
                                count=1,
                                origin=d.names[origin],
                                depart=float(depart),
                                destination=d.names[p],
                                arrive=float(t),
                                people=people,
                            )
                        )
                        full[vid] = (new, -1, -1)
                    else:
                        full[vid] = (new, p, t)
                present, net, q = pl, nl, q2
                veh = nv
        settled = rates.settle(q, t)
        assert settled is not None  # the optimum's branch settles every period
        q = settled
        # drop vehicles stuck at struck places, as value() does
        for vid in list(full):
            state = full[vid][0]
            if state[1] == 0 and not t + 1 <= d.deadline[state[2]]:
                del full[vid]
    del best
    return trips
