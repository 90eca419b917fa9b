"""Instants where loaded trips that take no time chain through places: some order of them.

The people rule (people.py) counts the balance at the end of an instant, all deliveries
before all pickups. Where loaded trips take no time, a delivery of the instant may come
from a trip that itself waits on a pickup of the instant (its group's earlier trip), so the
end balance can hold while no order of the trips lets every pickup find its people (a group
that picks up the people only its own later trip brings). Here each such instant is searched
for an order: each group's trips in their order, deliveries as soon as their trip has gone,
pickups when their people are there. A search that ends without one is a violation
``instant_order``; one over its budget (``ORDER_STEPS``) is logged and not counted.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np

from evacuate.check.common import IntArr, _t, _tol
from evacuate.check.walks import WalkRules

__all__ = ["ORDER_STEPS", "InstantRules"]

log = logging.getLogger(__name__)

ORDER_STEPS = 50_000
"""Work budget of the search at one instant (pickups tried)."""


class InstantRules(WalkRules):
    def _check_instants(self) -> None:
        """Every instant with a loaded trip that takes no time has an order of its trips in
        which every pickup finds its people."""
        ok = self.finite & self.kp & (self.people > 0)
        zero = ok & (self.tdel <= self.depart + np.vectorize(_tol, otypes=[float])(self.depart))
        if not zero.any():
            return
        loaded = np.flatnonzero(ok)
        for t in sorted({float(x) for x in self.depart[zero]}):
            self._check_instant(t, loaded)

    def _check_instant(self, t: float, loaded: IntArr) -> None:
        tol = _tol(t)
        now = loaded[np.abs(self.depart[loaded] - t) <= tol]  # the instant's pickups
        chains: dict[int, list[int]] = defaultdict(list)
        for i in sorted(now.tolist(), key=lambda i: (self.group_code[i], self.depart[i], i)):
            chains[int(self.group_code[i])].append(i)
        # events per group, in its order: (trip, place, change)
        seqs: list[list[tuple[int, int, int]]] = []
        inside: set[int] = set()  # trips whose delivery is part of the instant
        for trips in chains.values():
            seq: list[tuple[int, int, int]] = []
            for i in trips:
                seq.append((i, int(self.o[i]), -int(self.people[i])))
                if self.tdel[i] <= t + tol:
                    seq.append((i, int(self.d[i]), int(self.people[i])))
                    inside.add(i)
            seqs.append(seq)
        takes = {place for seq in seqs for _, place, change in seq if change < 0}
        if not any(place in takes for seq in seqs for _, place, change in seq if change > 0):
            return  # no delivery of the instant can serve one of its pickups: people.py's rule
        have = self._before(t, tol, loaded, inside)
        found, steps = _search(seqs, have)
        if found is None:
            log.warning(
                "instant %s: %d trips, no order found within %d steps; not checked",
                _t(t),
                len(now),
                ORDER_STEPS,
            )
        elif not found:
            stuck = min(i for seq in seqs for i, _, change in seq if change < 0)
            self.out.one(
                "instant_order",
                stuck,
                1.0,
                f"at {_t(t)}, no order of the {len(now)} loaded trips leaving then lets every "
                f"pickup find its people: some pick up people that only trips waiting on them "
                f"bring (searched {steps} steps)",
            )

    def _before(self, t: float, tol: float, loaded: IntArr, inside: set[int]) -> dict[int, int]:
        """People at each place as the instant's pickups begin: arrivals up to ``t``,
        deliveries up to ``t`` but the instant's own, less the pickups before ``t``."""
        have: dict[int, int] = defaultdict(int)
        for pi, p in enumerate(self.places):
            have[pi] += int(p.population or 0)
            for at, n in self.arrivals[pi]:
                if at <= t + tol:
                    have[pi] += int(n)
        for i in loaded.tolist():
            if self.tdel[i] <= t + tol and i not in inside:
                have[int(self.d[i])] += int(self.people[i])
            if self.depart[i] < t - tol:
                have[int(self.o[i])] -= int(self.people[i])
        for k in self._walk_ok:
            w = self.plan.walks[k]
            if w.depart < t - tol:
                have[self.pidx[w.origin]] -= int(w.people)
            if w.arrive <= t + tol:
                have[self.pidx[w.destination]] += int(w.people)
        return have


def _search(
    seqs: list[list[tuple[int, int, int]]], have: dict[int, int]
) -> tuple[bool | None, int]:
    """Depth-first over the groups' next events, with an explicit stack: (whether an order
    exists, None if the budget ran out first; steps taken)."""
    at = [0] * len(seqs)
    dead: set[tuple[int, ...]] = set()
    stack: list[tuple[tuple[int, ...], list[int], list[int], int]] = []
    steps = 0

    def deliver() -> list[int]:
        done: list[int] = []
        for g, seq in enumerate(seqs):
            while at[g] < len(seq) and seq[at[g]][2] > 0:
                have[seq[at[g]][1]] += seq[at[g]][2]
                at[g] += 1
                done.append(g)
        return done

    def expand() -> bool:
        """Deliveries at once; True if all has gone, else a node of the pickups that can go
        (the smallest first) is pushed (none if this state failed before)."""
        state = tuple(at)
        if state in dead:
            stack.append((state, [], [], 0))
            return False
        done = deliver()
        if all(at[g] == len(seq) for g, seq in enumerate(seqs)):
            return True
        can = [
            g
            for g, seq in enumerate(seqs)
            if at[g] < len(seq) and have[seq[at[g]][1]] + seq[at[g]][2] >= 0
        ]
        can.sort(key=lambda g: (-seqs[g][at[g]][2], g))
        stack.append((state, done, can, 0))
        return False

    if expand():
        return True, steps
    while stack:
        state, done, can, tried = stack.pop()
        if tried > 0:  # take back the pickup tried last
            g = can[tried - 1]
            at[g] -= 1
            have[seqs[g][at[g]][1]] -= seqs[g][at[g]][2]
        if tried == len(can):
            for g in reversed(done):
                at[g] -= 1
                have[seqs[g][at[g]][1]] -= seqs[g][at[g]][2]
            dead.add(state)
            continue
        steps += 1
        if steps > ORDER_STEPS:
            return None, steps
        stack.append((state, done, can, tried + 1))
        g = can[tried]
        have[seqs[g][at[g]][1]] += seqs[g][at[g]][2]
        at[g] += 1
        if expand():
            return True, steps
    return False, steps
