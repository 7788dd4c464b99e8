"""TimeTrack entry use cases, on top of the v1 entry use cases (same rules, same events,
same entries): names are turned into ids here, fields are renamed, and errors are
reported under TimeTrack's field names. They take a session and never commit.

A key acts as its user: an admin's key may book for any ``user``, another user's only
for themselves (403 otherwise); lists show one's own entries (an admin's: everyone's).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.body import parse
from tt.common.errors import Forbidden, NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.time.entries import schemas as v1
from tt.time.entries import service as entries
from tt.time.publishers import Publisher
from tt.time.timetrack import repository
from tt.time.timetrack.schemas import EntryCreate, EntryUpdate
from tt.time.timetrack.views import timetrack_view

# v1 field -> TimeTrack field, for errors raised by the v1 rules.
V1_NAMES = {
    "start_time": "from",
    "end_time": "to",
    "project_id": "projectName",
    "client_id": "clientName",
    "task_id": "task",
    "break_seconds": "breakMinutes",
    "notes": "details",
    "user_id": "user",
}
DETAIL_FIELDS = {
    "hourRate": "hour_rate",
    "flatRate": "flat_rate",
    "latitude": "latitude",
    "longitude": "longitude",
    "latitude1": "latitude1",
    "longitude1": "longitude1",
}


def _renamed(exc: ValidationFailed) -> ValidationFailed:
    errors: dict[str, list[str]] = exc.extra.get("errors", {})
    renamed = {V1_NAMES.get(name, name): messages for name, messages in errors.items()}
    return ValidationFailed(renamed, exc.message)


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


async def owner_id(session: AsyncSession, identity: Identity, username: str) -> int:
    """Whose entry ``username`` names: the caller, or (for admins) anyone known."""
    if _same(username, identity.username):
        return identity.user_id
    if not identity.acts_as_admin:
        raise Forbidden("This key can only book and list its own user's entries")
    found = await repository.user_named(session, username)
    if found is None:
        raise ValidationFailed.field("user", f"No user named {username!r}")
    return found


def _break_seconds(payload: EntryCreate, start: datetime, end: datetime) -> int | None:
    """``breakMinutes``, or what ``workedMinutes`` leaves of the span (None: unchanged)."""
    if payload.breakMinutes is not None:
        return payload.breakMinutes * 60
    if payload.workedMinutes is not None:
        span = int((end - start).total_seconds())
        rest = span - payload.workedMinutes * 60
        if not 0 <= rest <= span:
            raise ValidationFailed.field("workedMinutes", "Must not exceed the span from-to")
        return rest
    return None


def _details(payload: EntryCreate) -> dict[str, Any]:
    sent = payload.model_fields_set
    return {
        column: getattr(payload, name) for name, column in DETAIL_FIELDS.items() if name in sent
    }


async def get(session: AsyncSession, identity: Identity, entry_id: int) -> dict[str, Any]:
    row = await repository.get_row(session, entry_id)
    if row is None or not entries.own(row["user_id"], identity):
        raise NotFound("Project time entry not found")
    return timetrack_view(row)


async def create(
    session: AsyncSession, events: Publisher, identity: Identity, payload: EntryCreate
) -> dict[str, Any]:
    required = {
        "clientName": payload.clientName,
        "projectName": payload.projectName,
        "user": payload.owner,
        "from": payload.start,
        "to": payload.end,
    }
    missing = {name: ["This field is required"] for name, value in required.items() if not value}
    if missing:
        raise ValidationFailed(missing, "Missing required fields: " + ", ".join(missing))
    assert payload.owner
    assert payload.clientName
    assert payload.projectName
    assert payload.start is not None
    assert payload.end is not None
    user_id = await owner_id(session, identity, payload.owner)
    client_id = await repository.client_named(session, payload.clientName)
    if client_id is None:
        raise ValidationFailed.field("clientName", f"No client named {payload.clientName!r}")
    project_id = await repository.project_named(session, client_id, payload.projectName)
    if project_id is None:
        raise ValidationFailed.field(
            "projectName", f"Client {payload.clientName!r} has no project {payload.projectName!r}"
        )
    body: dict[str, Any] = {
        "project_id": project_id,
        "start_time": payload.start,
        "end_time": payload.end,
        "allow_long_duration": payload.allowLongDuration,
    }
    if payload.task:
        body["task_id"] = await _task_id(session, project_id, payload.task)
    breaks = _break_seconds(payload, payload.start, payload.end)
    optional = {
        "break_seconds": breaks,
        "notes": payload.text,
        "tags": payload.tags,
        "billable": payload.billable,
        "user_id": user_id if user_id != identity.user_id else None,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    try:
        created = await entries.create_entry(session, events, identity, parse(v1.EntryCreate, body))
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    await repository.save_details(session, created["id"], _details(payload))
    return await get(session, identity, created["id"])


async def _task_id(session: AsyncSession, project_id: int, name: str) -> int:
    found = await repository.task_named(session, project_id, name)
    if found is None:
        raise ValidationFailed.field("task", f"The project has no task named {name!r}")
    return found


async def update(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    entry_id: int,
    payload: EntryUpdate,
) -> dict[str, Any]:
    current = await get(session, identity, entry_id)
    fixed = {
        "clientName": (payload.clientName, current["clientName"]),
        "projectName": (payload.projectName, current["projectName"]),
        "user": (payload.owner, current["user"] or identity.username),
    }
    refused = {
        name: ["Cannot be changed on update"]
        for name, (sent, stored) in fixed.items()
        if sent is not None and not _same(sent, stored)
    }
    if refused:
        raise ValidationFailed(refused, "clientName, projectName and user cannot be changed")
    sent = payload.model_fields_set
    body: dict[str, Any] = {}
    if "start" in sent:
        body["start_time"] = payload.start
    if "end" in sent:
        body["end_time"] = payload.end
    if "details" in sent or "notes" in sent:
        body["notes"] = payload.text or ""
    if "tags" in sent:
        body["tags"] = payload.tags or ""
    if "billable" in sent:
        body["billable"] = payload.billable
    if "task" in sent:
        body["task_id"] = None
        if payload.task:
            row = await repository.get_row(session, entry_id)
            assert row is not None
            body["task_id"] = await _task_id(session, row["project_id"], payload.task)
    if "breakMinutes" in sent or "workedMinutes" in sent:
        start = payload.start or _parse(current["from"])
        end = payload.end or _parse(current["to"])
        body["break_seconds"] = _break_seconds(payload, start, end)
    if payload.allowLongDuration:
        body["allow_long_duration"] = True
    try:
        await entries.update_entry(session, events, identity, entry_id, parse(v1.EntryUpdate, body))
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    details = _details(payload)
    if details:
        await repository.save_details(session, entry_id, details)
    return await get(session, identity, entry_id)


def _parse(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


async def delete(
    session: AsyncSession, events: Publisher, identity: Identity, entry_id: int
) -> None:
    await get(session, identity, entry_id)  # a project entry of the caller's, or 404
    await entries.delete_entry(session, events, identity, entry_id)
