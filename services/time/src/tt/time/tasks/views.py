"""The shapes of a task: the API answer (as the reference server's ``Task.to_dict``, plus
``project``) and, cut from it, the event state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STATUS_DISPLAY = {
    "todo": "To Do",
    "in_progress": "In Progress",
    "review": "Review",
    "done": "Done",
    "cancelled": "Cancelled",
}
CLOSED = ("done", "cancelled")


def task_view(
    task: Any,
    *,
    project: str | None,
    assigned_user: str | None = None,
    creator: str | None = None,
    seconds: int = 0,
    billable_seconds: int = 0,
) -> dict[str, Any]:
    total_hours = round(seconds / 3600, 2)
    estimated = task.estimated_hours
    if not estimated:
        progress: float = 0
    else:
        progress = 100 if total_hours >= estimated else round(total_hours / estimated * 100, 1)
    tags = task.tags or None
    return {
        "id": task.id,
        "project_id": task.project_id,
        "project": project,
        "name": task.name,
        "description": task.description,
        "status": task.status,
        "status_display": STATUS_DISPLAY.get(task.status, task.status),
        "priority": task.priority,
        "priority_display": task.priority.title(),
        "priority_class": f"priority-{task.priority}",
        "estimated_hours": estimated,
        "due_date": task.due_date,
        "assigned_to": task.assigned_to,
        "assigned_user": assigned_user,
        "created_by": task.created_by,
        "creator": creator,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "started_at": task.started_at,
        "completed_at": task.completed_at,
        "total_hours": total_hours,
        "total_billable_hours": round(billable_seconds / 3600, 2),
        "progress_percentage": progress,
        "is_active": task.status not in CLOSED,
        "is_overdue": bool(
            task.due_date and task.status not in CLOSED and task.due_date < datetime.now(UTC).date()
        ),
        "tags": tags,
        "tag_list": tags.split(",") if tags else [],
    }


def row_view(row: Any) -> dict[str, Any]:
    """``task_view`` of a row from ``repository._with_details``."""
    return task_view(
        row.Task,
        project=row.project_name,
        assigned_user=row.assigned_user,
        creator=row.creator,
        seconds=row.seconds,
        billable_seconds=row.billable_seconds,
    )
