"""Time-entry use cases. They take a session and never commit (the caller's unit of work
does). Users reach only their own entries; admins reach everyone's. Another user's entry
is simply not found (404), so ids never leak whose they are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.db import driver, raw_connection
from tt.common.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.approvals.locks import ensure_editable
from tt.time.entries import repository, rules
from tt.time.entries.models import TimeEntry
from tt.time.entries.repository import EntryFilter
from tt.time.entries.schemas import EntryCreate, EntryUpdate
from tt.time.entries.views import COLUMNS, entry_view, row_view
from tt.time.publishers import Publisher
from tt.time.users import repository as users
from tt.time.web.updates import apply, changes


class TimerAlreadyRunning(AppError):
    status_code = 409
    error_code = "timer_already_running"
    error = "Timer already running"


def running_conflict() -> TimerAlreadyRunning:
    return TimerAlreadyRunning("A timer is already running; stop it before starting another")


def same_instant(stored: datetime, sent: datetime) -> bool:
    """Whether ``sent`` names ``stored`` at the precision the client kept (seconds,
    milliseconds or microseconds): stricter than the reference's 2 s window, which let
    two quick edits overwrite each other, yet tolerant of clients that round."""
    if sent.microsecond == 0:
        return stored.replace(microsecond=0) == sent
    if sent.microsecond % 1000 == 0:
        return stored.replace(microsecond=stored.microsecond // 1000 * 1000) == sent
    return stored == sent


def own(owner_id: int, identity: Identity) -> bool:
    """Whether the caller may reach an entry of ``owner_id`` (their own, or any as admin)."""
    return identity.acts_as_admin or owner_id == identity.user_id


def visible_user(identity: Identity, requested: int | None) -> int | None:
    """Whose entries a list shows: the caller's own; an admin's choice (everyone's when
    they name nobody, as the reference server does); another user's for others is 403."""
    if requested is None:
        return None if identity.acts_as_admin else identity.user_id
    if requested != identity.user_id and not identity.acts_as_admin:
        raise Forbidden("You can only list your own time entries", error="Access denied")
    return requested


async def timezone_for(engine: AsyncEngine, identity: Identity, user_id: int | None) -> str:
    """Whose days plain-date filters mean: the listed user's (from the users projection)
    when an admin lists someone else, otherwise the caller's."""
    if user_id is None or user_id == identity.user_id:
        return identity.timezone
    async with raw_connection(engine) as conn:
        known = await users.timezone_of(conn, user_id)
    return known or identity.timezone


async def list_entries(
    conn: Any, identity: Identity, params: PageParams, where: EntryFilter
) -> tuple[list[dict[str, Any]], int]:
    """One page and the total, on a raw connection (``tt.time.db.connection``)."""
    rows, total = await repository.page(conn, params, where)
    now = datetime.now(UTC)
    me = (identity.user_id, identity.username)
    return [row_view(row, now=now, fallback_user=me) for row in rows], total


async def get_entry(session: AsyncSession, identity: Identity, entry_id: int) -> dict[str, Any]:
    row = await repository.get_row(session, entry_id)
    if row is None or not own(row["user_id"], identity):
        raise NotFound("Time entry not found")
    return row_view(row, now=datetime.now(UTC), fallback_user=(identity.user_id, identity.username))


async def _owner_name(session: AsyncSession, identity: Identity, user_id: int) -> str | None:
    """The owner's username for a new entry; admins may book for others."""
    if user_id == identity.user_id:
        return identity.username
    if not identity.acts_as_admin:
        raise Forbidden("Only admins can create time entries for other users")
    known = await users.find(session, user_id)
    if known is None:
        # The projection may lag auth by an event; the admin is trusted with the id.
        return None
    if not known.is_active:
        raise ValidationFailed.field("user_id", "The user is inactive")
    return known.username


async def create_entry(
    session: AsyncSession, events: Publisher, identity: Identity, payload: EntryCreate
) -> dict[str, Any]:
    user_id = payload.user_id or identity.user_id
    username = await _owner_name(session, identity, user_id)
    booking = await rules.resolve_booking(
        session, project_id=payload.project_id, client_id=payload.client_id, task_id=payload.task_id
    )
    breaks = payload.break_seconds or 0
    worked = rules.check_times(
        payload.start_time, payload.end_time, breaks, allow_long=payload.allow_long_duration
    )
    entry = {
        "user_id": user_id,
        "start_time": payload.start_time,
        "end_time": payload.end_time,
        "duration_seconds": worked,
        "break_seconds": breaks,
        "notes": payload.notes or None,
        "tags": payload.tags or None,
        "billable": payload.billable,
        "paid": payload.paid,
        "invoice_number": payload.invoice_number or None,
        "source": "manual",
    }
    await users.remember(session, identity)
    return await insert_entry(
        session,
        events,
        entry,
        contracts.TIME_ENTRY_CREATED,
        booking=booking,
        user=username,
        now=datetime.now(UTC),
    )


