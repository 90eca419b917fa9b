"""``sabotage``: the worst attack for every budget, certified, and the defence that survives it.

The operator flies the planner's plan (blind to attacks) and replans after each strike; the
attacker picks options of the menu and their instants. See docs/sabotage.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from evacuate.options import OPTIONS, Option, check_option, register
from evacuate.plan.api import PlanResult
from evacuate.planio import Plan
from evacuate.sabotage.defend import apply_defence, defence_menu, defences_within
from evacuate.sabotage.follower import Planner, plan_state
from evacuate.sabotage.hold import Hold
from evacuate.sabotage.hold import hold as hold_against
from evacuate.sabotage.menu import attack_menu, is_monotone, strike_scenario, targets, window
from evacuate.sabotage.pool import Answers
from evacuate.sabotage.rank import Ranking
from evacuate.sabotage.rank import finish as finish_ranking
from evacuate.sabotage.rank import start as start_ranking
from evacuate.sabotage.search import Attack, BudgetRow, Search, budgets
from evacuate.scenario.model import AttackMenu, DefenceMenu
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.api import run_to

__all__ = ["Defence", "SabotageResult", "load_sabotage", "sabotage"]

log = logging.getLogger(__name__)

register(
    Option(
        "budget",
        float,
        None,
        "The attacker's budget (default: the attack menu's).",
        minimum=0,
        metavar="COST",
    )
)
register(
    Option(
        "defend",
        float,
        None,
        "The defender's budget: also choose the defence whose worst attack does least damage.",
        minimum=0,
        metavar="COST",
    )
)


@dataclass(frozen=True)
class Defence:
    """One affordable set of measures and the worst attack found against it."""

    measures: tuple[str, ...]
    cost: float
    undisturbed: float
    """People the defended plan rescues with no attack."""
    price: float
    """People the defence costs when no attack comes (undisturbed rescued without it minus
    with it; the price of robustness)."""
    worst: BudgetRow
    plan: Plan


@dataclass(frozen=True)
class SabotageResult:
    """What ``sabotage`` returns (see ``summary`` and ``to_data``)."""

    scenario: Scenario
    menu: AttackMenu
    menu_derived: bool
    population: int
    base: PlanResult
    """The operator's plan with no attack (the plan every attack strikes)."""
    curve: tuple[BudgetRow, ...]
    """The worst attack found for each budget, 0 first."""
    ranked: tuple[Attack, ...]
    """Single attacks, worst first (pruned ones last, with only their highest damage)."""
    plans: dict[float, Plan | None]
    """For each budget: the operator's last plan after its worst attack (None: no replan)."""
    stats: dict[str, Any] = field(default_factory=dict)
    defence_menu: DefenceMenu | None = None
    defence_menu_derived: bool = False
    defences: tuple[Defence, ...] = ()
    """Every affordable defence, best (lowest worst damage) first."""
    holds: tuple[Hold, ...] = ()
    """With ``hold``: each defence struck by the worst attack found (not searched again)."""

    @property
    def worst(self) -> BudgetRow:
        return self.curve[-1]

    def summary(self) -> str:
        lines = []
        for row in self.curve:
            a = row.attack
            what = ", ".join(f"{s.option}@{s.at:g}" for s in a.strikes) or "no attack"
            lines.append(
                f"budget {row.budget:g}: {what}: damage [{a.damage_low:,.0f}, "
                f"{a.damage_high:,.0f}]" + (" proven" if row.proven else f" gap {row.gap:,.0f}")
            )
        return "\n".join(lines)

    def to_data(self) -> dict[str, Any]:
        by_id = {o.id: o for o in self.menu.options}

        def attack(a: Attack) -> dict[str, Any]:
            hit: set[str] = set()
            for s in a.strikes:
                hit |= targets(self.scenario, by_id[s.option])
            return {
                "strikes": [{"option": s.option, "at": s.at} for s in a.strikes],
                "targets": sorted(hit),
                "cost": a.cost,
                "success": a.success,
                "damage_low": a.damage_low,
                "damage_high": a.damage_high,
                "evaluated": a.evaluated,
            }

        def row(r: BudgetRow) -> dict[str, Any]:
            return {
                "budget": r.budget,
                "attack": attack(r.attack),
                "proven": r.proven,
                "gap": r.gap,
                "method": r.method,
                "candidates": r.candidates,
                "evaluated": r.evaluated,
            }

        return {
            "scenario": self.scenario.id,
            "variant": self.scenario.applied_variant,
            "population": self.population,
            "menu_derived": self.menu_derived,
            "menu": self.menu.model_dump(mode="json", exclude_defaults=True),
            "undisturbed": {"rescued": self.base.rescued, "bound": self.base.bound},
            "curve": [row(r) for r in self.curve],
            "ranked": [attack(a) for a in self.ranked],
            "defences": [
                {
                    "measures": list(d.measures),
                    "cost": d.cost,
                    "undisturbed": d.undisturbed,
                    "price": d.price,
                    "worst": row(d.worst),
                }
                for d in self.defences
            ],
            "holds": [
                {
                    "measures": list(h.measures),
                    "cost": h.cost,
                    "undisturbed": h.undisturbed,
                    "price": h.price,
                    "attack": attack(h.attack),
                    "saved_low": h.saved_low,
                    "saved_high": h.saved_high,
                }
                for h in self.holds
            ],
            # how long and on how many processes: not part of the answer
            "stats": {k: v for k, v in self.stats.items() if k not in _HOW},
        }


