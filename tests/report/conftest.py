"""Fixtures for the report tests: SimResults from hand-written logs, and simulated runs."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import pytest

import evacuate
from evacuate.report import ReportRun
from evacuate.runs import simulate_runs
from evacuate.scenario.scenario import Scenario
from evacuate.simulation.log import LogEvent
from evacuate.simulation.result import SimResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if not p.stem.startswith("broken"))
SCENARIOS = [None, *EXAMPLES]
"""Every scenario a report must build for: the embedded Romulan one (None), then examples/."""

TINY = """\
scenario: {id: tiny, name: Tiny town, end: 24, time_unit: hour, start_date: 2030-06-01}
hazard: {origin: [0, 0], speed: 1, max_radius: 15}
places:
  - {id: town, name: Town, position: [5, 0], population: 100, deadline: 10}
  - {id: staging, name: Staging, position: [20, 0], capacity: 20, deadline: 20}
  - {id: shelter, name: Shelter, position: [40, 0], capacity: 1000}
  - {id: depot, position: [40, 10]}
fleet:
  classes:
    - {id: bus, capacity: 50, speed: 20}
  stock:
    - {id: buses, class: bus, place: depot, count: 3}
events:
  - id: storm
    name: The storm turns
    at: 4
    mode: surprise
    effects: [{type: close_place, place: depot}]
"""


def E(t: float, kind: str, place: str = "", **kw: object) -> LogEvent:
    return LogEvent(t, kind, place, **kw)  # type: ignore[arg-type]


TINY_LOG = (
    E(0, "appear", "town", people=100),
    E(0, "enter", "depot", vehicle_class="bus", vehicles=3, detail="buses"),
    E(1, "depart", "depot", other="town", group="g1", vehicle_class="bus", vehicles=2),
    E(2, "depart", "depot", other="town", group="g2", vehicle_class="bus", vehicles=1),
    E(2, "arrive", "town", other="depot", group="g1", vehicle_class="bus", vehicles=2),
    E(3, "depart", "town", other="shelter", group="g1", vehicle_class="bus", vehicles=2, people=60),
    E(3, "arrive", "town", other="depot", group="g2", vehicle_class="bus", vehicles=1),
    E(4, "event", detail="storm"),
    E(4, "depart", "town", other="staging", group="g2", vehicle_class="bus", vehicles=1, people=30),
    E(5, "arrive", "shelter", other="town", group="g1", vehicle_class="bus", vehicles=2, people=60),
    E(6, "turned_away", "staging", group="g2", people=10, detail="no room"),
    E(6, "arrive", "staging", other="town", group="g2", vehicle_class="bus", vehicles=1, people=20),
    E(
        7,
        "depart",
        "staging",
        other="shelter",
        group="g2",
        vehicle_class="bus",
        vehicles=1,
        people=30,
    ),
    E(8, "depart", "shelter", other="town", group="g1", vehicle_class="bus", vehicles=2),
    E(
        9,
        "arrive",
        "shelter",
        other="staging",
        group="g2",
        vehicle_class="bus",
        vehicles=1,
        people=30,
    ),
    E(10, "lost_people", "town", people=10, detail="hazard"),
    E(
        12,
        "lost_vehicles",
        "town",
        group="g1",
        vehicle_class="bus",
        vehicles=2,
        detail="arrived after the deadline",
    ),
)


def make_result(
    scenario: Scenario,
    events: Sequence[LogEvent],
    *,
    rescued: int,
    lost_by_place: dict[str, int] | None = None,
    waiting_at_end: int = 0,
    vehicles_lost: int = 0,
    policy: str = "replan",
) -> SimResult:
    """A SimResult around a hand-written log (the figures the log implies, given by the test)."""
    lost = dict(lost_by_place or {})
    return SimResult(
        scenario=scenario,
        policy=policy,
        seed=0,
        population=scenario.population,
        rescued=rescued,
        lost_people=sum(lost.values()),
        lost_by_place=lost,
        waiting_at_end=waiting_at_end,
        on_board_at_end=0,
        vehicles_entered=sum(e.vehicles for e in events if e.kind == "enter"),
        vehicles_lost=vehicles_lost,
        vehicles_broken=0,
        vehicles_withdrawn=0,
        last_rescue=max((e.time for e in events if e.kind == "arrive" and e.people), default=None),
        trips=sum(1 for e in events if e.kind == "depart"),
        planned_rescued=float(rescued),
        planned_bound=float(rescued),
        replans=(),
        events=tuple(events),
        seconds=0.0,
        plan_seconds=0.0,
    )


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return evacuate.loads(TINY)


@pytest.fixture(scope="session")
def tiny_result(tiny: Scenario) -> SimResult:
    return make_result(tiny, TINY_LOG, rescued=90, lost_by_place={"town": 10}, vehicles_lost=2)


_RUNS: dict[str, list[ReportRun]] = {}


def simulated(path: Path | None, time_limit: float = 1.0) -> list[ReportRun]:
    """Every variant of the scenario, simulated once per test process (planner: short)."""
    key = str(path)
    if key not in _RUNS:
        _RUNS[key] = list(simulate_runs(evacuate.load(path), time_limit=time_limit).runs)
    return _RUNS[key]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file; raises AssertionError if it is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
