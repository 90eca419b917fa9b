"""Build the report: one self-contained HTML page and PNG figures, written all at once."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evacuate.files import temporary_folder
from evacuate.report import curve, figures, observed, page, sections, static
from evacuate.report.data import RunSeries, analyse, people_panels
from evacuate.report.geometry import layout
from evacuate.report.results import ReportResults, ReportRun
from evacuate.report.series import deadline_marks, event_marks
from evacuate.report.style import TimeAxis
from evacuate.scenario.scenario import Scenario

__all__ = ["HTML_NAME", "PNG_NAMES", "RESULTS_NAME", "ReportFiles", "build_report"]

log = logging.getLogger(__name__)

_SECTIONS = (observed,)
"""Modules that register optional sections (imported for their registration)."""

HTML_NAME = "report.html"
RESULTS_NAME = "results.json"
PNG_NAMES = {
    "curve": "evacuation_curve.png",
    "people": "people_per_place.png",
    "map": "map.png",
    "fleet": "fleet.png",
}


@dataclass(frozen=True)
class ReportFiles:
    """What ``build_report`` wrote."""

    html: Path
    pngs: dict[str, Path]
    """By figure: ``curve``, ``people``, ``map``, ``fleet``."""
    results: Path
    """The results drawn (``ReportResults.load`` reads them back)."""

    @property
    def all(self) -> list[Path]:
        return [self.html, *self.pngs.values(), self.results]


def _subtitle(scenario: Scenario) -> str:
    axis = TimeAxis(scenario)
    parts = [f"{scenario.population:,} people to evacuate"]
    parts.append(f"horizon {axis.label(scenario.end)}")
    if scenario.hazard is not None:
        parts.append(f"hazard: {scenario.hazard.name or scenario.hazard.id}")
    return "; ".join(parts)


def _write(runs: list[RunSeries], results: ReportResults, folder: Path, title: str) -> None:
    scenario = runs[0].run.scenario
    events = event_marks([r.run for r in runs])
    deadlines = deadline_marks(scenario)
    panels = people_panels(runs)
    lay = layout(scenario)
    compared = ", ".join(r.label for r in runs)
    parts = [
        page.Section(
            "headline",
            "Headline",
            f"People rescued out of everyone in danger, for {compared}. The bound is what no "
            "plan could beat (planned with hindsight of every surprise); the gap is how far "
            "below it the run ended.",
            html=page.headline_html(runs),
        ),
        page.Section(
            "curve",
            "Evacuation curve",
            "Cumulative people delivered to havens. Where the curves part, something happened: "
            "dashed lines mark the scenario's events (numbered, listed below the chart), red "
            "triangles the hazard reaching places with people. A curve that flattens early means "
            "the fleet stopped rescuing. When some runs rescue far fewer than others, the lower "
            "panel zooms on them; the buttons switch to a log scale.",
            figures=(curve.curve_figure(runs, events, deadlines),),
            html=page.events_key_html(events, TimeAxis(scenario)),
        ),
        page.Section(
            "people",
            "People per place over time",
            "People waiting at each threatened or staging place (the largest, the rest summed). "
            "A line still above zero at the dotted deadline means people were lost there.",
            figures=(figures.people_figure(runs, panels),),
        ),
        page.Section(
            "map",
            "Map",
            "Places at their positions (size: people or capacity), the hazard front at a few "
            "times, and the routes each run used, drawn wider for more people carried. "
            + (
                f"Pick a run with the buttons below the map; it opens on "
                f"{runs[figures.map_run(runs)].label}, the run that carried the most people "
                "(as the still figure map.png does)."
                if len(runs) > 1
                else ""
            ),
            figures=(figures.map_figure(runs, lay),),
            note=lay.note,
        ),
        page.Section(
            "fleet",
            "Fleet over time",
            "Vehicles in trips and idle (stacked: together, those in service), vehicles lost "
            "and otherwise out of service, and all that entered service. Utilization: the share "
            "of service time spent in trips, per class and for all vehicles together (weighted "
            "by time in service, so a large class that sat idle, such as ships held at a yard, "
            "pulls it down); low utilization with people still waiting means vehicles were in "
            "the wrong place or held back.",
            figures=(figures.fleet_figure(runs, events), figures.utilization_figure(runs)),
        ),
        *sections.drawn(results.extras, runs),
        page.Section(
            "places",
            "Per place",
            "Figures per place and run; totals match the headline.",
            html=page.tables_html(runs),
        ),
    ]
    text = page.page_html(title, _subtitle(scenario), parts, runs)
    (folder / HTML_NAME).write_text(text, encoding="utf-8")
    curve.curve_png(runs, events, deadlines, folder / PNG_NAMES["curve"])
    static.people_png(runs, panels, folder / PNG_NAMES["people"])
    static.map_png(runs, lay, folder / PNG_NAMES["map"])
    static.fleet_png(runs, events, folder / PNG_NAMES["fleet"])


def build_report(
    runs: ReportResults | Sequence[ReportRun], out_dir: str | Path, *, title: str | None = None
) -> ReportFiles:
    """Write ``report.html`` (self-contained, works offline), PNG figures and ``results.json``
    (the results drawn, to redraw or store) into ``out_dir``. Draws only: it plans nothing.

    ``runs`` are compared in the given order; they should be runs of one scenario (variants of
    it). Files are written to a temporary folder first, then moved into ``out_dir`` (created if
    missing), so a failure leaves no half-written report. Same input, same bytes.
    """
    results = runs if isinstance(runs, ReportResults) else ReportResults(tuple(runs))
    if not results.runs:
        raise ValueError("build_report needs at least one run")
    out = Path(out_dir).expanduser()
    series = [analyse(r) for r in results.runs]
    scenario = results.runs[0].scenario
    heading = title or results.title or f"Evacuation report: {scenario.name}"
    out.mkdir(parents=True, exist_ok=True)
    with temporary_folder(out, "report") as tmp:
        _write(series, results, tmp, heading)
        results.save(tmp / RESULTS_NAME)
        files = ReportFiles(
            html=out / HTML_NAME,
            pngs={k: out / name for k, name in PNG_NAMES.items()},
            results=out / RESULTS_NAME,
        )
        mode = 0o666 & ~_umask()
        for name in (HTML_NAME, *PNG_NAMES.values(), RESULTS_NAME):
            os.chmod(tmp / name, mode)
            os.replace(tmp / name, out / name)
    log.info("wrote %s, %d figures and %s", files.html, len(files.pngs), files.results)
    return files


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
