"""The productivity API's composition root: what the process builds once at start-up,
stored on ``app.state.runtime`` and reached by routes through ``runtime``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.common.resources import Resources
from tt.productivity.cache import AnalyticsCache
from tt.productivity.settings import ProductivitySettings


@dataclass(frozen=True, slots=True)
class Runtime:
    """The settings, the read model's sessions and the analytics caches."""

    settings: ProductivitySettings
    sessions: async_sessionmaker[AsyncSession]
    cache: AnalyticsCache

    @classmethod
    def open(cls, settings: ProductivitySettings, resources: Resources) -> Runtime:
        return cls(settings, resources.sessions, AnalyticsCache(resources.redis))


async def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the process's runtime."""
    value: Runtime = request.app.state.runtime
    return value
