"""Scenarios at the documented limits (issue 9, classes 15 and 17): the biggest counts and the
farthest positions plan, check and simulate without a numpy RuntimeWarning (pytest turns any
warning into an error); physically absurd values are refused at validation with the limit in
the message; a broken id is never offered back as a valid choice."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate
from evacuate.check import check
from evacuate.errors import EvacuateError
from evacuate.plan.api import plan
from evacuate.scenario import limits
from evacuate.simulation import simulate

AT_THE_LIMITS = f"""
scenario: {{id: huge, end: 48h}}
hazard: {{origin: [0, 0], speed: 5 km/h}}
places:
  - {{id: town, position: [{10**12}, 0], population: {limits.MAX_PEOPLE}}}
  - {{id: town2, position: [-{10**12 - 1}, {10**12 - 1}], population: {10**9}}}
  - {{id: shelter, position: [{10**12}, {10**12}], capacity: {limits.MAX_PEOPLE}}}
  - {{id: depot, position: [{10**12 - 1}, {10**12}]}}
fleet:
  classes:
    - {{id: bus, capacity: {limits.MAX_CAPACITY}, speed: 1e20 m/s, load_time: 1e-6h}}
  stock:
    - {{id: buses, class: bus, place: depot, count: {limits.MAX_VEHICLES}}}
"""


def test_a_scenario_at_the_limits_plans_checks_and_simulates_without_warnings() -> None:
    """10^12 people, 10^9 vehicles of 10^9 seats, positions 10^12 km away, the fastest speed:
    no RuntimeWarning (overflow, invalid value) anywhere, and the planner's plan passes the
    independent checker (it failed by 0.49999999999999994 vs 0.5 at a speed of 1e308)."""
    s = evacuate.loads(AT_THE_LIMITS)
    result = plan(s, time_limit=5)
    assert 0 < result.rescued <= limits.MAX_PEOPLE
    report = check(s, result.plan)
    assert report.feasible, report.summary()
    sim = simulate(s, result.plan, time_limit=5)
    assert sim.rescued == result.rescued


@pytest.mark.parametrize(
    ("speed", "found"),
    [("1e308", "2.78e+307 m/s"), ("1e-320", "2.78e-321 m/s"), ("1e21 m/s", "1e+21 m/s")],
)
def test_absurd_speeds_are_refused_with_the_limit(speed: str, found: str) -> None:
    """A vehicle speed of 1e308 (or 1e-320) is refused at validation; the message gives the
    limits and the speed in m/s (not 'inf', an overflow of the conversion)."""
    text = AT_THE_LIMITS.replace("speed: 1e20 m/s", f"speed: {speed}")
    with pytest.raises(evacuate.ScenarioError) as info:
        evacuate.loads(text)
    message = str(info.value)
    assert "fleet.classes[0].speed" in message
    assert "expected a speed from 1e-09 to 1e+20 m/s" in message
    assert f"found {found}" in message


def test_a_broken_id_is_never_offered_as_a_choice() -> None:
    """places[0] has the invalid id 'bad id!': a stock at 'bad id' is not told 'did you mean
    'bad id!'?', and the list of valid places leaves it out."""
    text = AT_THE_LIMITS.replace("id: town,", "id: 'bad id!',").replace(
        "place: depot", "place: 'bad id'"
    )
    with pytest.raises(evacuate.ScenarioError) as info:
        evacuate.loads(text)
    issues = [i for i in info.value.issues if i.path == "fleet.stock[0].place"]
    assert any(
        "expected one of the ids in places: depot, shelter, town2" in i.message for i in issues
    )
    assert not any("bad id!" in i.message for i in issues)


@pytest.mark.parametrize("reader", ["bep", "plan", "results"])
def test_endless_files_are_refused_after_the_limit(tmp_path: Path, reader: str) -> None:
    """/dev/zero as a BEP instance, a plan or report results: refused once past the limit
    (import bep once read it without end, 14 GB in a minute)."""
    from evacuate.bep import read_bep
    from evacuate.planio import read_plan
    from evacuate.report.results import ReportResults

    link = tmp_path / {"bep": "zero.txt", "plan": "zero.csv", "results": "zero.json"}[reader]
    link.symlink_to("/dev/zero")
    read = {"bep": read_bep, "plan": read_plan, "results": ReportResults.load}[reader]
    with pytest.raises(EvacuateError, match="the file is larger than"):
        read(link)
