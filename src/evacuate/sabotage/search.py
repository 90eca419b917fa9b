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
neighbourhood is pruned or evaluated exactly) until nothing improves; then every affordable
set of the grid's strikes is given its own upper bound (``prove``) when there are few enough.

Options that succeed with a probability below 1 (independently): an attack's damage is its
expected damage, the sum over the sub-attacks that may come out of it (each strike failing
or not) of their probability times their damage; the bounds combine the same way.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from evacuate.planio import Plan, Trip, Walk
from evacuate.sabotage.follower import Planner, Response, Undisturbed
from evacuate.sabotage.menu import (
    Strike,
    instants,
    is_monotone,
    strike_events,
    strike_scenario,
)
from evacuate.sabotage.pool import Answers, Job, answer
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
    """Expected over the strikes' success (with every option sure: the damage itself)."""
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


@dataclass(frozen=True)
class Started:
    """Answers started for ``keys``: ``todo`` the sub-attacks to answer, ``futures`` their
    answers under way on the worker processes (None: to compute when finished)."""

    keys: tuple[Key, ...]
    todo: tuple[Key, ...]
    futures: list[Future[tuple[Response, float, int]]] | None


@dataclass
class Search:
    """State shared by the searches of every budget: caches and counters."""

    scenario: Scenario
    menu: AttackMenu
    planner: Planner
    trips: list[Trip]
    base_bound: float
    guarded: frozenset[str] = frozenset()
    walks: tuple[Walk, ...] = ()
    """The operator's walks (``travel.walkways``), flown with ``trips``."""
    points: int = 6
    departures: int = 6
    step: float | None = None
    refine: int = 3
    refine_pairs: int = 4
    prove_limit: int = 2000
    """Budgets above 1: bound every affordable set of strikes when there are at most this
    many (a simulation each, a planner call for those the bounds cannot settle)."""
    check_plans: bool = True
    progress: Callable[[str], None] | None = None
    answers: Answers | None = None
    """Where the operator's answers run (default: here, one after another)."""
    population: int = 0
    planner_calls: int = 0
    ranking_calls: int = 0
    simulations: int = 0
    checked: int = 0
    unused_answers: int = 0
    """Answers a worker computed that the search had meanwhile computed itself (wasted
    work of running ahead; not counted as planner calls)."""
    stopped_by_time: int = 0
    """Planner calls the time limit cut short (their answers may vary from run to run)."""
    infeasible: list[str] = field(default_factory=list)
    _cap: dict[Key, float] = field(default_factory=dict)
    _full: dict[Key, Attack] = field(default_factory=dict)
    _tight: dict[Key, float] = field(default_factory=dict)
    _expected: dict[Key, Attack] = field(default_factory=dict)
    _plans: dict[Key, Plan | None] = field(default_factory=dict)
    """The operator's last plan after each attack evaluated (None: it kept its own)."""
    _safe: dict[float, float] = field(default_factory=dict)
    _answers: dict[Strike, Plan] = field(default_factory=dict)
    """The plan the operator adopted after each single strike evaluated in full."""
    singles: list[Strike] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.population = self.scenario.population
        self.undisturbed = Undisturbed(
            strike_scenario(self.scenario, self.menu, ()), self.trips, walks=self.walks
        )
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

    def outcomes(self, key: Key) -> list[tuple[float, Key]]:
        """The sub-attacks that may come out of ``key`` (each strike succeeding with its
        option's probability, independently) with their probabilities; ``[(1, key)]`` when
        every option is sure."""
        ps = [self.options[s.option].success for s in key]
        if all(p >= 1.0 for p in ps):
            return [(1.0, key)]
        out: list[tuple[float, Key]] = []
        for hits in itertools.product((True, False), repeat=len(key)):
            w = math.prod(p if h else 1.0 - p for p, h in zip(ps, hits, strict=True))
            if w > 0.0:
                out.append((w, tuple(s for s, h in zip(key, hits, strict=True) if h)))
        return out

    def _cap_of(self, key: Key) -> float:
        if key not in self._cap:
            events = strike_events(self.scenario, self.menu, key, self.guarded)
            self.simulations += 1
            self._cap[key] = float(self.population - self.undisturbed.follow(events))
        return self._cap[key]

    def cap(self, key: Key) -> float:
        """Highest possible (expected) damage: the operator keeps flying its plan through the
        attack (simulated from the undisturbed flight at the first strike, not from the
        start)."""
        return sum(w * self._cap_of(k) for w, k in self.outcomes(key))

    def _tight_of(self, key: Key) -> float:
        if len(key) < 2:
            return self._cap_of(key)
        if key not in self._tight:
            first = min(s.at for s in key)
            events = strike_events(self.scenario, self.menu, key, self.guarded)
            rescued = self.population - self._cap_of(key)
            for s in key:
                if s.at == first and s in self._answers and events:
                    self.simulations += 1
                    rescued = max(rescued, self.undisturbed.fly(events, self._answers[s]))
            self._tight[key] = float(self.population - rescued)
        return self._tight[key]

    def tight_cap(self, key: Key, threshold: float) -> float:
        """``cap``, tightened when it exceeds ``threshold`` (so might not prune) and the key
        has several strikes: the operator may also fly, from the first strike's instant on,
        the plan it adopted after one of that instant's strikes alone (a plan already made:
        a response it can always choose, so its value caps the damage too)."""
        cap = self.cap(key)
        if cap <= threshold or len(key) < 2:
            return cap
        return sum(w * self._tight_of(k) for w, k in self.outcomes(key))

    def safe_before(self, t: float) -> float:
        """People in havens before anything strikes at ``t`` (the undisturbed flight): with
        no option moving a deadline, no attack striking at ``t`` or later takes them."""
        if t not in self._safe:
            self._safe[t] = float(self.undisturbed.at(t).rescued())
        return self._safe[t]

    def evaluated(self, key: Key) -> bool:
        return key in self._full or key in self._expected

    def _job(self, key: Key) -> Job:
        world = strike_scenario(self.scenario, self.menu, key, self.guarded)
        return Job(
            world, tuple(self.trips), self.walks, self.planner, self.base_bound, self.check_plans
        )

    def _record(self, key: Key, r: Response) -> None:
        """Keep the operator's answer to ``key`` (every strike hitting) and its interval."""
        self._plans[key] = r.plan
        if len(key) == 1 and r.plan is not None:
            self._answers[key[0]] = r.plan
        bound = max(r.bound, float(r.rescued))
        self.planner_calls += r.planner_calls
        self.stopped_by_time += r.stopped_by_time
        self.checked += r.checked
        self.infeasible.extend(f"{key}: {x}" for x in r.infeasible)
        high = min(self.population - r.rescued, self._cap_of(key))
        self._full[key] = Attack(
            strikes=key,
            cost=self.cost(key),
            success=self.success(key),
            damage_low=max(0.0, self.population - bound),
            damage_high=float(high),
            rescued=float(r.rescued),
            bound=bound,
        )

    def _outcome(self, key: Key) -> Attack:
        """The certified damage interval when every strike of ``key`` hits: the operator
        replans after each strike."""
        if key not in self._full:
            self._record(key, answer(self._job(key)))
        return self._full[key]

    def start_many(self, keys: Sequence[Key]) -> Started:
        """Start computing the answers ``full`` needs for ``keys`` on the worker processes
        of ``answers`` (with one worker: nothing yet); ``finish_many`` collects them."""
        todo: list[Key] = []
        for key in keys:
            for _, k in self.outcomes(key):
                if k not in self._full and k not in todo:
                    todo.append(k)
        runner = self.answers or Answers(1)
        jobs = [self._job(k) for k in todo]
        first = [min((s.at for s in k), default=0.0) for k in todo]
        return Started(tuple(keys), tuple(todo), runner.start(jobs, first))

    def finish_many(self, started: Started) -> list[Attack]:
        """``full`` of each started key. Answers are kept in the order of the keys, and only
        for those the search has not answered meanwhile (it would have computed the same
        answer): the same caches and counts as calling ``full`` on each key at this point,
        one after another, whatever the number of workers."""
        if started.futures is not None:
            runner = self.answers or Answers(1)
            for k, f in zip(started.todo, started.futures, strict=True):
                r = runner.result(f)
                if k in self._full:
                    self.unused_answers += 1
                else:
                    self._record(k, r)
        return [self.full(k) for k in started.keys]

    def full_many(self, keys: Sequence[Key]) -> list[Attack]:
        """``full`` of each key, the missing answers computed together."""
        return self.finish_many(self.start_many(keys))

    def plan_after(self, key: Key) -> Plan | None:
        """The operator's last plan after ``key`` (every strike hitting), None if it kept
        flying its own."""
        self._outcome(key)
        return self._plans[key]

    def full(self, key: Key) -> Attack:
        """The certified (expected) damage interval: each sub-attack that may come out of
        ``key`` answered by the operator, weighted by its probability."""
        ways = self.outcomes(key)
        if len(ways) == 1:
            return self._outcome(key)
        if key not in self._expected:
            parts = [(w, self._outcome(k)) for w, k in ways]
            self._expected[key] = Attack(
                strikes=key,
                cost=self.cost(key),
                success=self.success(key),
                damage_low=sum(w * a.damage_low for w, a in parts),
                damage_high=sum(w * a.damage_high for w, a in parts),
                rescued=sum(w * a.rescued for w, a in parts),
                bound=sum(w * a.bound for w, a in parts),
            )
        return self._expected[key]

    def pruned(self, key: Key) -> Attack:
        return Attack(
            strikes=key,
            cost=self.cost(key),
            success=self.success(key),
            damage_low=0.0,
            damage_high=sum(w * self._tight.get(k, self._cap_of(k)) for w, k in self.outcomes(key)),
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
            if self.tight_cap(k, best.damage_low) <= best.damage_low and not self.evaluated(k):
                seen.append(self.pruned(k))
                continue
            if n % 10 == 0:
                self._say(f"{n}/{len(todo)} candidates, {self.planner_calls} planner calls")
            a = self.full(k)
            log.debug(
                "evaluated %s: damage %g to %g (cap %g, %d planner calls so far)",
                k,
                a.damage_low,
                a.damage_high,
                self.cap(k),
                self.planner_calls,
            )
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

    def greedy(self, budget: float, start: Attack, ceiling: float) -> BudgetRow:
        """Extend ``start`` by one strike, then exchange strikes while that improves; then
        ``prove`` settles every other affordable set of strikes, or gives the gap."""
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
        method = "greedy plus exact exchange"
        gap = max(0.0, ceiling - best.damage_low)
        if gap > 0.0:
            best, gap, note, n, m = self.prove(budget, best, ceiling)
            candidates += n
            evaluated += m
            method += f"; {note}"
        else:
            method += "; reached the ceiling"
        return BudgetRow(
            budget=budget,
            attack=best,
            proven=gap <= 0.0,
            gap=gap,
            method=method,
            candidates=candidates,
            evaluated=evaluated,
        )

    def _by_option(self) -> dict[str, list[Strike]]:
        out: dict[str, list[Strike]] = {}
        for s in self.singles:
            out.setdefault(s.option, []).append(s)
        return out

    def _option_sets(self, budget: float) -> Iterator[tuple[str, ...]]:
        """Every set of options within ``budget``, depth first in a fixed order. Costs are
        never negative, so every prefix of an affordable set is affordable: the walk visits
        no more sets than it yields."""
        names = sorted(self._by_option())

        def walk(i: int, chosen: tuple[str, ...], spent: float) -> Iterator[tuple[str, ...]]:
            for j in range(i, len(names)):
                c = spent + self.options[names[j]].cost
                if c <= budget + 1e-9:
                    yield (*chosen, names[j])
                    yield from walk(j + 1, (*chosen, names[j]), c)

        return walk(0, (), 0.0)

    def affordable(self, budget: float) -> Iterator[Key]:
        """Every set of strikes within ``budget``, at most one per option, in a fixed order."""
        by_option = self._by_option()
        for names in self._option_sets(budget):
            for key in itertools.product(*(by_option[o] for o in names)):
                yield tuple(sorted(key))

    def count_affordable(self, budget: float, limit: int) -> int:
        """How many sets ``affordable`` yields, counted up to just past ``limit``."""
        sizes = {o: len(v) for o, v in self._by_option().items()}
        n = 0
        for names in self._option_sets(budget):
            n += math.prod(sizes[o] for o in names)
            if n > limit:
                break
        return n

    def prove(
        self, budget: float, best: Attack, ceiling: float
    ) -> tuple[Attack, float, str, int, int]:
        """Give every affordable set of the grid's strikes its own upper bound: the people
        safe before its first strike (none taken when no option moves a deadline), else its
        cap (a simulation), else its certified interval (planner calls; a worse attack found
        so replaces ``best``). Exact over the grid: the gap is how much more damage the
        highest bound of any other set allows (0: ``best`` is proven worst). With more than
        ``prove_limit`` sets, none is bounded and the gap is to the ceiling.

        Returns the worst attack, the gap, what was done, sets looked at, sets evaluated."""
        n = self.count_affordable(budget, self.prove_limit)
        if n > self.prove_limit:
            note = f"more than {self.prove_limit:,} affordable sets of strikes (the most bounded)"
            return best, max(0.0, ceiling - best.damage_low), note + ": gap to the ceiling", 0, 0
        self._say(f"bounding {n:,} affordable sets of strikes")
        monotone = is_monotone(self.menu)

        def early(key: Key) -> float:
            if not monotone:
                return math.inf
            return self.population - self.safe_before(min(s.at for s in key))

        keys = [k for k in self.affordable(budget) if early(k) > best.damage_low]
        best, seen = self.best_of(keys, best, ceiling)
        others = [a.damage_high for a in seen if a.strikes != best.strikes]
        # the sets dropped by their first instant: bounded below the worst lowest damage
        top = min(max(others, default=0.0), ceiling)
        gap = max(0.0, top - best.damage_low) if best.damage_low < ceiling else 0.0
        note = (
            f"all {n:,} affordable sets bounded ({n - len(keys):,} by their first instant, "
            f"{sum(not a.evaluated for a in seen):,} by a simulation, "
            f"{sum(a.evaluated for a in seen):,} planned)"
        )
        return best, gap, note, len(seen), sum(a.evaluated for a in seen)


def budgets(limit: float, costs: Sequence[float]) -> list[float]:
    """The budgets to report: 0, then every whole step up to ``limit`` (unit costs), or every
    distinct affordable sum of costs otherwise; never past the whole menu's cost, which buys
    every attack (``--budget 1e20`` listed 10^20 steps: a hang)."""
    limit = min(limit, math.fsum(costs))
    if all(float(c).is_integer() for c in costs):
        return [float(b) for b in range(0, math.floor(limit) + 1)]
    sums = {0.0}
    for c in sorted(costs):
        sums |= {round(s + c, 9) for s in sums if s + c <= limit + 1e-9}
    return sorted(sums)
