"""Raw reads on the session's own connection, for the hot paths.

SQLAlchemy's per-row result processing costs about ten times the query itself on the
service's busiest reads; those run on the asyncpg connection under the session instead
(inside its transaction if one has begun, else as single autocommit statements, which
is all a read needs). Writes always go through the session, so they share one
transaction with their outbox rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

# Errors after which a connection cannot be trusted any more: it leaves the pool.
_BROKEN = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


async def driver(session: AsyncSession) -> Any:
    """The asyncpg connection under ``session``."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


@asynccontextmanager
async def connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled asyncpg connection without a session or a transaction: each statement on it
    commits on its own. For the hot routes, whose answer is one statement (a read, or a
    write whose CTE also queues its outbox row): no ORM unit of work, no BEGIN/COMMIT."""
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        try:
            yield raw.driver_connection
        except _BROKEN:
            await conn.invalidate()
            raise


class Conditions:
    """A WHERE clause for those raw reads: conditions joined by AND, their values bound as
    ``$1``, ``$2``, ... in the order they are added."""

    def __init__(self, *fixed: str) -> None:
        self._clauses = list(fixed)
        self._values: list[Any] = []

    def add(self, condition: str, value: Any) -> None:
        """``condition`` with ``?`` where ``value`` goes."""
        self._values.append(value)
        self._clauses.append(condition.replace("?", f"${len(self._values)}"))

    def add_fixed(self, condition: str) -> None:
        self._clauses.append(condition)

    def where(self) -> tuple[str, list[Any]]:
        """`` WHERE ...`` (empty without conditions) and the values to bind."""
        sql = " WHERE " + " AND ".join(self._clauses) if self._clauses else ""
        return sql, self._values
