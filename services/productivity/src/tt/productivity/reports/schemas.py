"""The summary report's answer (seeds 002/003)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProjectSummary(BaseModel):
    project_id: int
    project_name: str
    hours: float
    billable_hours: float
    entries: int


class Summary(BaseModel):
    start_date: str = Field(description="UTC, ISO 8601 with Z")
    end_date: str = Field(description="UTC, ISO 8601 with Z (inclusive)")
    total_hours: float
    billable_hours: float
    total_entries: int
    by_project: list[ProjectSummary]


class SummaryReport(BaseModel):
    summary: Summary
