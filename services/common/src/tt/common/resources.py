"""The infrastructure handles one service process holds: engine, sessions, Redis, outbox.

Built once at start-up and shared by the API process and the worker process alike.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tt.common.db import create_engine, create_session_factory
from tt.common.outbox import Outbox
from tt.common.settings import PlatformSettings
from tt.common.telemetry import instrument_engine
from tt.common.topics import Catalogue, load_catalogue

log = logging.getLogger("tt.resources")


def redis_client(settings: PlatformSettings) -> aioredis.Redis:
    """The process's Redis client: ``TT_REDIS_URL`` with ``TT_REDIS_PASSWORD``, if set."""
    client: aioredis.Redis = aioredis.from_url(
        settings.redis_url,
        password=settings.redis_password or None,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=0,
    )
    return client


@dataclass
class Resources:
    """Engine, session factory, Redis client, topic catalogue and outbox of one service."""

    settings: PlatformSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    catalogue: Catalogue
    outbox: Outbox

    @classmethod
    def open(cls, settings: PlatformSettings, process: str | None = None) -> Resources:
        """``process``: what the database sessions call this process (``time-worker``);
        the service's name by default."""
        engine = create_engine(settings, application_name=process)
        instrument_engine(settings, engine)
        catalogue = load_catalogue(settings.topics_file)
        return cls(
            settings=settings,
            engine=engine,
            sessions=create_session_factory(engine),
            redis=redis_client(settings),
            catalogue=catalogue,
            outbox=Outbox(catalogue, source=f"/tt/{settings.service_name}"),
        )

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: ``ok`` or why not (used by ``/readyz``)."""
        checks = await asyncio.gather(
            self._check_database(), self._check_redis(), self._check_kafka(), return_exceptions=True
        )
        return {
            name: "ok" if result is True else f"unavailable: {result}"
            for name, result in zip(("database", "redis", "kafka"), checks, strict=True)
        }

    async def _check_database(self) -> bool:
        async with asyncio.timeout(2):
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        return True

    async def _check_redis(self) -> bool:
        async with asyncio.timeout(2):
            await self.redis.ping()
        return True

    async def _check_kafka(self) -> bool:
        # Reachability of a bootstrap broker; API processes never hold a Kafka client.
        errors = []
        for address in self.settings.kafka_bootstrap.split(","):
            host, _, port = address.strip().rpartition(":")
            try:
                async with asyncio.timeout(2):
                    _, writer = await asyncio.open_connection(host, int(port))
                writer.close()
                await writer.wait_closed()
                return True
            except (OSError, TimeoutError) as exc:
                errors.append(f"{address}: {exc or type(exc).__name__}")
        raise ConnectionError("; ".join(errors))
