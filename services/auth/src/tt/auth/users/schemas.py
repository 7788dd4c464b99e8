"""Request bodies of the users API and the user object every answer carries."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tt.auth.passwords import MAX_PASSWORD_LENGTH
from tt.auth.users.models import User
from tt.common.fields import NoNul

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$"
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=USERNAME_PATTERN),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=MAX_PASSWORD_LENGTH)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_timezone(value: str) -> str:
    if value not in _timezones() and value != "UTC":
        raise ValueError("Unknown IANA time zone")
    return value


def valid_email(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _EMAIL.match(value):
        raise ValueError("Invalid email address")
    return value


DateFormat = Literal["YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"]
TimeFormat = Literal["24h", "12h"]
HoursPerDay = Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]
HourlyRate = Annotated[Decimal, Field(ge=0, lt=10**10, decimal_places=2)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password
    email: Email | None = None
    full_name: FullName | None = None
    is_admin: bool = False
    timezone: str = "UTC"
    date_format: DateFormat = "YYYY-MM-DD"
    time_format: TimeFormat = "24h"
    standard_hours_per_day: HoursPerDay = Decimal(8)
    overtime_include_weekends: bool = False
    default_hourly_rate: HourlyRate | None = None

    _check_timezone = field_validator("timezone")(valid_timezone)
    _check_email = field_validator("email")(valid_email)


class UserUpdate(BaseModel):
    """Every field optional: only the fields sent change (PUT and PATCH alike)."""

    model_config = ConfigDict(extra="forbid")

    username: Username | None = None
    password: Password | None = None
    email: Email | None = None
    full_name: FullName | None = None
    is_admin: bool | None = None
    is_active: bool | None = None
    timezone: str | None = None
    date_format: DateFormat | None = None
    time_format: TimeFormat | None = None
    standard_hours_per_day: HoursPerDay | None = None
    overtime_include_weekends: bool | None = None
    default_hourly_rate: HourlyRate | None = None

    _check_email = field_validator("email")(valid_email)

    @field_validator("timezone")
    @classmethod
    def _timezone_or_none(cls, value: str | None) -> str | None:
        return None if value is None else valid_timezone(value)


def _status(user: User, now: datetime) -> str:
    # As the reference server: online within 15 minutes of the last login, away within an hour.
    if user.last_login is None:
        return "offline"
    since = now - user.last_login
    if since <= timedelta(minutes=15):
        return "online"
    return "away" if since <= timedelta(hours=1) else "offline"


def user_out(user: User) -> dict[str, Any]:
    """The user object (the reference server's fields, plus ``is_admin``); never a password."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "display_name": user.full_name or user.username,
        "role": user.role,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login": user.last_login,
        # Tracked hours live in the time service; auth does not know them.
        "total_hours": None,
        "avatar_url": None,
        "status": _status(user, datetime.now(UTC)),
        "date_format": user.date_format,
        "time_format": user.time_format,
        "timezone": user.timezone,
        "standard_hours_per_day": float(user.standard_hours_per_day),
        "overtime_include_weekends": user.overtime_include_weekends,
        "default_hourly_rate": user.default_hourly_rate,
    }
