"""A request waits a bounded time for a pooled database connection: past
``db_pool_timeout_seconds`` the wait ends in a dependency outage (answered 503 with
Retry-After, retried by consumers) instead of SQLAlchemy's 30 s, by which time the
client has long given up."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from tt.common.db import create_engine
from tt.common.outages import is_dependency_outage
from tt.common.settings import PlatformSettings


def settings(**values: object) -> PlatformSettings:
    return PlatformSettings(TT_ENV="test", **values)  # its alias: placeholder secrets are fine


async def test_a_full_pool_fails_fast_as_an_outage(database: str) -> None:
    assert settings().db_pool_timeout_seconds == 5.0  # the default
    engine = create_engine(
        settings(
            database_url=database, db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.5
        )
    )
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            started = time.monotonic()
            with pytest.raises(sa_exc.TimeoutError) as waited:
                async with engine.connect():
                    pass
            seconds = time.monotonic() - started
    finally:
        await engine.dispose()
    assert 0.4 < seconds < 3.0
    assert is_dependency_outage(waited.value)
