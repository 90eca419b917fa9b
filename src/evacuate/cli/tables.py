"""Tables that fit the console and never cut a number.

Optional columns are left out, in order, until the table fits; names wrap or are abbreviated;
numbers and dates never wrap or shrink. If even the remaining columns cannot fit (a narrow
terminal), each row is printed as a block of ``column: value`` lines instead.
"""

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

    Column name prefixes: ``#`` a number or a date (right-aligned, never wrapped or cut),
    ``%`` right-aligned text, ``@`` a long name (cut with an ellipsis), ``?`` optional (comes
    first). Columns blank in every row are left out. A ``\n`` in a name breaks the header.
    """

    def __init__(
        self,
        title: str,
        columns: list[str],
        rows: list[Row],
        *,
        caption: str | None = None,
        footer: list[Row] | None = None,
        drop_last_first: bool = False,
    ) -> None:
        self.title, self.columns, self.rows = title, columns, rows
        self.caption, self.footer = caption, footer or []
        self.drop_last_first = drop_last_first
        """Leave out the optional columns from the right (default: from the left)."""

    def _keep(self, dropped: set[int]) -> list[int]:
        return [
            i
            for i in range(len(self.columns))
            if i not in dropped and any(not _blank(cells[i]) for cells, _ in self.rows)
        ]

    def table(self, dropped: set[int], widths: dict[int, int] | None = None) -> Table:
        keep = self._keep(dropped)
        fixed = widths or {}
        table = Table(
            title=self.title,
            title_justify="left",
            title_style="bold",
            caption=self.caption,
            caption_justify="left",
        )
        for i in keep:
            name = self.columns[i].lstrip("?")
            width = fixed.get(i)
            if name.startswith("#"):
                table.add_column(name[1:], justify="right", no_wrap=True, width=width)
            elif name.startswith("%"):
                table.add_column(name[1:], justify="right", width=width)
            elif name.startswith("@"):
                table.add_column(
                    name[1:], max_width=26, no_wrap=True, overflow="ellipsis", width=width
                )
            else:
                table.add_column(name, width=width)
        for cells, style in self.rows:
            table.add_row(*(cells[i] for i in keep), style=style)
        if self.footer:
            table.add_section()
            for cells, style in self.footer:
                table.add_row(*(cells[i] for i in keep), style=style)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        optional = [i for i, c in enumerate(self.columns) if c.startswith("?")]
        if self.drop_last_first:
            optional.reverse()
        dropped: set[int] = set()
        table = self.table(dropped)
        for i in optional:
            natural = Measurement.get(console, options.update_width(10_000), table).maximum
            if natural <= options.max_width:
                break
            dropped.add(i)
            table = self.table(dropped)
        widths = self._widths(console, options, dropped)
        if widths is None:
            yield from self._blocks(dropped)
        else:
            yield self.table(dropped, widths) if widths else table

    def _widths(
        self, console: Console, options: ConsoleOptions, dropped: set[int]
    ) -> dict[int, int] | None:
        """Column widths that cut no number and no word but in names: {} when the natural
        widths fit, None when nothing fits (then rows are printed as blocks)."""
        keep = self._keep(dropped)
        wide = options.update_width(10_000)
        lows, highs, strict = [], [], []
        for i in keep:
            kind = self.columns[i].lstrip("?")[:1]
            header = self.columns[i].lstrip("?#%@")
            sizes = [Measurement.get(console, wide, c[i]) for c, _ in [*self.rows, *self.footer]]
            cells_high = max(m.maximum for m in sizes)
            sizes.append(Measurement.get(console, wide, header))
            high = max(m.maximum for m in sizes)
            if kind == "#":
                low = high
            elif kind == "@":
                low = min(high, 12)  # a name may be abbreviated, with an ellipsis
            else:
                low = max(m.minimum for m in sizes)
            lows.append(low)
            # short texts stay on one line when there is room for that
            strict.append(max(cells_high, low) if kind == "%" else low)
            highs.append(min(high, 26) if kind == "@" else high)
        room = options.max_width - (3 * len(keep) + 1)  # padding and borders
        if sum(highs) <= room:
            return {}
        if sum(strict) <= room:
            lows = strict
        elif sum(lows) > room:
            return None
        spare, slack = room - sum(lows), sum(h - lo for h, lo in zip(highs, lows, strict=True))
        out = {}
        for i, low, high in zip(keep, lows, highs, strict=True):
            out[i] = low + (spare * (high - low)) // max(slack, 1)
        return out

    def _blocks(self, dropped: set[int]) -> RenderResult:
        """Each row as ``column: value`` lines, for consoles too narrow for the table."""
        keep = self._keep(dropped)
        names = [" ".join(self.columns[i].lstrip("?#%@").split()) for i in keep]
        yield Text(self.title, style="bold")
        for cells, style in [*self.rows, *self.footer]:
            head, *rest = (cells[i] for i in keep)
            block = Text("- ", style=style or "")
            block.append(head.plain if isinstance(head, Text) else str(head), style="bold")
            for name, cell in zip(names[1:], rest, strict=True):
                if _blank(cell):
                    continue
                value = cell.plain if isinstance(cell, Text) else str(cell)
                block.append(f"\n  {name}: " + value.replace("\n", "; "))
            yield block
        if self.caption:
            yield Text(self.caption, style="dim")
