"""What every service's database session is set up with (tt.common.db.create_engine)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tt.common.db import create_engine
from tt.common.settings import PlatformSettings
from tt.devenv.scratch import PostgresServer

# A statement estimated far above PostgreSQL's jit_above_cost (100,000) that runs in
# microseconds, as a search's generic plan was after its statistics changed: a set
# function whose size the planner cannot see is guessed at 1,000 rows, so this is
# planned as 10^9 rows, for 8.
COSTLY_LOOKING = (
    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM generate_series(1, (SELECT 2)) a,"
    " generate_series(1, (SELECT 2)) b, generate_series(1, (SELECT 2)) c"
)


async def plan_of(engine: AsyncEngine) -> dict[str, Any]:
    try:
        async with engine.connect() as conn:
            available = (await conn.execute(text("SELECT pg_jit_available()"))).scalar_one()
            plan: dict[str, Any] = (await conn.execute(text(COSTLY_LOOKING))).scalar_one()[0]
    finally:
        await engine.dispose()
    return {"jit available": available, **plan}


async def test_a_service_session_never_compiles_a_statement(postgres: PostgresServer) -> None:
    settings = PlatformSettings(TT_ENV="test", database_url=postgres.url("postgres"))  # type: ignore[call-arg]
    service = await plan_of(create_engine(settings))
    assert "JIT" not in service, service["JIT"]
    # The same statement on a session with PostgreSQL's defaults is compiled, where the
    # server can: so the assertion above is about our session, not about the statement.
    plain = await plan_of(create_async_engine(postgres.url("postgres")))
    if plain["jit available"]:
        assert plain["JIT"]["Functions"] > 0


async def test_a_burst_reuses_its_connections(postgres: PostgresServer) -> None:
    """20 requests at once, twice: the second burst runs on the first one's backends. An
    overflow connection is closed when it is checked in, so a pool of 10 + 10 opened ten
    new backends for every burst past ten (measured in the fault drill: up to 21 new
    sessions a second on the time service's database)."""
    settings = PlatformSettings(TT_ENV="test", database_url=postgres.url("postgres"))  # type: ignore[call-arg]
    engine = create_engine(settings)

    async def burst() -> set[int]:
        async def one() -> int:
            async with engine.connect() as conn:
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                await asyncio.sleep(0.2)  # all 20 are checked out at once
                return int(pid)

        return set(await asyncio.gather(*(one() for _ in range(20))))

    try:
        first, second = await burst(), await burst()
    finally:
        await engine.dispose()
    assert len(first) == 20
    assert second == first, f"{len(second - first)} new backends in the second burst"
