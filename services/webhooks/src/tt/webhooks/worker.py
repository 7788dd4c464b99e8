"""The webhooks worker process (``python -m tt.webhooks.worker``): a consumer of every
topic that records deliveries, the dispatcher that sends them, and the sweep of expired
idempotency records."""

from __future__ import annotations

import asyncio

from tt.common.consumer import ConsumerRunner
from tt.common.idempotency import sweep_idempotency_records
from tt.common.resources import Resources
from tt.common.worker import run_worker
from tt.webhooks.dispatch.dispatcher import Dispatcher
from tt.webhooks.dispatch.intake import DeliveryIntake
from tt.webhooks.runtime import Runtime
from tt.webhooks.settings import WebhooksSettings

CONSUMER_GROUP = "webhooks"


async def deliver_webhooks(resources: Resources) -> None:
    """Worker task: consume every topic into deliveries, and dispatch them."""
    settings = resources.settings
    assert isinstance(settings, WebhooksSettings)
    dispatcher = Dispatcher(Runtime.from_settings(settings), resources.engine, resources.sessions)

    async def wake_dispatcher() -> None:
        dispatcher.wake()

    consumer = ConsumerRunner.from_resources(
        resources,
        group_id=CONSUMER_GROUP,
        entities=[topic.entity for topic in resources.catalogue.topics],
        handlers={"*": DeliveryIntake(settings.retry_window_seconds)},
        on_batch_committed=wake_dispatcher,
    )
    async with asyncio.TaskGroup() as group:
        group.create_task(consumer.run(), name="webhooks-consumer")
        group.create_task(dispatcher.run(), name="webhooks-dispatcher")


def main() -> None:
    run_worker(WebhooksSettings(), [deliver_webhooks, sweep_idempotency_records])


if __name__ == "__main__":
    main()
