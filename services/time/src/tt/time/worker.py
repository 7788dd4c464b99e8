"""The time worker process (``python -m tt.time.worker``): the outbox relay, the consumer
of ``tt.auth.users`` (usernames and timezones), and the sweep of expired idempotency
records."""

from __future__ import annotations

from tt.common.consumer import ConsumerRunner
from tt.common.idempotency import sweep_idempotency_records
from tt.common.resources import Resources
from tt.common.worker import relay_outbox, run_worker
from tt.time.settings import TimeSettings
from tt.time.users.handlers import HANDLERS

CONSUMER_GROUP = "tt-time"


async def consume_users(resources: Resources) -> None:
    """Worker task: keep the users projection in step with auth."""
    await ConsumerRunner.from_resources(
        resources, group_id=CONSUMER_GROUP, entities=["user"], handlers=HANDLERS
    ).run()


def main() -> None:
    run_worker(TimeSettings(), [relay_outbox, consume_users, sweep_idempotency_records])


if __name__ == "__main__":
    main()
