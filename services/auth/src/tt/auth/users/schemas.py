"""Request bodies of the users API and the answers it documents."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tt.auth.passwords import MAX_PASSWORD_LENGTH
from tt.auth.refusals import refused
from tt.common.fields import NoNul
from tt.common.openapi import page_of

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
        raise refused("Unknown IANA time zone")
    return value


def valid_email(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _EMAIL.match(value):
        raise refused("Invalid email address")
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


class UserFields(BaseModel):
    """The user object (the reference server's fields, plus ``is_admin``); never a password."""

    id: int
    username: str
    email: str | None
    full_name: str | None
    display_name: str = Field(description="full_name, or the username without one")
    role: Literal["admin", "user"]
    is_admin: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_login: datetime | None
    total_hours: float | None = Field(description="Always null: tracked hours live in time")
    avatar_url: str | None
    status: Literal["online", "away", "offline"] = Field(
        description="online within 15 minutes of the last login, away within an hour"
    )
    date_format: DateFormat
    time_format: TimeFormat
    timezone: str
    standard_hours_per_day: float
    overtime_include_weekends: bool


# The create and sign-in answers have always written the hourly rate as a JSON number,
# the others (rendered through their response model) as a decimal string; clients may
# rely on either, so each is documented as it is.


class UserOut(UserFields):
    default_hourly_rate: float | None = Field(description="A number here, e.g. 50.0")


class UserOutRateAsText(UserFields):
    default_hourly_rate: Decimal | None = Field(description='A decimal string here, e.g. "50.00"')


class UserCreated(BaseModel):
    message: str
    user: UserOut


class UserAnswer(BaseModel):
    user: UserOutRateAsText


class UserChanged(BaseModel):
    """An update's or deactivation's answer."""

    message: str
    user: UserOutRateAsText


class TimeEntryRequirements(BaseModel):
    require_task: bool
    require_description: bool
    description_min_length: int


class Me(BaseModel):
    """``GET /api/v1/users/me``, as the reference server answers it to its apps."""

    user: UserOutRateAsText
    time_entry_requirements: TimeEntryRequirements
    enabled_modules: list[str] = Field(description="The reference product's module ids tt serves")


UserPage = page_of(UserOutRateAsText, "users", "UserPage")
