"""Sabotage analysis: the worst attack against brute force and an exact oracle, certified
intervals, follower plans the checker accepts, menus, defences."""

from __future__ import annotations

import itertools
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.api import PlanResult
from evacuate.plan.api import plan as make_plan
from evacuate.planio import Plan
from evacuate.sabotage import Attack, Strike, default_menu, sabotage
from evacuate.sabotage.follower import Undisturbed, follow, plan_state, respond
from evacuate.sabotage.menu import instants, strike_events, strike_scenario
from evacuate.sabotage.search import Search
from evacuate.scenario.load import from_dict
from evacuate.scenario.scenario import Scenario
from tests.oracle import exhaustive

DATA = Path(__file__).parent.parent / "data"
TINY = DATA / "sabotage" / "tiny.yaml"


def exact(scenario: Scenario) -> PlanResult:
    """An exact operator: the exhaustive oracle's plan (its value is also the bound)."""
    t0 = time.perf_counter()
    res = exhaustive(scenario)
    trips = tuple(sorted(res.trips, key=lambda t: (t.depart, t.group)))
    plan = Plan(
        scenario_id=scenario.id,
        variant=scenario.applied_variant,
        objective="max-rescued",
        rescued=float(res.rescued),
        bound=float(res.rescued),
        trips=trips,
        time_unit=scenario.time_unit,
    )
    pop = scenario.population
    return PlanResult(
        plan=plan,
        rescued=float(res.rescued),
        bound=float(res.rescued),
        gap=0.0,
        seconds=time.perf_counter() - t0,
        objective="max-rescued",
        population=pop,
    )


def brute_force(scenario: Scenario, planner: Any, budget: float = 1.0, **grid: Any) -> list[Attack]:
    """Every affordable single option at every instant of its grid, each answered in full."""
    menu = scenario.attacks
    assert menu is not None
    world = strike_scenario(scenario, menu, ())
    base = planner(world)
    trips = list(base.plan.trips)
    out = []
    for o in menu.options:
        if o.cost > budget:
            continue
        for t in instants(scenario, o, trips, **(grid or {"points": 6, "departures": 6})):
            key = (Strike(o.id, t),)
            r = respond(strike_scenario(scenario, menu, key), trips, planner, base_bound=base.bound)
            pop = scenario.population
            out.append(
                Attack(key, o.cost, o.success, pop - r.bound, pop - r.rescued, r.rescued, r.bound)
            )
    return out


def test_worst_single_attack_equals_brute_force_with_the_planner() -> None:
    """Budget 1, no refinement: the search's worst attack is brute force's, with fewer calls."""
    s = evacuate.load(TINY)
    res = sabotage(s, budget=1, refine=0, time_limit=10, rank=False)
    row = res.curve[1]
    every = brute_force(s, lambda sc: make_plan(sc, time_limit=10))
    assert row.attack.damage_low == max(a.damage_low for a in every)
    top = max(a.damage_high for a in every)
    assert top <= max(row.attack.damage_high, row.attack.damage_low + row.gap)
    assert res.stats["search_calls"] < len(every)


def test_follower_plans_pass_the_checker() -> None:
    """Every plan the operator makes after an attack is accepted by ``evacuate check``."""
    s = evacuate.load(TINY)
    res = sabotage(s, budget=2, refine=1, time_limit=10)
    assert res.stats["follower_plans_infeasible"] == []
    assert res.stats["follower_plans_checked"] == res.stats["planner_calls"] - 0
    assert res.stats["planner_calls"] > 0


def test_curve_is_monotone_and_budget_zero_is_no_attack() -> None:
    """More budget never does less damage; budget 0 is the undisturbed operation."""
    s = evacuate.load(TINY)
    res = sabotage(s, budget=2, time_limit=10)
    assert [r.budget for r in res.curve] == [0.0, 1.0, 2.0]
    assert res.curve[0].attack.strikes == ()
    lows = [r.attack.damage_low for r in res.curve]
    assert lows == sorted(lows)
    for r in res.curve:
        assert r.attack.damage_low <= r.attack.damage_high
        assert r.attack.cost <= r.budget


