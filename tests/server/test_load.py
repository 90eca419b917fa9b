"""The bounded load test (bench/server_load.py) on 127.0.0.1: jobs queued behind 2 workers
while pages load; it ends by itself and reports latency percentiles. The suite runs a smaller
load than the benchmark's (20 jobs, 200 page loads: ``python -m bench.server_load``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not installed

from bench.server_load import main, percentiles


def test_percentiles() -> None:
    p = percentiles([float(x) for x in range(1, 101)])
    assert (p["n"], p["p50"], p["p90"], p["p99"], p["max"]) == (100, 50.5, 90.1, 99.0, 100.0)


@pytest.mark.slow
def test_load_ends_by_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every job done, no HTTP error, the safety stop not reached; both files written."""
    argv = ["--jobs", "6", "--pages", "60", "--timeout", "900", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Jobs done: 6 of 6; HTTP errors: 0; safety stop reached: no" in out
    assert "| page_load | 60 |" in out
    assert len(list(tmp_path.glob("*-server-load.md"))) == 1
    assert len(list(tmp_path.glob("*-server-load.json"))) == 1
