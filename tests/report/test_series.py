"""Time series from the event log: rescued, people per place, fleet states, routes, marks."""

from __future__ import annotations

import pytest

from evacuate.report import series
from evacuate.report.page import apportion
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.result import SimResult
from tests.report.conftest import TINY_LOG, E, make_result


def test_rescued_curve_steps_at_arrivals_in_havens(tiny_result: SimResult) -> None:
    """Rescued rises when people reach a haven, not when they reach a staging place."""
    rescued = series.people_flow(tiny_result).rescued
    assert rescued.at(4.9) == 0
    assert rescued.at(5) == 60
    assert rescued.at(6.5) == 60  # 20 delivered to the staging place are not rescued
    assert rescued.at(9) == 90
    assert rescued.final == tiny_result.rescued
    assert rescued.times[-1] == tiny_result.scenario.end  # drawn to the horizon


def test_people_per_place_follow_the_log(tiny_result: SimResult) -> None:
    """appear + arrive - depart - lost; people turned away at a full place stay there."""
    present = series.people_flow(tiny_result).present
    town, staging = present["town"], present["staging"]
    assert [town.at(t) for t in (0, 3, 4, 9.9, 10)] == [100, 40, 10, 10, 0]
    assert staging.at(5.9) == 0
    assert staging.at(6) == 30  # 20 unloaded + 10 turned away
    assert staging.at(7) == 0
    assert "shelter" not in present  # a haven's people are rescued, not waiting


def test_place_stats_sum_to_the_result(tiny_result: SimResult) -> None:
    """Per-place totals: rescued by origin, lost, received at havens, last pickup."""
    rows = {r.place: r for r in series.people_flow(tiny_result).places}
    assert rows["town"].population == 100
    assert rows["town"].picked_up == 90
    assert rows["town"].rescued == pytest.approx(90)  # through the staging place too
    assert rows["town"].lost == 10
    assert rows["town"].last_pickup == 4
    assert rows["town"].deadline == 10
    assert rows["staging"].rescued == 0
    assert rows["shelter"].received == 90
    assert rows["shelter"].haven and not rows["staging"].haven
    assert sum(r.rescued for r in rows.values()) == pytest.approx(tiny_result.rescued)
    assert sum(r.lost for r in rows.values()) == tiny_result.lost_people
    assert sum(r.received for r in rows.values() if r.haven) == tiny_result.rescued


def test_people_lost_on_board_are_not_taken_from_the_place(tiny: Scenario) -> None:
    """A group that reaches a place after its deadline loses its passengers, not the place's."""
    log = (
        E(0, "appear", "town", people=100),
        E(0, "enter", "town", vehicle_class="bus", vehicles=1),
        E(
            1,
            "depart",
            "town",
            other="staging",
            group="g",
            vehicle_class="bus",
            vehicles=1,
            people=50,
        ),
        E(21, "lost_people", "staging", group="g", people=50, detail="arrived after the deadline"),
        E(21, "lost_vehicles", "staging", group="g", vehicle_class="bus", vehicles=1),
    )
    result = make_result(tiny, log, rescued=0, lost_by_place={"staging": 50}, vehicles_lost=1)
    flow = series.people_flow(result)
    assert flow.present["town"].final == 50
    assert flow.lost.final == 50
    fleet = series.fleet_series(result)[""]
    assert fleet.in_trip.at(20) == 1
    assert fleet.in_trip.at(21) == 0
    assert fleet.lost.final == 1
    assert fleet.idle.final == 0


def test_fleet_states(tiny_result: SimResult) -> None:
    """Entered, in trips, idle and lost over time, per class and in all."""
    fleet = series.fleet_series(tiny_result)
    assert set(fleet) == {"", "bus"}
    fs = fleet[""]
    assert fs.entered.final == 3
    assert [fs.in_trip.at(t) for t in (0, 1, 2, 3, 5, 7, 8, 9, 12)] == [0, 2, 1, 2, 1, 1, 3, 2, 0]
    assert [fs.idle.at(t) for t in (0, 1, 2, 5, 9, 12)] == [3, 1, 2, 2, 1, 1]
    assert fs.lost.final == 2
    assert fs.retired.final == 0
    assert fs.in_service.at(13) == 1


def test_utilization(tiny_result: SimResult) -> None:
    """Vehicle-time in trips over vehicle-time in service (hand-computed: 19 / 48)."""
    u = series.utilization(tiny_result)
    assert u[""] == pytest.approx(19 / 48)
    assert u["bus"] == pytest.approx(19 / 48)


def test_route_flows() -> None:
    """People and loaded trips per (origin, destination); empty moves are not routes."""
    flows = series.route_flows(TINY_LOG)
    assert flows == {
        ("town", "shelter"): (60, 1),
        ("town", "staging"): (30, 1),
        ("staging", "shelter"): (30, 1),
    }


def test_marks(tiny_result: SimResult, tiny: Scenario) -> None:
    """Events fired (named from the scenario) and deadlines of places with people."""
    events = series.event_marks([tiny_result, tiny_result])
    assert [(m.time, m.label, m.kind) for m in events] == [(4, "The storm turns", "event")]
    deadlines = series.deadline_marks(tiny)
    assert [(m.time, m.label) for m in deadlines] == [(10, "Town")]


def test_step_sampling_keeps_the_ends() -> None:
    """A thinned series keeps its first and last change, so the final value is exact."""
    st = series.Step(tuple(float(t) for t in range(1000)), tuple(float(t) for t in range(1000)))
    thin = st.sampled(50, 1000)
    assert len(thin.times) <= 52
    assert thin.final == 999 and thin.times[0] == 0
    assert st.integral(0, 10) == pytest.approx(sum(range(10)))


@pytest.mark.parametrize(
    ("values", "total"), [([0.4, 0.4, 0.2], 1), ([1.5, 2.5, 3.0], 7), ([], 0), ([2.0], 2)]
)
def test_apportion_keeps_the_total(values: list[float], total: int) -> None:
    """Whole numbers that add up to the total, each within one of its share."""
    out = apportion(values, total)
    assert sum(out) == total
    assert all(abs(a - v) < 1 for a, v in zip(out, values, strict=True))
