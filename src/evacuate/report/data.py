"""What the report compares: the runs, their derived series, and the panels to draw."""

from __future__ import annotations

from dataclasses import dataclass

from evacuate.report import series
from evacuate.report.results import ReportRun
from evacuate.report.series import FleetSeries, PeopleFlow, Step
from evacuate.scenario import summary

__all__ = ["Panel", "ReportRun", "RunSeries", "analyse", "people_panels"]

MAX_POINTS = 600
"""Points per drawn series at most: a long log is sampled evenly for drawing (about one point
per two pixels of a full-width chart; more only makes the page heavier)."""


@dataclass(frozen=True)
class RunSeries:
    """A run with everything derived from its log."""

    run: ReportRun
    flow: PeopleFlow
    fleet: dict[str, FleetSeries]
    utilization: dict[str, float]
    routes: dict[tuple[str, str], tuple[int, int]]
    end: float

    @property
    def label(self) -> str:
        return self.run.label

    @property
    def gap(self) -> float | None:
        """(bound - rescued) / bound, or None without a bound."""
        b = self.run.bound
        if b is None:
            return None
        return (b - self.run.rescued) / b if b > 0 else 0.0


def analyse(run: ReportRun) -> RunSeries:
    fleet = series.fleet_series(run)
    return RunSeries(
        run=run,
        flow=series.people_flow(run),
        fleet=fleet,
        utilization=series.utilization(run, fleet),
        routes=series.route_flows(run.events),
        end=series.horizon(run),
    )


@dataclass(frozen=True)
class Panel:
    """One small multiple of "people per place": a place (or the rest summed), per run."""

    title: str
    places: tuple[str, ...]
    deadline: float | None
    steps: tuple[Step, ...]
    """People at the place(s) over time, one per run (same order as the runs)."""


def _sum(steps: list[Step]) -> Step:
    times = sorted({t for s in steps for t in s.times})
    return Step(tuple(times), tuple(sum(s.at(t) for s in steps) for t in times))


def people_panels(runs: list[RunSeries], top: int = 8) -> list[Panel]:
    """The ``top`` places that held the most people (peak over the runs), then "other" summing
    the rest. Havens are left out (their people are rescued)."""
    scenario = runs[0].run.scenario
    names = {p.id: p.name or p.id for p in scenario.places}
    peaks: dict[str, float] = {}
    for r in runs:
        for place, st in r.flow.present.items():
            if place in names and not summary.is_haven(scenario, place):
                peaks[place] = max(peaks.get(place, 0.0), st.peak)
    ranked = [p for p, v in sorted(peaks.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0]
    order = {p.id: i for i, p in enumerate(scenario.places)}
    if len(ranked) > top + 1:
        shown, rest = ranked[:top], ranked[top:]
    else:
        shown, rest = ranked, []
    shown.sort(key=lambda p: order[p])
    empty = Step((0.0,), (0.0,))
    panels = []
    for place in shown:
        panels.append(
            Panel(
                title=names[place],
                places=(place,),
                deadline=summary.effective_deadline(scenario, place),
                steps=tuple(
                    r.flow.present.get(place, empty).extended(r.end).sampled(MAX_POINTS, r.end)
                    for r in runs
                ),
            )
        )
    if rest:
        panels.append(
            Panel(
                title=f"{len(rest):,} other places",
                places=tuple(rest),
                deadline=None,
                steps=tuple(
                    _sum([r.flow.present.get(p, empty) for p in rest])
                    .extended(r.end)
                    .sampled(MAX_POINTS, r.end)
                    for r in runs
                ),
            )
        )
    return panels
