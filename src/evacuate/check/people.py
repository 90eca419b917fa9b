"""People: population never negative, haven capacity, the accounting at the end,
rescued by place and the makespan."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    pass

from evacuate.check.common import BoolArr, IntArr, _seg_cumsum, _sum_by, _t, _tol, _tols
from evacuate.check.walks import WalkRules


class PeopleRules(WalkRules):
    def _check_people(self) -> dict[str, Any]:
        """Population never negative, net inflow within capacity, and the accounting at the
        end. At equal times each check takes the order that favours the plan (see below)."""
        P = self.P
        pop_place: list[int] = []
        pop_time: list[float] = []
        pop_n: list[int] = []
        for pi, p in enumerate(self.places):
            if p.population:
                pop_place.append(pi)
                pop_time.append(0.0)
                pop_n.append(p.population)
            for at, n in self.arrivals[pi]:
                pop_place.append(pi)
                pop_time.append(at)
                pop_n.append(n)
        pp = np.array(pop_place, dtype=np.int64)
        pt = np.array(pop_time, dtype=np.float64)
        pn = np.array(pop_n, dtype=np.int64)
        population = int(pn.sum())

        tr = np.flatnonzero(self.finite & self.kp & (self.people != 0))
        self._people_trips = tr
        npop, k = len(pp), len(tr)
        # events: population arrivals, deliveries (+ at destination), pickups (- at origin)
        # walks (walks.py): setting out takes people like a pickup, arriving adds them;
        # their events carry -2 - (walk index) where trips carry their index
        w_place, w_t, w_delta, w_index, w_out = self._walk_events()
        place = np.r_[pp, self.d[tr], self.o[tr], w_place]
        t = np.r_[pt, self.tdel[tr], self.depart[tr], w_t]
        delta = np.r_[pn, self.people[tr], -self.people[tr], w_delta]
        trip = np.r_[np.full(npop, -1, dtype=np.int64), tr, tr, -2 - w_index]
        is_pick = np.r_[np.zeros(npop + k, dtype=bool), np.ones(k, dtype=bool), w_out == 1]
        tol = _tols(t)

        # population: a pickup at t may take people who arrive up to tol later
        key = np.where(is_pick, t, t - tol)
        order = np.lexsort((is_pick, key, place))
        after = _seg_cumsum(place[order], delta[order])
        ev = order[is_pick[order] & (after < 0)]
        short = -after[is_pick[order] & (after < 0)]
        ev_trips = trip[ev]
        walked = ev_trips <= -2
        for code, a in zip(ev_trips[walked].tolist(), short[walked].tolist(), strict=True):
            wk = self.plan.walks[-2 - code]
            self._walk_say(
                "walk_population",
                -2 - code,
                min(a, wk.people),
                f"{min(a, wk.people):,} of them are not at {wk.origin} then",
            )
        short, ev_trips = short[~walked], ev_trips[~walked]
        people_ev = self.people[ev_trips]
        pos = people_ev > 0
        self.out.many(
            "population",
            ev_trips[pos],
            np.minimum(short[pos], people_ev[pos]).astype(np.float64),
            lambda i, a: (
                f"picks up {self.people[i]:,} at {self.places[self.o[i]].id} at"
                f" {_t(self.depart[i])}; {a:,.0f} of them are not there"
            ),
        )

        # a place without capacity holds no evacuees: no trip delivers people there (people
        # who left it make no room for others)
        dropped = tr[(self.people[tr] > 0) & (self.capacity[self.d[tr]] <= 0)]
        self.out.many(
            "no_capacity",
            dropped,
            self.people[dropped].astype(np.float64),
            lambda i, a: (
                f"delivers {self.people[i]:,} to {self.places[self.d[i]].id} at"
                f" {_t(self.tdel[i])}, a place without capacity"
            ),
        )

        # capacity: trips, and walks at havens (walkers elsewhere join the people there like
        # arrivals); a pickup at t frees room for a delivery up to tol earlier
        sel = np.flatnonzero((trip >= 0) | ((trip <= -2) & self.haven[place]))
        tp, tt, td, tk = place[sel], t[sel], delta[sel], is_pick[sel]
        key = np.where(tk, tt - tol[sel], tt)
        order = np.lexsort((~tk, key, tp))
        after = _seg_cumsum(tp[order], td[order])
        over = after - self.capacity[tp[order]]
        bad = ~tk[order] & (over > 0)
        ev_trips = trip[sel][order][bad]
        walked = ev_trips <= -2
        for code, a in zip(ev_trips[walked].tolist(), over[bad][walked].tolist(), strict=True):
            wk = self.plan.walks[-2 - code]
            self._walk_say(
                "walk_capacity",
                -2 - code,
                min(a, wk.people),
                f"{min(a, wk.people):,} over {wk.destination}'s capacity "
                f"{self.capacity[self.pidx[wk.destination]]:,}",
            )
        over_bad = over[bad][~walked]
        ev_trips = ev_trips[~walked]
        self.out.many(
            "haven_capacity",
            ev_trips,
            np.minimum(over_bad, self.people[ev_trips]).astype(np.float64),
            lambda i, a: (
                f"delivers {self.people[i]:,} to {self.places[self.d[i]].id} at"
                f" {_t(self.tdel[i])}: {a:,.0f} over its capacity"
                f" {self.capacity[self.d[i]]:,}"
            ),
        )

        # accounting at the end of the horizon
        E = self.E
        arrived = _sum_by(pp[pt <= E], pn[pt <= E], P)
        late_arrivals = int(pn[pt > E].sum())
        delivered = self.tdel[tr] <= E
        picked = self.depart[tr] <= E
        net_i = _sum_by(self.d[tr][delivered], self.people[tr][delivered], P)
        net_i -= _sum_by(self.o[tr][picked], self.people[tr][picked], P)
        on_board = int(self.people[tr][picked & ~delivered].sum())
        # walkers: those still walking at the end are waiting (neither rescued nor lost)
        w_in = (w_out == 0) & (w_t <= E)
        w_gone = (w_out == 1) & (w_t <= E)
        net_i += _sum_by(w_place[w_in], w_delta[w_in], P)
        net_i += _sum_by(w_place[w_gone], w_delta[w_gone], P)
        walking = int(w_delta[w_gone].sum() * -1 - w_delta[w_in].sum())
        present = arrived + net_i
        rescued = int(net_i[self.haven].sum())
        lost = {
            self.places[i].id: int(present[i]) for i in np.flatnonzero(self.struck) if present[i]
        }
        waiting = int(arrived[~self.struck].sum() + net_i[~self.struck & ~self.haven].sum())
        waiting += walking
        return {
            "population": population,
            "rescued": rescued,
            "lost": lost,
            "waiting": waiting + late_arrivals,
            "on_board": on_board,
            "arrived": arrived,
        }

    def _rescued_by_place(self) -> dict[str, float]:
        """Rescued people by the place they started from (proportional through staging)."""
        tr = self._people_trips
        E = self.E
        tr = tr[self.depart[tr] <= E]
        o, d = self.o[tr], self.d[tr]
        n_people = self.people[tr]
        receives = np.zeros(self.P, dtype=bool)
        receives[d] = True
        sends = np.zeros(self.P, dtype=bool)
        sends[o] = True
        mixing = receives & sends
        into = self.haven[d] & (self.tdel[tr] <= E)
        out_of = self.haven[o]
        result = np.zeros(self.P, dtype=np.float64)
        pure = ~mixing[o]
        result += _sum_by(o[pure & into], n_people[pure & into], self.P)
        result -= _sum_by(o[pure & out_of], n_people[pure & out_of], self.P)
        if not pure.all():
            comps = self._mix(tr, mixing)
            mixed = ~pure
            for i, is_in, is_out in zip(
                tr[mixed].tolist(), into[mixed].tolist(), out_of[mixed].tolist(), strict=True
            ):
                if not (is_in or is_out):
                    continue
                sign = (1.0 if is_in else 0.0) - (1.0 if is_out else 0.0)
                for src, amount in comps[i].items():
                    result[src] += sign * amount
        out: dict[str, float] = {}
        for pi, p in enumerate(self.places):
            value = float(result[pi])
            if abs(value - round(value)) < 1e-6:
                value = float(round(value))
            if value or ((p.population or self.arrivals[pi]) and not self.haven[pi]):
                out[p.id] = value
        return out

    def _mix(self, tr: IntArr, mixing: BoolArr) -> dict[int, dict[int, float]]:
        """Composition (people by place of origin) of each trip picked up at a mixing place,
        by a sweep over time: a pickup takes the mix present at that moment."""
        E = self.E
        pop_key: list[float] = []
        pop_place: list[int] = []
        pop_n: list[int] = []
        for pi, p in enumerate(self.places):
            if not mixing[pi]:
                continue
            for at, k in [(0.0, p.population), *self.arrivals[pi]]:
                if k and at <= E:
                    pop_key.append(at - _tol(at))
                    pop_place.append(pi)
                    pop_n.append(k)
        into = tr[mixing[self.d[tr]] & (self.tdel[tr] <= E)]
        out_of = tr[mixing[self.o[tr]]]
        # events: kind 0 population, 1 delivery, 2 pickup; additions first at equal keys
        key = np.r_[pop_key, self.tdel[into] - _tols(self.tdel[into]), self.depart[out_of]]
        kind = np.r_[
            np.zeros(len(pop_key), np.int64),
            np.ones(len(into), np.int64),
            np.full(len(out_of), 2, np.int64),
        ]
        ref = np.r_[np.array(pop_place, np.int64), into, out_of]
        amount = np.r_[np.array(pop_n, np.int64), np.zeros(len(into) + len(out_of), np.int64)]
        order = np.lexsort((kind, key))
        o_list, d_list, people = self.o.tolist(), self.d.tolist(), self.people.tolist()
        mixing_list = mixing.tolist()
        comp: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        total: dict[int, float] = defaultdict(float)
        trip_comp: dict[int, dict[int, float]] = {}

        def pickup(i: int) -> dict[int, float]:
            c = trip_comp.get(i)
            if c is not None:
                return c
            o, k = o_list[i], float(people[i])
            here_total = total[o] if mixing_list[o] else 0.0
            if here_total <= 0:
                c = {o: k}
            else:
                here = comp[o]
                share = k / here_total
                c = {src: v * share for src, v in here.items() if v > 0}
                if k >= here_total:  # more than is there: a population violation
                    here.clear()
                    total[o] = 0.0
                else:
                    for src, v in c.items():
                        here[src] -= v
                    total[o] = here_total - k
            trip_comp[i] = c
            return c

        for kd, r, n in zip(
            kind[order].tolist(), ref[order].tolist(), amount[order].tolist(), strict=True
        ):
            if kd == 0:
                comp[r][r] += n
                total[r] += n
            elif kd == 1:
                dest = d_list[r]
                here = comp[dest]
                for src, v in pickup(r).items():
                    here[src] += v
                total[dest] += people[r]
            else:
                pickup(r)
        return trip_comp

    def _makespan(self) -> float | None:
        tr = self._people_trips
        o, d = self.o[tr], self.d[tr]
        m = (self.people[tr] > 0) & ~self.haven[o] & self.haven[d] & (self.tdel[tr] <= self.E)
        last = [float(x) for x in self.arrive[tr][m]]
        for k in getattr(self, "_walk_ok", []):  # walkers reaching a haven are safe too
            w = self.plan.walks[k]
            a, b = self.pidx[w.origin], self.pidx[w.destination]
            if not self.haven[a] and self.haven[b] and w.arrive <= self.E:
                last.append(float(w.arrive))
        return max(last) if last else None
