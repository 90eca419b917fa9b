"""Smoke tests of the seeded instance generator (bench/generate.py), small sizes only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import evacuate
from evacuate.scenario.load import from_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed

from bench.generate import LADDER, generate, ladder


def test_same_seed_same_data() -> None:
    """The same seed and knobs give identical data; another seed gives other data."""
    a = generate(7, places=5, vehicles=40, steps=30, classes=3)
    b = generate(7, places=5, vehicles=40, steps=30, classes=3)
    c = generate(8, places=5, vehicles=40, steps=30, classes=3)
    assert a == b
    assert a != c


@pytest.mark.parametrize("extras", [False, True])
def test_loads_without_errors(extras: bool) -> None:
    """Generated data validates and survives a dump/load round trip."""
    for seed in range(5):
        data = generate(seed, places=4 + seed, vehicles=10 + 7 * seed, steps=24, extras=extras)
        sc = from_dict(data)
        assert evacuate.loads(evacuate.dumps(sc)) == sc
        assert not [w for w in sc.warnings if w.severity == "error"]


def test_size_knobs() -> None:
    """Places, havens, classes, vehicles and steps come out as asked."""
    sc = from_dict(generate(3, places=6, vehicles=50, steps=40, classes=2, havens=4))
    threatened = [p for p in sc.places if p.population or p.arrivals]
    assert len(threatened) == 6
    assert len(sc.havens) == 4
    assert len(sc.fleet.classes) == 2
    stock = sum(s.count for s in sc.fleet.stock)
    built = sum(y.max_total or 0 for y in sc.fleet.shipyards)
    assert stock + built == 50
    assert sc.end == 40
    assert all(sc.deadline(p.id) is not None for p in threatened)
    assert sum(h.capacity for h in sc.havens) >= sc.population


def test_travel_is_several_steps() -> None:
    """With dt = 1 time unit, a trip to the nearest haven takes a few steps, not a fraction."""
    from evacuate.plan.problem import compile_problem

    pb = compile_problem(from_dict(generate(1, places=8, vehicles=20, steps=300, classes=1)))
    havens = [i for i in range(pb.n_places) if pb.is_haven[i]]
    nearest = [min(pb.travel[0, p, havens]) for p in range(pb.n_places) if pb.population[p]]
    assert 1.0 <= sorted(nearest)[len(nearest) // 2] <= 40.0


def test_ladder() -> None:
    """The ladder runs from tiny to 50 places x 20,000 vehicles x 1,000 steps."""
    assert LADDER[0].vehicles < 10
    top = LADDER[-1]
    assert (top.places, top.vehicles, top.steps) == (50, 20_000, 1_000)
    assert ladder("small") == LADDER[:3]
    assert ladder("full") == LADDER
    with pytest.raises(ValueError, match="unknown ladder"):
        ladder("huge")


def test_largest_rung_generates_quickly() -> None:
    """The largest rung is generated and validated (the data, not a plan) within seconds."""
    import time

    start = time.perf_counter()
    sc = from_dict(LADDER[-1].generate())
    assert time.perf_counter() - start < 5.0
    assert (
        sum(s.count for s in sc.fleet.stock) + sum(y.max_total or 0 for y in sc.fleet.shipyards)
        == 20_000
    )
