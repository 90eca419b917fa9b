"""The example scenarios in examples/ load cleanly and say what their comments say."""

from __future__ import annotations

from pathlib import Path

import pytest

import evacuate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["hurricane_bus.yaml", "airlift.yaml"])
def test_example_loads(name: str) -> None:
    """Each example loads without errors or warnings, and so does each of its variants."""
    scenario = evacuate.load(EXAMPLES / name)
    assert scenario.warnings == ()
    assert scenario.variants
    for variant in scenario.variant_names:
        assert scenario.variant(variant).applied_variant == variant


def test_hurricane_bus() -> None:
    """The hurricane example: shelters barely hold everyone; contraflow runs only in a window."""
    s = evacuate.load(EXAMPLES / "hurricane_bus.yaml")
    assert len(s.havens) == 3
    assert s.population == 17_620
    assert sum(p.capacity for p in s.havens) == 19_000
    assert s.deadline("surfside_island") == 11
    town = s.deadline("harbor_district")
    assert town is not None and 15 < town < 17
    assert s.deadline("county_school_yard") is None
    contraflow = next(ln for ln in s.travel.lanes if ln.id == "hwy288_contraflow")
    assert contraflow.speed_factor > 1 and contraflow.windows
    assert {e.mode for e in s.events} == {"known", "surprise"}


def test_airlift() -> None:
    """The airlift example: the staging base is smaller than the crowd, so people fly on."""
    s = evacuate.load(EXAMPLES / "airlift.yaml")
    staging = s.place("tamsin_ab")
    assert 0 < staging.capacity < s.population
    assert s.deadline("kessra_intl") == 96
    assert s.travel.routes == "lanes"
    night = next(ln for ln in s.travel.lanes if ln.periodic is not None)
    assert night.periodic is not None and night.periodic.open_for < night.periodic.every
    shuttle = next(ln for ln in s.travel.lanes if ln.id == "kessra_tamsin")
    assert "a330_charter" not in shuttle.class_times  # airliners may not fly into Kessra
