"""Tables that fit the console: optional columns are left out, in order, until they fit."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Row = tuple[list[Any], str | None]
"""Table cells and a row style (``dim`` for disabled items)."""


def _blank(cell: Any) -> bool:
    return (isinstance(cell, Text) and not cell.plain) or cell == ""


class Fitted:
    """A table that leaves out its optional columns, in order, until it fits the console.

    Column name prefixes: ``#`` a number (right-aligned, never wrapped), ``%`` right-aligned
    text, ``@`` a long name (cut with an ellipsis), ``?`` optional (comes first). Columns blank
    in every row are left out.
    """

    def __init__(
        self,
        title: str,
        columns: list[str],
        rows: list[Row],
        *,
        caption: str | None = None,
        footer: list[Row] | None = None,
    ) -> None:
        self.title, self.columns, self.rows = title, columns, rows
        self.caption, self.footer = caption, footer or []

    def table(self, dropped: set[int]) -> Table:
        keep = [
            i
            for i in range(len(self.columns))
            if i not in dropped and any(not _blank(cells[i]) for cells, _ in self.rows)
        ]
        table = Table(
            title=self.title,
            title_justify="left",
            title_style="bold",
            caption=self.caption,
            caption_justify="left",
        )
        for i in keep:
            name = self.columns[i].lstrip("?")
            if name.startswith("#"):
                table.add_column(name[1:], justify="right", no_wrap=True)
            elif name.startswith("%"):
                table.add_column(name[1:], justify="right")
            elif name.startswith("@"):
                table.add_column(name[1:], max_width=26, no_wrap=True, overflow="ellipsis")
            else:
                table.add_column(name)
        for cells, style in self.rows:
            table.add_row(*(cells[i] for i in keep), style=style)
        if self.footer:
            table.add_section()
            for cells, style in self.footer:
                table.add_row(*(cells[i] for i in keep), style=style)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        optional = [i for i, c in enumerate(self.columns) if c.startswith("?")]
        dropped: set[int] = set()
        table = self.table(dropped)
        for i in optional:
            natural = Measurement.get(console, options.update_width(10_000), table).maximum
            if natural <= options.max_width:
                break
            dropped.add(i)
            table = self.table(dropped)
        yield table
