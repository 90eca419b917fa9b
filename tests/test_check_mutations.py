"""Certified bad plans: the checker must never accept a plan that cannot be flown as written.

A valid plan (the planner's, on a scenario drawn by ``tests/strategies.py`` or a fixed one) has
one thing changed: a time moved earlier or later, a trip's people or vehicles one more or one
fewer, its class, origin or destination swapped, a trip dropped or duplicated, two trips of a
group swapped in time, a group renamed (to a new name or another group's), a value made NaN,
an infinity, -0 or 1e308, or the rows reordered; or a walk moved, set out earlier or later,
with one walker more or fewer, dropped, duplicated or reversed; sometimes two or three such
changes. Then either the checker refuses the plan, or the simulator, following it undisturbed
(surprises revealed, no noise), flies it as written: no trip cancelled, no one turned away,
and the checker's rescued count. The simulator is the independent judge: it moves vehicles
through the model's rules event by event and shares no code with the checker
(docs/simulation.md). Rows reordered must change nothing at all.

The claimed ``rescued`` and ``bound`` are dropped from the mutated plan's header (a claim the
checker verifies exactly would refuse every change of people on its own).
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

import evacuate
from evacuate.check import CheckReport, check
from evacuate.plan.api import plan, reveal_surprises
from evacuate.planio import Plan, Trip, read_plan
from evacuate.scenario.model import Perturbations
from evacuate.scenario.scenario import Scenario
from evacuate.simulation import simulate
from tests.plan.tiny import tiny_scenarios
from tests.strategies import scenarios

HOSTILE = [math.nan, math.inf, -math.inf, -0.0, 1e308, -1e308, 5e-324]
"""Values put in a trip's time (and, rounded, where they fit, in its counts)."""

FIELDS = ("group", "vehicle_class", "count", "origin", "depart", "destination", "arrive", "people")


def _mutate(s: Scenario, p: Plan, draw: st.DataObject) -> tuple[str, Plan]:
    """One change of ``p`` (a label for the notes, the changed plan without its claims)."""
    trips = list(p.trips)
    n = len(trips)
    i = draw.draw(st.integers(0, n - 1), label="trip")
    t = trips[i]
    kind = draw.draw(
        st.sampled_from(
            [
                "shift",
                "shift_depart",
                "shift_arrive",
                "people",
                "count",
                "class",
                "origin",
                "destination",
                "drop",
                "duplicate",
                "swap_order",
                "rename",
                "merge_groups",
                "hostile",
                "reorder",
            ]
        ),
        label="mutation",
    )
    groups = sorted({x.group for x in trips})
    classes = [c.id for c in s.fleet.classes]
    places = [x.id for x in s.places]
    delta = draw.draw(st.sampled_from([2e-6, 1e-5, 1e-3, 0.1, 0.5, 1.0, 3.0, 24.0]), label="by")
    sign = draw.draw(st.sampled_from([-1.0, 1.0]), label="sign")
    new: Trip | None = t
    if kind == "shift":
        new = replace(t, depart=t.depart + sign * delta, arrive=t.arrive + sign * delta)
    elif kind == "shift_depart":
        new = replace(t, depart=t.depart + sign * delta)
    elif kind == "shift_arrive":
        new = replace(t, arrive=t.arrive + sign * delta)
    elif kind == "people":
        new = replace(t, people=max(0, t.people + int(sign)))
    elif kind == "count":
        new = replace(t, count=max(1, t.count + int(sign)))
    elif kind == "class":
        new = replace(t, vehicle_class=draw.draw(st.sampled_from(classes), label="class"))
    elif kind == "origin":
        new = replace(t, origin=draw.draw(st.sampled_from(places), label="origin"))
    elif kind == "destination":
        new = replace(t, destination=draw.draw(st.sampled_from(places), label="destination"))
    elif kind == "drop":
        new = None
    elif kind == "duplicate":
        trips.insert(i, t)
    elif kind == "swap_order":
        mates = [k for k, x in enumerate(trips) if x.group == t.group and k != i]
        if mates:
            k = draw.draw(st.sampled_from(mates), label="other")
            o = trips[k]
            trips[k] = replace(o, depart=t.depart, arrive=t.arrive)
            new = replace(t, depart=o.depart, arrive=o.arrive)
    elif kind == "rename":
        new = replace(t, group=t.group + "_renamed")
    elif kind == "merge_groups":
        new = replace(t, group=draw.draw(st.sampled_from(groups), label="into"))
    elif kind == "hostile":
        value = draw.draw(st.sampled_from(HOSTILE), label="value")
        field = draw.draw(st.sampled_from(["depart", "arrive", "count", "people"]), label="f")
        if field in ("depart", "arrive"):
            new = replace(t, **{field: value})
        elif math.isfinite(value):
            new = replace(t, **{field: int(value)})
    elif kind == "reorder":
        order = draw.draw(st.permutations(range(n)), label="order")
        trips = [trips[k] for k in order]
        i = -1
    if i >= 0:
        if new is None:
            del trips[i]
        else:
            trips[i] = new
    label = f"{kind} of trip {i}: {t} -> {new}"
    return label, replace(p, trips=tuple(trips), rescued=None, bound=None)


