"""The per-period table of ``plan`` and ``simulate``: rescued per day (or per ``--per``) beside
the scenario's observed series (``observed:``), so a run can be read against history."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from evacuate.cli.common import fmt_date, fmt_num
from evacuate.cli.tables import Fitted, Row
from evacuate.periods import PeriodRow, Step, parse_period, per_period
from evacuate.scenario.scenario import Scenario

__all__ = ["check_per", "period_rows", "period_table"]


def check_per(s: Scenario, per: str | None) -> float | None:
    """``--per`` in the scenario's time unit (None: the default period), or a usage error
    (exit 2) before any work is done."""
    try:
        return None if per is None else parse_period(per, s.time_unit)
    except ValueError as exc:
        raise typer.BadParameter(f"{exc}", param_hint="--per") from None


def period_rows(s: Scenario, steps: Sequence[Step], per: str | None) -> tuple[PeriodRow, ...]:
    """The rows to print: none unless ``--per`` was given or the scenario has an observed
    series; trailing periods with nothing rescued and nothing observed are left out."""
    if per is None and s.observed is None:
        return ()
    rows = per_period(s, steps, check_per(s, per))
    last = max(
        (k for k, r in enumerate(rows) if r.rescued or r.observed_total is not None), default=0
    )
    return rows[: last + 1]


def _label(s: Scenario, t: float) -> str:
    return fmt_date(s, t) or fmt_num(round(t, 6))


def period_table(s: Scenario, rows: Sequence[PeriodRow], what: str) -> Fitted:
    """Rescued per period, running total, and the observed series with the difference."""
    observed = s.observed is not None
    out: list[Row] = []
    for r in rows:
        cells = [
            _label(s, r.start),
            _label(s, r.end),
            fmt_num(r.rescued),
            fmt_num(r.total),
        ]
        if observed:
            diff = ""
            if r.observed_total is not None:
                diff = f"{r.total - r.observed_total:+,}"
            cells += [fmt_num(r.observed), fmt_num(r.observed_total), diff]
        out.append((cells, None))
    unit = "" if s.scenario.start_date is not None else f"\n({s.time_unit})"
    columns = [f"#From{unit}", f"#To{unit}", "#Rescued", "#Rescued\nso far"]
    if observed:
        columns += ["#Observed", "#Observed\nso far", "#Difference\nso far"]
    caption = None
    if observed:
        caption = "Observed: the scenario's observed series (docs/operations.md); each point "
        caption += "counts in the period it falls in."
    return Fitted(f"{what}: rescued per period", columns, out, caption=caption)
