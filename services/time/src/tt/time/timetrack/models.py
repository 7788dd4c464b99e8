"""What a TimeTrack entry carries beyond a v1 entry: hourly rate, flat-rate flag and the
GPS coordinates of its start and end (one row per entry that was given any of them)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from tt.time.base import Base


class TimeTrackDetails(Base):
    __tablename__ = "timetrack_entry_details"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True
    )
    hour_rate: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    flat_rate: Mapped[bool] = mapped_column(server_default="false")
    latitude: Mapped[str | None] = mapped_column(String(32))
    longitude: Mapped[str | None] = mapped_column(String(32))
    latitude1: Mapped[str | None] = mapped_column(String(32))
    longitude1: Mapped[str | None] = mapped_column(String(32))
