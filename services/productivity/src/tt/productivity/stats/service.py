"""The stats use cases: the productivity stats and the value dashboard, as JSON-ready
dicts (TimeTracker's field names), computed in the user's timezone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
from tt.productivity.analytics.timezones import UserZone, today_in
from tt.productivity.stats import repository as repo
from tt.productivity.stats.repository import ProjectTotals, RunningEntry

DEFAULT_PERIOD = 30
MAX_PERIOD = 90
DAILY_DAYS = 14
HEATMAP_WEEKS = 12
TOP_PROJECTS = 8
GOAL_HOURS_PER_DAY = 8.0
# Colours by project id, as TimeTracker's legend.
PALETTE = (
    "#3b82f6",
    "#10b981",
    "#f59e0b",
    "#ef4444",
    "#8b5cf6",
    "#ec4899",
    "#14b8a6",
    "#f97316",
    "#6366f1",
    "#84cc16",
)


def hours(seconds: float) -> float:
    """Seconds as hours, rounded to hundredths (every hours figure of the answers)."""
    return round(seconds / 3600, 2)


def utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose stats, in which zone, at which instant."""

    user_id: int
    zone: UserZone
    now: datetime

    @property
    def today(self) -> date:
        return today_in(self.zone.zone, self.now)


async def viewer_for(
    session: AsyncSession, user_id: int, identity_timezone: str, now: datetime | None = None
) -> Viewer:
    zone = await repo.user_zone(session, user_id, identity_timezone)
    return Viewer(user_id, zone, now or datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Computed:
    payload: dict[str, Any]
    cacheable: bool


async def productivity_stats(session: AsyncSession, viewer: Viewer, period: int) -> Computed:
    today = viewer.today
    days = await repo.day_totals(session, viewer.user_id)
    first_of_week = week_start(today)
    period_first = today - timedelta(days=period - 1)
    groups = await repo.focus_groups(session, viewer.user_id, period_first, today)
    totals = await repo.project_totals(session, viewer.user_id, period_first, first_of_week, today)
    running = await repo.running_entry(session, viewer.user_id)

    projects = _project_breakdown(totals)[:TOP_PROJECTS]
    week = total_between(days, first_of_week, today)
    last_week = total_between(days, first_of_week - timedelta(days=7), today - timedelta(days=7))
    streak = summarize_streaks({d for d, v in days.items() if v.entries > 0}, today)
    focus = focus_metrics(
        groups, sum(1 for d, v in days.items() if period_first <= d <= today and v.entries)
    )
    summary = _summary(days.get(today, DayTotal()), week, totals, running, viewer.now)
    payload = {
        "ok": True,
        "period": period,
        "timezone": viewer.zone.name,
        "timezone_warning": viewer.zone.warning,
        "generated_at": utc_text(viewer.now),
        "summary": summary,
        "daily_breakdown": [
            {
                "date": d.isoformat(),
                "hours": v.hours,
                "billable_hours": hours(v.billable_seconds),
                "entry_count": v.entries,
                "goal_hours": GOAL_HOURS_PER_DAY,
            }
            for d, v in last_n_days(days, today, DAILY_DAYS)
        ],
        "streak": asdict(streak),
        "focus": asdict(focus),
        "projects": projects,
        "heatmap": [
            {
                "date": c.day.isoformat(),
                "hours": c.hours,
                "level": c.level,
                "seconds": c.seconds,
                "entry_count": c.entries,
            }
            for c in build_heatmap(
                {d: v.seconds for d, v in days.items()},
                today,
                weeks=HEATMAP_WEEKS,
                day_entries={d: v.entries for d, v in days.items()},
            )
        ],
        "insights": build_insights(
            week_hours=week.hours,
            last_week_hours=last_week.hours,
            current_streak=streak.current_streak,
            most_productive_hour=focus.most_productive_hour,
            projects=projects,
            billable_percent_week=summary["billable_percent_week"],
        ),
    }
    return Computed(payload, cacheable=running is None)


def _summary(
    today: DayTotal,
    week: DayTotal,
    totals: Sequence[ProjectTotals],
    running: RunningEntry | None,
    now: datetime,
) -> dict[str, Any]:
    goal = GOAL_HOURS_PER_DAY * 5
    top = sorted(
        (t for t in totals if t.week_seconds > 0), key=lambda t: (-t.week_seconds, t.project_id)
    )
    return {
        "today_hours": today.hours,
        "week_hours": week.hours,
        "week_goal_hours": goal,
        "week_goal_percent": min(100, max(0, round(week.hours / goal * 100))),
        "active_timer": _timer(running, now) if running is not None else None,
        "billable_percent_week": (
            round(week.billable_seconds / week.seconds * 100) if week.seconds > 0 else 0
        ),
        "top_project_week": (
            {"name": _name(top[0]), "hours": hours(top[0].week_seconds)} if top else None
        ),
    }


def running_seconds(entry: RunningEntry, now: datetime) -> int:
    """What a running timer counts for at ``now``: a paused timer stands still at its
    pause, and breaks already taken are not work."""
    until = entry.paused_at or now
    return max(0, int((until - entry.start_time).total_seconds()) - entry.break_seconds)


def _timer(entry: RunningEntry, now: datetime) -> dict[str, Any]:
    return {
        "id": entry.id,
        "project_name": entry.project_name,
        "task_name": entry.task_name,
        "start_time": utc_text(entry.start_time),
        "duration_seconds": running_seconds(entry, now),
    }


def _name(t: ProjectTotals) -> str:
    return t.name or f"Project {t.project_id}"


def _project_breakdown(totals: Sequence[ProjectTotals]) -> list[dict[str, Any]]:
    ranked = sorted((t for t in totals if t.seconds > 0), key=lambda t: (-t.seconds, t.project_id))
    return [
        {
            "project_id": t.project_id,
            "name": _name(t),
            "hours": hours(t.seconds),
            "billable_hours": hours(t.billable_seconds),
            "entry_count": t.entries,
            "color": PALETTE[t.project_id % len(PALETTE)],
        }
        for t in ranked
    ]


async def value_dashboard(session: AsyncSession, viewer: Viewer, currency: str) -> Computed:
    today = viewer.today
    days = await repo.day_totals(session, viewer.user_id)
    value = await repo.estimated_value(session, viewer.user_id)
    return Computed(_value_payload(days, today, value, currency, viewer), cacheable=True)


def _value_payload(
    days: Mapping[date, DayTotal], today: date, value: Decimal, currency: str, viewer: Viewer
) -> dict[str, Any]:
    total = DayTotal()
    for v in days.values():
        total = total + v
    total_hours = total.hours
    rounded_value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "total_hours": total_hours,
        "entries_count": total.entries,
        "active_days": sum(1 for v in days.values() if v.entries > 0),
        "avg_session_length": round(total_hours / total.entries, 2) if total.entries else 0.0,
        "most_productive_day": most_productive_weekday(days),
        "this_week_hours": total_between(days, week_start(today), today).hours,
        "this_month_hours": total_between(days, today.replace(day=1), today).hours,
        "last_7_days": [
            {"date": d.isoformat(), "hours": v.hours} for d, v in last_n_days(days, today, 7)
        ],
        "estimated_value_tracked": float(rounded_value) if rounded_value > 0 else None,
        "estimated_value_currency": currency,
        "timezone": viewer.zone.name,
        "timezone_warning": viewer.zone.warning,
        "generated_at": utc_text(viewer.now),
    }
