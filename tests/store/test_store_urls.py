"""Hostile run store URLs: whatever ``--store`` is given, the command opens the store or exits 2
with a message naming the URL (never 1 with an internal error). Before, a URL of an unknown
or uninstalled backend (``nonsense://x``, ``mysql://...``) ended in SQLAlchemy's
NoSuchModuleError, reported as a bug."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from evacuate.cli import app

SCHEMES = [
    "sqlite", "sqlite+pysqlite", "sqlite+pysqlcipher", "postgresql", "postgres",
    "postgresql+psycopg", "postgresql+nodriver", "mysql", "oracle", "nonsense", "", "file",
]  # fmt: skip
REST = [
    ":///runs.db", "://", ":///", ":///dir/sub/runs.db", ":///:memory:", "://u:pw@127.0.0.1:1/x",
    "://127.0.0.1:1", ":///runs.db?mode=ro", ":///runs.db?timeout=x", "", "://u@/x", ":",
]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(SCHEMES), st.sampled_from(REST) | st.text(max_size=20))
def test_any_store_url_opens_or_is_refused_by_name(tmp_path: Path, scheme: str, rest: str) -> None:
    """``runs list --store URL``: exit 0, or 2 with an error line; no internal error."""
    url = scheme + rest
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder, contextlib.chdir(folder):
        result = CliRunner().invoke(app, ["runs", "list", "--store", url])
    text = result.output
    assert result.exit_code in (0, 2), (url, result.exit_code, text[-1000:])
    assert "internal error" not in text and "Traceback" not in text, (url, text[-1000:])
    if result.exit_code == 2:
        assert "error:" in text, (url, text)


def test_an_unknown_backend_is_refused_with_the_forms_expected() -> None:
    result = CliRunner().invoke(app, ["runs", "list", "--store", "nonsense://x"])
    assert result.exit_code == 2
    assert "expected sqlite:///FILE, a file path or postgresql://" in result.output


READERS = [
    ["runs", "list"],
    ["runs", "show", "abc"],
    ["runs", "compare", "abc", "def"],
    ["runs", "export", "-o", "{tmp}/out/runs.csv"],
    ["runs", "report", "abc", "-o", "{tmp}/out/report"],
    ["report", "{tiny}", "--sweep", "abc", "-o", "{tmp}/out/report"],
]
TINY = Path(__file__).resolve().parents[1] / "data" / "valid" / "tiny_plane.yaml"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(READERS),
    st.sampled_from(["runs.db", "sub/dir/runs.db", "empty.db", "sqlite:///{tmp}/gone.db"]),
)
def test_commands_that_read_a_store_that_does_not_exist_write_nothing(
    tmp_path: Path, command: list[str], store: str
) -> None:
    """``runs list|show|compare|export|report`` and ``report --sweep`` on a store path that
    holds nothing (missing, under missing folders, an empty file): exit 2 naming the store,
    and no file, folder or tables made. Before, each created the SQLite file (and its
    folders, and the tables in an empty file) and ``runs list`` printed an empty table."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder, contextlib.chdir(folder):
        Path("empty.db").touch()
        Path("out").mkdir()
        before = sorted(Path(".").rglob("*"))
        argv = [a.format(tmp=folder, tiny=TINY) for a in [*command, "--store", store]]
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert "error: no run store at sqlite:///" in result.output, result.output
        assert sorted(Path(".").rglob("*")) == before
        assert Path("empty.db").stat().st_size == 0
