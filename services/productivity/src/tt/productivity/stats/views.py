"""The shapes of the stats answers (TimeTracker's field names), from computed figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tt.productivity.analytics.days import DayTotal
from tt.productivity.analytics.focus import FocusMetrics
from tt.productivity.analytics.heatmap import HeatCell
from tt.productivity.analytics.streaks import StreakSummary
from tt.productivity.formats import hours, utc_text
from tt.productivity.stats.repository import ProjectTotals, RunningEntry
from tt.productivity.viewer import Viewer

GOAL_HOURS_PER_DAY = 8.0
WEEK_GOAL_HOURS = GOAL_HOURS_PER_DAY * 5
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


def zone_view(viewer: Viewer) -> dict[str, Any]:
    """The zone the figures are in, and when they were computed."""
    return {
        "timezone": viewer.zone.name,
        "timezone_warning": viewer.zone.warning,
        "generated_at": utc_text(viewer.now),
    }


def project_name(totals: ProjectTotals) -> str:
    return totals.name or f"Project {totals.project_id}"


def project_share_view(totals: ProjectTotals) -> dict[str, Any]:
    return {
        "project_id": totals.project_id,
        "name": project_name(totals),
        "hours": hours(totals.seconds),
        "billable_hours": hours(totals.billable_seconds),
        "entry_count": totals.entries,
        "color": PALETTE[totals.project_id % len(PALETTE)],
    }


def timer_view(entry: RunningEntry, seconds: int) -> dict[str, Any]:
    """The running timer, counted up to ``seconds``."""
    return {
        "id": entry.id,
        "project_name": entry.project_name,
        "task_name": entry.task_name,
        "start_time": utc_text(entry.start_time),
        "duration_seconds": seconds,
    }


def summary_view(
    *,
    today: DayTotal,
    week: DayTotal,
    billable_percent_week: int,
    top_of_week: ProjectTotals | None,
    timer: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "today_hours": today.hours,
        "week_hours": week.hours,
        "week_goal_hours": WEEK_GOAL_HOURS,
        "week_goal_percent": min(100, max(0, round(week.hours / WEEK_GOAL_HOURS * 100))),
        "active_timer": timer,
        "billable_percent_week": billable_percent_week,
        "top_project_week": (
            {"name": project_name(top_of_week), "hours": hours(top_of_week.week_seconds)}
            if top_of_week is not None
            else None
        ),
    }


def stats_view(
    viewer: Viewer,
    period: int,
    *,
    summary: dict[str, Any],
    daily: Sequence[tuple[date, DayTotal]],
    streak: StreakSummary,
    focus: FocusMetrics,
    projects: list[dict[str, Any]],
    heatmap: Sequence[HeatCell],
    insights: list[str],
) -> dict[str, Any]:
    """The productivity stats answer."""
    return {
        "ok": True,
        "period": period,
        **zone_view(viewer),
        "summary": summary,
        "daily_breakdown": [
            {
                "date": d.isoformat(),
                "hours": v.hours,
                "billable_hours": hours(v.billable_seconds),
                "entry_count": v.entries,
                "goal_hours": GOAL_HOURS_PER_DAY,
            }
            for d, v in daily
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
            for c in heatmap
        ],
        "insights": insights,
    }


def value_view(
    viewer: Viewer,
    *,
    total: DayTotal,
    active_days: int,
    most_productive_day: str | None,
    this_week: DayTotal,
    this_month: DayTotal,
    last_7_days: Sequence[tuple[date, DayTotal]],
    value: Decimal,
    currency: str,
) -> dict[str, Any]:
    """The value dashboard answer; ``value`` is the priced time, rounded to cents here."""
    total_hours = total.hours
    rounded_value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "total_hours": total_hours,
        "entries_count": total.entries,
        "active_days": active_days,
        "avg_session_length": round(total_hours / total.entries, 2) if total.entries else 0.0,
        "most_productive_day": most_productive_day,
        "this_week_hours": this_week.hours,
        "this_month_hours": this_month.hours,
        "last_7_days": [{"date": d.isoformat(), "hours": v.hours} for d, v in last_7_days],
        "estimated_value_tracked": float(rounded_value) if rounded_value > 0 else None,
        "estimated_value_currency": currency,
        **zone_view(viewer),
    }
