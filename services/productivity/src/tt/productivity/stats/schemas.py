"""The documented shapes of the stats answers (OpenAPI); ``views`` builds them as dicts
and they are sent as cached JSON, so these models describe rather than validate."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ActiveTimer(BaseModel):
    id: int
    project_name: str | None
    task_name: str | None
    start_time: str = Field(description="UTC, ISO 8601 with Z")
    duration_seconds: int


class TopProject(BaseModel):
    name: str
    hours: float


class Summary(BaseModel):
    today_hours: float
    week_hours: float = Field(description="Monday to today, local days")
    week_goal_hours: float
    week_goal_percent: int
    active_timer: ActiveTimer | None
    billable_percent_week: int
    top_project_week: TopProject | None


class DailyHours(BaseModel):
    date: str
    hours: float
    billable_hours: float
    entry_count: int
    goal_hours: float


class Streak(BaseModel):
    current_streak: int = Field(description="Consecutive tracked days up to today (or yesterday)")
    longest_streak: int
    tracked_days_this_month: int
    total_days_this_month: int


MOST_PRODUCTIVE_DAY = (
    "English name of the weekday with the most tracked time; a tie goes to the weekday "
    "tracked most recently; null without tracked time"
)


class Focus(BaseModel):
    sessions: int = Field(description="Completed entries in the period")
    avg_session_length_minutes: float = Field(description="Sessions of 5 minutes or more")
    longest_session_hours: float
    entries_per_day: float = Field(description="Per day with at least one session")
    most_productive_hour: int | None = Field(
        description="Local hour (0-23) with the most tracked time; a tie goes to the earliest"
    )
    most_productive_day: str | None = Field(description=MOST_PRODUCTIVE_DAY)
    hour_distribution: list[float] = Field(description="24 values: hours per local hour")
    deep_work_sessions: int
    deep_work_hours: float
    deep_work_share: float = Field(description="Share of tracked time in deep-work sessions")
    deep_work_threshold_minutes: int


class ProjectShare(BaseModel):
    project_id: int
    name: str
    hours: float
    billable_hours: float
    entry_count: int
    color: str


class HeatCell(BaseModel):
    date: str
    hours: float
    level: int = Field(ge=0, le=4)
    seconds: int
    entry_count: int


class ProductivityStats(BaseModel):
    ok: bool
    period: int = Field(description="Days of focus metrics and project breakdown (1-90)")
    timezone: str = Field(description="The IANA zone days are computed in")
    timezone_warning: str | None = Field(
        description="Set when the user's timezone is unknown and UTC is used instead"
    )
    generated_at: str
    summary: Summary
    daily_breakdown: list[DailyHours] = Field(description="The last 14 local days")
    streak: Streak
    focus: Focus
    projects: list[ProjectShare] = Field(description="Top 8 projects of the period")
    heatmap: list[HeatCell] = Field(description="84 local days (12 weeks), oldest first")
    insights: list[str]


class DayHours(BaseModel):
    date: str
    hours: float


class ValueDashboard(BaseModel):
    total_hours: float
    entries_count: int
    active_days: int
    avg_session_length: float = Field(description="Hours per completed entry")
    most_productive_day: str | None = Field(description=MOST_PRODUCTIVE_DAY)
    this_week_hours: float
    this_month_hours: float
    last_7_days: list[DayHours]
    estimated_value_tracked: float | None = Field(
        description="Hours x (project rate, else entry client rate, else project client rate)"
    )
    estimated_value_currency: str
    timezone: str
    timezone_warning: str | None
    generated_at: str


# The 200 answer of every cached route: the model says the body, this its header.
CACHED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Cache": {
                "description": "HIT (from Redis), MISS (computed and stored) or BYPASS (not "
                "stored: a timer runs, or Redis is unavailable)",
                "schema": {"type": "string", "enum": ["HIT", "MISS", "BYPASS"]},
            }
        }
    }
}
