"""The documented shape of a project's forecast (OpenAPI only: the answer is sent as
cached JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Forecast(BaseModel):
    project_name: str | None
    status: str | None
    currency: str | None
    has_data: bool
    total_logged_hours: float = Field(description="Completed time of every user so far")
    cost_so_far: float = Field(
        description="Hours x (project rate, else entry client rate, else project client rate)"
    )
    hourly_rate: float | None
    burn_window_weeks: int
    burn_window_start: str = Field(description="UTC instant: the window is the 28 days to now")
    hours_last_4_weeks: float
    cost_last_4_weeks: float
    burn_rate_hours_per_week: float
    burn_rate_hours_per_day: float
    burn_rate_cost_per_week: float
    estimated_hours: float | None
    hours_remaining: float | None
    estimate_used_percent: float | None
    days_to_completion: int | None = Field(
        description="Whole days at the burn rate; null without an estimate or a recent burn"
    )
    projected_completion_date: str | None
    budget_amount: float | None
    budget_threshold_percent: int = Field(description="The project's alert threshold (80)")
    budget_used_percent: float | None
    budget_remaining: float | None
    budget_threshold_exceeded: bool
    projected_cost_at_completion: float | None
    projected_budget_used_percent: float | None
    projected_threshold_exceeded: bool
    days_to_budget_exhausted: int | None
    projected_budget_exhausted_date: str | None
    today: str = Field(description="The caller's local date the projection counts from")
    timezone: str
    generated_at: str


class ProjectForecast(BaseModel):
    ok: bool
    project_id: int
    ai_enabled: bool = Field(description="Always false: the forecast is arithmetic only")
    forecast: Forecast
