"""The attacker's search: the worst attack for every budget, with certified damage.

Damage = population - people rescued. For an attack the operator answers (``follower``), the
damage lies in ``[population - bound, population - rescued]``. Two cheap facts prune: the
operator can always keep flying its plan, so ``population - follow`` (one simulation, no
planner call) caps the damage; an attack whose cap is at most the best lowest damage found
cannot be worse and is dropped unplanned.

Budget 1 is searched over every option and every instant of its grid (``menu.instants``),
candidates in decreasing order of their cap, then the grid is refined (bisection) between
neighbouring instants whose caps differ. Budgets above 1 use greedy plus exact improvement:
the worst attack of the previous budget is extended by the best affordable strike, then
each strike in turn is exchanged for the best replacement (every candidate of a
neighbourhood is pruned or evaluated exactly) until nothing improves.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from evacuate.planio import Trip
from evacuate.sabotage.follower import Planner, Undisturbed, respond
from evacuate.sabotage.menu import Strike, instants, strike_events, strike_scenario
from evacuate.scenario.model import AttackMenu
from evacuate.scenario.scenario import Scenario

__all__ = ["Attack", "BudgetRow", "Search"]

log = logging.getLogger(__name__)

Key = tuple[Strike, ...]


@dataclass(frozen=True)
class Attack:
    """A set of strikes and its certified damage (``evaluated`` False: pruned unplanned,
    only ``damage_high`` is known, from the operator keeping its plan)."""

    strikes: Key
    cost: float
    success: float
    """Probability that every strike succeeds."""
    damage_low: float
    damage_high: float
    rescued: float
    bound: float
    evaluated: bool = True

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(s.option for s in self.strikes)

    def better_than(self, other: Attack) -> bool:
        """Worse for the operator: higher lowest damage, then higher highest damage, then
        fewer strikes and the earlier, smaller key (a fixed order: ties are deterministic)."""
        a = (self.damage_low, self.damage_high, -len(self.strikes))
        b = (other.damage_low, other.damage_high, -len(other.strikes))
        if a != b:
            return a > b
        return self.strikes < other.strikes


@dataclass(frozen=True)
class BudgetRow:
    """The worst attack found for one budget, and what is proven about it."""

    budget: float
    attack: Attack
    proven: bool
    gap: float
    """How much more damage another attack could still do (0 when proven)."""
    method: str
    candidates: int
    evaluated: int


@dataclass
class Search:
    """State shared by the searches of every budget: caches and counters."""

    scenario: Scenario
    menu: AttackMenu
    planner: Planner
    trips: list[Trip]
    base_bound: float
    guarded: frozenset[str] = frozenset()
    points: int = 6
    departures: int = 6
    step: float | None = None
    refine: int = 3
    refine_pairs: int = 4
    check_plans: bool = True
    progress: Callable[[str], None] | None = None
    population: int = 0
    planner_calls: int = 0
    ranking_calls: int = 0
    simulations: int = 0
    checked: int = 0
    infeasible: list[str] = field(default_factory=list)
    _cap: dict[Key, float] = field(default_factory=dict)
    _full: dict[Key, Attack] = field(default_factory=dict)
    _tight: dict[Key, float] = field(default_factory=dict)
    _answers: dict[Strike, list[Trip]] = field(default_factory=dict)
    """The plan the operator adopted after each single strike evaluated in full."""
    singles: list[Strike] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.population = self.scenario.population
        self.undisturbed = Undisturbed(strike_scenario(self.scenario, self.menu, ()), self.trips)
        self.options = {o.id: o for o in self.menu.options}
        for o in self.menu.options:
            for t in instants(
                self.scenario,
                o,
                self.trips,
                points=self.points,
                departures=self.departures,
                step=self.step,
            ):
                self.singles.append(Strike(o.id, t))

    # ------------------------------------------------------------------ evaluation
    def _say(self, msg: str) -> None:
        if self.progress is not None:
            self.progress(msg)

    def cost(self, key: Key) -> float:
        return sum(self.options[s.option].cost for s in key)

    def success(self, key: Key) -> float:
        return math.prod(self.options[s.option].success for s in key)

    def cap(self, key: Key) -> float:
        """Highest possible damage: the operator keeps flying its plan through the attack
        (simulated from the undisturbed flight at the first strike, not from the start)."""
        if key not in self._cap:
            events = strike_events(self.scenario, self.menu, key, self.guarded)
            self.simulations += 1
            self._cap[key] = float(self.population - self.undisturbed.follow(events))
        return self._cap[key]

    def tight_cap(self, key: Key, threshold: float) -> float:
        """``cap``, tightened when it exceeds ``threshold`` (so might not prune) and the key
        has several strikes: the operator may also fly, from the first strike's instant on,
        the plan it adopted after one of that instant's strikes alone (a plan already made:
        a response it can always choose, so its value caps the damage too)."""
        cap = self.cap(key)
        if cap <= threshold or len(key) < 2:
            return cap
        if key not in self._tight:
            first = min(s.at for s in key)
            events = strike_events(self.scenario, self.menu, key, self.guarded)
            rescued = self.population - cap
            for s in key:
                if s.at == first and s in self._answers and events:
                    self.simulations += 1
                    rescued = max(rescued, self.undisturbed.fly(events, self._answers[s]))
            self._tight[key] = float(self.population - rescued)
        return self._tight[key]

    def full(self, key: Key) -> Attack:
        """The certified damage interval: the operator replans after each strike."""
        if key not in self._full:
            world = strike_scenario(self.scenario, self.menu, key, self.guarded)
            r = respond(
                world,
                self.trips,
                self.planner,
                base_bound=self.base_bound,
                check_plans=self.check_plans,
                keep=len(key) == 1,
            )
            if len(key) == 1 and r.plan is not None:
                self._answers[key[0]] = list(r.plan.trips)
            bound = max(r.bound, float(r.rescued))
            self.planner_calls += r.planner_calls
            self.checked += r.checked
            self.infeasible.extend(f"{key}: {x}" for x in r.infeasible)
            high = min(self.population - r.rescued, self.cap(key))
            self._full[key] = Attack(
                strikes=key,
                cost=self.cost(key),
                success=self.success(key),
                damage_low=max(0.0, self.population - bound),
                damage_high=float(high),
                rescued=float(r.rescued),
                bound=bound,
            )
        return self._full[key]

    def pruned(self, key: Key) -> Attack:
        return Attack(
            strikes=key,
            cost=self.cost(key),
            success=self.success(key),
            damage_low=0.0,
            damage_high=self._tight.get(key, self.cap(key)),
            rescued=math.nan,
            bound=math.nan,
            evaluated=False,
        )

    def best_of(
        self,
        keys: Iterable[Key],
        best: Attack,
        ceiling: float = math.inf,
        order: Callable[[Key], float] | None = None,
    ) -> tuple[Attack, list[Attack]]:
        """The worst of ``keys`` (or ``best``), each pruned by its cap or evaluated.

        Candidates go in decreasing ``order`` (default: their cap, which costs a simulation
        each); once the best lowest damage reaches ``ceiling`` (no attack does more), the
        rest are not looked at."""
        if best.damage_low >= ceiling:
            return best, []
        rank = order or self.cap
        todo = sorted(set(keys), key=lambda k: (-rank(k), k))
        seen: list[Attack] = []
        for n, k in enumerate(todo):
            if best.damage_low >= ceiling:
                break
            if self.tight_cap(k, best.damage_low) <= best.damage_low and k not in self._full:
                seen.append(self.pruned(k))
                continue
            if n % 10 == 0:
                self._say(f"{n}/{len(todo)} candidates, {self.planner_calls} planner calls")
            a = self.full(k)
            seen.append(a)
            if a.better_than(best):
                best = a
        return best, seen

    # ------------------------------------------------------------------ budgets
    def nothing(self) -> Attack:
        return self.full(())

    def single(
        self, budget: float, floor: Attack, ceiling: float = math.inf
    ) -> tuple[BudgetRow, list[Attack]]:
        """Every affordable option at every instant of its grid, then the grid refined
        (midpoints of the neighbouring instants whose caps differ, the highest caps first)."""
        keys = [(s,) for s in self.singles if self.options[s.option].cost <= budget]
        best, seen = self.best_of(keys, floor, ceiling)
        done = {a.strikes for a in seen}
        span = 1e-6 * max(1.0, self.scenario.end)
        for _ in range(self.refine):
            pairs: list[tuple[float, Key]] = []
            by_option: dict[str, list[float]] = {}
            for k in done:
                if k[0].option in self.options:
                    by_option.setdefault(k[0].option, []).append(k[0].at)
            for opt, ts in sorted(by_option.items()):
                ts.sort()
                for a, b in itertools.pairwise(ts):
                    ka, kb = (Strike(opt, a),), (Strike(opt, b),)
                    ca, cb = self.cap(ka), self.cap(kb)
                    if ca != cb and b - a > span:
                        pairs.append((max(ca, cb), (Strike(opt, 0.5 * (a + b)),)))
            pairs.sort(key=lambda p: (-p[0], p[1]))
            mids = [k for _, k in pairs[: self.refine_pairs]]
            if not mids:
                break
            best, more = self.best_of(mids, best, ceiling)
            seen += more
            done.update(a.strikes for a in more)
        self.singles = sorted({k[0] for k in done} | set(self.singles))
        others = [a.damage_high for a in seen if a.strikes != best.strikes]
        top = min(max(others, default=0.0), ceiling)
        gap = max(0.0, top - best.damage_low)
        row = BudgetRow(
            budget=budget,
            attack=best,
            proven=gap <= 0.0,
            gap=gap,
            method="every option and instant of the grid (refined), pruned by the bound",
            candidates=len(seen),
            evaluated=sum(a.evaluated for a in seen),
        )
        return row, seen

    def rank(self, seen: Sequence[Attack]) -> list[Attack]:
        """Each option's worst single strike found, evaluated (the instant of highest cap
        when the search pruned every instant of the option), worst first."""
        per: dict[str, Attack] = {}
        for a in seen:
            if len(a.strikes) != 1:
                continue
            o = a.strikes[0].option
            cur = per.get(o)
            if cur is None or (a.evaluated, a.damage_high) > (cur.evaluated, cur.damage_high):
                per[o] = a
        for o in self.options:
            if o not in per:
                keys = [(s,) for s in self.singles if s.option == o]
                if keys:
                    per[o] = self.pruned(min(keys, key=lambda k: (-self.cap(k), k)))
        out = [a if a.evaluated else self.full(a.strikes) for a in per.values()]
        return sorted(out, key=lambda a: (-a.damage_low, -a.damage_high, a.strikes))

    def greedy(self, budget: float, start: Attack, ceiling: float) -> BudgetRow:
        """Extend ``start`` by one strike, then exchange strikes while that improves."""
        best = start
        candidates = evaluated = 0
        for _ in range(8):
            cur = best
            used = {s.option for s in cur.strikes}
            keys: list[Key] = []
            for s in self.singles:
                if s.option not in used and self.cost(cur.strikes) + self.cost((s,)) <= budget:
                    keys.append(tuple(sorted((*cur.strikes, s))))
                for i in range(len(cur.strikes)):
                    rest = cur.strikes[:i] + cur.strikes[i + 1 :]
                    if s.option in {x.option for x in rest} or s == cur.strikes[i]:
                        continue
                    k = tuple(sorted((*rest, s)))
                    if self.cost(k) <= budget:
                        keys.append(k)
            best, seen = self.best_of(keys, cur, ceiling)
            candidates += len(seen)
            evaluated += sum(a.evaluated for a in seen)
            if best.strikes == cur.strikes:
                break
        gap = max(0.0, ceiling - best.damage_low)
        return BudgetRow(
            budget=budget,
            attack=best,
            proven=gap <= 0.0,
            gap=gap,
            method="greedy plus exact exchange (proven only when it reaches the ceiling)",
            candidates=candidates,
            evaluated=evaluated,
        )


def budgets(limit: float, costs: Sequence[float]) -> list[float]:
    """The budgets to report: 0, then every whole step up to ``limit`` (unit costs), or every
    distinct affordable sum of costs otherwise."""
    if all(float(c).is_integer() for c in costs):
        return [float(b) for b in range(0, math.floor(limit) + 1)]
    sums = {0.0}
    for c in sorted(costs):
        sums |= {round(s + c, 9) for s in sums if s + c <= limit + 1e-9}
    return sorted(sums)
