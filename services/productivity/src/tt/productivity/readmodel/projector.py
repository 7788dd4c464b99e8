"""Applies consumed events to the read model (the ConsumerRunner's handlers).

The runner has already checked the event's version in the same transaction, so each
handler sees every change of an entity once, in order. Entry handlers lock the user row
(shared) before the entry, and timezone changes lock it exclusively, so an entry's local
day and its user's day totals always agree with one timezone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.events import Event
from tt.productivity.analytics.days import completed_seconds
from tt.productivity.analytics.timezones import local_wall_time, resolve_zone
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel import repository as repo
from tt.productivity.readmodel.repository import Contribution

log = logging.getLogger("tt.productivity.projector")

DELETED = "deleted"


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 datetime, got {value!r}")
    parsed = datetime.fromisoformat(value)
    # EVENTS.md: datetimes are UTC; a value without an offset is read as UTC too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    return Decimal(str(value))


def _optional_id(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


class Projector:
    """The event handlers; each tells the invalidator whose cached stats it changed."""

    def __init__(self, invalidator: CacheInvalidator) -> None:
        self.invalidator = invalidator

    @property
    def handlers(self) -> dict[str, Any]:
        return {
            "tt.time_entry.*": self.apply_entry,
            "tt.user.*": self.apply_user,
            "tt.project.*": self.apply_project,
            "tt.client.*": self.apply_client,
        }

    async def apply_entry(self, session: AsyncSession, event: Event) -> None:
        state = event.state
        entry_id = int(event.subject)
        user_id = int(state["user_id"])
        values = self._entry_values(entry_id, user_id, state)  # validate before any write
        old_owner = await repo.entry_owner(session, entry_id)
        zones = await repo.lock_user_zones(
            session, {user_id} | ({old_owner} if old_owner is not None else set())
        )
        old = await repo.lock_entry(session, entry_id)
        if old is not None:
            previous = Contribution.of(old)
            if previous is not None:
                await repo.apply_contribution(session, previous, -1)
            self.invalidator.user_changed(old.user_id)
        self.invalidator.user_changed(user_id)
        if event.verb == DELETED:
            await repo.delete_entry(session, entry_id)
            return
        values["local_start"] = local_wall_time(values["start_time"], zones[user_id].zone)
        await repo.upsert_entry(session, values)
        current = Contribution.of(values)
        if current is not None:
            await repo.apply_contribution(session, current, 1)

    @staticmethod
    def _entry_values(entry_id: int, user_id: int, state: dict[str, Any]) -> dict[str, Any]:
        start = _instant(state["start_time"])
        if start is None:
            raise ValueError("time_entry.start_time is required")
        end = _instant(state.get("end_time"))
        duration = state.get("duration_seconds")
        return {
            "id": entry_id,
            "user_id": user_id,
            "project_id": _optional_id(state.get("project_id")),
            "client_id": _optional_id(state.get("client_id")),
            "task_id": _optional_id(state.get("task_id")),
            "project_name": _text(state.get("project"), 300),
            "task_name": _text(state.get("task"), 300),
            "start_time": start,
            "end_time": end,
            "seconds": completed_seconds(
                start,
                end,
                None if duration is None else int(duration),
                int(state.get("break_seconds") or 0),
            ),
            "break_seconds": max(0, int(state.get("break_seconds") or 0)),
            "paused_at": _instant(state.get("paused_at")),
            "billable": bool(state.get("billable", True)),
        }

    async def apply_user(self, session: AsyncSession, event: Event) -> None:
        state = event.state
        user_id = int(event.subject)
        row = await repo.lock_user(session, user_id)
        self.invalidator.user_changed(user_id)
        if event.verb == DELETED:
            await repo.delete_user(session, user_id)
            return
        before = resolve_zone(row.timezone).name
        timezone = _text(state.get("timezone"), 100)
        await repo.update_user(
            session,
            user_id,
            {
                "username": _text(state.get("username"), 200),
                "timezone": timezone,
                "default_hourly_rate": _money(state.get("default_hourly_rate")),
                "is_admin": bool(state.get("is_admin", False)),
                "is_active": bool(state.get("is_active", True)),
                "known": True,
            },
        )
        zone = resolve_zone(timezone)
        if zone.fell_back:
            log.warning("user %s: %s", user_id, zone.warning)
        if zone.name != before:
            await repo.relocalize_entries(session, user_id, zone)

    async def apply_project(self, session: AsyncSession, event: Event) -> None:
        project_id = int(event.subject)
        self.invalidator.catalog_changed()
        if event.verb == DELETED:
            await repo.delete_project(session, project_id)
            return
        state = event.state
        await repo.upsert_project(
            session,
            {
                "id": project_id,
                "name": _text(state.get("name"), 300) or f"Project {project_id}",
                "client_id": _optional_id(state.get("client_id")),
                "hourly_rate": _money(state.get("hourly_rate")),
                "currency": _text(state.get("currency"), 3),
                "status": _text(state.get("status"), 32),
            },
        )

    async def apply_client(self, session: AsyncSession, event: Event) -> None:
        client_id = int(event.subject)
        self.invalidator.catalog_changed()
        if event.verb == DELETED:
            await repo.delete_client(session, client_id)
            return
        state = event.state
        await repo.upsert_client(
            session,
            {
                "id": client_id,
                "name": _text(state.get("name"), 300) or f"Client {client_id}",
                "default_hourly_rate": _money(state.get("default_hourly_rate")),
                "currency": _text(state.get("currency"), 3),
            },
        )
