"""Request bodies of the timer routes (lenient: the apps send extra keys)."""

from __future__ import annotations

from pydantic import BaseModel, StrictBool

from tt.time.web.fields import LENIENT, Id, LongText, Tags


class TimerStart(BaseModel):
    model_config = LENIENT

    project_id: Id
    task_id: Id | None = None
    notes: LongText | None = None
    tags: Tags | None = None
    billable: StrictBool = True


class LegacyResume(BaseModel):
    """``/api/timer/resume``: the last entry's project/task/notes unless a project is named."""

    model_config = LENIENT

    project_id: Id | None = None
    task_id: Id | None = None
