"""Requests generated from the OpenAPI schema (Schemathesis): no request makes the server fail
with a 5xx, whatever it sends."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from evacuate.server import Limits, create_app

# Loaded when the module is imported (Schemathesis's lazy fixture loading does not work with
# pytest 9): one job at a time, each stopped after 20 s; generated jobs queue, and the
# module's teardown stops them and removes the data folder.
_DATA = Path(tempfile.mkdtemp(prefix="evacuate-schema-"))
APP = create_app(_DATA / "data", limits=Limits(max_jobs=1, seconds=20))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    APP.state.runner.close()
    shutil.rmtree(_DATA, ignore_errors=True)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_no_server_error(case: Any) -> None:
    """Every operation, with generated valid and invalid inputs: never a 5xx."""
    case.call_and_validate(checks=[not_a_server_error])


def test_schema_lists_every_operation(tmp_path: Path) -> None:
    """The schema the generated tests read covers the API (a schema missing an operation
    would silently test less)."""
    app = create_app(tmp_path)
    try:
        ops = {(m.upper(), p) for p, item in app.openapi()["paths"].items() for m in item}
    finally:
        app.state.runner.close()
    assert len(ops) >= 15, sorted(ops)
