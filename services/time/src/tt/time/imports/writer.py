"""Writing checked rows: ids reserved in one statement, one ``tt.time_entry.created``
event per entry queued with one COPY into the outbox, then the entries themselves with one
COPY into ``time_entries`` (whose statement-level trigger updates the counts and totals
once for the whole import). Events go first: until the entries are written the import
holds no lock that other writers wait on, and then it commits at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import time as contracts
from tt.common.db import driver
from tt.common.events import Event
from tt.common.identity import Identity
from tt.time.entries.rules import Booking
from tt.time.entries.views import entry_view
from tt.time.imports.staging import Staging
from tt.time.publishers import Publisher
from tt.time.users import repository as users

ENTRY_COLUMNS = (
    "id", "user_id", "project_id", "client_id", "task_id", "start_time", "end_time",
    "duration_seconds", "break_seconds", "paused_at", "notes", "tags", "billable", "paid",
    "invoice_number", "source", "approval_status", "version", "created_at", "updated_at",
)  # fmt: skip

_RESERVE_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('time_entries', 'id')) FROM generate_series(1, :n)"
)


class EntryWriter:
    """Writes one import's staged rows for one user, in the caller's transaction."""

    def __init__(
        self,
        staging: Staging,
        bookings: dict[tuple[int, int | None], Booking],
        identity: Identity,
        now: datetime,
    ) -> None:
        self.staging = staging
        self.bookings = bookings
        self.identity = identity
        self.now = now

    async def _entries(self, ids: list[int]) -> AsyncIterator[dict[str, Any]]:
        """Every staged row as an entry (the mapping entry views read), with its id."""
        position = 0
        for batch in self.staging.batches():
            for start, end, worked, notes, tags, billable, key in batch:
                booking = self.bookings[key]
                yield {
                    "id": ids[position],
                    "user_id": self.identity.user_id,
                    "project_id": booking.project_id,
                    "client_id": booking.client_id,
                    "task_id": booking.task_id,
                    "start_time": start,
                    "end_time": end,
                    "duration_seconds": worked,
                    "break_seconds": 0,
                    "paused_at": None,
                    "notes": notes,
                    "tags": tags,
                    "billable": billable,
                    "paid": False,
                    "invoice_number": None,
                    "source": "manual",
                    "approval_status": None,
                    "version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
                position += 1
            await asyncio.sleep(0)  # CPU-bound between batches: let other requests run

    async def _events(self, events: Publisher, ids: list[int]) -> AsyncIterator[Event]:
        async for entry in self._entries(ids):
            booking = self.bookings[(entry["project_id"], entry["task_id"])]
            view = entry_view(
                entry,
                project=booking.project,
                client=booking.client,
                task=booking.task,
                user=self.identity.username,
                now=self.now,
            )
            yield events.event(contracts.TIME_ENTRY_CREATED, version=1, view=view)

    async def _rows(self, ids: list[int]) -> AsyncIterator[tuple[Any, ...]]:
        """The COPY records, in ``ENTRY_COLUMNS`` order (built straight from the staged
        rows: this loop runs once per imported entry)."""
        position = 0
        user_id, now = self.identity.user_id, self.now
        for batch in self.staging.batches():
            for start, end, worked, notes, tags, billable, key in batch:
                booking = self.bookings[key]
                yield (
                    ids[position], user_id, booking.project_id, booking.client_id,
                    booking.task_id, start, end, worked, 0, None, notes, tags, billable,
                    False, None, "manual", None, 1, now, now,
                )  # fmt: skip
                position += 1
            await asyncio.sleep(0)

    async def write(self, session: AsyncSession, events: Publisher) -> int:
        count = self.staging.count
        if count == 0:
            return 0
        await users.remember(session, self.identity)
        # Through the session: this statement begins the transaction the COPYs join.
        ids = list((await session.execute(_RESERVE_IDS, {"n": count})).scalars())
        await events.emit_many(session, self._events(events, ids))
        await (await driver(session)).copy_records_to_table(
            "time_entries", records=self._rows(ids), columns=list(ENTRY_COLUMNS)
        )
        return count
