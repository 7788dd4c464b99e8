"""The dashboard's own figures: today's, this week's and this month's hours with their
overtime, and the last 7 days for the sparklines, in the caller's timezone. A running
timer counts up to now, on the local day it started (as completed entries do)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import ValidationFailed
from tt.productivity.analytics.days import week_start
from tt.productivity.analytics.overtime import WorkSchedule, split_overtime
from tt.productivity.analytics.timezones import local_day
from tt.productivity.overview import repository as repo
from tt.productivity.stats.repository import running_entry
from tt.productivity.stats.service import Computed, Viewer, hours, running_seconds, utc_text

SPARKLINE_DAYS = 7
EARLIEST_DAY = date(1900, 1, 1)
# tt's read model carries no per-user working time yet: auth's defaults for every user.
SCHEDULE = WorkSchedule()


async def _seconds_by_day(
    session: AsyncSession, viewer: Viewer, first: date, last: date
) -> tuple[dict[date, float], bool]:
    """Completed seconds per local day from ``first`` to ``last``, the running timer's so
    far added to its day; and whether a timer runs (then nothing may be cached)."""
    days = await repo.day_seconds(session, viewer.user_id, first, last)
    running = await running_entry(session, viewer.user_id)
    if running is not None:
        day = local_day(running.start_time, viewer.zone.zone)
        days[day] = days.get(day, 0.0) + running_seconds(running, viewer.now)
    return days, running is not None


def _sum(days: dict[date, float], first: date, last: date) -> float:
    return sum(s for d, s in days.items() if first <= d <= last)


def parse_day(raw: str | None) -> date | None:
    """The ``date`` parameter: a local day (YYYY-MM-DD) to show the dashboard as of."""
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field("date", "date must be a day as YYYY-MM-DD") from None
    if day < EARLIEST_DAY:  # the windows before it would leave the calendar
        raise ValidationFailed.field("date", f"date must not be before {EARLIEST_DAY}")
    return day


def _as_of(viewer: Viewer, day: date | None) -> date:
    """The day the figures end on: today by default, never after it."""
    if day is None:
        return viewer.today
    if day > viewer.today:
        raise ValidationFailed.field("date", f"date must not be after today ({viewer.today})")
    return day


def _header(viewer: Viewer) -> dict[str, Any]:
    return {
        "timezone": viewer.zone.name,
        "timezone_warning": viewer.zone.warning,
        "generated_at": utc_text(viewer.now),
    }


async def dashboard_stats(session: AsyncSession, viewer: Viewer, day: date | None) -> Computed:
    """The figures of the day ``day`` (today by default), its week, month and year."""
    today = _as_of(viewer, day)
    # tt's users have no week-start setting: weeks start on Monday everywhere in tt.
    week_first = week_start(today)
    year_first = today.replace(month=1, day=1)
    days, running = await _seconds_by_day(session, viewer, min(week_first, year_first), today)
    today_split = split_overtime(days, today, today, SCHEDULE)
    week_split = split_overtime(days, week_first, today, SCHEDULE)
    year_split = split_overtime(days, year_first, today, SCHEDULE)
    payload = {
        "success": True,
        "today_hours": hours(_sum(days, today, today)),
        "week_hours": hours(_sum(days, week_first, today)),
        "month_hours": hours(_sum(days, today.replace(day=1), today)),
        "standard_hours_per_day": SCHEDULE.standard_hours_per_day,
        "today_regular_hours": hours(today_split.regular_seconds),
        "today_overtime_hours": hours(today_split.overtime_seconds),
        "week_regular_hours": hours(week_split.regular_seconds),
        "week_overtime_hours": hours(week_split.overtime_seconds),
        "overtime_ytd_hours": hours(year_split.overtime_seconds),
        "today": today.isoformat(),
        "week_start": week_first.isoformat(),
        "timer_running": running,
        **_header(viewer),
    }
    return Computed(payload, cacheable=not running)


async def sparklines(session: AsyncSession, viewer: Viewer, day: date | None) -> Computed:
    """The 7 local days ending on ``day`` (today by default), oldest first."""
    last = _as_of(viewer, day)
    first = last - timedelta(days=SPARKLINE_DAYS - 1)
    days, running = await _seconds_by_day(session, viewer, first, last)
    window = [first + timedelta(days=i) for i in range(SPARKLINE_DAYS)]
    # TimeTracker's three series are the same 7 days, to one decimal.
    series = [round(days.get(d, 0.0) / 3600, 1) for d in window]
    payload = {
        "success": True,
        "today": series,
        "week": series,
        "month": series,
        "days": [{"date": d.isoformat(), "hours": hours(days.get(d, 0.0))} for d in window],
        "timer_running": running,
        **_header(viewer),
    }
    return Computed(payload, cacheable=not running)
