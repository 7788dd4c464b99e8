"""The stats use cases: the productivity stats and the value dashboard, computed in the
user's timezone from the read model, answered from the caches while fresh."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.identity import Identity
from tt.productivity.analytics.days import (
    DayTotal,
    last_n_days,
    most_productive_weekday,
    total_between,
    week_start,
)
from tt.productivity.analytics.focus import focus_metrics
from tt.productivity.analytics.heatmap import build_heatmap
from tt.productivity.analytics.insights import build_insights
from tt.productivity.analytics.streaks import summarize_streaks
from tt.productivity.answers import Answer, Computed, cached_answer
from tt.productivity.cache import STATS, VALUE
from tt.productivity.runtime import Runtime
from tt.productivity.stats import repository as repo
from tt.productivity.stats import views
from tt.productivity.stats.repository import ProjectTotals, RunningEntry
from tt.productivity.viewer import Viewer

DEFAULT_PERIOD = 30
MAX_PERIOD = 90
DAILY_DAYS = 14
HEATMAP_WEEKS = 12
TOP_PROJECTS = 8


async def stats_answer(rt: Runtime, identity: Identity, period: int) -> Answer:
    """The caller's stats for ``period`` days (clamped to 1-90, as TimeTracker does)."""
    period = max(1, min(period, MAX_PERIOD))
    return await cached_answer(
        rt,
        identity,
        kind=STATS,
        variant=str(period),
        ttl=rt.settings.stats_cache_seconds,
        compute=lambda session, viewer: productivity_stats(session, viewer, period),
    )


async def value_answer(rt: Runtime, identity: Identity) -> Answer:
    """The caller's value dashboard, priced in the service's currency."""
    currency = rt.settings.currency
    return await cached_answer(
        rt,
        identity,
        kind=VALUE,
        variant="all",
        ttl=rt.settings.value_cache_seconds,
        compute=lambda session, viewer: value_dashboard(session, viewer, currency),
    )


async def productivity_stats(session: AsyncSession, viewer: Viewer, period: int) -> Computed:
    today = viewer.today
    days = await repo.day_totals(session, viewer.user_id)
    first_of_week = week_start(today)
    period_first = today - timedelta(days=period - 1)
    groups = await repo.focus_groups(session, viewer.user_id, period_first, today)
    totals = await repo.project_totals(session, viewer.user_id, period_first, first_of_week, today)
    running = await repo.running_entry(session, viewer.user_id)

    projects = [views.project_share_view(t) for t in _by_period_time(totals)[:TOP_PROJECTS]]
    week = total_between(days, first_of_week, today)
    last_week = total_between(days, first_of_week - timedelta(days=7), today - timedelta(days=7))
    billable_percent_week = _billable_percent(week)
    streak = summarize_streaks({d for d, v in days.items() if v.entries > 0}, today)
    focus = focus_metrics(
        groups, sum(1 for d, v in days.items() if period_first <= d <= today and v.entries)
    )
    summary = views.summary_view(
        today=days.get(today, DayTotal()),
        week=week,
        billable_percent_week=billable_percent_week,
        top_of_week=_top_of_week(totals),
        timer=(
            views.timer_view(running, running_seconds(running, viewer.now))
            if running is not None
            else None
        ),
    )
    payload = views.stats_view(
        viewer,
        period,
        summary=summary,
        daily=last_n_days(days, today, DAILY_DAYS),
        streak=streak,
        focus=focus,
        projects=projects,
        heatmap=build_heatmap(
            {d: v.seconds for d, v in days.items()},
            today,
            weeks=HEATMAP_WEEKS,
            day_entries={d: v.entries for d, v in days.items()},
        ),
        insights=build_insights(
            week_hours=week.hours,
            last_week_hours=last_week.hours,
            current_streak=streak.current_streak,
            most_productive_hour=focus.most_productive_hour,
            projects=projects,
            billable_percent_week=billable_percent_week,
        ),
    )
    return Computed(payload, cacheable=running is None)


def _billable_percent(week: DayTotal) -> int:
    return round(week.billable_seconds / week.seconds * 100) if week.seconds > 0 else 0


def _top_of_week(totals: Sequence[ProjectTotals]) -> ProjectTotals | None:
    tracked = [t for t in totals if t.week_seconds > 0]
    return min(tracked, key=lambda t: (-t.week_seconds, t.project_id), default=None)


def _by_period_time(totals: Sequence[ProjectTotals]) -> list[ProjectTotals]:
    return sorted((t for t in totals if t.seconds > 0), key=lambda t: (-t.seconds, t.project_id))


def running_seconds(entry: RunningEntry, now: datetime) -> int:
    """What a running timer counts for at ``now``: a paused timer stands still at its
    pause, and breaks already taken are not work."""
    until = entry.paused_at or now
    return max(0, int((until - entry.start_time).total_seconds()) - entry.break_seconds)


async def value_dashboard(session: AsyncSession, viewer: Viewer, currency: str) -> Computed:
    today = viewer.today
    days = await repo.day_totals(session, viewer.user_id)
    value = await repo.estimated_value(session, viewer.user_id)
    total = DayTotal()
    for v in days.values():
        total = total + v
    payload = views.value_view(
        viewer,
        total=total,
        active_days=sum(1 for v in days.values() if v.entries > 0),
        most_productive_day=most_productive_weekday(days),
        this_week=total_between(days, week_start(today), today),
        this_month=total_between(days, today.replace(day=1), today),
        last_7_days=last_n_days(days, today, 7),
        value=value,
        currency=currency,
    )
    return Computed(payload, cacheable=True)
