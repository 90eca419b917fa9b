from __future__ import annotations

import pytest

import evacuate

TINY = """\
scenario:
  id: tiny_sweep
  end: 30h
hazard:
  origin: [0, 0]
  speed: 5 km/h
  max_radius: 20 km
places:
  - {id: town, position: [5, 0], population: 400}
  - {id: village, position: [0, 8], population: 150}
  - {id: shelter, position: [40, 0], capacity: 1000}
  - {id: depot, position: [40, 10]}
fleet:
  classes:
    - {id: bus, capacity: 50, speed: 60 km/h, load_time: 20min, unload_time: 10min}
  stock:
    - {id: buses, class: bus, place: depot, count: 3}
events:
  - id: bridge_out
    at: 1h
    mode: surprise
    effects: [{type: destroy_vehicles, place: depot, count: 1}]
variants:
  more_buses:
    stock: {buses: 5}
uncertainties:
  - {id: speed, path: hazard.speed, distribution: triangular, low: 2, mode: 5, high: 9}
  - {id: people, path: 'places[town].population', distribution: uniform, low: 200, high: 600}
  - {id: spread, path: perturbations.travel_cv, distribution: uniform, low: 0, high: 0.3}
  - {event: bridge_out, probability: 0.5}
"""


@pytest.fixture(scope="session")
def tiny() -> evacuate.Scenario:
    """A small scenario with uncertainties whose planner never hits its time limit."""
    return evacuate.loads(TINY)
