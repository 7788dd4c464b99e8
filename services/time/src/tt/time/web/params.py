"""Query parameters shared by list routes (unknown values are 400, never ignored)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Query

from tt.common.errors import ValidationFailed
from tt.common.fields import MAX_ID
from tt.time.web.fields import EARLIEST, LATEST

QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def flag(name: str, value: str | None) -> bool | None:
    """``true``/``false`` (also 1/0, yes/no); anything else is a 400."""
    if value is None or value == "":
        return None
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed.field(name, "Must be true or false")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def bound(name: str, value: str | None, tz: str, *, end: bool) -> datetime | None:
    """A date filter: a date-time (naive = UTC) or a plain date, read as a whole day in the
    caller's timezone (``end_date=2024-01-31`` includes all of the 31st)."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, tzinfo=zone(tz))
            if end:  # inclusive: the last microsecond of that day
                moment = datetime.combine(
                    day + timedelta(days=1), time.min, tzinfo=zone(tz)
                ) - timedelta(microseconds=1)
        else:
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed.field(
            name, "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time"
        ) from None
    moment = moment.astimezone(UTC)
    if not EARLIEST <= moment <= LATEST:
        raise ValidationFailed.field(name, "Must be between 1970-01-01 and 2099-12-31")
    return moment