_HOW = (
    "seconds",
    "cpu_seconds",
    "workers",
    "parallel_batches",
    "worker_cpu_seconds",
    "unused_answers",
)
"""Stats that say how the answer was computed, not what it is (left out of ``to_data``)."""


def _ceiling(scenario: Scenario, menu: AttackMenu, plan: Plan, guarded: frozenset[str]) -> float:
    """No attack of the menu does more damage than this: people safe before the earliest
    instant any option may strike stay safe (unless an option moves deadlines)."""
    pop = float(scenario.population)
    if not is_monotone(menu):
        return pop
    starts = [window(scenario, o)[0] for o in menu.options if not (targets(scenario, o) & guarded)]
    if not starts:
        return pop
    t = min(starts)
    engine = run_to(scenario, list(plan.trips), t, plan.walks)
    return pop - engine.rescued()


def _search(
    scenario: Scenario,
    menu: AttackMenu,
    planner: Planner,
    budget: float,
    guarded: frozenset[str],
    *,
    points: int,
    departures: int,
    step: float | None,
    refine: int,
    check_plans: bool,
    progress: Callable[[str], None] | None,
    rank: bool | str = False,
    prove_limit: int = 2000,
    answers: Answers | None = None,
) -> tuple[PlanResult, Search, list[BudgetRow], list[Attack]]:
    base = planner(strike_scenario(scenario, menu, ()))
    trips = list(base.plan.trips)
    s = Search(
        scenario,
        menu,
        planner,
        trips,
        base.bound,
        guarded=guarded,
        walks=base.plan.walks,
        points=points,
        departures=departures,
        step=step,
        refine=refine,
        prove_limit=prove_limit,
        check_plans=check_plans,
        progress=progress,
        answers=answers,
    )
    s.stopped_by_time += bool(base.stats.get("stopped_by_time"))
    nothing = s.nothing()
    rows = [BudgetRow(0.0, nothing, True, 0.0, "no attack", 1, 1)]
    ranked: list[Attack] = []
    ranking: Ranking | None = None
    ceiling = _ceiling(scenario, menu, base.plan, guarded)
    for b in budgets(budget, [o.cost for o in menu.options])[1:]:
        if progress is not None:
            progress(f"budget {b:g}")
        prev = rows[-1].attack
        if prev.damage_low >= ceiling:
            # nothing does more damage: a larger budget changes nothing
            rows.append(BudgetRow(b, prev, True, 0.0, "reached the ceiling", 0, 0))
            continue
        if len(rows) == 1:
            row, seen = s.single(b, prev, ceiling)
            if rank:
                # the ranking's answers run on the worker processes while the larger
                # budgets are searched here; the search does not use them (with any
                # number of workers), so the answer is the same for any number
                ranking = start_ranking(s, seen, evaluate=rank != "caps")
        else:
            # the greedy starts from the previous budget's worst attack: never less damage
            row = s.greedy(b, prev, ceiling)
        rows.append(row)
    if ranking is not None:
        calls = s.planner_calls
        ranked = finish_ranking(s, ranking)
        s.ranking_calls += s.planner_calls - calls
    return base, s, rows, ranked


