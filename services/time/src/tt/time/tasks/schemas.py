"""Request bodies of the task routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from tt.common.fields import LENIENT, BodyId
from tt.time.tasks.models import PRIORITIES, TASK_STATUSES
from tt.time.web.fields import Day, Hours, LongText, Name, Tags

TaskStatus = Literal["todo", "in_progress", "review", "done", "cancelled"]
assert set(TaskStatus.__args__) == set(TASK_STATUSES)  # type: ignore[attr-defined]


def to_priority(value: Any) -> str:
    """``low|medium|high|urgent``, or 1-4 as the reference's API example sends (1 = low)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(PRIORITIES):
        return PRIORITIES[value - 1]
    if isinstance(value, str) and value.strip().lower() in PRIORITIES:
        return value.strip().lower()
    raise PydanticCustomError("priority", "Must be one of low, medium, high, urgent (or 1-4)")


Priority = Annotated[str, BeforeValidator(to_priority)]


class TaskFields(BaseModel):
    model_config = LENIENT

    description: LongText | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    estimated_hours: Hours | None = None
    due_date: Day | None = None
    assigned_to: BodyId | None = Field(
        default=None, validation_alias=AliasChoices("assigned_to", "assignee_id")
    )
    tags: Tags | None = None


class TaskCreate(TaskFields):
    name: Name
    project_id: BodyId


class TaskUpdate(TaskFields):
    name: Name | None = None
    project_id: BodyId | None = None
