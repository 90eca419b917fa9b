"""Replans carry vehicle wear: the state of an operation writes each vehicle's sorties and duty
as a stock ``record``, the planner and the checker count them, and a replan after a surprise
asks for nothing the worn vehicles cannot fly."""

from __future__ import annotations

from typing import Any

import evacuate
from evacuate.check import check
from evacuate.plan.api import plan
from evacuate.planio import Plan, Trip
from evacuate.scenario import from_dict
from evacuate.simulation import simulate, state_scenario
from evacuate.simulation.api import run_to
from evacuate.simulation.log import LogEvent

SAFETY = 300.0
"""A safety stop far beyond these tiny plans' work budgets."""


def _ferries(**bus: Any) -> dict[str, Any]:
    """300 people, 2 buses of 50 at the haven, 1 h each way; each bus has 2 sorties (or
    ``bus``'s limits). A surprise closes the road from 2.5 to 3.5, after both buses have made
    a loaded trip: the operation replans then."""
    return {
        "scenario": {"id": "ferries", "end": 24},
        "places": [{"id": "town", "population": 300}, {"id": "haven", "capacity": 1000}],
        "travel": {"routes": "lanes",
                   "lanes": [{"id": "road", "from": "town", "to": "haven", "time": 1}]},
        "fleet": {"classes": [{"id": "bus", "capacity": 50, **({"max_sorties": 2} | bus)}],
                  "stock": [{"class": "bus", "place": "haven", "count": 2}]},
        "events": [{"id": "crash", "at": 2.5, "mode": "surprise",
                    "effects": [{"type": "close_lane", "lane": "road", "until": 3.5}]}],
    }  # fmt: skip


def _flown(events: tuple[LogEvent, ...]) -> Plan:
    """The trips the simulated vehicles made, from the log (each depart with its arrival)."""
    open_: dict[str, LogEvent] = {}
    trips = []
    for e in events:
        if e.kind == "depart" and e.vehicles:
            open_[e.group] = e
        elif e.kind == "arrive" and e.group in open_:
            d = open_.pop(e.group)
            trips.append(
                Trip(
                    e.group, d.vehicle_class, d.vehicles, d.place, d.time, e.place, e.time, d.people
                )
            )
    return Plan("ferries", trips=tuple(trips))


def test_the_state_writes_each_vehicles_sorties_and_the_replan_counts_them() -> None:
    """At 2.5 both buses have flown one loaded trip (and are on their way back): the state's
    stock says so; planned from it, each bus makes one more loaded trip, not two, and the
    checker (which counts the records) accepts that plan and refuses a second sortie. The
    bound reads the records too: 100, so the replan is proven optimal (200 when the bound
    took the buses as fresh)."""
    s = from_dict(_ferries())
    first = plan(s, time_limit=SAFETY)
    assert first.rescued == 200  # 2 buses x 2 sorties x 50
    state = state_scenario(run_to(s, list(first.plan.trips), 2.5))
    records = [(st.count, st.record.sorties) for st in state.fleet.stock if st.record is not None]
    assert sum(n for n, _ in records) == 2 and all(k == 1 for _, k in records)
    again = plan(state, time_limit=SAFETY)
    assert again.rescued == again.bound == 100
    report = check(state, again.plan)
    assert report.feasible, report.summary()
    fresh_plan = plan(from_dict(_fresh(state)), time_limit=SAFETY)
    assert fresh_plan.rescued == 200  # what a replan blind to the records would promise
    over = check(state, fresh_plan.plan)
    assert {v.rule for v in over.violations} == {"sorties"}


def _fresh(state: evacuate.Scenario) -> dict[str, Any]:
    data = state.to_data()
    for st in data["fleet"]["stock"]:
        st.pop("record", None)
    return data


def test_a_replan_after_a_surprise_flies_within_sorties_and_rest() -> None:
    """Buses with 3 sorties and a 4 h duty then 2 h of rest: the surprise forces a replan
    after they have flown; the replanned operation cancels nothing for wear, and the whole
    flown history (first plan, then replan) keeps both rules."""
    s = from_dict(_ferries(max_sorties=3, rest={"after": 4, "for": 2}))
    sim = simulate(s, policy="replan", time_limit=SAFETY)
    assert sim.replans and sim.replans[0].adopted in ("new", "old")
    cancelled = [e for e in sim.events if e.kind == "cancelled"]
    assert cancelled == [], cancelled
    report = check(s, _flown(sim.events))
    wear = [v for v in report.violations if v.rule in ("sorties", "rest")]
    assert wear == [], wear
    assert sim.rescued == sim.replans[0].rescued_so_far + sim.replans[0].planned_more
