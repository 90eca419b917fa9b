"""Hostile files, round 4: numbers past what Python reads, and named pipes nobody writes to.

Before: a JSON plan with a whole number past 1.8e308 (``"depart": 1000...0``, 400 digits) was an
internal error (OverflowError, exit 1); a number of more than 4,300 digits in a JSON plan, a
CSV plan's ``meta``, a JSON scenario or a report's results was one too (ValueError from
Python's digit limit), and in a YAML scenario it was refused without a line, telling the user
to call ``sys.set_int_max_str_digits()``; ``validate``, ``check`` and ``import bep`` on a
named pipe (FIFO) that nobody writes to waited forever. Now: exit 2 naming the file (and the
line or field where there is one), nothing written."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from evacuate.cli import app

DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "valid" / "tiny_plane.yaml"
HUGE = "9" * 5000
"""A number of 5,000 digits: past Python's 4,300-digit limit for ``int(text)``."""
FAR = 10**400
"""A whole number past the largest float."""


def _run(argv: list[str]) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, argv)
    return result.exit_code, " ".join(result.output.split())


def _plan_json(tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "plan.json"
    code, text = _run(["plan", str(TINY), "--time-limit", "5", "-q", "-o", str(out)])
    assert code == 0, text
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _refused(code: int, text: str, name: str, *more: str) -> None:
    assert code == 2, (code, text[-800:])
    assert "internal error" not in text and "Traceback" not in text, text[-800:]
    assert name in text, text[-800:]
    for what in more:
        assert what in text, (what, text[-800:])


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("trip", "depart"),
        ("trip", "arrive"),
        ("header", "rescued"),
        ("header", "bound"),
    ],
)
def test_a_json_plan_with_a_number_past_the_largest_float_is_refused(
    tmp_path: Path, where: str, field: str
) -> None:
    """A whole number of 401 digits where a time or a count of people goes: the field named."""
    data = _plan_json(tmp_path)
    if where == "trip":
        trips = data["trips"]
        assert isinstance(trips, list)
        trips[0][field] = FAR
        path = f"trips[0].{field}"
    else:
        header = data["header"]
        assert isinstance(header, dict)
        header[field] = FAR
        path = f"header.{field}"
    bad = tmp_path / "far.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    _refused(*_run(["check", str(TINY), "--plan", str(bad)]), "far.json", path)


def _json_plan_digits(tmp_path: Path) -> tuple[list[str], str]:
    text = json.dumps(_plan_json(tmp_path))
    bad = tmp_path / "digits.json"
    bad.write_text(text.replace('"people": 0', f'"people": {HUGE}', 1), encoding="utf-8")
    return ["check", str(TINY), "--plan", str(bad)], "digits.json"


def _csv_meta_digits(tmp_path: Path) -> tuple[list[str], str]:
    out = tmp_path / "plan.csv"
    code, text = _run(["plan", str(TINY), "--time-limit", "5", "-q", "-o", str(out)])
    assert code == 0, text
    lines = out.read_text(encoding="utf-8").splitlines()
    lines = [f'# meta: {{"n": {HUGE}}}' if x.startswith("# meta:") else x for x in lines]
    bad = tmp_path / "digits.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["check", str(TINY), "--plan", str(bad)], "digits.csv:"


def _json_scenario_digits(tmp_path: Path) -> tuple[list[str], str]:
    bad = tmp_path / "digits.json"
    bad.write_text(f'{{"scenario": {{"id": "x", "end": {HUGE}}}}}', encoding="utf-8")
    return ["validate", str(bad)], "digits.json:1"


