"""The ``entry_imports`` table: one row per CSV import, the job whose counts a client
polls (``GET /api/v1/imports/<id>``) while the upload is read, checked and written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tt.time.base import Base

# receiving -> validating -> writing -> completed, or failed at any step.
RUNNING = ("receiving", "validating", "writing")
IMPORT_STATUSES = (*RUNNING, "completed", "failed")


class EntryImport(Base):
    __tablename__ = "entry_imports"
    __table_args__ = (Index("ix_entry_imports_user_id", "user_id", text("id DESC")),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))
    form: Mapped[str] = mapped_column(String(10))  # multipart | json | csv
    filename: Mapped[str | None] = mapped_column(String(255))
    bytes_total: Mapped[int | None] = mapped_column(BigInteger)
    bytes_read: Mapped[int] = mapped_column(BigInteger, server_default="0")
    rows_read: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_invalid: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_imported: Mapped[int] = mapped_column(Integer, server_default="0")
    message: Mapped[str | None] = mapped_column(Text)
    errors: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None]
