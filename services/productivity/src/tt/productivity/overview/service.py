"""The dashboard's own figures: today's, this week's and this month's hours with their
overtime, and the last 7 days for the sparklines, in the caller's timezone, answered from
the caches while fresh. A running timer counts up to now, on the local day it started
(as completed entries do)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import ValidationFailed
from tt.common.identity import Identity
from tt.productivity.analytics.days import week_start
from tt.productivity.analytics.overtime import WorkSchedule, split_overtime
from tt.productivity.analytics.timezones import local_day
from tt.productivity.answers import Answer, Computed, cached_answer
from tt.productivity.cache import DASHBOARD
from tt.productivity.overview import repository as repo
from tt.productivity.overview import views
from tt.productivity.runtime import Runtime
from tt.productivity.stats.repository import running_entry
from tt.productivity.stats.service import running_seconds
from tt.productivity.viewer import Viewer

SPARKLINE_DAYS = 7
EARLIEST_DAY = date(1900, 1, 1)
# tt's read model carries no per-user working time yet: auth's defaults for every user.
SCHEDULE = WorkSchedule()


async def dashboard_stats_answer(rt: Runtime, identity: Identity, raw_day: str | None) -> Answer:
    """The caller's figures as of ``raw_day`` (``date=``; today by default)."""
    day = parse_day(raw_day)
    return await cached_answer(
        rt,
        identity,
        kind=DASHBOARD,
        variant=f"stats:{day or 'today'}",
        ttl=rt.settings.stats_cache_seconds,
        compute=lambda session, viewer: dashboard_stats(session, viewer, day),
    )


async def sparklines_answer(rt: Runtime, identity: Identity, raw_day: str | None) -> Answer:
    """The caller's 7 days ending on ``raw_day`` (``date=``; today by default)."""
    day = parse_day(raw_day)
    return await cached_answer(
        rt,
        identity,
        kind=DASHBOARD,
        variant=f"sparklines:{day or 'today'}",
        ttl=rt.settings.stats_cache_seconds,
        compute=lambda session, viewer: sparklines(session, viewer, day),
    )


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


async def dashboard_stats(session: AsyncSession, viewer: Viewer, day: date | None) -> Computed:
    """The figures of the day ``day`` (today by default), its week, month and year."""
    today = _as_of(viewer, day)
    # tt's users have no week-start setting: weeks start on Monday everywhere in tt.
    week_first = week_start(today)
    year_first = today.replace(month=1, day=1)
    days, running = await _seconds_by_day(session, viewer, min(week_first, year_first), today)
    payload = views.dashboard_stats_view(
        viewer,
        today=today,
        week_first=week_first,
        standard_hours_per_day=SCHEDULE.standard_hours_per_day,
        today_seconds=_sum(days, today, today),
        week_seconds=_sum(days, week_first, today),
        month_seconds=_sum(days, today.replace(day=1), today),
        today_split=split_overtime(days, today, today, SCHEDULE),
        week_split=split_overtime(days, week_first, today, SCHEDULE),
        year_split=split_overtime(days, year_first, today, SCHEDULE),
        timer_running=running,
    )
    return Computed(payload, cacheable=not running)


async def sparklines(session: AsyncSession, viewer: Viewer, day: date | None) -> Computed:
    """The 7 local days ending on ``day`` (today by default), oldest first."""
    last = _as_of(viewer, day)
    first = last - timedelta(days=SPARKLINE_DAYS - 1)
    days, running = await _seconds_by_day(session, viewer, first, last)
    window = [first + timedelta(days=i) for i in range(SPARKLINE_DAYS)]
    payload = views.sparklines_view(viewer, window, days, timer_running=running)
    return Computed(payload, cacheable=not running)
