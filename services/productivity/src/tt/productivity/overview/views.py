"""The shapes of the dashboard's stats and sparklines (TimeTracker's field names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tt.productivity.analytics.overtime import Overtime
from tt.productivity.formats import hours
from tt.productivity.stats.views import zone_view
from tt.productivity.viewer import Viewer


def dashboard_stats_view(
    viewer: Viewer,
    *,
    today: date,
    week_first: date,
    standard_hours_per_day: float,
    today_seconds: float,
    week_seconds: float,
    month_seconds: float,
    today_split: Overtime,
    week_split: Overtime,
    year_split: Overtime,
    timer_running: bool,
) -> dict[str, Any]:
    return {
        "success": True,
        "today_hours": hours(today_seconds),
        "week_hours": hours(week_seconds),
        "month_hours": hours(month_seconds),
        "standard_hours_per_day": standard_hours_per_day,
        "today_regular_hours": hours(today_split.regular_seconds),
        "today_overtime_hours": hours(today_split.overtime_seconds),
        "week_regular_hours": hours(week_split.regular_seconds),
        "week_overtime_hours": hours(week_split.overtime_seconds),
        "overtime_ytd_hours": hours(year_split.overtime_seconds),
        "today": today.isoformat(),
        "week_start": week_first.isoformat(),
        "timer_running": timer_running,
        **zone_view(viewer),
    }


def sparklines_view(
    viewer: Viewer, window: Sequence[date], seconds: Mapping[date, float], *, timer_running: bool
) -> dict[str, Any]:
    """The days of ``window``, oldest first."""
    # TimeTracker's three series are the same 7 days, to one decimal.
    series = [round(seconds.get(d, 0.0) / 3600, 1) for d in window]
    return {
        "success": True,
        "today": series,
        "week": series,
        "month": series,
        "days": [{"date": d.isoformat(), "hours": hours(seconds.get(d, 0.0))} for d in window],
        "timer_running": timer_running,
        **zone_view(viewer),
    }