_NEXT_ID = "SELECT nextval('time_entries_id_seq')"
_INSERT_ENTRY = (
    f"INSERT INTO time_entries ({', '.join(COLUMNS)}) "  # noqa: S608 (the model's columns)
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(COLUMNS) + 1))}) RETURNING id"
)


async def insert_entry(
    session: AsyncSession,
    events: Publisher,
    entry: dict[str, Any],
    event_type: EventType,
    *,
    booking: rules.Booking,
    user: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Store a new entry and queue its event; its view. ``entry`` holds what the caller
    decides (who, when, notes, money, source); what it is booked on comes from
    ``booking``, and a new entry is unpaused, unreviewed, version 1, created ``now``.

    The id comes first (the event names it), then the row and its event go in one
    statement: three round trips where the ORM's insert, the outbox row, BEGIN and
    COMMIT took five. A second running timer for the user is 409
    ``timer_already_running``, also when two requests race (the partial unique index
    decides)."""
    if entry["end_time"] is None and await repository.has_active(session, entry["user_id"]):
        raise running_conflict()
    conn = await driver(session)
    entry = {
        **entry,
        "id": await conn.fetchval(_NEXT_ID),
        "project_id": booking.project_id,
        "client_id": booking.client_id,
        "task_id": booking.task_id,
        "paused_at": None,
        "approval_status": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    view = entry_view(
        entry, project=booking.project, client=booking.client, task=booking.task, user=user, now=now
    )
    values = [entry[column] for column in COLUMNS]
    try:
        await events.emit_with(session, _INSERT_ENTRY, values, event_type, version=1, view=view)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == "uq_time_entries_one_active_per_user":
            raise running_conflict() from None
        raise
    return view


async def update_entry(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    entry_id: int,
    payload: EntryUpdate,
) -> dict[str, Any]:
    entry = await repository.lock(session, entry_id)
    if entry is None or not own(entry.user_id, identity):
        raise NotFound("Time entry not found")
    ensure_editable(entry.approval_status, identity)  # approved entries: admins only
    if payload.if_updated_at is not None and not same_instant(
        entry.updated_at, payload.if_updated_at
    ):
        raise Conflict("The time entry was changed by someone else; reload it and try again")
    values = changes(payload, required=("start_time", "billable", "paid"))
    allow_long = bool(values.pop("allow_long_duration", False))
    values.pop("if_updated_at", None)
    if "end_time" in values and values["end_time"] is None:
        if entry.end_time is not None:
            raise ValidationFailed.field(
                "end_time", "A finished entry cannot be made running again; use the timer"
            )
        del values["end_time"]
    for text_field in ("notes", "tags", "invoice_number"):
        if text_field in values:
            values[text_field] = values[text_field] or None

    project_id = values.get("project_id", entry.project_id)
    task_id = values.get("task_id", entry.task_id)
    client_id = values.get("client_id", None if project_id else entry.client_id)
    booking = await rules.resolve_booking(
        session,
        project_id=project_id,
        client_id=client_id,
        task_id=task_id,
        new_project=project_id != entry.project_id,
    )
    values.update(project_id=booking.project_id, client_id=booking.client_id, task_id=task_id)

    start = values.get("start_time", entry.start_time)
    end = values.get("end_time", entry.end_time)
    breaks = values.get("break_seconds", entry.break_seconds) or 0
    if end is not None and entry.end_time is None:
        values["paused_at"] = None  # an explicit end closes a paused timer as it stands
    values["duration_seconds"] = rules.check_times(start, end, breaks, allow_long=allow_long)
    values["break_seconds"] = breaks

    if not apply(entry, values):
        return await get_entry(session, identity, entry_id)  # nothing changed: no new version
    entry.version += 1
    entry.updated_at = datetime.now(UTC)
    await session.flush()
    return await publish_change(session, events, identity, entry, contracts.TIME_ENTRY_UPDATED)


async def delete_entry(
    session: AsyncSession, events: Publisher, identity: Identity, entry_id: int
) -> None:
    entry = await repository.lock(session, entry_id)
    if entry is None or not own(entry.user_id, identity):
        raise NotFound("Time entry not found")
    ensure_editable(entry.approval_status, identity)  # approved entries: admins only
    row = await repository.get_row(session, entry_id)
    assert row is not None
    view = row_view(row, now=datetime.now(UTC), fallback_user=(identity.user_id, identity.username))
    await session.delete(entry)
    await session.flush()
    await events.emit(session, contracts.TIME_ENTRY_DELETED, version=entry.version + 1, view=view)


async def publish_change(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    entry: TimeEntry,
    event_type: EventType,
) -> dict[str, Any]:
    """The event for a change already flushed; returns the entry's answer shape."""
    row = await repository.get_row(session, entry.id)
    assert row is not None
    view = row_view(row, now=datetime.now(UTC), fallback_user=(identity.user_id, identity.username))
    await events.emit(session, event_type, version=entry.version, view=view)
    return view
