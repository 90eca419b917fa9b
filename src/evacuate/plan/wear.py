"""Sortie limits and crew rest for the planners: each group's record, and plans whose groups
never hand worn vehicles on.

A record is (sorties flown, first departure of the current duty, end of the last trip);
``fits`` says whether a group may fly a trip next, ``rested_at`` when a rest would let it
(docs/model.md, Sorties and rest). A group that splits hands its record to both parts. In the
plan, a split ends the group's id and its parts draw vehicles from the place's inventory,
where the model gives them the least worn vehicles there, not necessarily their own; so for
classes with sortie limits or rest, ``unsplit`` rewrites each part's history as its own: the
trips before a split are repeated for every part, with the part's vehicles and a share of the
people. Nothing else changes: the same vehicles make the same moves at the same times.

Stock with different records at one place (a replan's state: two buses, one with a sortie
left, one with two) is a **pool** when it is the place's only supply of its class: the
planner cannot say which vehicles a group takes, but the model gives each first departure
the least worn ones there, so the dispatcher hands out the records the same way, draw by
draw in the order of departure (``draw``; a later draw may not depart earlier), and
``pool_order_kept`` confirms on the finished plan that the model draws in that order (else
the caller plans again with every vehicle there held to the worst record).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

from evacuate.plan.problem import Problem
from evacuate.planio import Trip
from evacuate.scenario.fleet_limits import record_of

__all__ = ["Record", "Wear"]

INF = math.inf
EPS = 1e-9


@dataclass(frozen=True)
class Record:
    sorties: int = 0
    duty_from: float | None = None
    last_end: float = -INF


class Wear:
    """Records of the dispatcher's groups (by id) for classes with ``max_sorties`` or ``rest``."""

    def __init__(self, problem: Problem) -> None:
        n_c = problem.n_classes
        self.max_sorties = [INF] * n_c
        self.after = [INF] * n_c
        self.rest_for = [INF] * n_c
        self.capacity = [int(x) for x in problem.capacity]
        self.name_of = {name: c for name, c in problem.cindex.items()}
        self.place_names = problem.places
        for vc in problem.scenario.fleet.classes:
            c = problem.cindex.get(vc.id)
            if c is None:
                continue
            if vc.max_sorties is not None:
                self.max_sorties[c] = vc.max_sorties
            if vc.rest is not None:
                self.after[c], self.rest_for[c] = vc.rest.after, vc.rest.rest_for
        self.limited = [self.max_sorties[c] < INF or self.after[c] < INF for c in range(n_c)]
        self.records: dict[str, Record] = {}
        self.parts: dict[str, list[tuple[str, int]]] = {}
        self.pools: dict[tuple[int, int], list[tuple[Record, int]]] = {}
        self.last_draw: dict[tuple[int, int], float] = {}
        self.undrawn: dict[str, tuple[int, int, int]] = {}
        """Groups of a pool that have not left yet: id -> (class, place, vehicles)."""
        self.draws: dict[str, tuple[tuple[int, int], int]] = {}
        """Group id -> (its pool, the draw's rank), for ``pool_order_kept``."""

    def make_pools(self, problem: Problem) -> None:
        """Pools of stock with different records (see the module)."""
        entries: dict[tuple[int, int], list[tuple[Record, int, float]]] = defaultdict(list)
        for st in problem.scenario.fleet.stock:
            c, p = problem.cindex.get(st.vehicle_class), problem.pindex.get(st.place)
            if c is None or p is None or st.count <= 0 or not self.limited[c]:
                continue
            r = record_of(st.record)
            rec = Record() if r is None else Record(*r)
            entries[(c, p)].append((rec, st.count, max(st.available_from, 0.0)))
        for (c, p), got in sorted(entries.items()):
            if len({e[0] for e in got}) < 2:
                continue  # one record: the worst is everyone's
            supply = [s for s in problem.supply if s.c == c and s.p == p]
            if len(supply) != 1 or supply[0].count != sum(e[1] for e in got):
                continue  # production, reinforcements or losses there as well
            if any(abs(e[2] - supply[0].t) > EPS for e in got):
                continue
            self.pools[(c, p)] = [(e[0], e[1]) for e in got]

    def _key(self, c: int, r: Record, at: float) -> tuple[int, int, float]:
        """Least worn first: fewest sorties, then rested ones, then the duty begun latest."""
        if r.duty_from is None or at - r.last_end >= self.rest_for[c] - EPS:
            return (r.sorties, 0, 0.0)
        return (r.sorties, 1, -r.duty_from)

    def _take(
        self, c: int, pool: list[tuple[Record, int]], at: float, n: int
    ) -> tuple[Record, list[tuple[Record, int]]]:
        """The record of the ``n`` least worn vehicles of ``pool`` at ``at``, and the rest."""
        out, left, need = Record(), [], n
        for r, k in sorted(pool, key=lambda e: self._key(c, e[0], at)):
            got = min(k, need)
            if got > 0:
                need -= got
                busy = [x for x in (out, r) if self._key(c, x, at)[1] == 1]
                out = Record(
                    max(out.sorties, r.sorties),
                    min((x.duty_from for x in busy if x.duty_from is not None), default=None),
                    max((x.last_end for x in busy), default=-INF),
                )
            if k > got:
                left.append((r, k - got))
        return out, left

    def peek(self, gid: str, at: float) -> Record:
        """The record group ``gid`` flies with if it leaves at ``at`` (a pool's: drawn then)."""
        if gid not in self.undrawn:
            return self.record(gid)
        c, p, n = self.undrawn[gid]
        return self._take(c, self.pools[(c, p)], at, n)[0]

    def not_before(self, gid: str) -> float:
        """When a pool group may leave at the earliest: the pool's last draw."""
        got = self.undrawn.get(gid)
        return -INF if got is None else self.last_draw.get((got[0], got[1]), -INF)

    def draw(self, gid: str, new: str, at: float, n: int, rest: str | None) -> None:
        """``n`` vehicles of pool group ``gid`` leave at ``at`` as group ``new`` (the others
        stay on as ``rest``)."""
        got = self.undrawn.pop(gid, None)
        if got is None:
            return
        c, p, count = got
        key = (c, p)
        self.records[new], self.pools[key] = self._take(c, self.pools[key], at, n)
        self.last_draw[key] = max(at, self.last_draw.get(key, -INF))
        self.draws[new] = (key, len(self.draws))
        if rest is not None and count > n:
            self.undrawn[rest] = (c, p, count - n)

    @property
    def active(self) -> bool:
        return any(self.limited)

    def record(self, gid: str) -> Record:
        return self.records.get(gid, Record())

    def _duty(self, c: int, rec: Record, depart: float) -> float:
        if rec.duty_from is None or depart - rec.last_end >= self.rest_for[c] - EPS:
            return depart
        # a vehicle that leaves before its record's duty began is on duty from then
        return min(rec.duty_from, depart)

    def fly(self, c: int, rec: Record, depart: float, arrive: float, loaded: bool) -> Record:
        """The record after a trip."""
        duty = self._duty(c, rec, depart)
        return Record(rec.sorties + int(loaded), duty, arrive)

    def fits(self, c: int, rec: Record, legs: list[tuple[float, float, bool]]) -> bool:
        """Whether trips ``(depart, arrive, loaded)`` flown in turn keep within the limits."""
        if not self.limited[c]:
            return True
        for depart, arrive, loaded in legs:
            rec = self.fly(c, rec, depart, arrive, loaded)
            if rec.sorties > self.max_sorties[c]:
                return False
            if rec.duty_from is not None and arrive - rec.duty_from > self.after[c] + EPS:
                return False
        return True

    def rested_at(self, c: int, rec: Record, t: float) -> float | None:
        """When a group busy at ``t`` will have rested (None: it is rested already)."""
        if rec.duty_from is None or t - rec.last_end >= self.rest_for[c] - EPS:
            return None
        return rec.last_end + self.rest_for[c]

    def commit(self, c: int, gid: str, new_gid: str, legs: list[tuple[float, float, bool]]) -> None:
        """Group ``new_gid`` (the vehicles of ``gid`` that fly) flies ``legs``."""
        if not self.limited[c]:
            return
        rec = self.record(gid)
        for depart, arrive, loaded in legs:
            rec = self.fly(c, rec, depart, arrive, loaded)
        self.records[new_gid] = rec

    def split(self, c: int, gid: str, parts: list[tuple[str, int]]) -> None:
        """Group ``gid`` ends, its vehicles going on as ``parts`` (id, vehicles)."""
        if not self.limited[c]:
            return
        self.parts[gid] = parts
        rec = self.record(gid)
        for part, _ in parts:
            self.records.setdefault(part, rec)

    def unsplit(self, trips: list[Trip]) -> list[Trip]:
        """The plan with every split group's trips repeated for each of its parts."""
        if not self.parts:
            return trips
        leaves: dict[str, list[tuple[str, int]]] = {}

        def leaves_of(gid: str, n: int) -> list[tuple[str, int]]:
            if gid not in self.parts:
                return [(gid, n)]
            if gid not in leaves:
                leaves[gid] = [x for part, k in self.parts[gid] for x in leaves_of(part, k)]
            return leaves[gid]

        own: dict[str, list[Trip]] = defaultdict(list)
        out: list[Trip] = []
        for tr in trips:
            if tr.group not in self.parts:
                out.append(tr)
                continue
            parts = leaves_of(tr.group, tr.count)
            cap = self.capacity[self.name_of[tr.vehicle_class]]
            left, still = tr.people, tr.count
            for gid, n in parts:
                still -= n
                share = min(n * cap, left - (still if tr.people > 0 else 0))
                share = max(share, 0)
                own[gid].append(replace(tr, group=gid, count=n, people=share))
                left -= share
        for gid in sorted(own, key=_natural):
            out.extend(own[gid])
        return out

    def pool_order_kept(self, trips: list[Trip], turnaround: list[float]) -> bool:
        """Whether the model draws each pool's vehicles as ``draw`` did: the groups' first
        departures there, ordered as the plan's rows are (departure, then group id), come
        draw by draw, and no group ends there (its vehicles would join the pool) before the
        last draw."""
        if not self.draws:
            return True
        first: dict[str, Trip] = {}
        last: dict[str, Trip] = {}
        for tr in sorted(trips, key=lambda t: (t.depart, t.arrive)):
            first.setdefault(tr.group, tr)
            last[tr.group] = tr
        root: dict[str, str] = {}

        def mark(gid: str, top: str) -> None:
            root[gid] = top
            for part, _ in self.parts.get(gid, []):
                mark(part, top)

        for gid in self.draws:
            mark(gid, gid)
        for key, when in self.last_draw.items():
            c, p = key
            name = self.name_of
            rows = sorted(
                (tr.depart, tr.group, self.draws[root[tr.group]][1])
                for tr in first.values()
                if tr.group in root and self.draws[root[tr.group]][0] == key
            )
            ranks = [r for _, _, r in rows]
            if ranks != sorted(ranks):
                return False
            for tr in last.values():
                ends = tr.arrive + (turnaround[c] if tr.people > 0 else 0.0)
                here = name.get(tr.vehicle_class) == c and tr.destination == self.place_names[p]
                if here and ends <= when + EPS:
                    return False
        return True


def _natural(gid: str) -> tuple[int, str]:
    digits = gid.lstrip("g")
    return (int(digits), gid) if digits.isdigit() else (1 << 62, gid)
