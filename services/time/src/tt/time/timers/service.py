"""Timer use cases: a timer is the user's one entry without an end. They take a session
and never commit (the caller's unit of work does).

Times are whole seconds, so durations are exact; a pause stops the clock and the paused
span becomes ``break_seconds`` on resume (or on stop), so ``duration_seconds`` excludes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.errors import BadRequest, NotFound
from tt.common.identity import Identity
from tt.time.entries import repository, rules
from tt.time.entries.models import TimeEntry
from tt.time.entries.service import insert_entry, publish_change, running_conflict
from tt.time.entries.views import row_view
from tt.time.publishers import Publisher
from tt.time.timers.schemas import TimerStart
from tt.time.users import repository as users


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def no_active_timer() -> BadRequest:
    return BadRequest("No active timer", error="No active timer", error_code="no_active_timer")


async def status(session: AsyncSession, identity: Identity) -> dict[str, Any] | None:
    row = await repository.active_row(session, identity.user_id)
    if row is None:
        return None
    return row_view(row, now=datetime.now(UTC), fallback_user=(identity.user_id, identity.username))


async def start(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    request: TimerStart,
    *,
    notes: str | None = None,
) -> dict[str, Any]:
    """Start a timer (409 ``timer_already_running`` if one runs, paused or not)."""
    booking = await rules.resolve_booking(
        session, project_id=request.project_id, client_id=None, task_id=request.task_id
    )
    now = _now()
    entry = {
        "user_id": identity.user_id,
        "start_time": now,
        "end_time": None,
        "duration_seconds": None,
        "break_seconds": 0,
        "notes": request.notes or notes or None,
        "tags": request.tags or None,
        "billable": request.billable,
        "paid": False,
        "invoice_number": None,
        "source": "auto",
    }
    await users.remember(session, identity)
    return await insert_entry(
        session,
        events,
        entry,
        contracts.TIME_ENTRY_TIMER_STARTED,
        booking=booking,
        user=identity.username,
        now=now,
    )


async def stop(session: AsyncSession, events: Publisher, identity: Identity) -> dict[str, Any]:
    entry = await repository.lock_active(session, identity.user_id)
    if entry is None:
        raise no_active_timer()
    now = max(_now(), entry.start_time)
    if entry.paused_at is not None:
        entry.break_seconds += _seconds(entry.paused_at, now)
        entry.paused_at = None
    entry.end_time = now
    entry.duration_seconds = max(0, _seconds(entry.start_time, now) - entry.break_seconds)
    return await _changed(session, events, identity, entry, contracts.TIME_ENTRY_TIMER_STOPPED, now)


async def pause(session: AsyncSession, events: Publisher, identity: Identity) -> dict[str, Any]:
    entry = await repository.lock_active(session, identity.user_id)
    if entry is None:
        raise no_active_timer()
    if entry.paused_at is not None:
        raise BadRequest(
            "The timer is already paused", error="Timer already paused", error_code="invalid_state"
        )
    now = max(_now(), entry.start_time)
    entry.paused_at = now
    return await _changed(session, events, identity, entry, contracts.TIME_ENTRY_TIMER_PAUSED, now)


async def resume(session: AsyncSession, events: Publisher, identity: Identity) -> dict[str, Any]:
    entry = await repository.lock_active(session, identity.user_id)
    if entry is None or entry.paused_at is None:
        raise BadRequest("No paused timer", error="No paused timer", error_code="no_paused_timer")
    now = max(_now(), entry.paused_at)
    entry.break_seconds += _seconds(entry.paused_at, now)
    entry.paused_at = None
    return await _changed(session, events, identity, entry, contracts.TIME_ENTRY_TIMER_RESUMED, now)


async def restart_last(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    project_id: int | None,
    task_id: int | None,
) -> dict[str, Any]:
    """Legacy resume: a new timer on the last entry's project, task and notes (or on the
    project and task the request names)."""
    if await repository.has_active(session, identity.user_id):
        raise running_conflict()
    notes = None
    if project_id is None:
        last = await repository.last_entry(session, identity.user_id)
        if last is None or last.project_id is None:
            raise NotFound("No previous entry to resume")
        project_id, task_id, notes = last.project_id, last.task_id, last.notes
    request = TimerStart(project_id=project_id, task_id=task_id)
    return await start(session, events, identity, request, notes=notes)


def _seconds(since: datetime, until: datetime) -> int:
    return max(0, int((until - since).total_seconds()))


async def _changed(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    entry: TimeEntry,
    event_type: EventType,
    now: datetime,
) -> dict[str, Any]:
    entry.version += 1
    entry.updated_at = now
    await session.flush()
    return await publish_change(session, events, identity, entry, event_type)
