"""``last_used_at`` without a database write per request: verify notes the time in
memory, and one batched UPDATE per interval writes what changed."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.auth.tokens.models import ApiToken
from tt.common.db import unit_of_work

log = logging.getLogger("tt.auth.usage")


class UsageRecorder:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], interval: float) -> None:
        self._sessions = sessions
        self._interval = interval
        self._pending: dict[int, datetime] = {}

    def touch(self, token_id: int) -> None:
        self._pending[token_id] = datetime.now(UTC)

    async def run(self) -> None:
        """Flush every interval until cancelled."""
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()

    async def flush(self) -> int:
        """Write the pending times; on a database error keep them for the next round."""
        if not self._pending:
            return 0
        batch, self._pending = self._pending, {}
        table = ApiToken.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(table.c.id == bindparam("token_id"))
            .where(table.c.last_used_at.is_(None) | (table.c.last_used_at < bindparam("used")))
            # Usage is not a change of the token: updated_at and version stay as they are.
            .values(last_used_at=bindparam("used"), updated_at=table.c.updated_at)
        )
        rows = [{"token_id": token_id, "used": used} for token_id, used in batch.items()]
        try:
            async with unit_of_work(self._sessions) as session:
                connection = await session.connection()
                await connection.execute(statement, rows)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("could not record token usage, retrying later: %s", exc)
            for token_id, used in batch.items():
                if token_id not in self._pending:
                    self._pending[token_id] = used
            return 0
        return len(rows)
