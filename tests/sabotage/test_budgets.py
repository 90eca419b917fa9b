"""Budgets above 1 against brute force over every affordable set of strikes, and options that
succeed with a probability (the attacker maximises expected damage)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evacuate.sabotage import Strike, sabotage
from evacuate.sabotage.follower import respond
from evacuate.sabotage.menu import instants, strike_scenario
from evacuate.sabotage.search import budgets
from evacuate.scenario.load import from_dict
from evacuate.scenario.scenario import Scenario
from tests.sabotage.test_sabotage import exact

HOURS: dict[str, Any] = {"step": 1.0, "departures": 0}


def town(
    people: int,
    deadline: int,
    to_near: int,
    to_far: int,
    near: int,
    seats: int,
    buses: int,
    burn_until: int,
    shut_for: int,
    cut_for: int,
    success: float = 1.0,
) -> Scenario:
    """A town, two shelters, buses at a depot; the attacker may destroy the buses in town,
    close the near shelter or the road to the far one (cost 1 each, budget 2)."""
    return from_dict(
        {
            "scenario": {"id": "town", "end": 10},
            "places": [
                {"id": "town", "population": people, "deadline": deadline},
                {"id": "near", "capacity": near},
                {"id": "far", "capacity": 10},
                {"id": "depot"},
            ],
            "travel": {
                "routes": "lanes",
                "lanes": [
                    {"id": "dt", "from": "depot", "to": "town", "time": 1},
                    {"id": "tn", "from": "town", "to": "near", "time": to_near},
                    {"id": "tf", "from": "town", "to": "far", "time": to_far},
                ],
            },
            "fleet": {
                "classes": [{"id": "bus", "capacity": seats}],
                "stock": [{"id": "b", "class": "bus", "place": "depot", "count": buses}],
            },
            "attacks": {
                "budget": 2,
                "options": [
                    {
                        "id": "burn",
                        "effects": [{"type": "destroy_vehicles", "place": "town"}],
                        "window": {"start": 0, "end": burn_until},
                        "success": success,
                    },
                    {
                        "id": "shut",
                        "effects": [{"type": "close_place", "place": "near"}],
                        "window": {"start": 0, "end": 5},
                        "lasts": shut_for,
                    },
                    {
                        "id": "cut",
                        "effects": [{"type": "close_lane", "lane": "tf"}],
                        "window": {"start": 0, "end": 5},
                        "lasts": cut_for,
                    },
                ],
            },
        }
    )


def every_set(s: Scenario, budget: float) -> dict[tuple[Strike, ...], float]:
    """The damage of every affordable set of the grid's strikes (one per option), each
    answered in full by the exact operator."""
    menu = s.attacks
    assert menu is not None
    trips = list(exact(strike_scenario(s, menu, ())).plan.trips)
    grid = {o.id: [Strike(o.id, t) for t in instants(s, o, trips, **HOURS)] for o in menu.options}
    costs = {o.id: o.cost for o in menu.options}
    out: dict[tuple[Strike, ...], float] = {}
    for r in range(1, len(grid) + 1):
        for names in itertools.combinations(sorted(grid), r):
            if sum(costs[n] for n in names) > budget:
                continue
            for key in itertools.product(*(grid[n] for n in names)):
                world = strike_scenario(s, menu, key)
                res = respond(world, trips, exact, check_plans=False)
                out[tuple(sorted(key))] = float(s.population - res.rescued)
    return out


@pytest.mark.parametrize(
    "args",
    [
        (4, 8, 2, 4, 4, 3, 1, 1, 4, 4),  # the pair adds nothing: proven by bounding every set
        (2, 8, 2, 2, 1, 1, 1, 0, 3, 2),
    ],
)
def test_budget_two_equals_brute_force_over_every_set(args: tuple[int, ...]) -> None:
    """With an exact operator, budget 2's worst attack does exactly the damage of the worst
    affordable set of strikes (brute force over every single and pair of the grid), and is
    proven by bounding every set."""
    s = town(*args)
    res = sabotage(s, budget=2, refine=0, planner=exact, rank=False, **HOURS)
    row = res.curve[2]
    worst = max(every_set(s, 2).values())
    assert row.attack.damage_low == row.attack.damage_high == worst
    assert row.proven and row.gap == 0
    assert "bounded" in row.method or "ceiling" in row.method


def test_a_larger_set_than_the_bound_allows_leaves_the_gap_to_the_ceiling() -> None:
    """With too many sets to bound, the answer is not claimed: the gap is to the ceiling."""
    s = town(4, 8, 2, 4, 4, 3, 1, 1, 4, 4)
    res = sabotage(s, budget=2, refine=0, planner=exact, rank=False, prove_limit=10, **HOURS)
    row = res.curve[2]
    assert row.attack.damage_low < s.population  # the ceiling is not reached
    assert not row.proven
    assert row.gap == s.population - row.attack.damage_low
    assert "gap to the ceiling" in row.method


def test_unsure_options_are_weighed_by_their_chance() -> None:
    """An option that succeeds half the time does half its damage plus half the damage of
    no attack, interval and all; the search ranks and picks by that expected damage."""
    sure = town(4, 8, 2, 4, 4, 3, 1, 1, 4, 4)
    unsure = town(4, 8, 2, 4, 4, 3, 1, 1, 4, 4, success=0.5)
    a = sabotage(sure, budget=1, refine=0, planner=exact, **HOURS)
    b = sabotage(unsure, budget=1, refine=0, planner=exact, **HOURS)
    none = a.curve[0].attack
    burn_a = next(x for x in a.ranked if x.options == ("burn",))
    burn_b = next(x for x in b.ranked if x.options == ("burn",))
    assert burn_b.success == 0.5
    assert burn_b.damage_low == 0.5 * burn_a.damage_low + 0.5 * none.damage_low
    assert burn_b.damage_high == 0.5 * burn_a.damage_high + 0.5 * none.damage_high
    top = max(b.ranked, key=lambda x: x.damage_low)
    assert b.curve[1].attack.damage_low == top.damage_low


def test_affordable_sets_are_counted_without_visiting_every_subset_of_a_large_menu() -> None:
    """Fifty options, budget 2: the sets are counted and listed by walking affordable sets
    only (not the 2^50 subsets of the menu)."""
    from evacuate.sabotage.search import Search

    s = town(4, 8, 2, 4, 4, 3, 1, 1, 4, 4)
    assert s.attacks is not None
    shut = s.attacks.options[1]
    many = tuple(
        shut.model_copy(
            update={"id": f"shut{k}", "window": shut.window.model_copy(update={"end": 0})}
        )
        for k in range(50)
    )
    menu = s.attacks.model_copy(update={"options": many})
    trips = list(exact(strike_scenario(s, menu, ())).plan.trips)
    search = Search(s, menu, exact, trips, float(s.population), departures=0)
    assert {len(v) for v in search._by_option().values()} == {1}
    assert search.count_affordable(2, 10**6) == 50 + 50 * 49 // 2
    assert search.count_affordable(2, 100) == 101  # stops just past the limit
    assert len(list(search.affordable(2))) == 1275


@settings(max_examples=40, deadline=None)
@given(
    limit=st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0, 1e6, 1e20, 1e308, math.inf]),
    costs=st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), min_size=1, max_size=6),
)
def test_the_budgets_listed_stop_at_the_whole_menus_cost(limit: float, costs: list[float]) -> None:
    """0 first, increasing, none past the limit or the whole menu's cost, and the whole menu's
    cost the last when the limit reaches it. ``--budget 1e20`` listed 10^20 whole steps (a
    hang; ``1e308`` too)."""
    steps = budgets(limit, costs)
    assert steps[0] == 0.0 and steps == sorted(set(steps))
    assert steps[-1] <= min(limit, sum(costs)) + 1e-9
    if limit >= sum(costs):
        assert steps[-1] == pytest.approx(sum(costs))
