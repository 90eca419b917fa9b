"""The independent checker: re-verify a plan from its trips alone against docs/model.md.

It shares no code with the planners nor with ``evacuate.scenario.derive``: distances, hazard
deadlines, travel times, lane windows, production and every sweep over time are re-implemented
here, so that one mistake cannot hide in both. Only ``mode: known``, enabled events count.
All checks are vectorised or sorted sweeps (O(n log n) in the number of trips). Each family
of rules is one module (``trips``, ``travel``, ``events``, ``walks``, ``people``,
``instants``, ``vehicles``, ``throughput``, ``claims``) adding its checks to ``base.CheckerBase``;
``report`` holds ``RULES`` and the results.
"""

from __future__ import annotations

import logging
import time as _time
from typing import TYPE_CHECKING

import numpy as np

from evacuate.arguments import need_plan, need_scenario
from evacuate.check.claims import ClaimRules
from evacuate.check.events import EventRules
from evacuate.check.instants import InstantRules
from evacuate.check.people import PeopleRules
from evacuate.check.report import RULES, CheckReport, Violation
from evacuate.check.throughput import ThroughputRules
from evacuate.check.travel import TravelRules
from evacuate.check.trips import TripRules
from evacuate.check.vehicles import VehicleRules
from evacuate.check.wear import WearRules

if TYPE_CHECKING:
    from evacuate.planio import Plan
    from evacuate.scenario.scenario import Scenario

__all__ = ["RULES", "CheckReport", "Violation", "check"]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- the checker
def check(
    scenario: Scenario, plan: Plan, *, max_violations_per_rule: int | None = 1000
) -> CheckReport:
    """Re-verify ``plan`` against ``scenario`` (docs/model.md) from its trips alone.

    Parameters
    ----------
    max_violations_per_rule:
        Keep at most this many ``Violation`` objects per rule (None: all);
        ``violation_counts`` and ``violation_totals`` always count every one.
    """
    need_scenario(scenario, "check")
    need_plan(plan, "check")
    started = _time.perf_counter()
    # non-finite trip times are reported as violations; the arithmetic on them must not warn
    with np.errstate(all="ignore"):
        report = _Checker(scenario, plan, max_violations_per_rule).run()
    log.info(
        "checked %d trips in %.2f s: %s",
        report.trips,
        _time.perf_counter() - started,
        "feasible" if report.feasible else f"{report.n_violations} violation(s)",
    )
    return report


class _Checker(
    ClaimRules,
    TripRules,
    TravelRules,
    EventRules,
    PeopleRules,
    InstantRules,
    VehicleRules,
    ThroughputRules,
    WearRules,
):
    """Runs every rule family in order and assembles the report."""

    def run(self) -> CheckReport:
        self._check_header()
        self._check_static()
        self._check_travel()
        self._check_deadlines_and_events()
        self._check_chain()
        self._check_walks()
        people = self._check_people()
        self._check_instants()
        vehicles = self._check_inventory()
        self._check_berths()
        self._check_stands()
        self._check_wear()
        self._check_rates()
        makespan = self._makespan()
        report = CheckReport(
            scenario_id=self.sc.scenario.id,
            variant=self.sc.applied_variant,
            time_unit=self.unit,
            trips=self.n,
            population=people["population"],
            rescued=people["rescued"],
            lost_people_by_place=people["lost"],
            waiting_at_end=people["waiting"],
            on_board_at_end=people["on_board"],
            vehicles_lost=vehicles[0],
            vehicles_lost_by_place=vehicles[1],
            makespan=makespan,
            _by_place=self._rescued_by_place,
            walks=len(self.plan.walks),
        )
        self._check_claims(report)
        report.violations = self.out.violations()
        report.violation_counts = dict(self.out.counts)
        report.violation_totals = dict(self.out.totals)
        return report
