"""The delivery queue keeps the planner's picture of it current: after recording many
deliveries at once (a backlog arriving), the intake refreshes the table's statistics, so
the dispatcher's claims are planned for a full queue, not for the empty one the last
ANALYZE saw."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from webhook_kit import Caller, Hooks
from webhook_receivers import entity_id, entry_event

from support.api import wait_until
from support.platform import PlatformInfo
from tt.webhooks.dispatch.intake import DeliveryIntake

STATS = "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'webhook_deliveries'"


def _dsn(platform: PlatformInfo, scheme: str) -> str:
    return scheme + "://" + platform.dsn("webhooks").split("://", 1)[1]


def _record(platform: PlatformInfo, count: int, analyze_after: int, owner: int) -> None:
    async def run() -> None:
        engine = create_async_engine(_dsn(platform, "postgresql+asyncpg"), pool_size=1)
        try:
            intake = DeliveryIntake(3600.0, analyze_after=analyze_after)
            async with async_sessionmaker(engine)() as session, session.begin():
                await intake(session, [entry_event(owner, entity_id(), 1) for _ in range(count)])
        finally:
            await engine.dispose()

    asyncio.run(run())


def _analyzed(platform: PlatformInfo) -> int:
    async def read() -> int:
        conn = await asyncpg.connect(_dsn(platform, "postgresql"))
        try:
            return int(await conn.fetchval(STATS))
        finally:
            await conn.close()

    return asyncio.run(read())


def test_a_large_batch_refreshes_the_queues_statistics(
    platform: PlatformInfo, caller: Caller, hooks: Hooks
) -> None:
    receiver = hooks.receiver()
    hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    before = _analyzed(platform)
    _record(platform, 5, analyze_after=1000, owner=caller.user_id)  # a small batch: no
    _record(platform, 5, analyze_after=5, owner=caller.user_id)  # as many as the threshold
    wait_until(lambda: _analyzed(platform) > before, timeout=10, what="ANALYZE counted")
    assert _analyzed(platform) == before + 1
    hooks.wait_for(receiver, 10)
