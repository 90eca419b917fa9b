"""Hostile files given to the commands that read JSON or Parquet besides scenarios: a report's
results (``report --from``), a sabotage analysis (``report --sabotage-from``) and a plan
(``check --plan``). Whatever the file holds, the command exits 2 naming it, with no traceback
and no output written. Before, JSON nested deeper than Python's recursion limit was an
internal error (RecursionError, exit 1) for the first two, and bytes that are not Parquet in a
.parquet plan were one too (pyarrow's ArrowInvalid)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from evacuate.cli import app

TINY = str(Path(__file__).resolve().parent / "data" / "valid" / "tiny_plane.yaml")
CONTENTS: list[bytes] = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"runs": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b"NaN",
    b'{"runs": [NaN], "curve": [Infinity]}',
    b"1e400",
    b"",
    b"\xff\xfe\x00",
    b'{"format": "evacuate-report", "runs": "x", "curve": {}}',
    b"[]",
]
COMMANDS = [
    ["report", "--from", "IN", "-o", "OUT"],
    ["report", TINY, "--time-limit", "1", "--sabotage-from", "IN", "-o", "OUT"],
    ["check", TINY, "--plan", "IN"],
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.sampled_from(CONTENTS), command=st.sampled_from(COMMANDS))
def test_hostile_json_files_exit_2_naming_the_file(
    tmp_path: Path, content: bytes, command: list[str]
) -> None:
    """Exit 2, the file named, no traceback, no output folder."""
    given_file = tmp_path / "in.json"
    given_file.write_bytes(content)
    out = tmp_path / "out"
    argv = [{"IN": str(given_file), "OUT": str(out)}.get(a, a) for a in command]
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, argv)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, (argv, result.exit_code, text[-1000:])
    assert "internal error" not in text and "Traceback" not in text, text[-1000:]
    assert "in.json" in text, text[-1000:]
    assert not out.exists()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content=st.sampled_from([b"", b"PAR1garbagePAR1", b"group,class\n", bytes(range(256)) * 4])
    | st.binary(max_size=300)
)
def test_a_parquet_plan_that_is_not_parquet_exits_2(tmp_path: Path, content: bytes) -> None:
    """``check --plan x.parquet`` on bytes that are not Parquet (empty, a CSV, a footer that
    lies): exit 2 naming the file. Before: an internal error (pyarrow's ArrowInvalid)."""
    plan = tmp_path / "in.parquet"
    plan.write_bytes(content)
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["check", TINY, "--plan", str(plan)])
    text = " ".join(result.output.split())
    assert result.exit_code == 2, (result.exit_code, text[-1000:])
    assert "in.parquet" in text and "internal error" not in text, text[-1000:]
