"""Request bodies (lenient: the apps send extra keys) and answers of the timer routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, StrictBool

from tt.common.fields import LENIENT, BodyId
from tt.common.openapi import Answer
from tt.time.entries.schemas import TimeEntry
from tt.time.web.fields import LongText, Tags


class TimerStart(BaseModel):
    model_config = LENIENT

    project_id: BodyId
    task_id: BodyId | None = None
    notes: LongText | None = None
    tags: Tags | None = None
    billable: StrictBool = True


class LegacyResume(BaseModel):
    """``/api/timer/resume``: the last entry's project/task/notes unless a project is named."""

    model_config = LENIENT

    project_id: BodyId | None = None
    task_id: BodyId | None = None


class TimerStatus(Answer):
    """``{"active": bool, "timer": entry | null}``; a paused timer is still active."""

    active: bool
    timer: TimeEntry | None


class TimerStarted(Answer):
    message: str
    timer: TimeEntry


class LegacyStarted(Answer):
    """``POST /api/timer/start`` (the reference's shape, plus the entry)."""

    success: Literal[True]
    timer_id: int
    project_name: str
    task_id: int | None
    timer: TimeEntry


class LegacyStopped(Answer):
    """``POST /api/timer/stop`` (the reference's shape, plus the entry)."""

    success: Literal[True]
    duration: str
    duration_hours: float
    time_entry: TimeEntry


class LegacyResumed(Answer):
    """``POST /api/timer/resume``: the new timer."""

    success: Literal[True]
    timer_id: int
    timer: TimeEntry
