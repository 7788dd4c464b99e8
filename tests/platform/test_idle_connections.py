"""A service's pool gives back what a burst left unused: PostgreSQL closes a pooled
connection idle for ``db_idle_session_timeout_seconds`` (its backend's memory with it),
and the pool replaces it unseen at the next checkout (tt.common.db.create_engine). The
outbox relay's connection, idle while it holds the relay lock and LISTENs, is exempt."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from support.platform import PlatformInfo
from support.widgets import wait_for
from tt.common.db import create_engine, raw_connection
from tt.common.outbox import RELAY_LOCK_ID, OutboxRelay
from tt.common.settings import PlatformSettings

IDLE_SECONDS = 1


def short_idle_engine(url: str) -> AsyncEngine:
    return create_engine(
        PlatformSettings(
            TT_ENV="test",  # its alias: placeholder secrets are fine here
            database_url=url,
            db_idle_session_timeout_seconds=IDLE_SECONDS,
        )
    )


async def test_an_idle_pooled_connection_is_closed_and_replaced(database: str) -> None:
    engine = short_idle_engine(database)
    observer = await asyncpg.connect(database.replace("+asyncpg", "", 1))
    try:
        async with raw_connection(engine) as conn:
            first = await conn.fetchval("SELECT pg_backend_pid()")
        await asyncio.sleep(IDLE_SECONDS + 1.5)  # idle in the pool, past the timeout
        alive = await observer.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first
        )
        assert alive == 0, "PostgreSQL kept the idle pooled connection"

        async with raw_connection(engine) as conn:  # no error: a fresh connection
            second = await conn.fetchval("SELECT pg_backend_pid()")
            assert await conn.fetchval("SHOW idle_session_timeout") == f"{IDLE_SECONDS}s"
        assert second != first
    finally:
        await observer.close()
        await engine.dispose()


async def test_the_relay_keeps_its_lock_connection_while_idle(
    platform: PlatformInfo, database: str
) -> None:
    engine = short_idle_engine(database)
    relay = OutboxRelay(engine, async_sessionmaker(engine), platform.kafka_bootstrap)
    running = asyncio.create_task(relay.run())
    observer = await asyncpg.connect(database.replace("+asyncpg", "", 1))

    async def lock_holder() -> int | None:
        pid: int | None = await observer.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            RELAY_LOCK_ID,
        )
        return pid

    try:
        holder = await wait_for(lock_holder, timeout=15, what="the relay's lock")
        await asyncio.sleep(IDLE_SECONDS + 1.5)  # the relay has nothing to send: idle
        assert await lock_holder() == holder  # the same connection, never closed
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await observer.close()
        await engine.dispose()
