"""The run store's first schema: scenarios, runs, params, metrics, series, artifacts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _run_fk() -> sa.ForeignKey:
    return sa.ForeignKey("runs.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("scenario_id", sa.String(100), nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent_id", sa.String(32), _run_fk(), nullable=True, index=True),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column(
            "scenario_hash",
            sa.String(64),
            sa.ForeignKey("scenarios.hash"),
            nullable=True,
            index=True,
        ),
        sa.Column("variant", sa.String(100), nullable=True),
        sa.Column("seed", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.UniqueConstraint("parent_id", "key", name="uq_runs_parent_key"),
        sa.Index("ix_runs_kind_started", "kind", "started_at"),
    )
    op.create_table(
        "params",
        sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "metrics",
        sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Float, nullable=True),
    )
    op.create_table(
        "series",
        sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True),
        sa.Column("t", sa.Float, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
    )
    op.create_table(
        "artifacts",
        sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    for table in ("artifacts", "series", "metrics", "params", "runs", "scenarios"):
        op.drop_table(table)
