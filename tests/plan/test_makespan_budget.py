"""Min makespan's budget: the lower bound's relaxations stop as soon as their answer is known,
and the work cut at the default budget comes back on a larger one (a larger time limit)."""

from __future__ import annotations

import pytest
from bench.generate import generate

import evacuate
from evacuate.plan import makespan
from evacuate.plan.api import plan
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.makespan import WORK_PER_SECOND, _at_end
from evacuate.plan.problem import compile_problem
from evacuate.scenario.load import from_dict


def _evacuable(seed: int) -> evacuate.Scenario:
    # 3 threatened places, 6 vehicles; half the generated people, so everyone can be rescued
    data = generate(seed, places=3, vehicles=6, steps=24, classes=1, havens=2)
    for place in data["places"]:
        if place.get("population"):
            place["population"] //= 2
    return from_dict(data)


@pytest.mark.parametrize("seed", [2, 5])
@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.7, 1.0])
def test_a_target_gives_the_same_answer_with_fewer_lp_solves(seed: int, fraction: float) -> None:
    """At every horizon tried, 'is the relaxation's bound below the population?' has the
    same answer whether the column generation stops at the target or runs its budget, and
    the target never costs more LP solves."""
    scenario = _evacuable(seed)
    full = compile_problem(scenario)
    pb = _at_end(full, scenario, fraction * full.end)
    need = float(full.population.sum()) - 1e-6
    whole = column_generation_bound(pb, iterations=60)
    early = column_generation_bound(pb, iterations=60, target=need)
    assert (early.bound < need) == (whole.bound < need)
    assert early.iterations <= whole.iterations
    assert early.bound >= whole.bound - 1e-6  # fewer solves: a bound no tighter


@pytest.mark.slow
def test_a_larger_budget_brings_back_the_probes_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With probes' rounds of the bound cut on this grid at the default budget, twice the
    budget (``work``, as twice the time limit gives) flies them again: more LP solves, and a
    plan of its own, the same on a second run."""
    scenario = _evacuable(4)  # five probes, four of them failing
    monkeypatch.setattr(makespan, "PROBE_ROUND_CELLS", 100_000)  # this grid: 144,000 cells
    default = round(WORK_PER_SECOND * 10)
    short = plan(scenario, objective="min-makespan", work=default)
    long = plan(scenario, objective="min-makespan", work=2 * default)
    again = plan(scenario, objective="min-makespan", work=2 * default)
    assert short.makespan is not None and long.makespan is not None
    assert long.stats["lp_solves"] > short.stats["lp_solves"]
    assert again.plan == long.plan
    assert not short.stats["stopped_by_time"] and not long.stats["stopped_by_time"]
