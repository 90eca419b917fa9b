"""The run store's tables (SQLAlchemy 2 declarative models), shaped like MLflow's tracking store.

A **scenario** is stored once, by the SHA-256 of its canonical JSON. A **run** is one piece of
work (kind ``plan``, ``simulate``, ``sweep``, ``sample``, ``sabotage``) with its parameters,
seed, status, timings and software versions; a sweep's samples are child runs of the sweep run,
each with a ``key`` unique under its parent (``--resume`` runs only the keys that are missing).
A run has scalar **metrics**, **series** (e.g. rescued over time) and **artifacts** (files on
disk or anywhere by URI). The schema is created and upgraded by the Alembic migrations in
``evacuate/store/migrations``; never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["ArtifactRow", "Base", "MetricRow", "ParamRow", "RunRow", "ScenarioRow", "SeriesRow"]


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    """A scenario's content, stored once whatever number of runs use it."""

    __tablename__ = "scenarios"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text)
    """The scenario as canonical JSON (sorted keys, file-format names)."""
    created_at: Mapped[dt.datetime]


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint("parent_id", "key", name="uq_runs_parent_key"),
        Index("ix_runs_kind_started", "kind", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(200))
    scenario_hash: Mapped[str | None] = mapped_column(ForeignKey("scenarios.hash"), index=True)
    variant: Mapped[str | None] = mapped_column(String(100))
    seed: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    seconds: Mapped[float | None] = mapped_column(Float)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    params: Mapped[list[ParamRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ParamRow.key"
    )
    metrics: Mapped[list[MetricRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MetricRow.key"
    )
    artifacts: Mapped[list[ArtifactRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ArtifactRow.name"
    )


class ParamRow(Base):
    """One input of a run, as JSON text (``"0.25"``, ``"\\"lhs\\""``)."""

    __tablename__ = "params"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class MetricRow(Base):
    """One scalar result of a run."""

    __tablename__ = "metrics"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    """``None`` stands for a missing value (e.g. no rescue at all: no last rescue time)."""


class SeriesRow(Base):
    """One point of a run's series: ``value`` at time ``t`` (the scenario's time unit)."""

    __tablename__ = "series"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    t: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)


class ArtifactRow(Base):
    """A file a run produced: its URI (``file://`` under the store's artifact root, or any)."""

    __tablename__ = "artifacts"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    uri: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
