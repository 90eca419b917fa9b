"""Alembic environment of the run store: runs on the connection ``Store`` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from evacuate.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - only reachable by misuse
    raise RuntimeError("run the store's migrations through evacuate.store.open_store")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
