"""Import jobs: the row a client polls while its import runs.

Progress is written in short transactions of its own (so other requests see it while the
import's transaction is still open); the final ``completed`` is written inside the
import's transaction, so a job says completed exactly when its entries are committed.
A job whose process died mid-way (no progress for ``views.STALE_AFTER``) reads as failed:
its transaction never committed, so nothing of it was imported.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.common.db import unit_of_work
from tt.common.pagination import PageParams
from tt.time.imports.models import EntryImport
from tt.time.imports.views import job_view

PROGRESS_EVERY_SECONDS = 0.5


async def create(
    sessions: async_sessionmaker[AsyncSession], user_id: int, form: str, declared: int | None
) -> int:
    now = datetime.now(UTC)
    async with unit_of_work(sessions) as session:
        job = EntryImport(
            user_id=user_id,
            status="receiving",
            form=form,
            bytes_total=declared,
            bytes_read=0,
            rows_read=0,
            rows_invalid=0,
            rows_imported=0,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        return job.id


async def _set(session: AsyncSession, job_id: int, values: dict[str, Any]) -> EntryImport | None:
    values = {**values, "updated_at": datetime.now(UTC)}
    statement = update(EntryImport).where(EntryImport.id == job_id).values(**values)
    result = await session.execute(statement.returning(EntryImport))
    return result.scalar_one_or_none()


class Tracker:
    """Writes one job's progress, at most every ``PROGRESS_EVERY_SECONDS``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], job_id: int) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self._last = 0.0

    async def set(self, *, force: bool = True, **values: Any) -> None:
        moment = time.monotonic()
        if not force and moment - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = moment
        async with unit_of_work(self.sessions) as session:
            await _set(session, self.job_id, values)

    async def received(self, size: int) -> None:
        await self.set(force=False, bytes_read=size)

    async def fail(self, message: str, errors: dict[str, Any] | None = None, **counts: Any) -> Any:
        async with unit_of_work(self.sessions) as session:
            job = await _set(
                session,
                self.job_id,
                {
                    "status": "failed",
                    "message": message,
                    "errors": errors,
                    "finished_at": datetime.now(UTC),
                    **counts,
                },
            )
        return job_view(job) if job is not None else None

    async def discard(self) -> None:
        """Forget the job (a replayed Idempotency-Key: the first import's job stands)."""
        async with unit_of_work(self.sessions) as session:
            await session.execute(delete(EntryImport).where(EntryImport.id == self.job_id))


async def finish(session: AsyncSession, job_id: int, imported: int, **counts: Any) -> Any:
    """Mark the job completed in the import's own transaction."""
    job = await _set(
        session,
        job_id,
        {
            "status": "completed",
            "rows_imported": imported,
            "message": f"Imported {imported} time entries",
            "finished_at": datetime.now(UTC),
            **counts,
        },
    )
    assert job is not None
    return job_view(job)


async def get(session: AsyncSession, job_id: int) -> EntryImport | None:
    return await session.get(EntryImport, job_id)


async def page(
    session: AsyncSession, params: PageParams, *, user_id: int | None, status: str | None
) -> tuple[Sequence[EntryImport], int]:
    conditions = []
    if user_id is not None:
        conditions.append(EntryImport.user_id == user_id)
    if status is not None:
        conditions.append(EntryImport.status == status)
    rows = (
        await session.execute(
            select(EntryImport)
            .where(*conditions)
            .order_by(EntryImport.id.desc())
            .limit(params.per_page)
            .offset(params.offset)
        )
    ).scalars()
    total = await session.execute(select(func.count()).select_from(EntryImport).where(*conditions))
    return list(rows), int(total.scalar_one())