def test_same_inputs_same_answer() -> None:
    """Two runs give the same result data."""
    s = evacuate.load(TINY)
    a = sabotage(s, budget=2, time_limit=10).to_data()
    b = sabotage(s, budget=2, time_limit=10).to_data()
    assert a == b


def test_default_menu_is_derived_when_absent() -> None:
    """Without an attacks section: every depot, shipyard, haven and lane, and it says so."""
    s = evacuate.load(DATA / "valid" / "tiny_plane.yaml")
    menu = default_menu(s)
    assert {o.id for o in menu.options} == {"destroy_depot", "close_shelter"}
    res = sabotage(s, budget=1, time_limit=10)
    assert res.menu_derived
    assert res.curve[-1].attack.options == ("destroy_depot",)


def test_guard_is_the_best_defence() -> None:
    """Guarding the depot removes the worst attack; the defence search finds it."""
    s = evacuate.load(TINY)
    res = sabotage(s, budget=1, defend=1, time_limit=10, rank=False)
    best = res.defences[0]
    assert best.measures == ("guard_depot",)
    undefended = next(d for d in res.defences if d.measures == ())
    assert best.worst.attack.damage_high < undefended.worst.attack.damage_low
    assert best.price == 0


def test_menu_errors_name_file_field_and_line() -> None:
    """Unknown references, a reversed window and duplicate ids are reported all at once."""
    path = DATA / "sabotage" / "broken_refs.yaml"
    with pytest.raises(evacuate.ScenarioError) as info:
        evacuate.load(path)
    got = {(i.path, i.line) for i in info.value.issues}
    assert got == {
        ("attacks.options[1].id", 31),
        ("attacks.options[0].effects[0].place", 30),
        ("attacks.options[1].effects[0].lane", 33),
        ("defences.measures[0].place", 38),
        ("attacks.options[0].window.end", 28),
        ("attacks.options[1].cost", 34),
    }


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A town, one or two shelters, up to three buses; whole-hour times; an attack menu."""
    people = draw(st.integers(2, 6))
    deadline = draw(st.integers(4, 9))
    t_near, t_far = draw(st.integers(1, 2)), draw(st.integers(2, 4))
    return {
        "scenario": {"id": "tiny_h", "end": 10},
        "places": [
            {"id": "town", "population": people, "deadline": deadline},
            {"id": "near", "capacity": draw(st.integers(1, 4))},
            {"id": "far", "capacity": 10},
            {"id": "depot"},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                {"id": "dt", "from": "depot", "to": "town", "time": draw(st.integers(1, 2))},
                {"id": "tn", "from": "town", "to": "near", "time": t_near},
                {"id": "tf", "from": "town", "to": "far", "time": t_far},
            ],
        },
        "fleet": {
            "classes": [{"id": "bus", "capacity": draw(st.integers(1, 3))}],
            "stock": [
                {"id": "b", "class": "bus", "place": "depot", "count": draw(st.integers(1, 2))}
            ],
        },
        "attacks": {
            "options": [
                {
                    "id": "burn",
                    "effects": [
                        {
                            "type": "destroy_vehicles",
                            "place": draw(st.sampled_from(["depot", "town"])),
                        }
                    ],
                    "window": {"start": 0, "end": draw(st.integers(0, 5))},
                },
                {
                    "id": "shut",
                    "effects": [{"type": "close_place", "place": "near"}],
                    "window": {"start": 0, "end": 5},
                    "lasts": draw(st.integers(1, 4)),
                },
                {
                    "id": "cut",
                    "effects": [{"type": "close_lane", "lane": "tf"}],
                    "window": {"start": 0, "end": 5},
                    "lasts": draw(st.integers(1, 4)),
                },
            ]
        },
    }


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_exact_worst_equals_brute_force_and_lies_in_the_interval(data: dict[str, Any]) -> None:
    """With an exact operator the search's worst damage equals brute force over every option
    and whole-hour instant; with the planner, its certified interval contains the worst that
    brute force finds against the same operator (the operator's plan before the attack is its
    own: another plan can be hit harder, so the exact operator's value is no bound on it)."""
    s = from_dict(data)
    hours = {"step": 1.0, "departures": 0}
    every = brute_force(s, exact, **hours)
    exhaustive_worst = max(a.damage_high for a in every)
    assert all(a.damage_low == a.damage_high for a in every)
    res = sabotage(s, budget=1, refine=0, planner=exact, rank=False, **hours)
    assert res.curve[1].attack.damage_low == exhaustive_worst
    assert res.curve[1].proven
    real = sabotage(s, budget=1, refine=0, time_limit=10, rank=False, **hours).curve[1]
    planner = partial(plan_state, time_limit=10)
    real_worst = max(a.damage_high for a in brute_force(s, planner, **hours))
    assert real.attack.damage_low <= real_worst
    assert real_worst <= max(real.attack.damage_high, real.attack.damage_low + real.gap)


def test_menus_are_in_the_json_schema() -> None:
    """The schema accepts a file with attack and defence menus and rejects a bad measure."""
    import jsonschema
    import yaml

    from evacuate.scenario.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    data = yaml.safe_load(TINY.read_text())
    assert not list(validator.iter_errors(data))
    data["defences"]["measures"][0]["type"] = "moat"
    assert list(validator.iter_errors(data))


def test_top_level_api() -> None:
    """``evacuate.sabotage(...)`` runs the analysis; the package's names stay reachable."""
    s = evacuate.load(TINY)
    res = evacuate.sabotage(s, budget=1, rank=False)
    assert res.curve[-1].attack.options == ("burn_depot",)
    assert evacuate.sabotage.default_menu is default_menu


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.randoms(use_true_random=False))
def test_caps_from_the_undisturbed_flight_equal_caps_from_time_zero(
    data: dict[str, Any], rnd: Any
) -> None:
    """A strike simulated from the undisturbed flight kept at its instant rescues exactly as
    many as the flight simulated from time zero with the strike in the scenario, single
    strikes and pairs, asked in any order."""
    s = from_dict(data)
    menu = s.attacks
    assert menu is not None
    world = strike_scenario(s, menu, ())
    trips = list(make_plan(world, time_limit=10).plan.trips)
    strikes = [
        Strike(o.id, t) for o in menu.options for t in instants(s, o, trips, step=1.0, departures=0)
    ]
    keys: list[tuple[Strike, ...]] = [(x,) for x in strikes]
    keys += [(a, b) for a, b in itertools.combinations(strikes, 2) if a.option != b.option]
    rnd.shuffle(keys)
    cached = Undisturbed(world, trips)
    for key in keys[:40]:
        events = strike_events(s, menu, key)
        assert cached.follow(events) == follow(strike_scenario(s, menu, key), trips), key


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.randoms(use_true_random=False))
def test_caps_of_strike_pairs_bound_their_certified_damage(data: dict[str, Any], rnd: Any) -> None:
    """The cap of a pair of strikes (the operator flying its plan, or the plan it adopted
    after the first strike alone) is never below the pair's lowest certified damage, with an
    exact operator: pruning by it never drops a worse attack."""
    s = from_dict(data)
    menu = s.attacks
    assert menu is not None
    base = exact(strike_scenario(s, menu, ()))
    search = Search(s, menu, exact, list(base.plan.trips), base.bound, step=1.0, departures=0)
    singles = list(search.singles)
    for x in singles:
        search.full((x,))  # every single strike answered: its plan is the cached answer
    pairs = [(a, b) for a, b in itertools.combinations(singles, 2) if a.option != b.option]
    rnd.shuffle(pairs)
    for key in pairs[:12]:
        assert search.tight_cap(key, -1.0) >= search.full(key).damage_low, key
