"""Request bodies and answers of the task routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from tt.common.fields import LENIENT, BodyId
from tt.common.openapi import Answer, page_of
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


PriorityName = Literal["low", "medium", "high", "urgent"]
assert set(PriorityName.__args__) == set(PRIORITIES)  # type: ignore[attr-defined]


class Task(Answer):
    """A task as the API answers it (``views.task_view``)."""

    id: int
    project_id: int
    project: str | None
    name: str
    description: str | None
    status: TaskStatus
    status_display: str
    priority: PriorityName
    priority_display: str
    priority_class: str
    estimated_hours: float | None
    due_date: date | None
    assigned_to: int | None
    assigned_user: str | None
    created_by: int | None
    creator: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    total_hours: float
    total_billable_hours: float
    progress_percentage: float
    is_active: bool
    is_overdue: bool
    tags: str | None
    tag_list: list[str]


class TaskAnswer(Answer):
    task: Task


class TaskSaved(Answer):
    """A create (201) or an update."""

    message: str
    task: Task


TaskPage = page_of(Task, "tasks", "TaskPage")


class ProjectTask(Answer):
    """A task in the legacy list of a project's tasks."""

    id: int
    name: str
    description: str | None
    status: TaskStatus
    priority: PriorityName


class ProjectTasks(Answer):
    """``GET /api/projects/<id>/tasks`` (the reference's shape)."""

    success: Literal[True]
    tasks: list[ProjectTask]
