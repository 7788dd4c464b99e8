"""The rules an entry must satisfy before it is stored: what it is booked on (project,
client, task) and when (start, end, breaks). Every failure is a 400 ``validation_error``
with the offending fields, raised before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import ValidationFailed
from tt.time.clients import repository as clients
from tt.time.projects import repository as projects
from tt.time.tasks import repository as tasks

MAX_PLAIN_DURATION = timedelta(hours=24)
# A running timer may start at most this far ahead of the server's clock (device skew).
CLOCK_SKEW = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Booking:
    """What an entry is booked on, with the names answers and events carry."""

    project_id: int | None
    project: str | None
    client_id: int | None
    client: str | None
    task_id: int | None
    task: str | None


async def resolve_booking(
    session: AsyncSession,
    *,
    project_id: int | None,
    client_id: int | None,
    task_id: int | None,
    new_project: bool = True,
) -> Booking:
    """Check the project (active, when newly chosen), the client (the project's own, or
    given alone) and the task (of that project)."""
    errors: dict[str, list[str]] = {}
    project_name = client_name = task_name = None
    if project_id is not None:
        project = await projects.find_with_client(session, project_id)
        if project is None:
            errors["project_id"] = ["Project not found"]
        else:
            project_name = project["name"]
            if new_project and project["status"] != "active":
                errors["project_id"] = [f"Project is {project['status']}, not active"]
            if client_id is not None and client_id != project["client_id"]:
                errors["client_id"] = ["Does not match the project's client"]
            client_id, client_name = project["client_id"], project["client_name"]
    elif client_id is not None:
        client = await clients.find(session, client_id)
        if client is None:
            errors["client_id"] = ["Client not found"]
        else:
            client_name = client.name
    else:
        errors["project_id"] = ["project_id (or client_id) is required"]
    if task_id is not None:
        task = await tasks.find_brief(session, task_id)
        if task is None:
            errors["task_id"] = ["Task not found"]
        elif project_id is None or task["project_id"] != project_id:
            errors["task_id"] = ["Task does not belong to the entry's project"]
        else:
            task_name = task["name"]
    if errors:
        raise ValidationFailed(errors)
    return Booking(project_id, project_name, client_id, client_name, task_id, task_name)


def check_times(
    start: datetime,
    end: datetime | None,
    break_seconds: int,
    *,
    allow_long: bool,
    now: datetime | None = None,
) -> int | None:
    """Validate an entry's times; its worked seconds (None while it runs)."""
    if end is None:
        if start > (now or datetime.now(UTC)) + CLOCK_SKEW:
            raise ValidationFailed.field("start_time", "A running timer cannot start in the future")
        return None
    if end <= start:
        raise ValidationFailed.field("end_time", "Must be after start_time")
    length = end - start
    if length > MAX_PLAIN_DURATION and not allow_long:
        raise ValidationFailed.field(
            "end_time",
            'Entries longer than 24 hours need "allow_long_duration": true',
        )
    elapsed = int(length.total_seconds())
    if break_seconds > elapsed:
        raise ValidationFailed.field("break_seconds", "Must not exceed the entry's length")
    return elapsed - break_seconds
