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
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

from evacuate.plan.problem import Problem
from evacuate.planio import Trip

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

    @property
    def active(self) -> bool:
        return any(self.limited)

    def record(self, gid: str) -> Record:
        return self.records.get(gid, Record())

    def _duty(self, c: int, rec: Record, depart: float) -> float:
        if rec.duty_from is None or depart - rec.last_end >= self.rest_for[c] - EPS:
            return depart
        return rec.duty_from

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
            self.records[part] = rec

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


def _natural(gid: str) -> tuple[int, str]:
    digits = gid.lstrip("g")
    return (int(digits), gid) if digits.isdigit() else (1 << 62, gid)
