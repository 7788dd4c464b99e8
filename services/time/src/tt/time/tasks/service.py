"""Task use cases. They take a session and never commit (the caller's unit of work does)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.errors import Conflict, NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.time.projects import repository as projects
from tt.time.publishers import Publisher
from tt.time.tasks import repository
from tt.time.tasks.models import Task
from tt.time.tasks.schemas import TaskCreate, TaskUpdate
from tt.time.tasks.views import row_view
from tt.time.users import repository as users
from tt.time.web.updates import apply, changes


async def get_task(session: AsyncSession, task_id: int) -> dict[str, Any]:
    row = await repository.get_with_details(session, task_id)
    if row is None:
        raise NotFound("Task not found")
    return row_view(row)


def _track_status(task: Task, before: str | None, now: datetime) -> None:
    """``started_at`` when work first starts, ``completed_at`` while done."""
    if task.status == before:
        return
    if task.status == "in_progress" and task.started_at is None:
        task.started_at = now
    task.completed_at = now if task.status == "done" else None


async def create_task(
    session: AsyncSession, events: Publisher, identity: Identity, payload: TaskCreate
) -> dict[str, Any]:
    if await projects.find_with_client(session, payload.project_id) is None:
        raise ValidationFailed.field("project_id", "Project not found")
    now = datetime.now(UTC)
    values = payload.model_dump()
    values["status"] = values["status"] or "todo"
    values["priority"] = values["priority"] or "medium"
    task = Task(**values, created_by=identity.user_id, version=1, created_at=now, updated_at=now)
    _track_status(task, None, now)
    session.add(task)
    await users.remember(session, identity)
    await session.flush()
    return await _publish(session, events, task, contracts.TASK_CREATED)


async def update_task(
    session: AsyncSession, events: Publisher, task_id: int, payload: TaskUpdate
) -> dict[str, Any]:
    task = await repository.lock(session, task_id)
    if task is None:
        raise NotFound("Task not found")
    values = changes(payload, required=("name", "project_id", "status", "priority"))
    project_id = values.get("project_id")
    if project_id is not None and await projects.find_with_client(session, project_id) is None:
        raise ValidationFailed.field("project_id", "Project not found")
    before = task.status
    if not apply(task, values):
        return await get_task(session, task_id)  # nothing changed: no new version
    now = datetime.now(UTC)
    _track_status(task, before, now)
    task.version += 1
    task.updated_at = now
    await session.flush()
    event_type = (
        contracts.TASK_COMPLETED
        if task.status == "done" and before != "done"
        else contracts.TASK_UPDATED
    )
    return await _publish(session, events, task, event_type)


async def delete_task(session: AsyncSession, events: Publisher, task_id: int) -> None:
    task = await repository.lock(session, task_id)
    if task is None:
        raise NotFound("Task not found")
    if await repository.has_entries(session, task_id):
        raise Conflict(
            "The task has time entries; set its status to cancelled instead of deleting it"
        )
    row = await repository.get_with_details(session, task_id)
    assert row is not None
    view = row_view(row)
    await session.delete(task)
    await events.emit(session, contracts.TASK_DELETED, version=task.version + 1, view=view)


async def _publish(
    session: AsyncSession, events: Publisher, task: Task, event_type: EventType
) -> dict[str, Any]:
    row = await repository.get_with_details(session, task.id)
    assert row is not None
    view = row_view(row)
    await events.emit(session, event_type, version=task.version, view=view)
    return view
