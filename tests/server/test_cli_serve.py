"""``evacuate serve`` as a person starts it: the real command in a subprocess on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from evacuate.server.run import is_local, token_for
from tests.server.conftest import free_port


def test_token_rules() -> None:
    """Loopback needs no token; any other address gets the given token or a random one."""
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert not is_local("0.0.0.0") and not is_local("192.0.2.7") and not is_local("example.org")
    assert token_for("127.0.0.1", None) is None
    assert token_for("127.0.0.1", "t") == "t"
    assert token_for("0.0.0.0", "given") == "given"
    made = token_for("0.0.0.0", None)
    assert made is not None and len(made) >= 24 and made != token_for("0.0.0.0", None)


@pytest.mark.slow
def test_serve_starts_and_answers(tmp_path: Path) -> None:
    """The command serves the API and the page until interrupted, and says where."""
    port = free_port()
    exe = Path(sys.executable).with_name("evacuate")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--data", str(tmp_path / "data")],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        stop = time.monotonic() + 60
        health = None
        while time.monotonic() < stop and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    health = json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        assert health is not None and health["ok"] is True
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert b"evacuate mission control" in r.read()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err
    assert (tmp_path / "data" / "runs.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "Invalid value for '--port': found 0; expected from 1 to 65,535"),
        (["--max-jobs", "65"], "Invalid value for '--max-jobs': found 65; expected from 1 to 64"),
        (["--job-memory", "100"], "found 100; expected from 256 to 1,048,576 MiB"),
    ],
)
def test_serve_settings_are_checked_by_the_registry(args: list[str], message: str) -> None:
    """Out-of-range settings stop ``serve`` before it starts: exit 2, the registry's words;
    its help shows the registry's range and unit."""
    from typer.testing import CliRunner

    from evacuate.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["serve", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.output
    shown = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    assert "From 1 to 64." in shown and "From 256 to 1,048,576 MiB." in shown


@pytest.mark.parametrize("where", ["a file", "under a file", "read-only"])
def test_a_data_folder_that_cannot_be_one_is_refused(tmp_path: Path, where: str) -> None:
    """``serve --data`` on a file, under a file or where nobody may write (/proc, even for
    root): exit 2 naming the flag, before serving (was an internal error, exit 1)."""
    from typer.testing import CliRunner

    from evacuate.cli import app

    (tmp_path / "f").write_text("a file\n")
    data = {
        "a file": tmp_path / "f",
        "under a file": tmp_path / "f" / "sub",
        "read-only": Path("/proc/evacuate-data"),
    }[where]
    port = str(free_port())
    result = CliRunner().invoke(app, ["serve", "--data", str(data), "--port", port])
    assert result.exit_code == 2, result.output
    assert f"{data}: " in result.output and "choose another --data" in result.output
