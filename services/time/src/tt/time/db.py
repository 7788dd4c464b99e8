"""Raw reads on the session's own connection, for the hot paths.

SQLAlchemy's per-row result processing costs about ten times the query itself on the
service's busiest reads; those run on the asyncpg connection under the session instead
(inside its transaction if one has begun, else as single autocommit statements, which
is all a read needs). Writes always go through the session, so they share one
transaction with their outbox rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def driver(session: AsyncSession) -> Any:
    """The asyncpg connection under ``session``."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection
