"""Tests of the BEP (bus evacuation problem) reader and its conversion to a scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate
from evacuate.bep import (
    OBJECTIVE,
    BepInstance,
    bep_to_scenario,
    format_bep,
    greedy_makespan,
    greedy_schedule,
    import_bep,
    parse_bep,
    read_bep,
)
from evacuate.errors import ScenarioError
from evacuate.scenario.load import from_dict

DATA = Path(__file__).parent / "data" / "bep"


def _messages(exc: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[int | None, str]]:
    return [(i.line, i.message) for i in exc.value.issues]


def test_read_tiny() -> None:
    """The tiny instance's header and distance rows are read as written."""
    inst = read_bep(DATA / "tiny.txt")
    assert inst.bus_capacity == 10
    assert inst.yard_buses == (2,)
    assert inst.demand == (10, 5)
    assert inst.shelter_capacity == (12, 8)
    assert inst.yard_point == ((3.0, 5.0),)
    assert inst.point_shelter == ((4.0, 6.0), (2.0, 7.0))
    assert (inst.buses, inst.total_demand, inst.total_capacity) == (2, 15, 20)


def test_wrapped_equals_plain() -> None:
    """Blank lines and sections wrapped over several lines parse like the plain layout."""
    plain = read_bep(DATA / "two_yards.txt")
    wrapped = read_bep(DATA / "wrapped.txt")
    assert plain.yard_buses == (3, 2)
    assert plain.point_shelter == ((10.0, 14.0), (8.0, 6.0), (12.0, 9.0))
    fields = ("bus_capacity", "yard_buses", "demand", "shelter_capacity", "yard_point")
    for name in (*fields, "point_shelter"):
        assert getattr(plain, name) == getattr(wrapped, name)
    assert plain.yard_point[1] == (7.0, 3.0, 5.5)


def test_greedy_makespan_tiny() -> None:
    """The horizon is the hand-computed makespan of the greedy schedule (16 on tiny)."""
    # bus A: yard->p1 (3) ->s1 (4) = 7 with 10; bus B: yard->p2 (5) ->s1 (2) = 7 with 2 (s1 full);
    # then 3 left at p2 for s2: bus A from s1 reaches p2 at 9, delivers at 9 + 7 = 16.
    assert greedy_makespan(read_bep(DATA / "tiny.txt")) == 16.0


def test_greedy_schedule_is_feasible() -> None:
    """The greedy schedule passes the checker, rescues everyone, and its makespan is the end."""
    from evacuate.check import check
    from evacuate.planio import Plan

    for name in ("tiny", "two_yards", "four_points"):
        inst = read_bep(DATA / f"{name}.txt")
        sc = from_dict(bep_to_scenario(inst, name))
        trips = greedy_schedule(inst)
        report = check(sc, Plan(sc.id, trips=tuple(trips), time_unit=sc.time_unit))
        assert report.feasible, report.summary()
        assert report.rescued == inst.total_demand
        assert report.makespan == greedy_makespan(inst) <= sc.end


def test_convert_tiny_fields() -> None:
    """Converted tiny instance: places, lanes, fleet and horizon follow docs/bep.md."""
    inst = read_bep(DATA / "tiny.txt")
    sc = from_dict(bep_to_scenario(inst, "tiny bep"))
    assert sc.id == "tiny_bep"
    assert sc.time_unit == "minute"
    assert sc.end == 16.0
    assert OBJECTIVE in sc.scenario.description
    assert [p.id for p in sc.places] == [
        "yard_1",
        "point_1",
        "point_2",
        "shelter_1",
        "shelter_2",
    ]
    assert sc.place("point_1").population == 10
    assert sc.place("point_2").deadline is None
    assert sc.place("shelter_2").capacity == 8
    assert sc.place("shelter_2").open_from == 17.0  # after the horizon: nobody leaves
    assert [h.id for h in sc.havens] == ["shelter_1", "shelter_2"]
    assert sc.hazard is None
    assert sc.travel.routes == "lanes"
    lanes = {ln.id: ln for ln in sc.travel.lanes}
    assert len(lanes) == 2 + 4
    assert lanes["yard_1-point_2"].bidirectional is False
    assert lanes["yard_1-point_2"].time == 5.0
    assert lanes["point_2-shelter_1"].bidirectional is True
    assert lanes["point_2-shelter_1"].time == 2.0
    (bus,) = sc.fleet.classes
    assert (bus.capacity, bus.load_time, bus.unload_time, bus.speed) == (10, 0.0, 0.0, None)
    assert [(s.place, s.count) for s in sc.fleet.stock] == [("yard_1", 2)]
    assert sc.population == 15


def test_converted_scenarios_round_trip() -> None:
    """Every good instance converts to a scenario that dumps and loads back equal."""
    for name in ("tiny", "two_yards", "wrapped", "four_points"):
        sc = from_dict(bep_to_scenario(read_bep(DATA / f"{name}.txt"), name))
        again = evacuate.loads(evacuate.dumps(sc))
        assert again == sc
        assert sc.end >= 1


def test_compiled_travel_times() -> None:
    """Compiled travel times follow the lanes: one way from yards, both ways point-shelter."""
    from evacuate.plan.problem import compile_problem

    sc = from_dict(bep_to_scenario(read_bep(DATA / "two_yards.txt"), "two"))
    pb = compile_problem(sc)
    y2, p3, s2 = pb.pindex["yard_2"], pb.pindex["point_3"], pb.pindex["shelter_2"]
    assert pb.travel[0, y2, p3] == 5.5
    assert pb.travel[0, p3, y2] == float("inf")
    assert pb.travel[0, p3, s2] == pb.travel[0, s2, p3] == 9.0
    assert pb.travel[0, pb.pindex["point_1"], pb.pindex["point_2"]] == float("inf")


def test_import_writes_file(tmp_path: Path) -> None:
    """import_bep writes a loadable scenario file and leaves no temporary file behind."""
    dst = tmp_path / "four.yaml"
    sc = import_bep(DATA / "four_points.txt", dst)
    assert evacuate.load(dst) == sc
    assert sc.id == "four_points"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["four.yaml"]


def test_short_demand_line() -> None:
    """A point line with fewer demands than announced is reported on that line."""
    with pytest.raises(ScenarioError) as exc:
        read_bep(DATA / "broken_short_demands.txt")
    assert _messages(exc) == [(3, "4 point demands announced, 3 given")]
    assert "broken_short_demands.txt:3" in str(exc.value)


def test_totals_and_negative() -> None:
    """Totals that don't match and negative distances are all reported, each on its line."""
    with pytest.raises(ScenarioError) as exc:
        read_bep(DATA / "broken_totals.txt")
    assert _messages(exc) == [
        (2, "buses at the yards sum to 3, but line 1 announces 2 buses"),
        (4, "shelter capacities sum to 20, but the total announced is 25"),
        (5, "found -5; expected a non-negative number: distance from yard 1 to point 2"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "the file is empty"),
        ("2 10 7\n", 1, "found '7' after 'buses capacity'"),
        ("2 10\n1 2\n2 15 10 5 9\n", 3, "2 point demands announced, 3 given"),
        ("2 10\n1 2\n2 15 10 5\n", 3, "the file ends early; expected the shelter line"),
        ("2 ten\n", 1, "found 'ten'; expected an integer: bus capacity"),
        ("2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3\n", 5, "expected 2 distances from yard 1"),
        ("2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3 5\n2 4 6\n", 6, "found point index 2"),
        ("2 10\n1 2\n2 15 10 5\n2 20 12 8\n1 3 5\n1 4 6\n2 2 7\n9\n", 8, "found '9' after"),
        ("2 10\n0\n", 2, "0 yards"),
    ],
)
def test_structure_errors(text: str, line: int, message: str) -> None:
    """Structural problems name the line and what was expected there."""
    with pytest.raises(ScenarioError) as exc:
        parse_bep(text, "x.txt")
    got = _messages(exc)
    assert got[-1][0] == line, got
    assert message in got[-1][1], got


def test_unsolvable_instances_refused() -> None:
    """Too little shelter room, or evacuees without buses, are refused on conversion."""
    tight = BepInstance(10, (1,), (10,), (5,), ((1.0,),), ((1.0,),), "t")
    with pytest.raises(ScenarioError, match="shelters hold 5 but 10 people wait"):
        bep_to_scenario(tight, "t")
    busless = BepInstance(10, (0,), (10,), (20,), ((1.0,),), ((1.0,),), "b")
    with pytest.raises(ScenarioError, match="no buses"):
        bep_to_scenario(busless, "b")


def test_format_reads_back() -> None:
    """``format_bep`` writes what ``parse_bep`` reads back as the same instance."""
    for name in ("tiny", "two_yards", "wrapped", "four_points"):
        inst = read_bep(DATA / f"{name}.txt")
        again = parse_bep(format_bep(inst), inst.source)
        assert again == inst


# An instance where a bus could carry an evacuee out of a shelter on its way back to a point
# and relay them from there (8 minutes, found by the time-expanded MIP); the BEP (and the
# study's CPLEX model) drops evacuees at a shelter for good, and then 9 is the optimum.
RELAY = BepInstance(
    bus_capacity=1,
    yard_buses=(2, 2),
    demand=(1, 3, 4),
    shelter_capacity=(5, 4, 1),
    yard_point=((1.0, 3.0, 2.0), (4.0, 1.0, 6.0)),
    point_shelter=((4.0, 1.0, 1.0), (6.0, 6.0, 1.0), (2.0, 3.0, 4.0)),
    source="relay",
)
# the relay schedule: group, buses, from, depart, to, arrive, people
RELAY_LEGS = [
    ("g1", 1, "yard_2", 0, "point_2", 1, 0),
    ("g1", 1, "point_2", 1, "shelter_1", 7, 1),
    ("g2", 2, "yard_1", 0, "point_3", 2, 0),
    ("g2", 2, "point_3", 2, "shelter_1", 4, 2),
    ("g2", 2, "shelter_1", 4, "point_3", 6, 0),
    ("g2", 2, "point_3", 6, "shelter_1", 8, 2),
    ("g3", 1, "yard_2", 0, "point_2", 1, 0),
    ("g3", 1, "point_2", 1, "shelter_3", 2, 1),
    ("g3", 1, "shelter_3", 2, "point_2", 3, 0),
    ("g3", 1, "point_2", 3, "shelter_3", 4, 1),
    ("g3", 1, "shelter_3", 4, "point_1", 5, 1),  # the relay: out of a shelter
    ("g3", 1, "point_1", 5, "shelter_2", 6, 1),
    ("g3", 1, "shelter_2", 6, "point_1", 7, 0),
    ("g3", 1, "point_1", 7, "shelter_2", 8, 1),
]


def test_no_evacuee_leaves_a_shelter() -> None:
    """A schedule that relays an evacuee out of a shelter is refused (``open_from``); the
    min-makespan plan is the BEP optimum, proven by its lower bound."""
    from evacuate.check import check
    from evacuate.plan.api import plan
    from evacuate.planio import Plan, Trip

    sc = from_dict(bep_to_scenario(RELAY, "relay"))
    trips = tuple(Trip(g, "bus", n, a, t, b, u, q) for g, n, a, t, b, u, q in RELAY_LEGS)
    report = check(sc, Plan(sc.id, trips=trips, time_unit=sc.time_unit))
    assert not report.feasible
    # the shelter is sealed (open_from), and the pickup point it is dropped at has no capacity
    assert {v.rule for v in report.violations} == {"open_from", "no_capacity"}
    result = plan(sc, objective=OBJECTIVE, time_limit=60, work=20_000)
    assert result.makespan == 9.0
    assert result.makespan_lower_bound is not None
    assert result.makespan_lower_bound > 8.0


def test_a_relay_through_a_pickup_place_is_refused() -> None:
    """Without the BEP's sealed shelters, the relay drops an evacuee at a pickup point (no
    capacity) for the same bus to take on later. A place without capacity holds no evacuees
    (docs/model.md), so the checker refuses that drop (``no_capacity``) and only that; the
    bound, which has loaded trips only into places with capacity, holds above the plan."""
    from evacuate.check import check
    from evacuate.plan.api import plan
    from evacuate.planio import Plan, Trip

    data = bep_to_scenario(RELAY, "relay")
    for place in data["places"]:
        place.pop("open_from", None)
    data["scenario"]["end"] = 8
    sc = from_dict(data)
    trips = tuple(Trip(g, "bus", n, a, t, b, u, q) for g, n, a, t, b, u, q in RELAY_LEGS)
    report = check(sc, Plan(sc.id, trips=trips, time_unit=sc.time_unit))
    relay = RELAY_LEGS.index(("g3", 1, "shelter_3", 4, "point_1", 5, 1))
    assert [(v.rule, v.trip_index) for v in report.violations] == [("no_capacity", relay)]
    result = plan(sc, time_limit=30, work=20_000)
    assert check(sc, result.plan).feasible
    assert result.rescued <= result.bound


def test_generated_instances_follow_the_published_shape() -> None:
    """``bench.bep_generate``: set P has P points and shelters and P // 2 + 1 buses, values
    in the published ranges, room for everyone; the same seed gives the same file; another
    fleet is spread evenly over the yards."""
    from bench.bep_generate import random_bep, with_fleet

    inst = random_bep(3, 10, yards=2)
    assert (len(inst.demand), len(inst.shelter_capacity), inst.buses) == (10, 10, 6)
    assert inst.yard_buses == (3, 3)
    assert all(1 <= d <= 5 for d in inst.demand)
    assert all(1 <= c <= 10 for c in inst.shelter_capacity)
    assert all(1 <= t <= 10 for row in inst.point_shelter for t in row)
    assert inst.total_capacity >= inst.total_demand
    assert format_bep(random_bep(3, 10, yards=2)) == format_bep(inst)
    assert format_bep(random_bep(4, 10, yards=2)) != format_bep(inst)
    assert with_fleet(inst, 7).yard_buses == (4, 3)
    from_dict(bep_to_scenario(parse_bep(format_bep(inst)), "generated"))
