"""Project use cases. They take a session and never commit (the caller's unit of work does)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.errors import NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.time.clients import repository as clients
from tt.time.projects import repository
from tt.time.projects.models import Project
from tt.time.projects.schemas import ProjectCreate, ProjectUpdate
from tt.time.projects.views import fields_of, project_view
from tt.time.publishers import Publisher
from tt.time.stewards import check_may_retire, check_stewarded_changes
from tt.time.web.updates import apply, changes

# Money and lifecycle of a shared project: its creator and admins only (tt.time.stewards).
STEWARDED = ("hourly_rate", "budget_amount", "budget_threshold_percent", "status")


async def get_project(session: AsyncSession, project_id: int) -> dict[str, Any]:
    row = await repository.get_with_details(session, project_id)
    if row is None:
        raise NotFound("Project not found")
    return project_view(
        fields_of(row.Project),
        client=row.client_name,
        seconds=row.seconds,
        billable_seconds=row.billable_seconds,
    )


async def _check_references(
    session: AsyncSession, values: dict[str, Any], project_id: int | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    client_id = values.get("client_id")
    if client_id is not None and await clients.find(session, client_id) is None:
        errors["client_id"] = ["Client not found"]
    code = values.get("code")
    if code and await repository.code_taken(session, code, other_than=project_id):
        errors["code"] = ["Project code already in use"]
    if errors:
        raise ValidationFailed(errors)


def _archive_fields(project: Project, status: str, identity: Identity, now: datetime) -> None:
    """Archiving records who and when; leaving the archive clears it."""
    if status == "archived" and project.archived_at is None:
        project.archived_at = now
        project.archived_by = identity.user_id
    elif status != "archived":
        project.archived_at = None
        project.archived_by = None
        project.archived_reason = None


async def create_project(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    payload: ProjectCreate,
    default_currency: str,
) -> dict[str, Any]:
    values = payload.model_dump()
    await _check_references(session, values)
    now = datetime.now(UTC)
    values["currency"] = values["currency"] or default_currency
    values["status"] = values["status"] or "active"
    values["billable"] = True if values["billable"] is None else values["billable"]
    if values["budget_threshold_percent"] is None:
        values["budget_threshold_percent"] = 80
    project = Project(
        **values, created_by=identity.user_id, version=1, created_at=now, updated_at=now
    )
    _archive_fields(project, project.status, identity, now)
    session.add(project)
    await session.flush()
    return await _publish(session, events, project, contracts.PROJECT_CREATED)


async def update_project(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    project_id: int,
    payload: ProjectUpdate,
) -> dict[str, Any]:
    project = await repository.lock(session, project_id)
    if project is None:
        raise NotFound("Project not found")
    values = changes(payload, required=("name", "billable", "status", "currency"))
    check_stewarded_changes(identity, project, values, STEWARDED, "project")
    await _check_references(session, values, project_id)
    return await _change(session, events, identity, project, values)


async def archive_project(
    session: AsyncSession, events: Publisher, identity: Identity, project_id: int
) -> None:
    """``DELETE`` archives: the project and its entries stay, it leaves the active lists."""
    project = await repository.lock(session, project_id)
    if project is None:
        raise NotFound("Project not found")
    if project.status != "archived":
        check_may_retire(identity, project, "project")
        await _change(
            session,
            events,
            identity,
            project,
            {"status": "archived", "archived_reason": "Archived via API"},
        )


async def _change(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    project: Project,
    values: dict[str, Any],
) -> dict[str, Any]:
    before = project.status
    if not apply(project, values):
        return await get_project(session, project.id)  # nothing changed: no new version
    now = datetime.now(UTC)
    _archive_fields(project, project.status, identity, now)
    project.version += 1
    project.updated_at = now
    await session.flush()
    event_type = (
        contracts.PROJECT_STATUS_CHANGED if project.status != before else contracts.PROJECT_UPDATED
    )
    return await _publish(session, events, project, event_type)


async def _publish(
    session: AsyncSession, events: Publisher, project: Project, event_type: EventType
) -> dict[str, Any]:
    row = await repository.get_with_details(session, project.id)
    assert row is not None
    view = project_view(
        fields_of(project),
        client=row.client_name,
        seconds=row.seconds,
        billable_seconds=row.billable_seconds,
    )
    await events.emit(session, event_type, version=project.version, view=view)
    return view
