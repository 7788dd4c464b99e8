"""The ``dismissed_releases`` table: which release versions each admin dismissed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tt.auth.base import Base


class DismissedRelease(Base):
    __tablename__ = "dismissed_releases"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    dismissed_at: Mapped[datetime] = mapped_column(server_default=func.now())
