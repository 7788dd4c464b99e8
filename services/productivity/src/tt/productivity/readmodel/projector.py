"""Applies consumed events to the read model (the ConsumerRunner's batch handlers).

The runner has already checked the events' versions in the same transaction, so each
handler sees every change of an entity once, in order. Entry batches lock the user rows
(shared) before the entries, and timezone changes lock them exclusively, so an entry's
local day and its user's day totals always agree with one timezone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import Handler
from tt.common.contracts import DELETED
from tt.common.contracts.auth import USER, UserState
from tt.common.contracts.time import CLIENT, PROJECT, TIME_ENTRY, TimeEntryState
from tt.common.events import Event
from tt.productivity.analytics.days import completed_seconds
from tt.productivity.analytics.timezones import UserZone, local_wall_time, resolve_zone
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel import repository as repo
from tt.productivity.readmodel.repository import Contribution, Deltas

log = logging.getLogger("tt.productivity.projector")


def _text(value: str | None, limit: int) -> str | None:
    return None if value is None else value[:limit]


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


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
        # Every event is read through its contract (a bad one fails the batch, then goes to
        # the DLQ alone).
        changes: dict[int, tuple[Event, dict[str, Any]]] = {}
        for event in events:
            entry_id = int(event.subject)
            changes[entry_id] = (event, self._entry_values(entry_id, TIME_ENTRY.read(event)))
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
    def _entry_values(entry_id: int, state: TimeEntryState) -> dict[str, Any]:
        return {
            "id": entry_id,
            "user_id": state.user_id,
            "project_id": state.project_id,
            "client_id": state.client_id,
            "task_id": state.task_id,
            "project_name": _text(state.project, 300),
            "task_name": _text(state.task, 300),
            "start_time": state.start_time,
            "end_time": state.end_time,
            "seconds": completed_seconds(
                state.start_time, state.end_time, state.duration_seconds, state.break_seconds
            ),
            "break_seconds": max(0, state.break_seconds),
            "paused_at": state.paused_at,
            "billable": state.billable,
            "notes": _text(state.notes, 10_000),
            "tags": _text(state.tags, 500),
        }

    async def apply_users(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        rows: list[dict[str, Any]] = []
        for user_id, event in changes.items():
            if event.verb != DELETED:
                rows.append(self._user_values(user_id, USER.read(event)))
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
    def _user_values(user_id: int, state: UserState) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": _text(state.username, 200),
            "timezone": _text(state.timezone, 100),
            "default_hourly_rate": state.default_hourly_rate,
            "is_admin": state.is_admin,
            "is_active": state.is_active,
            "known": True,
        }

    async def apply_projects(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        self.invalidator.catalog_changed()
        await repo.delete_projects(
            session, sorted(pid for pid, e in changes.items() if e.verb == DELETED)
        )
        projects = [
            (pid, PROJECT.read(e)) for pid, e in sorted(changes.items()) if e.verb != DELETED
        ]
        await repo.upsert_projects(
            session,
            [
                {
                    "id": project_id,
                    "name": _text(project.name, 300) or f"Project {project_id}",
                    "client_id": project.client_id,
                    "hourly_rate": project.hourly_rate,
                    "currency": _text(project.currency, 3),
                    "status": _text(project.status, 32),
                    "estimated_hours": _hours(project.estimated_hours),
                    "budget_amount": project.budget_amount,
                }
                for project_id, project in projects
            ],
        )

    async def apply_clients(self, session: AsyncSession, events: Sequence[Event]) -> None:
        changes = _final_changes(events)
        self.invalidator.catalog_changed()
        await repo.delete_clients(
            session, sorted(cid for cid, e in changes.items() if e.verb == DELETED)
        )
        clients = [(cid, CLIENT.read(e)) for cid, e in sorted(changes.items()) if e.verb != DELETED]
        await repo.upsert_clients(
            session,
            [
                {
                    "id": client_id,
                    "name": _text(client.name, 300) or f"Client {client_id}",
                    "default_hourly_rate": client.default_hourly_rate,
                    "currency": _text(client.currency, 3),
                }
                for client_id, client in clients
            ],
        )
