"""Rules on the plan as a whole: its header and its claims (rescued, bound, makespan)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase
from evacuate.check.common import _t, _tol
from evacuate.check.report import CheckReport


class ClaimRules(CheckerBase):
    def _check_header(self) -> None:
        plan, sc = self.plan, self.sc
        variant = sc.applied_variant
        if plan.scenario_id != sc.scenario.id:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan is for scenario '{plan.scenario_id}', not '{sc.scenario.id}'",
            )
        if plan.variant != variant:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan is for variant {plan.variant!r}, the scenario has variant {variant!r}",
            )
        if plan.time_unit != self.unit:
            self.out.one(
                "header",
                None,
                1.0,
                f"plan times are in {plan.time_unit}s, the scenario counts {self.unit}s",
            )

    def _check_claims(self, report: CheckReport) -> None:
        plan = self.plan
        rescued = report.rescued
        slack = 1e-6 * max(1.0, abs(rescued))
        if plan.rescued is not None and abs(plan.rescued - rescued) > slack:
            self.out.one(
                "claimed_rescued",
                None,
                plan.rescued - rescued,
                f"plan claims {plan.rescued:,.6g} rescued; its trips rescue {rescued:,}",
            )
        trip_rules = sum(v for k, v in self.out.counts.items() if k not in ("claimed_rescued",))
        if plan.bound is not None and trip_rules == 0 and rescued > plan.bound + slack:
            self.out.one(
                "claimed_bound",
                None,
                rescued - plan.bound,
                f"the plan rescues {rescued:,}, more than its claimed bound {plan.bound:,.6g}",
            )
        claimed = plan.meta.get("makespan")
        if isinstance(claimed, (int, float)) and not isinstance(claimed, bool):
            actual = report.makespan
            if actual is None:
                self.out.one(
                    "makespan",
                    None,
                    float(claimed),
                    f"plan claims makespan {_t(claimed)}; no loaded trip reaches a haven",
                )
            elif abs(claimed - actual) > _tol(actual):
                self.out.one(
                    "makespan",
                    None,
                    claimed - actual,
                    f"plan claims makespan {_t(claimed)}; its trips give {_t(actual)}",
                )
