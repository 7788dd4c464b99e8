"""A database connection inside a transaction that is rolled back at the end, and the
sessions the code under test uses on it: the fast tier's isolation between tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker


@asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that nothing commits: the sessions bound to it (by
    ``sessions_on``) commit savepoints only, and the transaction is rolled back at exit."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        # asyncpg's BEGIN goes out with the first statement SQLAlchemy sends: send one now,
        # so statements on the raw driver connection (tt.common.db.driver) are inside too.
        await connection.execute(text("SELECT 1"))
        try:
            yield connection
        finally:
            await transaction.rollback()


def sessions_on(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions as the services make them (``tt.common.db.create_session_factory``), on
    ``connection``: their commits and rollbacks are savepoints' inside its transaction."""
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
