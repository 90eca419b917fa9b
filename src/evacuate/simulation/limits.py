"""Parking stands, sortie limits and crew rest in the simulated world (docs/model.md).

**Stands**: a group reaching a place waits (holding off, people on board) while the vehicles
present there would then exceed its stands: idle ones, resting ones, stock free to leave,
yards' output, benched ones, and groups loading or unloading. It tries again when a group
leaves (or ends its loading), in the same instant if that departure comes later in it.
**Sorties and rest**: each group carries a record; a group's first departure takes the least
worn vehicles at its place (fresh ones first, then those left by groups that ended there);
a loaded trip past ``max_sorties`` is cancelled; a trip that would end a duty past
``rest.after`` waits for the rest, or is cancelled if even a rested crew could not fly it.
Stock that brings a ``record`` (a state written mid-operation) joins the worn vehicles at its
place once free. Undisturbed, a plan that passes the checker is flown unchanged; the state a
replan starts from writes each vehicle's record (state.py), so the replan counts them too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.planio import Trip
from evacuate.scenario.fleet_limits import record_of, stands_for
from evacuate.simulation.parts import ARRIVE, DEPART, EPS, Group, InTransit

if TYPE_CHECKING:
    from evacuate.simulation.engine import Engine
    from evacuate.simulation.world import Held

__all__ = ["SimLimits"]

INF = math.inf


@dataclass
class _Record:
    sorties: int = 0
    duty_from: float | None = None
    last_end: float = -INF


class SimLimits:
    def __init__(self, eng: Engine) -> None:
        s = eng.scenario
        self.pool_of: dict[tuple[str, str], tuple[int, frozenset[str]]] = {}
        for p in s.places:
            pools: dict[str, tuple[int, set[str]]] = {}
            for c in eng.classes:
                got = stands_for(p.stands, c)
                if got is not None:
                    pools.setdefault(got[0], (got[1], set()))[1].add(c)
            for limit, names in pools.values():
                for c in names:
                    self.pool_of[(p.id, c)] = (limit, frozenset(names))
        self.limits: dict[str, tuple[float, float, float]] = {}
        for vc in eng.classes.values():
            if vc.max_sorties is not None or vc.rest is not None:
                after, rest_for = (
                    (INF, INF) if vc.rest is None else (vc.rest.after, vc.rest.rest_for)
                )
                sorties = INF if vc.max_sorties is None else float(vc.max_sorties)
                self.limits[vc.id] = (sorties, after, rest_for)
        self.stock: list[Held] = list(eng.held)
        self.waiting: dict[str, list[InTransit]] = {}
        self.records: dict[str, _Record] = {}
        self.left: dict[tuple[str, str], list[list[object]]] = {}
        # stock that brings a record (flown before): joins the worn vehicles there once free
        self.worn_stock: dict[tuple[str, str], list[tuple[float, _Record, int]]] = {}
        for st in s.fleet.stock:
            r = record_of(st.record)
            if r is not None and st.vehicle_class in self.limits and st.count > 0:
                key = (st.place, st.vehicle_class)
                self.worn_stock.setdefault(key, []).append(
                    (st.available_from, _Record(*r), st.count)
                )
        for entries in self.worn_stock.values():
            entries.sort(key=lambda e: e[0])

    # ------------------------------------------------------------------ stands
    def _present(self, eng: Engine, place: str, classes: frozenset[str], t: float) -> int:
        n = sum(eng.pool.get((place, c), 0) for c in classes)
        for y in eng.yards:
            if y.spec.place == place and y.spec.vehicle_class in classes:
                n += y.ready(t)
        for h in eng.held:
            waits = h.until > t + EPS and any(h is s for s in self.stock)
            if h.place == place and h.cls in classes and not waits:
                n += h.count  # resting, or stock free to leave
        for benched in eng.benched.values():
            n += sum(h.count for h in benched if h.place == place and h.cls in classes)
        for it in eng.transit:
            if it.group.vc.id not in classes:
                continue
            if it.origin == place and it.depart <= t + EPS and t < it.leave - EPS:
                n += it.vehicles
            if it.destination == place and it.reach <= t + EPS:
                n += it.vehicles  # unloading, or arrived this instant
        return n

    def must_wait(self, eng: Engine, it: InTransit, t: float) -> bool:
        """Whether ``it`` finds no stand at its destination now (then it waits its turn)."""
        got = self.pool_of.get((it.destination, it.group.vc.id))
        if got is None:
            return False
        limit, classes = got
        if self._present(eng, it.destination, classes, t) + it.vehicles <= limit:
            return False
        self.waiting.setdefault(it.destination, []).append(it)
        return True

    def freed(self, eng: Engine, place: str, at: float) -> None:
        """A stand at ``place`` frees at ``at``: the groups waiting there try again."""
        for it in self.waiting.pop(place, []):
            eng._push(at, ARRIVE, "reach", it)

    # ------------------------------------------------------------------ sorties and rest
    def before_departure(self, eng: Engine, g: Group, tr: Trip, t: float, loaded: bool) -> str:
        """ "go", "wait" (pushed again when rested) or why the trip is cancelled."""
        lim = self.limits.get(g.vc.id)
        if lim is None:
            return "go"
        if g.id not in self.records:
            self.records[g.id] = self._draw(eng, g, tr.origin, t)
        rec = self.records[g.id]
        sorties, after, rest_for = lim
        if loaded and rec.sorties + 1 > sorties:
            return f"no sorties left ({g.vc.id}: max_sorties {sorties:g})"
        rested = rec.duty_from is None or t - rec.last_end >= rest_for - EPS
        start = t if rested else rec.duty_from
        assert start is not None
        if tr.arrive + (t - tr.depart) - start <= after + EPS:
            return "go"
        if rested:
            return f"the trip is longer than a {g.vc.id} duty ({after:g})"
        eng._push(rec.last_end + rest_for, DEPART, "dispatch", g)
        return "wait"

    def flown(self, g: Group, depart: float, arrive: float, loaded: bool) -> None:
        lim = self.limits.get(g.vc.id)
        rec = self.records.get(g.id)
        if lim is None or rec is None:
            return
        if rec.duty_from is None or depart - rec.last_end >= lim[2] - EPS:
            rec.duty_from = depart
        rec.sorties += int(loaded)
        rec.last_end = arrive

    def ended(self, g: Group, place: str, n: int) -> None:
        """Group ``g`` ends at ``place``: its ``n`` vehicles keep its record there."""
        rec = self.records.get(g.id)
        if rec is not None and n > 0 and g.vc.id in self.limits:
            self.left.setdefault((place, g.vc.id), []).append([rec, n])

    def _draw(self, eng: Engine, g: Group, place: str, t: float) -> _Record:
        """The record of the least worn ``g.count`` vehicles at ``place``."""
        rest_for = self.limits[g.vc.id][2]
        pending = self.worn_stock.get((place, g.vc.id), [])
        while pending and pending[0][0] <= t + EPS:
            _, r0, n0 = pending.pop(0)
            self.left.setdefault((place, g.vc.id), []).append([r0, n0])
        left = self.left.get((place, g.vc.id), [])
        worn = sum(int(n) for _, n in left)  # type: ignore[call-overload]
        need = g.count - max(0, eng.available(place, g.vc.id, t) - worn)
        out = _Record()
        if need <= 0 or not left:
            return out

        def key(entry: list[object]) -> tuple[int, int, float]:
            r = entry[0]
            assert isinstance(r, _Record)
            if r.duty_from is None or t - r.last_end >= rest_for - EPS:
                return (r.sorties, 0, 0.0)
            return (r.sorties, 1, -r.duty_from)

        left.sort(key=key)
        for entry in left:
            r, n = entry
            assert isinstance(r, _Record) and isinstance(n, int)
            k = min(n, need)
            if k <= 0:
                break
            need -= k
            entry[1] = n - k
            busy = key(entry)[1] == 1
            # a duty begun at time 0 is a duty (``0.0 or INF`` once read it as none: inf)
            started = [d for d in (out.duty_from, r.duty_from) if d is not None]
            out = _Record(
                max(out.sorties, r.sorties),
                out.duty_from if not busy else (min(started) if started else None),
                max(out.last_end, r.last_end) if busy else out.last_end,
            )
        self.left[(place, g.vc.id)] = [e for e in left if e[1]]
        return out
