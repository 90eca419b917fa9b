"""Red team of the fleet bound's repositioning rows (plan/fleet_relays.py, ``reposition``):
the relay's vehicle is not one that brought people into the small haven (it starts at a depot
or at the large haven, and the class that shuttles from the town cannot relay, or only
slowly), so every relay costs an empty move into the small haven's group, and the relaying
vehicles' working time is what limits the people passed on. Against the exhaustive oracle."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.plan.problem import compile_problem
from evacuate.planio.records import Plan, Trip
from tests.oracle import exhaustive
from tests.plan.test_fleet_bound import SHAPES, _bound

FEW = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _lane(a: str, b: str, times: dict[str, int], *, one_way: bool = False) -> dict[str, Any]:
    """A lane usable only by the classes in ``times``, at those times (``one_way``: from
    ``a`` to ``b`` only)."""
    lane: dict[str, Any] = {"id": f"{a}-{b}", "from": a, "to": b, "class_times": times}
    if one_way:
        lane["bidirectional"] = False
    return lane


@st.composite
def reposition_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A town falling early next to a small haven (``camp``), a large haven (``third``) beyond
    it, a depot; a bus at the town that shuttles to the camp (and relays slowly or not at
    all), one or two relaying vehicles that start at the depot or a haven (maybe
    later, maybe the bus's class); lanes per class so that the relays need empty moves back
    into the camp (directly, through the town or through the depot, or one way back on a
    lane of its own); for the oracle."""
    end = draw(st.integers(4, 8))
    town = {
        "id": "town",
        "population": draw(st.integers(2, 6)),
        "deadline": draw(st.integers(1, 5)),
    }
    camp = {"id": "camp", "capacity": draw(st.integers(1, 2))}
    third = {"id": "third", "capacity": draw(st.integers(4, 8))}
    depot = {"id": "depot"}
    one_class = draw(st.integers(0, 3)) == 0
    relayer = "bus" if one_class else "barge"
    r = draw(st.integers(1, 3))
    # the relaying class reaches the town too (so it has trips and its relays the rows of
    # ``reposition``), maybe slowly
    both = {"bus": 1} if one_class else {"bus": 1, "barge": draw(st.integers(1, 4))}
    lanes = [_lane("town", "camp", both)]
    relay_times = {relayer: r}
    if not one_class and draw(st.booleans()):
        relay_times["bus"] = r + draw(st.integers(1, 3))  # the bus relays, slowly
    if draw(st.booleans()):
        lanes.append(_lane("camp", "third", relay_times))
    else:
        # one way out, and a quicker (or not) way back: the empty move back into the camp is
        # shorter than the relay (a move charged the wrong way round was once its length)
        lanes.append(_lane("camp", "third", relay_times, one_way=True))
        lanes.append(_lane("third", "camp", {relayer: draw(st.integers(1, r))}, one_way=True))
    # the way back into the camp: the relay lane itself, or around through the depot
    if draw(st.booleans()):
        lanes.append(_lane("third", "depot", {relayer: draw(st.integers(1, 2))}))
    lanes.append(
        _lane("depot", draw(st.sampled_from(["camp", "town"])), {relayer: draw(st.integers(1, 3))})
    )
    if draw(st.booleans()):
        lanes.append(_lane("town", "third", {"bus": 3}))
    classes = [
        {
            "id": cid,
            "capacity": draw(st.integers(1, 3)),
            "load_time": draw(st.integers(0, 1)),
            "unload_time": 0,
        }
        for cid in (["bus"] if one_class else ["bus", "barge"])
    ]
    stock: list[dict[str, Any]] = [{"class": "bus", "place": "town", "count": 1}]
    for _ in range(draw(st.integers(1, 2))):
        item: dict[str, Any] = {
            "class": relayer,
            "place": draw(st.sampled_from(["depot", "third", "camp"])),
            "count": 1,
        }
        if draw(st.integers(0, 2)) == 0:
            item["available_from"] = draw(st.integers(1, 2))
        stock.append(item)
    return {
        "scenario": {"id": "reposition", "end": end, "time_unit": "hour"},
        "places": [town, camp, third, depot],
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {"classes": classes, "stock": stock},
    }


def _check(data: dict[str, Any]) -> None:
    scenario = evacuate.scenario.from_dict(data)
    problem = compile_problem(scenario)
    best = exhaustive(scenario).rescued
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= best - 1e-6, (shape, got.bound, best)


