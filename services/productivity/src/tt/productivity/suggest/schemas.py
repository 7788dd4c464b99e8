"""The documented shape of the suggestions."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Suggestion(BaseModel):
    project_id: int
    project_name: str | None
    task_id: int | None
    task_name: str | None
    notes: str = Field(description="The notes of the pair's newest entry")
    tags: str
    billable: bool
    confidence: str = Field(description="high, medium or low: the pair's share of the weight")
    score: int = Field(description="Per entry 1, +1 same weekday, +2 within an hour of now")
    uses: int
    last_used_at: str
    source: str = Field(description="Always deterministic")


class BasedOn(BaseModel):
    weekday: str
    hour: int
    window_days: int


class Suggestions(BaseModel):
    ok: bool
    suggestions: list[Suggestion]
    source: str
    ai_enabled: bool
    model_called: bool = Field(description="Always false: no model is called")
    message: str
    based_on: BasedOn
    timezone: str
    timezone_warning: str | None
    generated_at: str
