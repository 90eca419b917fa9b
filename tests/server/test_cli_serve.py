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