def _mutate_walk(p: Plan, draw: st.DataObject) -> tuple[str, Plan]:
    """One change of a walk of ``p``: moved, set out earlier or later, one more or one fewer
    walker, dropped, duplicated, or walked the other way."""
    walks = list(p.walks)
    i = draw.draw(st.integers(0, len(walks) - 1), label="walk")
    w = walks[i]
    kind = draw.draw(
        st.sampled_from(["shift", "shift_depart", "people", "drop", "duplicate", "reverse"]),
        label="walk change",
    )
    by = draw.draw(st.sampled_from([2e-6, 0.1, 1.0, 5.0]), label="by") * draw.draw(
        st.sampled_from([-1.0, 1.0]), label="sign"
    )
    if kind == "shift":
        walks[i] = replace(w, depart=w.depart + by, arrive=w.arrive + by)
    elif kind == "shift_depart":
        walks[i] = replace(w, depart=w.depart + by)
    elif kind == "people":
        walks[i] = replace(w, people=max(1, w.people + int(by > 0) * 2 - 1))
    elif kind == "drop":
        del walks[i]
    elif kind == "duplicate":
        walks.insert(i, w)
    else:
        walks[i] = replace(w, origin=w.destination, destination=w.origin)
    return f"walk {kind} of walk {i}: {w} -> {walks[i] if i < len(walks) else None}", replace(
        p, walks=tuple(walks), rescued=None, bound=None
    )


def _flown_as_checked(s: Scenario, p: Plan, report: CheckReport) -> None:
    """The checker accepted ``p``: the undisturbed simulation must fly it to its count."""
    sim = simulate(s, p, policy="follow", perturbations=Perturbations())
    trouble = [e for e in sim.events if e.kind in ("cancelled", "turned_away")]
    assert not trouble, f"the checker accepted a plan the simulator cannot fly: {trouble[:3]}"
    assert sim.rescued == round(report.rescued), (sim.rescued, report.rescued)
    # not compared: vehicles lost. Vehicles of a withdrawn operator waiting at a place its
    # deadline strikes are lost for the checker, "withdrawn" (not lost) for the simulator,
    # on unchanged planner plans too (a difference of accounting, not of feasibility)


def _judge(s: Scenario, base: Plan, draw: st.DataObject) -> None:
    assume(base.trips)
    if base.walks and draw.draw(st.booleans(), label="a walk"):
        label, mutated = _mutate_walk(base, draw)
    else:
        label, mutated = _mutate(s, base, draw)
    note(label)
    for _ in range(draw.draw(st.integers(0, 2), label="more changes")):
        if not mutated.trips or label.startswith("reorder"):
            break
        more, mutated = _mutate(s, mutated, draw)
        note(f"then {more}")
        label = label if label.startswith("several") else "several " + label
    report = check(s, mutated)
    kind = " ".join(label.split()[:2]) if label.startswith("several") else label.split()[0]
    event(f"{kind}: {'accepted' if report.feasible else 'refused'}")
    if label.startswith("reorder"):  # alone: nothing else changed
        again = check(s, replace(base, rescued=None, bound=None))
        assert report.feasible == again.feasible
        assert report.rescued == again.rescued
        assert report.violation_counts == again.violation_counts
    if report.feasible:
        _flown_as_checked(s, mutated, report)


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(scenarios(), st.data())
def test_a_mutated_plan_is_refused_or_flies_as_the_checker_counts(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """Property (drawn scenarios, every feature): the planner's plan, one field changed; the
    checker refuses it or the simulator flies it to the checker's count."""
    note(f"scenario data: {data!r}")
    s = reveal_surprises(evacuate.scenario.from_dict(data))
    _judge(s, plan(s, time_limit=1).plan, draw)


@SETTINGS
@given(tiny_scenarios(max_vehicles=4, max_end=10), st.data())
def test_a_mutated_tiny_plan_is_refused_or_flies_as_the_checker_counts(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """The same on tiny scenarios (whole times, windows, rates, berths, stands, closures):
    nearly every one has trips to change, where most drawn scenarios above have none."""
    note(f"scenario data: {data!r}")
    s = reveal_surprises(evacuate.scenario.from_dict(data))
    _judge(s, plan(s, time_limit=1).plan, draw)


DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "kitchen_sink": (
        DATA / "hostile" / "kitchen_sink.yaml",
        DATA / "hostile" / "kitchen_sink_plan.csv",
    ),
    "walk_only": (DATA / "walkways" / "walk_only.yaml", DATA / "hostile" / "walk_only_plan.csv"),
    "hurricane_bus": (ROOT / "examples" / "hurricane_bus.yaml", None),
    "airlift": (ROOT / "examples" / "airlift.yaml", None),
    "embassy_helicopters": (ROOT / "examples" / "embassy_helicopters.yaml", None),
}
"""Scenario files and their plans (None: the planner's, made once per test session)."""


@cache
def _file_case(name: str) -> tuple[Scenario, Plan]:
    scenario, plan_file = FILES[name]
    s = reveal_surprises(evacuate.load(scenario))
    if plan_file is not None:
        return s, read_plan(plan_file)
    return s, plan(s, time_limit=30).plan


@SETTINGS
@given(st.sampled_from(sorted(FILES)), st.data())
def test_a_mutated_plan_of_a_file_is_refused_or_flies_as_the_checker_counts(
    name: str, draw: st.DataObject
) -> None:
    """The same on plans of tens to hundreds of trips (the kitchen sink's every rule, walks,
    the examples). Found on embassy_helicopters (seed 4503): a group leaving when it draws
    crashed the checker (tests/test_check_wear.py)."""
    s, base = _file_case(name)
    _judge(s, base, draw)
