"""Request bodies of the timer routes (lenient: the apps send extra keys)."""

from __future__ import annotations

from pydantic import BaseModel, StrictBool

from tt.common.fields import LENIENT, BodyId
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