def sabotage(
    scenario: Scenario,
    *,
    budget: float | None = None,
    defend: float | None = None,
    defend_against: float | None = None,
    points: int = 6,
    departures: int = 6,
    step: float | None = None,
    refine: int = 3,
    time_limit: float = OPTIONS["time_limit"].default,
    seed: int = OPTIONS["seed"].default,
    planner: Planner | None = None,
    check_plans: bool = True,
    rank: bool | str = True,
    prove_limit: int = 2000,
    hold: bool | str = False,
    workers: int = OPTIONS["workers"].default,
    progress: Callable[[str], None] | None = None,
) -> SabotageResult:
    """The worst attack on ``scenario`` for every budget from 0 to ``budget``.

    Parameters
    ----------
    budget
        The attacker's budget (default: the menu's).
    defend
        The defender's budget: also choose the affordable defence whose worst attack does
        least damage (default: no defence search).
    defend_against
        The attacker's budget in the defence search (default: ``budget``).
    points, departures, step, refine
        The grid of instants per option: ``points`` evenly spaced in its window (or every
        multiple of ``step``), the ``departures`` busiest departure instants of the plan from
        the places it hits, the scenario's breakpoints; then ``refine`` rounds of bisection.
    time_limit, seed
        For every call of the planner (a safety stop; the seed fixes its restarts).
    planner
        Replaces the operator's planner (tests use an exact one).
    rank
        Also evaluate each option's worst instant, to rank the single attacks (planner
        calls the search itself would not need: counted apart as ``ranking_calls``);
        ``"caps"``: rank them without those calls (options the search pruned are listed
        with their highest damage only).
    prove_limit
        Budgets above 1: after the greedy search, bound every affordable set of the grid's
        strikes (one simulation each) when there are at most this many, which proves the
        answer or gives the gap over the grid; beyond it the gap is to the ceiling.
    hold
        Also apply each affordable defence of the defence menu (the scenario's, or derived;
        within its own budget) and strike it with the worst attack found: what it would
        have saved against that attack (``SabotageResult.holds``; cheaper than ``defend``,
        which searches each defence's own worst attack); ``"follow"``: the defended operator
        keeps flying its plan through the attack (no planner call after the strike: the
        people saved are then bounded below only).
    workers
        Processes for the operator's answers that do not depend on each other (the ranking
        of the single attacks); the answers are the same for any number (``planner`` must
        then be picklable: a module-level function or a ``functools.partial`` of one; a
        script that asks for more than 1 needs the ``if __name__ == "__main__":`` guard, as
        with any spawned process).
    """
    check_option("workers", workers)
    with Answers(workers) as answers:
        return _sabotage(
            scenario,
            budget=budget,
            defend=defend,
            defend_against=defend_against,
            points=points,
            departures=departures,
            step=step,
            refine=refine,
            time_limit=time_limit,
            seed=seed,
            planner=planner,
            check_plans=check_plans,
            rank=rank,
            prove_limit=prove_limit,
            hold=hold,
            answers=answers,
            progress=progress,
        )


