"""A service's pool gives back what a burst left unused: PostgreSQL closes a pooled
connection idle for ``db_idle_session_timeout_seconds`` (its backend's memory with it),
and the pool replaces it unseen at the next checkout (tt.common.db.create_engine)."""

from __future__ import annotations

import asyncio

import asyncpg

from support.platform import PlatformInfo
from tt.common.db import create_engine, raw_connection
from tt.common.settings import PlatformSettings


async def test_an_idle_pooled_connection_is_closed_and_replaced(platform: PlatformInfo) -> None:
    dsn = platform.dsn("time")
    settings = PlatformSettings(
        TT_ENV="test",  # its alias: placeholder secrets are fine here
        database_url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        db_idle_session_timeout_seconds=1,
    )
    engine = create_engine(settings)
    observer = await asyncpg.connect(dsn)
    try:
        async with raw_connection(engine) as conn:
            first = await conn.fetchval("SELECT pg_backend_pid()")
        await asyncio.sleep(2.5)  # idle in the pool, past the timeout
        gone = await observer.fetchval(
            "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $1", first
        )
        assert gone, "PostgreSQL kept the idle pooled connection"

        async with raw_connection(engine) as conn:  # no error: a fresh connection
            second = await conn.fetchval("SELECT pg_backend_pid()")
            assert await conn.fetchval("SHOW idle_session_timeout") == "1s"
        assert second != first
    finally:
        await observer.close()
        await engine.dispose()
