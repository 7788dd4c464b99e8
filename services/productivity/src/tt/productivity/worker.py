"""The productivity worker process (``python -m tt.productivity.worker``): consumes the
time and auth topics into the read model and drops the caches of changed users.

``--reindex`` rebuilds the read model from the compacted topics, prints a summary and exits.
"""

from __future__ import annotations

import asyncio

from tt.common.resources import Resources
from tt.common.worker import worker_main
from tt.productivity.consumers import build_consumer
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.reindex import rebuild_read_model
from tt.productivity.settings import ProductivitySettings


async def project_events(resources: Resources) -> None:
    """Worker task: the consumer plus the retry loop of cache drops that Redis refused."""
    settings = ProductivitySettings()
    horizon = max(settings.stats_cache_seconds, settings.value_cache_seconds) + 60
    invalidator = CacheInvalidator(resources.redis, horizon_seconds=horizon)
    consumer = build_consumer(resources, settings, invalidator)
    async with asyncio.TaskGroup() as group:
        group.create_task(consumer.run(), name="consumer")
        group.create_task(invalidator.run(), name="cache-invalidation-retries")


def main() -> None:
    worker_main(ProductivitySettings(), [project_events], rebuild_read_model)


if __name__ == "__main__":
    main()
