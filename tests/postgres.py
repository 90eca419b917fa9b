"""A throw-away PostgreSQL database for tests, on the server ``.ci/run`` starts.

The admin URL is ``EVACUATE_TEST_POSTGRES`` (default: the local server's socket, as the user
running the tests). Outside CI a missing server skips the test; under CI (``CI=true``) it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get(
    "EVACUATE_TEST_POSTGRES", "postgresql+psycopg:///postgres?host=/var/run/postgresql"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@contextmanager
def temporary_database() -> Iterator[str]:
    """A new, empty database; its SQLAlchemy URL. Dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"evacuate_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is needed under CI and unreachable at {ADMIN_URL}: {exc}")
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL}")
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
