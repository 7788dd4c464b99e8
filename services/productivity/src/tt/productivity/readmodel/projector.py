"""Applies consumed events to the read model (the ConsumerRunner's batch handlers).

The runner has already checked the events' versions in the same transaction, so each
handler sees every change of an entity once, in order. Entry batches lock the user rows
(shared) before the entries, and timezone changes lock them exclusively, so an entry's
local day and its user's day totals always agree with one timezone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import Handler
from tt.common.contracts import DELETED
from tt.common.contracts.auth import USER
from tt.common.contracts.time import CLIENT, PROJECT, TIME_ENTRY
from tt.common.events import Event
from tt.productivity.analytics.days import completed_seconds
from tt.productivity.analytics.timezones import UserZone, local_wall_time, resolve_zone
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel import repository as repo
from tt.productivity.readmodel.repository import Contribution, Deltas

log = logging.getLogger("tt.productivity.projector")


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 datetime, got {value!r}")
    parsed = datetime.fromisoformat(value)
    # docs/events.md: datetimes are UTC; a value without an offset is read as UTC too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    return Decimal(str(value))


def _optional_id(value: Any) -> int | None:
    return None if value is None else int(value)


def _hours(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def _final_changes(events: Sequence[Event]) -> dict[int, Event]:
    """The last event of each entity in a batch: the runner hands over only events newer
    than the previous one of their entity, so the last one is the state it ends in."""
    return {int(event.subject): event for event in events}


class Projector:
    """The batch handlers; each tells the invalidator whose cached stats it changed.

    A batch is applied in a constant number of statements: its final state per entity is
    written with one set-based statement per table, and the aggregates move by the sum
    of what the batch takes back (the rows held before it) and adds (the rows it leaves).
    That equals applying its events one by one, because each event replaces its entity's
    whole state and the aggregates are sums over the entities.
    """

    def __init__(self, invalidator: CacheInvalidator) -> None:
        self.invalidator = invalidator

    @property
    def handlers(self) -> dict[str, Handler]:
        return {
            TIME_ENTRY.pattern: self.apply_entries,
            USER.pattern: self.apply_users,
            PROJECT.pattern: self.apply_projects,
            CLIENT.pattern: self.apply_clients,
        }

    async def apply_entries(self, session: AsyncSession, events: Sequence[Event]) -> None:
        # Every event is validated (a bad one fails the batch, then goes to the DLQ alone).
        changes: dict[int, tuple[Event, dict[str, Any]]] = {}
        for event in events:
            entry_id = int(event.subject)
            state = event.state
            changes[entry_id] = (event, self._entry_values(entry_id, int(state["user_id"]), state))
        entry_ids = sorted(changes)
        owners = await repo.entry_owners(session, entry_ids)
        zones = await repo.lock_user_zones(
            session, {values["user_id"] for _, values in changes.values()} | set(owners.values())
        )
        deltas = Deltas()
        for held in await repo.lock_entries(session, entry_ids):
            previous = Contribution.of(held)
            if previous is not None:
                deltas.add(previous, -1)
            self.invalidator.user_changed(held["user_id"])
        deleted: list[int] = []
        rows: list[dict[str, Any]] = []
        for entry_id in entry_ids:
            event, values = changes[entry_id]
            self.invalidator.user_changed(values["user_id"])
            if event.verb == DELETED:
                deleted.append(entry_id)
                continue
            values["local_start"] = local_wall_time(
                values["start_time"], zones[values["user_id"]].zone
            )
            rows.append(values)
            current = Contribution.of(values)
            if current is not None:
                deltas.add(current, 1)
        await repo.delete_entries(session, deleted)
        await repo.upsert_entries(session, rows)
        await repo.apply_deltas(session, deltas)

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
            "notes": _text(state.get("notes"), 10_000),
            "tags": _text(state.get("tags"), 500),
        }

    async def apply_users(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        rows: list[dict[str, Any]] = []
        for user_id, event in changes.items():
            if event.verb != DELETED:
                rows.append(self._user_values(user_id, event.state))
        before = await repo.lock_users(session, changes)
        for user_id in changes:
            self.invalidator.user_changed(user_id)
        await repo.delete_users(
            session, sorted(uid for uid, e in changes.items() if e.verb == DELETED)
        )
        await repo.upsert_users(session, rows)
        moved: dict[int, UserZone] = {}
        for row in rows:
            zone = resolve_zone(row["timezone"])
            if zone.fell_back:
                log.warning("user %s: %s", row["id"], zone.warning)
            if zone.name != before[row["id"]].name:
                moved[row["id"]] = zone
        await repo.relocalize_entries(session, moved)

    @staticmethod
    def _user_values(user_id: int, state: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": _text(state.get("username"), 200),
            "timezone": _text(state.get("timezone"), 100),
            "default_hourly_rate": _money(state.get("default_hourly_rate")),
            "is_admin": bool(state.get("is_admin", False)),
            "is_active": bool(state.get("is_active", True)),
            "known": True,
        }

    async def apply_projects(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        self.invalidator.catalog_changed()
        await repo.delete_projects(
            session, sorted(pid for pid, e in changes.items() if e.verb == DELETED)
        )
        await repo.upsert_projects(
            session,
            [
                {
                    "id": project_id,
                    "name": _text(e.state.get("name"), 300) or f"Project {project_id}",
                    "client_id": _optional_id(e.state.get("client_id")),
                    "hourly_rate": _money(e.state.get("hourly_rate")),
                    "currency": _text(e.state.get("currency"), 3),
                    "status": _text(e.state.get("status"), 32),
                    "estimated_hours": _hours(e.state.get("estimated_hours")),
                    "budget_amount": _money(e.state.get("budget_amount")),
                }
                for project_id, e in sorted(changes.items())
                if e.verb != DELETED
            ],
        )

    async def apply_clients(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        self.invalidator.catalog_changed()
        await repo.delete_clients(
            session, sorted(cid for cid, e in changes.items() if e.verb == DELETED)
        )
        await repo.upsert_clients(
            session,
            [
                {
                    "id": client_id,
                    "name": _text(e.state.get("name"), 300) or f"Client {client_id}",
                    "default_hourly_rate": _money(e.state.get("default_hourly_rate")),
                    "currency": _text(e.state.get("currency"), 3),
                }
                for client_id, e in sorted(changes.items())
                if e.verb != DELETED
            ],
        )