def _yaml_scenario_digits(tmp_path: Path) -> tuple[list[str], str]:
    text = TINY.read_text(encoding="utf-8")
    bad = tmp_path / "digits.yaml"
    bad.write_text(text + f"\nextra: {HUGE}\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    return ["validate", str(bad)], f"digits.yaml:{line}"


def _results_digits(tmp_path: Path) -> tuple[list[str], str]:
    bad = tmp_path / "digits.json"
    bad.write_text(f'{{"format": "evacuate-report", "runs": [{HUGE}]}}', encoding="utf-8")
    return ["report", "--from", str(bad), "-o", str(tmp_path / "out")], "digits.json"


@pytest.mark.parametrize(
    "make",
    [
        _json_plan_digits,
        _csv_meta_digits,
        _json_scenario_digits,
        _yaml_scenario_digits,
        _results_digits,
    ],
)
def test_a_number_of_5000_digits_is_refused_naming_the_file(tmp_path: Path, make: object) -> None:
    """Exit 2 with the file (and its line where the reader knows it), no advice to raise
    Python's digit limit, nothing written."""
    assert callable(make)
    argv, where = make(tmp_path)
    code, text = _run(argv)
    _refused(code, text, where)
    assert "set_int_max_str_digits" not in text
    assert not (tmp_path / "out").exists()


def _in_thread(argv: list[str], fifo: Path) -> tuple[int, str]:
    """Run the command in a thread; if it still waits after a minute (a hang guard, not a
    measure of speed), open the pipe for writing so that it returns, and fail."""
    box: list[Result] = []
    thread = threading.Thread(
        target=lambda: box.append(CliRunner(env={"COLUMNS": "300"}).invoke(app, argv)),
        daemon=True,
    )
    thread.start()
    thread.join(60)
    waited = thread.is_alive()
    if waited:
        with open(fifo, "wb"):
            pass  # a writer that writes nothing: the reader sees the end of the file
        thread.join(60)
    assert not waited, f"{argv}: waited for a writer on the named pipe"
    return box[0].exit_code, " ".join(box[0].output.split())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    ("suffix", "command"),
    [
        (".yaml", ["validate", "IN"]),
        (".csv", ["check", str(TINY), "--plan", "IN"]),
        (".json", ["check", str(TINY), "--plan", "IN"]),
        (".txt", ["import", "bep", "IN", "-o", "OUT"]),
        (".json", ["report", "--from", "IN", "-o", "OUT"]),
    ],
)
def test_a_named_pipe_nobody_writes_to_reads_as_empty(
    tmp_path: Path, suffix: str, command: list[str]
) -> None:
    """A FIFO with no writer: exit 2 (an empty file), where the command waited forever."""
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    out = tmp_path / "out.yaml"
    argv = [{"IN": str(fifo), "OUT": str(out)}.get(a, a) for a in command]
    _refused(*_in_thread(argv, fifo), "pipe")
    assert not out.exists()


def _parquet_copy(tmp_path: Path, name: str, rows: int, group: str | None = None) -> Path:
    """The tiny plan's second trip repeated ``rows`` times as a Parquet plan (its header
    kept); ``group``: that text as every row's group, stored once (dictionary-encoded)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    base = tmp_path / "base.parquet"
    code, text = _run(["plan", str(TINY), "--time-limit", "5", "-q", "-o", str(base)])
    assert code == 0, text
    table = pq.read_table(base)
    columns = {c: pa.repeat(table.column(c)[1], rows) for c in table.column_names}
    if group is not None:
        columns["group"] = pa.repeat(pa.scalar(group), rows).dictionary_encode()
    out = tmp_path / name
    pq.write_table(pa.table(columns).replace_schema_metadata(table.schema.metadata), out)
    return out


def test_a_parquet_plan_of_more_rows_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    """4,000,001 equal trips compress to a small file: refused from the file's metadata (20
    million took 20 GB of memory and 7 minutes to refuse, with 60 million violations)."""
    bomb = _parquet_copy(tmp_path, "bomb.parquet", 4_000_001)
    assert bomb.stat().st_size < 2**20
    code, text = _run(["check", str(TINY), "--plan", str(bomb)])
    _refused(code, text, "bomb.parquet", "4,000,001 rows; expected at most 4,000,000")


def test_a_parquet_plan_of_a_long_text_on_every_row_is_refused(tmp_path: Path) -> None:
    """2,700 rows whose group is one 100,000-character text, stored once: 270 MB of text once
    read, past the 256 MiB a plan may hold (the file: a few KB)."""
    bomb = _parquet_copy(tmp_path, "long.parquet", 2_700, group="g" * 100_000)
    code, text = _run(["check", str(TINY), "--plan", str(bomb)])
    _refused(code, text, "long.parquet", "text decoded is larger than 256 MiB")
