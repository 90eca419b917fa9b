"""Sabotage on worker processes gives the serial answer byte for byte; the two real-operation
examples run; walkways are flown and bounded after an attack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import evacuate
from evacuate.planio import write_plan
from evacuate.sabotage import SabotageResult, Strike, default_menu, sabotage
from evacuate.sabotage.follower import plan_state
from evacuate.sabotage.menu import strike_scenario
from evacuate.sabotage.search import Search
from evacuate.scenario.load import from_dict
from evacuate.scenario.model import AttackWindow
from evacuate.simulation.api import simulate

ROOT = Path(__file__).parent.parent.parent
TINY = ROOT / "tests" / "data" / "sabotage" / "tiny.yaml"
EXAMPLES = ROOT / "examples"


def _bytes(res: SabotageResult, tmp: Path) -> str:
    """The result's data and every plan it keeps, as the command writes them."""
    tmp.mkdir()
    out = [json.dumps(res.to_data(), indent=2)]
    for b, pl in sorted(res.plans.items()):
        if pl is not None:
            write_plan(pl, tmp / f"plan_{b:g}.csv")
            out.append((tmp / f"plan_{b:g}.csv").read_text())
    return "\n".join(out)


def test_two_workers_give_the_serial_answer_byte_for_byte(tmp_path: Path) -> None:
    """Budget 2 with the ranking: the same data, plans and work counts on 1 and 2 processes,
    and the 2-process run did run answers on its pool."""
    s = evacuate.load(TINY)
    one = sabotage(s, budget=2, time_limit=30, workers=1)
    two = sabotage(s, budget=2, time_limit=30, workers=2)
    assert one.stats["parallel_batches"] == 0
    assert two.stats["parallel_batches"] >= 1
    assert two.stats["ranking_calls"] >= 2
    assert _bytes(one, tmp_path / "one") == _bytes(two, tmp_path / "two")
    drop = ("seconds", "cpu_seconds", "workers", "parallel_batches", "worker_cpu_seconds")
    assert {k: v for k, v in one.stats.items() if k not in drop} == {
        k: v for k, v in two.stats.items() if k not in drop
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lebanon_2006", "libya_2011"])
def test_sabotage_runs_on_the_real_operation_examples(name: str) -> None:
    """The derived menu of each example (its first four options, each fixed at a quarter of
    the horizon, to keep it cheap): a certified interval, every follower plan accepted by the
    checker, no planner call cut short."""
    s = evacuate.load(EXAMPLES / f"{name}.yaml")
    menu = default_menu(s)
    at = AttackWindow(start=s.end / 4, end=s.end / 4)
    options = tuple(o.model_copy(update={"window": at}) for o in menu.options[:4])
    world = s.model_copy(update={"attacks": menu.model_copy(update={"options": options})})
    res = sabotage(world, budget=1, departures=0, refine=0, rank="caps", time_limit=600)
    worst = res.curve[-1]
    assert 0.0 <= worst.attack.damage_low <= worst.attack.damage_high <= s.population
    assert worst.proven or worst.gap > 0
    assert len(res.ranked) == len(options)
    assert res.stats["follower_plans_infeasible"] == []
    assert res.stats["follower_plans_checked"] == res.stats["planner_calls"]
    assert res.stats["planner_stopped_by_time"] == 0


def test_the_operator_walks_after_an_attack_and_the_interval_holds() -> None:
    """On boarding.yaml (walkways): the undisturbed flight walks people out of the dunes; with
    the mole closed at t=2 the operator's answer still walks; its damage, as the simulator's
    own replanning flies it, lies in the certified interval (the bound counts walkers)."""
    data = yaml.safe_load((EXAMPLES / "boarding.yaml").read_text())
    data["attacks"] = {
        "options": [
            {"id": "shut_mole", "effects": [{"type": "close_place", "place": "mole"}], "lasts": 10}
        ]
    }
    s = from_dict(data)
    menu = s.attacks
    assert menu is not None
    base = plan_state(s)
    assert base.plan.walks
    search = Search(
        s,
        menu,
        plan_state,
        list(base.plan.trips),
        base.bound,
        walks=base.plan.walks,
        points=0,
        departures=0,
        refine=0,
    )
    # nobody reaches a ship without walking: the flight counts the walkers
    assert search.nothing().rescued == base.rescued == s.population
    key = (Strike("shut_mole", 2.0),)
    a = search.full(key)
    after = search.plan_after(key)
    assert after is not None and after.walks
    assert search.checked == 1 and search.infeasible == []
    sim = simulate(strike_scenario(s, menu, key), base.plan, policy="replan", time_limit=60)
    assert sim.rescued == s.population - a.damage_high
    assert 0 <= a.damage_low <= s.population - sim.rescued <= a.damage_high < s.population
