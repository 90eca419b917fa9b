"""Shared look of the report: colour-blind-safe colours, numbers, and the time axis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evacuate.scenario import summary
from evacuate.scenario.scenario import Scenario

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "OKABE_ITO",
    "ROLE_COLOURS",
    "STATE_COLOURS",
    "TimeAxis",
    "number",
    "panel_layout",
    "percent",
    "variant_colour",
    "variant_dash",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}
"""The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with the common colour-vision
deficiencies; grey added for context."""

_VARIANTS = ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue", "black")
_DASHES = ("solid", "dash", "dot", "dashdot")

ROLE_COLOURS = {
    "people": OKABE_ITO["vermillion"],
    "haven": OKABE_ITO["bluish_green"],
    "staging": OKABE_ITO["orange"],
    "depot": OKABE_ITO["blue"],
    "other": OKABE_ITO["grey"],
}
STATE_COLOURS = {
    "in_trip": OKABE_ITO["blue"],
    "idle": OKABE_ITO["sky_blue"],
    "lost": OKABE_ITO["vermillion"],
    "retired": OKABE_ITO["reddish_purple"],
    "entered": OKABE_ITO["black"],
}


def variant_colour(i: int) -> str:
    """The colour of the ``i``-th compared run (cycles after seven, with ``variant_dash``)."""
    return OKABE_ITO[_VARIANTS[i % len(_VARIANTS)]]


def variant_dash(i: int) -> str:
    """Line dash of the ``i``-th run: solid for the first seven, then dashed, dotted, ..."""
    return _DASHES[(i // len(_VARIANTS)) % len(_DASHES)]


def number(x: float | None) -> str:
    """``12,345`` (rounded to a whole number), or an empty string for None."""
    if x is None:
        return ""
    return f"{round(x):,}"


def percent(part: float, whole: float) -> str:
    if whole <= 0:
        return "–"
    return f"{100 * part / whole:.2f}%"


@dataclass(frozen=True)
class TimeAxis:
    """How scenario times appear on axes: calendar dates when the scenario has a start date,
    else the time in its unit after time zero."""

    scenario: Scenario

    @property
    def dated(self) -> bool:
        return self.scenario.scenario.start_date is not None

    @property
    def title(self) -> str:
        if self.dated:
            return "Date" if self.scenario.time_unit == "day" else "Date and time"
        return f"Time ({self.scenario.time_unit}s after time zero)"

    def x(self, t: float) -> dt.datetime | float:
        """The axis coordinate of scenario time ``t``."""
        when = summary.calendar(self.scenario, t)
        if when is None:
            return t
        # whole seconds: finer is invisible on any chart and makes the page heavier
        return when.replace(microsecond=0) + dt.timedelta(seconds=round(when.microsecond / 1e6))

    def xs(self, times: tuple[float, ...] | list[float]) -> list[dt.datetime | float]:
        return [self.x(t) for t in times]

    def label(self, t: float | None) -> str:
        """``2385-04-05 (day 825)`` or ``hour 36``: for tables and hover text."""
        if t is None:
            return ""
        when = summary.calendar(self.scenario, t)
        plain = summary.format_time(self.scenario, t, with_date=False)
        if when is None:
            return plain
        return f"{summary.format_date(self.scenario, when)} ({plain})"

    def short(self, t: float) -> str:
        """The date alone when there is one, else ``hour 36``."""
        when = summary.calendar(self.scenario, t)
        if when is None:
            return summary.format_time(self.scenario, t, with_date=False)
        return summary.format_date(self.scenario, when)


def panel_layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    """The look of a section's chart: title, axis titles, white template, legend below."""
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        height=420,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
