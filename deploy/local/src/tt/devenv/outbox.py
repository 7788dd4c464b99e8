"""``./dev outbox``: the parked outbox rows of the platform's services, and re-queueing one
(the relay parks a row Kafka refused ``TT_OUTBOX_MAX_ATTEMPTS`` times; see tt.common.outbox)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import create_async_engine

from tt.common.db import create_session_factory
from tt.common.outbox import list_parked, requeue_parked
from tt.devenv.procs import DevError


def _async_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def show_parked(dsns: dict[str, str], echo: Callable[[str], None]) -> int:
    """Print every parked row of these services' databases; returns how many."""
    total = 0
    for service, dsn in dsns.items():
        engine = create_async_engine(_async_url(dsn), pool_size=1)
        try:
            async with create_session_factory(engine)() as session:
                rows = await list_parked(session)
        finally:
            await engine.dispose()
        echo(f"{service}: {len(rows)} parked")
        for row in rows:
            echo(
                f"  {row.id:>8}  {row.event_type:<28} key {row.key:<12} "
                f"{len(row.payload):>9} bytes  {row.attempts} attempts  "
                f"parked {row.parked_at:%Y-%m-%d %H:%M:%S}"
            )
            echo(f"            last error: {row.last_error}")
        total += len(rows)
    return total


async def retry_parked(service: str, dsn: str, parked_id: int) -> int:
    """Re-queue one parked row of ``service``; its new outbox id."""
    engine = create_async_engine(_async_url(dsn), pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            new_id = await requeue_parked(session, parked_id)
            await session.commit()
    finally:
        await engine.dispose()
    if new_id is None:
        raise DevError(f"{service} has no parked outbox row {parked_id}")
    return new_id
