"""The time_entries table and the totals PostgreSQL keeps beside it.

``entry_counts`` (per user) and ``work_totals`` (per project and per task) are maintained
by a trigger on ``time_entries`` (migrations 0002, 0003 and 0009), so list pages count in O(1) and
project/task hours never scan entries, whichever code path writes an entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.selectable import LateralFromClause

from tt.time.base import Base


class TimeEntry(Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        # Newest-first pages: per user, per project, and across users (admins).
        Index("ix_time_entries_user_start", "user_id", text("start_time DESC"), text("id DESC")),
        Index(
            "ix_time_entries_project_start", "project_id", text("start_time DESC"), text("id DESC")
        ),
        Index("ix_time_entries_start", text("start_time DESC"), text("id DESC")),
        Index("ix_time_entries_task_id", "task_id", postgresql_where=text("task_id IS NOT NULL")),
        Index(
            "ix_time_entries_client_id", "client_id", postgresql_where=text("client_id IS NOT NULL")
        ),
        # At most one running timer per user, also under concurrent starts.
        Index(
            "uq_time_entries_one_active_per_user",
            "user_id",
            unique=True,
            postgresql_where=text("end_time IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    break_seconds: Mapped[int] = mapped_column(Integer, server_default="0")
    paused_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(500))
    billable: Mapped[bool] = mapped_column(server_default="true")
    paid: Mapped[bool] = mapped_column(server_default="false")
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(10), server_default="manual")
    approval_status: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EntryCount(Base):
    """How many entries a user has, and how many of them are running (trigger-kept, in
    up to 16 ``shard`` rows per user that readers sum: concurrent writers do not queue on
    one row)."""

    __tablename__ = "entry_counts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="0")
    total: Mapped[int] = mapped_column(BigInteger, server_default="0")
    active: Mapped[int] = mapped_column(BigInteger, server_default="0")


class WorkTotal(Base):
    """Seconds of finished work on a project (``kind='p'``) or task (``'t'``) (trigger-kept,
    sharded like ``EntryCount``: readers sum the rows)."""

    __tablename__ = "work_totals"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    ref_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="0")
    seconds: Mapped[int] = mapped_column(BigInteger, server_default="0")
    billable_seconds: Mapped[int] = mapped_column(BigInteger, server_default="0")


def work_totals_of(kind: str, ref_id: Any) -> LateralFromClause:
    """``seconds`` and ``billable_seconds`` of one project or task (0 without work), its
    shards summed: join it with ``true()``, as it always has exactly one row."""
    return (
        select(
            # sum(bigint) is numeric in PostgreSQL: back to bigint, an int in Python.
            cast(func.coalesce(func.sum(WorkTotal.seconds), 0), BigInteger).label("seconds"),
            cast(func.coalesce(func.sum(WorkTotal.billable_seconds), 0), BigInteger).label(
                "billable_seconds"
            ),
        )
        .where(WorkTotal.kind == kind, WorkTotal.ref_id == ref_id)
        .lateral(f"work_{kind}")
    )
