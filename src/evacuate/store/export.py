"""Runs as a flat table (a row per run: identity, ``param.*``, ``metric.*``) in CSV or Parquet."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evacuate.files import atomic_write
from evacuate.store.store import RunRecord

__all__ = ["FORMATS", "runs_table", "write_table"]

FORMATS = ("csv", "parquet")
_IDENTITY = ("id", "kind", "parent_id", "key", "scenario_hash", "variant", "seed", "status")


def runs_table(runs: Sequence[RunRecord]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows for ``runs``: identity, timing, then sorted params and metrics."""
    params = sorted({k for r in runs for k in r.params})
    metrics = sorted({k for r in runs for k in r.metrics})
    columns = [*_IDENTITY, "started_at", "seconds"]
    columns += [f"param.{k}" for k in params] + [f"metric.{k}" for k in metrics]
    rows: list[list[Any]] = []
    for r in runs:
        row: list[Any] = [getattr(r, c) for c in _IDENTITY]
        row += [r.started_at.isoformat(), r.seconds]
        row += [_scalar(r.params.get(k)) for k in params]
        row += [r.metrics.get(k) for k in metrics]
        rows.append(row)
    return columns, rows


def _scalar(value: Any) -> Any:
    """Params that are lists or mappings become JSON text (one cell each)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value


def write_table(runs: Sequence[RunRecord], path: str | Path, fmt: str | None = None) -> Path:
    """Write ``runs`` to ``path`` (format from ``fmt`` or the suffix); written to a temporary
    file first, so a failure leaves no partial file."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected csv or parquet")
    columns, rows = runs_table(runs)

    def write(tmp: Path) -> None:
        if fmt == "csv":
            with tmp.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                writer.writerows(rows)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({c: [row[i] for row in rows] for i, c in enumerate(columns)})
            pq.write_table(table, tmp)

    atomic_write(path, write)
    return path
