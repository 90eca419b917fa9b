"""Min makespan's budget: the lower bound's relaxations stop as soon as their answer is known,
and the work cut at the default budget comes back on a larger one (a larger time limit)."""

from __future__ import annotations

from typing import Any

import pytest
from bench.generate import generate

import evacuate
from evacuate.plan import makespan
from evacuate.plan.api import plan
from evacuate.plan.budget import SafetyStop
from evacuate.plan.lagrange import column_generation_bound
from evacuate.plan.makespan import FULL_EFFORT, LB_TOLERANCE, WORK_PER_SECOND, _at_end
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


@pytest.mark.parametrize("seed", [2, 5])
def test_a_wider_lower_bound_bisection_stops_early_within_its_tolerance(seed: int) -> None:
    """The lower bound's bisection at the default budget's wider tolerance tries the same
    horizons as at the full one's and stops earlier: no more LP solves, and a lower bound
    no higher, within the wider tolerance of the narrower one."""
    scenario = _evacuable(seed)
    full = compile_problem(scenario)
    runs = []
    for tolerance in (LB_TOLERANCE, FULL_EFFORT * LB_TOLERANCE):
        stats: dict[str, Any] = {"probes": []}
        lb = makespan._makespan_lower_bound(
            full, scenario, full.end, SafetyStop(None), stats, tolerance
        )
        runs.append((lb, stats.get("lb_lp_solves", 0), [p["horizon"] for p in stats["probes"]]))
    (fine, fine_lp, fine_h), (wide, wide_lp, wide_h) = runs
    assert len(wide_h) < len(fine_h) and fine_h[: len(wide_h)] == wide_h
    assert wide_lp <= fine_lp
    assert wide <= fine <= wide + FULL_EFFORT * LB_TOLERANCE * full.end


@pytest.mark.slow
def test_the_full_budget_bisects_finer() -> None:
    """A budget of ``FULL_EFFORT`` times the default's (``--time-limit 30``) bisects the
    lower bound to ``LB_TOLERANCE``: a lower bound at least the default budget's, from at
    least as many LP solves; both runs end on their budgets."""
    scenario = _evacuable(5)
    default = round(WORK_PER_SECOND * 10)
    short = plan(scenario, objective="min-makespan", work=default)
    full = plan(scenario, objective="min-makespan", work=round(FULL_EFFORT * default))
    assert short.makespan_lower_bound is not None and full.makespan_lower_bound is not None
    assert full.makespan_lower_bound >= short.makespan_lower_bound
    assert full.stats["lb_lp_solves"] >= short.stats["lb_lp_solves"]
    assert len(full.stats["probes"]) >= len(short.stats["probes"])
    assert not short.stats["stopped_by_time"] and not full.stats["stopped_by_time"]
