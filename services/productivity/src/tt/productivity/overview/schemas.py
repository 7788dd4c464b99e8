"""The documented shapes of the dashboard's stats and sparklines (OpenAPI only: the
answers are sent as cached JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class _Zoned(BaseModel):
    timezone: str = Field(description="The IANA zone days are computed in")
    timezone_warning: str | None
    generated_at: str = Field(description="UTC, ISO 8601 with Z")
    timer_running: bool = Field(description="A running timer counts up to now (never cached)")


class DashboardStats(_Zoned):
    success: bool
    today_hours: float
    week_hours: float = Field(description="From the week's first day to today, local days")
    month_hours: float
    standard_hours_per_day: float
    today_regular_hours: float
    today_overtime_hours: float
    week_regular_hours: float
    week_overtime_hours: float
    overtime_ytd_hours: float = Field(description="1 January to today (weekends: overtime)")
    today: str = Field(description="The local day the figures end on: today, or date=")
    week_start: str = Field(description="The week's first local day (Monday)")


class SparkDay(BaseModel):
    date: str
    hours: float


class Sparklines(_Zoned):
    success: bool
    today: list[float] = Field(description="The last 7 local days' hours, oldest first")
    week: list[float] = Field(description="The same 7 days (as TimeTracker)")
    month: list[float] = Field(description="The same 7 days (as TimeTracker)")
    days: list[SparkDay] = Field(description="The same 7 days with their dates")
