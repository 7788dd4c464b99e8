"""The shapes of a time entry: the API answer (as the reference server's
``TimeEntry.to_dict``: names as strings beside their ids, ``tags`` as a comma string,
``duration_formatted`` live while running) and, cut from it, the event state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tt.time.entries.models import TimeEntry

COLUMNS = tuple(column.key for column in TimeEntry.__table__.columns)


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def fields_of(entry: TimeEntry) -> dict[str, Any]:
    """An ORM entry as the mapping the views read (rows from the repository already are)."""
    return {name: getattr(entry, name) for name in COLUMNS}


def worked_seconds(entry: Mapping[str, Any], now: datetime) -> int:
    """Seconds worked so far: finished entries as stored; running ones up to now (or up
    to their pause), breaks excluded."""
    if entry["end_time"] is not None:
        return int(entry["duration_seconds"] or 0)
    until = entry["paused_at"] or now
    elapsed = int((until - entry["start_time"]).total_seconds())
    return max(0, elapsed - (entry["break_seconds"] or 0))


def entry_view(
    entry: Mapping[str, Any],
    *,
    project: str | None,
    client: str | None,
    task: str | None,
    user: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    duration = entry["duration_seconds"]
    tags = entry["tags"] or None
    return {
        "id": entry["id"],
        "user_id": entry["user_id"],
        "user": user,
        "project_id": entry["project_id"],
        "project": project,
        "client_id": entry["client_id"],
        "client": client,
        "task_id": entry["task_id"],
        "task": task,
        "start_time": entry["start_time"],
        "end_time": entry["end_time"],
        "duration_seconds": duration,
        "break_seconds": entry["break_seconds"] or 0,
        "paused_at": entry["paused_at"],
        "duration_hours": round(duration / 3600, 2) if duration else 0,
        "duration_formatted": hms(worked_seconds(entry, now or datetime.now(UTC))),
        "notes": entry["notes"],
        "tags": tags,
        "tag_list": tags.split(",") if tags else [],
        "source": entry["source"],
        "billable": entry["billable"],
        "paid": entry["paid"],
        "invoice_number": entry["invoice_number"],
        "is_active": entry["end_time"] is None,
        "is_paused": entry["paused_at"] is not None,
        "approval_status": entry["approval_status"],
        "created_at": entry["created_at"],
        "updated_at": entry["updated_at"],
    }


def row_view(
    row: Mapping[str, Any], *, now: datetime, fallback_user: tuple[int, str] | None = None
) -> dict[str, Any]:
    """``entry_view`` of a row from the repository (names joined in). The caller's own
    username stands in while the users projection has not heard of them yet."""
    user = row["username"]
    if user is None and fallback_user is not None and row["user_id"] == fallback_user[0]:
        user = fallback_user[1]
    return entry_view(
        row,
        project=row["project_name"],
        client=row["client_name"],
        task=row["task_name"],
        user=user,
        now=now,
    )
