"""Parsing a report's date range: dates are the caller's local days, datetimes with an
offset are instants, naive datetimes are UTC (docs/api.md §5). Bad ranges are 400s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tt.common.errors import ValidationFailed

DEFAULT_DAYS = 30
MAX_YEARS = 5
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime  # inclusive, aware
    end: datetime  # inclusive, aware


def _bound(name: str, raw: str, zone: ZoneInfo, *, end: bool) -> datetime:
    value = raw.strip()
    try:
        if DATE_ONLY.match(value):
            day = date.fromisoformat(value)
            if end:
                return datetime.combine(day + timedelta(days=1), time.min, zone) - timedelta(
                    microseconds=1
                )
            return datetime.combine(day, time.min, zone)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.field(
            name, f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 datetime"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _add_years(instant: datetime, years: int) -> datetime:
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:  # 29 February
        return instant.replace(year=instant.year + years, day=28)


def parse_range(
    start_date: str | None, end_date: str | None, zone: ZoneInfo, now: datetime
) -> DateRange:
    """The range asked for; by default the 30 days up to now (as TimeTracker)."""
    end = _bound("end_date", end_date, zone, end=True) if end_date else now
    start = (
        _bound("start_date", start_date, zone, end=False)
        if start_date
        else end - timedelta(days=DEFAULT_DAYS)
    )
    if start > end:
        raise ValidationFailed(
            {"start_date": ["start_date must be on or before end_date"]},
            "The date range is reversed: start_date is after end_date",
        )
    try:
        too_long = end > _add_years(start, MAX_YEARS)
    except OverflowError:
        too_long = False
    if too_long:
        raise ValidationFailed(
            {"end_date": [f"The range may span at most {MAX_YEARS} years"]},
            f"The date range spans more than {MAX_YEARS} years",
        )
    return DateRange(start.astimezone(UTC), end.astimezone(UTC))