def _sabotage(
    scenario: Scenario,
    *,
    budget: float | None,
    defend: float | None,
    defend_against: float | None,
    points: int,
    departures: int,
    step: float | None,
    refine: int,
    time_limit: float,
    seed: int,
    planner: Planner | None,
    check_plans: bool,
    rank: bool | str,
    prove_limit: int,
    hold: bool | str,
    answers: Answers,
    progress: Callable[[str], None] | None,
) -> SabotageResult:
    t0, c0 = time.perf_counter(), time.process_time()
    plan_fn = planner or partial(plan_state, time_limit=time_limit, seed=seed)
    menu, derived = attack_menu(scenario)
    if derived:
        log.info("no attacks section: derived a menu of %d options", len(menu.options))
    b = menu.budget if budget is None else budget
    base, s, rows, ranked = _search(
        scenario,
        menu,
        plan_fn,
        b,
        frozenset(),
        points=points,
        departures=departures,
        step=step,
        refine=refine,
        check_plans=check_plans,
        progress=progress,
        rank=rank,
        prove_limit=prove_limit,
        answers=answers,
    )
    plans: dict[float, Plan | None] = {}
    for row in rows:
        if row.attack.strikes:
            plans[row.budget] = s.plan_after(row.attack.strikes)
        else:
            plans[row.budget] = base.plan
    calls, sims, stopped = s.planner_calls, s.simulations, s.stopped_by_time
    checked, bad = s.checked, list(s.infeasible)
    dmenu: DefenceMenu | None = None
    dderived = False
    defences: list[Defence] = []
    holds: list[Hold] = []
    held_calls = 0
    hit = sorted({p for o in menu.options for p in targets(scenario, o)})
    if hold and rows[-1].attack.strikes:
        dmenu, dderived = defence_menu(scenario, hit)
        if progress is not None:
            progress("defences against the worst attack")
        held = hold_against(
            scenario,
            menu,
            rows[-1].attack.strikes,
            rows[-1].attack,
            rows[0].attack.rescued,
            [c for c in defences_within(dmenu, dmenu.budget) if c],
            plan_fn,
            check_plans=check_plans,
            replan=hold != "follow",
        )
        holds = held.holds
        held_calls = held.planner_calls
        calls += held.planner_calls
        stopped += held.stopped_by_time
        sims += held.simulations
        checked += held.checked
        bad += held.infeasible
    if defend is not None:
        dmenu, dderived = defence_menu(scenario, hit)
        against = b if defend_against is None else min(defend_against, b)
        for combo in defences_within(dmenu, defend):
            same = [r for r in rows if r.budget == against]
            if not combo and same:
                # no defence: the search above already answered it
                defences.append(Defence((), 0.0, rows[0].attack.rescued, 0.0, same[0], base.plan))
                continue
            defended, guarded = apply_defence(scenario, combo)
            if progress is not None:
                progress(f"defence {'+'.join(m.id for m in combo) or 'none'}")
            dbase, ds, drows, _ = _search(
                defended,
                menu,
                plan_fn,
                against,
                guarded,
                points=points,
                departures=departures,
                step=step,
                refine=refine,
                check_plans=check_plans,
                progress=progress,
                prove_limit=prove_limit,
                answers=answers,
            )
            calls += ds.planner_calls
            stopped += ds.stopped_by_time
            sims += ds.simulations
            checked += ds.checked
            bad += ds.infeasible
            defences.append(
                Defence(
                    measures=tuple(m.id for m in combo),
                    cost=sum(m.cost for m in combo),
                    undisturbed=drows[0].attack.rescued,
                    price=rows[0].attack.rescued - drows[0].attack.rescued,
                    worst=drows[-1],
                    plan=dbase.plan,
                )
            )
        defences.sort(
            key=lambda d: (
                d.worst.attack.damage_high,
                d.worst.attack.damage_low,
                d.cost,
                d.measures,
            )
        )
    stats: dict[str, Any] = {
        "planner_calls": calls,
        "hold_calls": held_calls,
        "planner_stopped_by_time": stopped,
        "search_calls": calls - s.ranking_calls - held_calls,
        "ranking_calls": s.ranking_calls,
        "simulations": sims,
        "follower_plans_checked": checked,
        "follower_plans_infeasible": bad,
        "options": len(menu.options),
        "instants": len(s.singles),
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(time.process_time() - c0 + sum(answers.cpu.values()), 3),
        "workers": answers.workers,
        "parallel_batches": answers.batches,
        "unused_answers": s.unused_answers,
        "worker_cpu_seconds": [round(c, 3) for c in answers.cpu.values()],
    }
    return SabotageResult(
        scenario=scenario,
        menu=menu,
        menu_derived=derived,
        population=scenario.population,
        base=base,
        curve=tuple(rows),
        ranked=tuple(ranked),
        plans=plans,
        stats=stats,
        defence_menu=dmenu,
        defence_menu_derived=dderived,
        defences=tuple(defences),
        holds=tuple(holds),
    )


def load_sabotage(store: Any, run_id: str) -> tuple[dict[str, Any], Scenario]:
    """A stored sabotage analysis read back, running nothing: ``SabotageResult.to_data()``
    (the ``sabotage.json`` artifact) and the scenario it ran on (as stored: variant applied).
    ``store``: a ``Store`` or a store URL."""
    import json

    from evacuate.scenario.load import from_dict
    from evacuate.store import Store, StoreError, open_store

    st = store if isinstance(store, Store) else open_store(store)
    run = st.get_run(run_id)
    if run.kind != "sabotage" or run.scenario_hash is None:
        raise StoreError(f"run {run.id} is a {run.kind} run, not a sabotage analysis")
    art = next((a for a in run.artifacts if a.name == "sabotage.json"), None)
    path = art.path if art is not None else None
    if path is None or not path.is_file():
        raise StoreError(f"run {run.id}: its sabotage.json artifact is missing")
    data = json.loads(path.read_text(encoding="utf-8"))
    scenario = from_dict(
        st.get_scenario(run.scenario_hash), source=f"<store scenario {run.scenario_hash[:12]}>"
    )
    return data, scenario
