"""Read-model tables, fed only by events (never written by a request)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tt.productivity.base import Base

Money = Numeric(14, 2)


class UserRecord(Base):
    """A user from ``tt.auth.users``; ``known`` is false for a placeholder created when an
    entry arrived before its user (its days are then UTC days until the user arrives)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(100))
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    known: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ClientRecord(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(300))
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))


class ProjectRecord(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[int | None] = mapped_column(BigInteger)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str | None] = mapped_column(String(32))
    # The plan the forecast measures against (null until the events carry it).
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    budget_threshold_percent: Mapped[int | None] = mapped_column(Integer)


class EntryRecord(Base):
    """A time entry. ``local_start`` is the start as the user's wall-clock time (in their
    timezone when the entry was applied, recomputed when the timezone changes);
    ``seconds`` is what the entry counts for, null while it runs."""

    __tablename__ = "time_entries"
    __table_args__ = (
        Index(
            "ix_time_entries_user_local_start",
            "user_id",
            "local_start",
            postgresql_include=["seconds", "billable", "project_id"],
        ),
        Index(
            "ix_time_entries_user_start_time",
            "user_id",
            "start_time",
            postgresql_include=["project_id", "task_id", "local_start", "seconds"],
        ),
        Index("ix_time_entries_start_time", "start_time"),
        Index(
            "ix_time_entries_project_start_time",
            "project_id",
            "start_time",
            postgresql_include=["seconds", "client_id"],
        ),
        Index("ix_time_entries_running", "user_id", postgresql_where=text("end_time IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    client_id: Mapped[int | None] = mapped_column(BigInteger)
    task_id: Mapped[int | None] = mapped_column(BigInteger)
    project_name: Mapped[str | None] = mapped_column(String(300))
    task_name: Mapped[str | None] = mapped_column(String(300))
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    local_start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    seconds: Mapped[int | None] = mapped_column(BigInteger)
    break_seconds: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    billable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(500))


class UserDay(Base):
    """Completed time per user and local day (the sum of their entries' ``seconds``)."""

    __tablename__ = "user_days"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    seconds: Mapped[int] = mapped_column(BigInteger)
    billable_seconds: Mapped[int] = mapped_column(BigInteger)
    entries: Mapped[int] = mapped_column(BigInteger)


class UserRateGroup(Base):
    """Completed time per user, project and entry client (0 for none): what the value
    dashboard multiplies by the resolved hourly rate."""

    __tablename__ = "user_rate_groups"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seconds: Mapped[int] = mapped_column(BigInteger)


READ_MODEL = (UserRecord, ClientRecord, ProjectRecord, EntryRecord, UserDay, UserRateGroup)
"""Every table the projector writes, in the order its statements lock them."""