TIGHT: dict[str, Any] = {
    "scenario": {"id": "reposition", "end": 5, "time_unit": "hour"},
    "places": [
        {"id": "town", "population": 4, "deadline": 4},
        {"id": "camp", "capacity": 1},
        {"id": "third", "capacity": 4},
        {"id": "depot"},
    ],
    "travel": {
        "routes": "lanes",
        "lanes": [
            _lane("town", "camp", {"bus": 1, "barge": 1}),
            _lane("camp", "third", {"barge": 2}),
            _lane("depot", "camp", {"barge": 1}),
        ],
    },
    "fleet": {
        "classes": [
            {"id": "bus", "capacity": 1, "load_time": 0, "unload_time": 0},
            {"id": "barge", "capacity": 1, "load_time": 1, "unload_time": 0},
        ],
        "stock": [
            {"class": "bus", "place": "town", "count": 1},
            {"class": "barge", "place": "third", "count": 1},
        ],
    },
}
"""Found by the strategy (seed 3): the optimum 2, and the bound exactly 2 with a far group
per haven; with the repositioning moves charged x1.5 or +1 h it is 1.83 (so the property
catches a repositioning charge made too strong, which the other properties do not)."""


def test_relays_that_need_their_vehicles_moved_back_are_bounded() -> None:
    """``TIGHT`` on its own (fast): the bound holds the optimum, 2, exactly."""
    _check(TIGHT)


@pytest.mark.slow
@FEW
@given(reposition_scenarios())
@example(TIGHT)
def test_the_fleet_bound_holds_the_optimum_when_relays_need_empty_moves(
    data: dict[str, Any],
) -> None:
    """Relays whose vehicles must come back into the small haven's group empty: the
    repositioning rows never push the bound below the optimum."""
    _check(data)


def _one_way() -> dict[str, Any]:
    """A town of 6 falling at 5 h, a camp of 1 an hour away, a large
    haven 3 h beyond it one way and 1 h back on another one-way lane; a bus of 1 at the town
    and a barge of 1 at the camp (4 h to the town)."""
    return {
        "scenario": {"id": "oneway", "end": 8, "time_unit": "hour"},
        "places": [
            {"id": "town", "population": 6, "deadline": 5},
            {"id": "camp", "capacity": 1},
            {"id": "third", "capacity": 20},
        ],
        "travel": {
            "routes": "lanes",
            "lanes": [
                _lane("town", "camp", {"bus": 1, "barge": 4}),
                _lane("camp", "third", {"barge": 3}, one_way=True),
                _lane("third", "camp", {"barge": 1}, one_way=True),
            ],
        },
        "fleet": {
            "classes": [
                {"id": "bus", "capacity": 1, "load_time": 0, "unload_time": 0},
                {"id": "barge", "capacity": 1, "load_time": 0, "unload_time": 0},
            ],
            "stock": [
                {"class": "bus", "place": "town", "count": 1},
                {"class": "barge", "place": "camp", "count": 1},
            ],
        },
    }


def test_a_relay_vehicles_move_back_is_charged_its_own_way() -> None:
    """The barge relays at 1 h (3 h out), comes back in 1 h on the other lane and relays
    again at 5 h: 3 rescued, which the checker accepts. The move back into the camp's group
    was charged the shortest move the other way (camp to third, 3 h): the bound was 2.83."""
    scenario = evacuate.scenario.from_dict(_one_way())
    trips = [
        Trip("v0", "bus", 1, "town", 0.0, "camp", 1.0, 1),
        Trip("v0", "bus", 1, "camp", 1.0, "town", 2.0, 0),
        Trip("v0", "bus", 1, "town", 2.0, "camp", 3.0, 1),
        Trip("v0", "bus", 1, "camp", 3.0, "town", 4.0, 0),
        Trip("v0", "bus", 1, "town", 5.0, "camp", 6.0, 1),
        Trip("v1", "barge", 1, "camp", 1.0, "third", 4.0, 1),
        Trip("v1", "barge", 1, "third", 4.0, "camp", 5.0, 0),
        Trip("v1", "barge", 1, "camp", 5.0, "third", 8.0, 1),
    ]
    plan = Plan(scenario_id="oneway", trips=tuple(trips), scenario_digest=scenario.digest)
    report = evacuate.check(scenario, plan)
    assert not report.violations and report.rescued == 3
    problem = compile_problem(scenario)
    for shape in SHAPES:
        got = _bound(problem, shape)
        assert got.bound >= 3 - 1e-6, (shape, got.bound)
