"""What a defence would have saved against one given attack (not searched again).

``--defend`` asks the defender-attacker-defender question: every affordable defence, and the
worst attack found against each (a search per defence). This asks the cheaper question the
demo tells: the attack found worst on the undefended operation strikes the defended one at
the same instants; how much of its damage would each defence have saved? The defended
operation is planned as usual (blind to the attack) and its operator replans after each
strike, so the damage is certified as in the search: an interval. With ``replan`` False the
defended operator keeps flying its plan through the attack (one simulation, no planner call
after the strike): its damage is then only bounded above, so the people saved are only
bounded below ("at least"); below, the defended plan's own bound gives the other side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from evacuate.planio import Plan
from evacuate.sabotage.defend import apply_defence
from evacuate.sabotage.follower import Planner
from evacuate.sabotage.menu import Strike, strike_scenario
from evacuate.sabotage.search import Attack, Search
from evacuate.scenario.model import AttackMenu, DefenceMeasure
from evacuate.scenario.scenario import Scenario

__all__ = ["Hold", "hold"]


@dataclass(frozen=True)
class Hold:
    """One defence against the given attack."""

    measures: tuple[str, ...]
    cost: float
    undisturbed: float
    """People the defended plan rescues with no attack."""
    price: float
    """People the defence costs when no attack comes (the price of robustness)."""
    attack: Attack
    """The given attack on the defended operation, its damage certified."""
    saved_low: float
    """At least this many people saved against the undefended operation's damage."""
    saved_high: float
    """At most this many."""
    plan: Plan


@dataclass
class Held:
    """The holds and the work they took."""

    holds: list[Hold]
    planner_calls: int = 0
    simulations: int = 0
    checked: int = 0
    stopped_by_time: int = 0
    infeasible: tuple[str, ...] = ()


def hold(
    scenario: Scenario,
    menu: AttackMenu,
    strikes: tuple[Strike, ...],
    undefended: Attack,
    undisturbed: float,
    defences: Sequence[Sequence[DefenceMeasure]],
    planner: Planner,
    *,
    check_plans: bool = True,
    replan: bool = True,
) -> Held:
    """Each of ``defences`` (a set of measures) applied to ``scenario``, planned, and struck
    by ``strikes``; ``undefended`` is the same attack's certified damage without defence and
    ``undisturbed`` the people rescued then with no attack."""
    out = Held([])
    bad: list[str] = []
    for combo in defences:
        defended, guarded = apply_defence(scenario, combo)
        base = planner(strike_scenario(defended, menu, ()))
        out.planner_calls += 1
        out.stopped_by_time += bool(base.stats.get("stopped_by_time"))
        s = Search(
            defended,
            menu,
            planner,
            list(base.plan.trips),
            base.bound,
            guarded=guarded,
            walks=base.plan.walks,
            points=0,
            departures=0,
            refine=0,
            check_plans=check_plans,
        )
        calm = s.nothing()
        if replan:
            a = s.full(strikes)
        else:
            # the operator flies its defended plan on: a response it can always choose
            a = replace(s.pruned(strikes), damage_low=max(0.0, defended.population - base.bound))
        out.planner_calls += s.planner_calls
        out.simulations += s.simulations
        out.checked += s.checked
        out.stopped_by_time += s.stopped_by_time
        bad += s.infeasible
        out.holds.append(
            Hold(
                measures=tuple(m.id for m in combo),
                cost=sum(m.cost for m in combo),
                undisturbed=calm.rescued,
                price=undisturbed - calm.rescued,
                attack=a,
                saved_low=max(0.0, undefended.damage_low - a.damage_high),
                saved_high=max(0.0, undefended.damage_high - a.damage_low),
                plan=base.plan,
            )
        )
    out.infeasible = tuple(bad)
    return out
