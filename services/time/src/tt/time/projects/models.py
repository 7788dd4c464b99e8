"""The projects table."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tt.time.base import Base

PROJECT_STATUSES = ("active", "inactive", "on_hold", "archived", "completed")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_status_name_id", "status", "name", "id"),
        Index("ix_projects_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    billable: Mapped[bool] = mapped_column(server_default="true")
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    billing_ref: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    budget_threshold_percent: Mapped[int] = mapped_column(Integer, server_default="80")
    currency: Mapped[str] = mapped_column(String(3))
    color: Mapped[str | None] = mapped_column(String(7))
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    archived_at: Mapped[datetime | None]
    archived_by: Mapped[int | None] = mapped_column(BigInteger)
    archived_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
