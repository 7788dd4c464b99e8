"""The ``users`` table."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tt.auth.base import Base
from tt.common.db import Timestamped


class User(Timestamped, Base):
    __tablename__ = "users"
    # created_at/updated_at come back with the INSERT/UPDATE (they go into events).
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    date_format: Mapped[str] = mapped_column(String(20), default="YYYY-MM-DD")
    time_format: Mapped[str] = mapped_column(String(10), default="24h")
    standard_hours_per_day: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(8))
    overtime_include_weekends: Mapped[bool] = mapped_column(default=False)
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    last_login: Mapped[datetime | None] = mapped_column()
    # Grows by one with every published change (the event's ``version``).
    version: Mapped[int] = mapped_column(default=1)

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "user"


# Usernames and emails are unique regardless of case (logins lower-case them).
Index("uq_users_username_lower", func.lower(User.username), unique=True)
Index("uq_users_email_lower", func.lower(User.email), unique=True)
