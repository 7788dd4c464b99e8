"""Approval requests and the entries each covers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from tt.time.base import Base

APPROVAL_STATUSES = ("pending", "approved", "rejected")


class Approval(Base):
    __tablename__ = "time_entry_approvals"
    __table_args__ = (
        Index("ix_time_entry_approvals_user_id", "user_id", text("id DESC")),
        Index("ix_time_entry_approvals_status", "status", text("id DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)  # whose entries
    requested_by: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    request_comment: Mapped[str | None] = mapped_column(Text)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApprovalEntry(Base):
    """One entry of one approval request (an entry leaves with its deletion)."""

    __tablename__ = "time_entry_approval_entries"
    __table_args__ = (Index("ix_time_entry_approval_entries_entry_id", "entry_id"),)

    approval_id: Mapped[int] = mapped_column(
        ForeignKey("time_entry_approvals.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True
    )
