"""Fixtures for the server: an app over a fresh data folder, in-process (TestClient) or served
by uvicorn on 127.0.0.1 (a free port) for the browser, load and schema tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from evacuate.server import Limits, create_app

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = (DATA / "valid" / "tiny_plane.yaml").read_text(encoding="utf-8")
BROKEN = (DATA / "broken" / "several_errors.yaml").read_text(encoding="utf-8")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "data", limits=Limits(max_jobs=2, seconds=120))
    with TestClient(app) as c:
        yield c


def wait_job(c: Any, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll a job until it is over (the test's safety stop: ``timeout`` seconds)."""
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        job: dict[str, Any] = c.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']} after {timeout} s")


def upload(c: Any, text: str = TINY, name: str = "tiny_plane.yaml") -> str:
    r = c.post("/api/scenarios", json={"name": name, "text": text})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@dataclass
class Served:
    url: str
    app: Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: Any) -> tuple[Served, Callable[[], None]]:
    """Run ``app`` under uvicorn in a thread on 127.0.0.1; returns it and a stop function."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > stop:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)

    def close() -> None:
        server.should_exit = True
        thread.join(15)

    return Served(f"http://127.0.0.1:{port}", app), close


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    app = create_app(
        tmp_path_factory.mktemp("served") / "data", limits=Limits(max_jobs=2, seconds=300)
    )
    s, close = serve(app)
    try:
        yield s
    finally:
        close()
