"""Every auth API process follows ``tt.auth.tokens`` and ``tt.auth.users`` from their end
(no consumer group: each replica sees every event) and drops what changed from its
verify cache. This is what keeps replicas right while Redis, and so the epoch, is down."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from tt.auth.publishers import API_TOKEN, USER
from tt.auth.verify.principals import Principals
from tt.common.backoff import Backoff
from tt.common.events import MalformedEvent, parse_event
from tt.common.kafka import IDLE_FETCH, client_options
from tt.common.topics import Catalogue

log = logging.getLogger("tt.auth.listener")


async def follow_auth_events(bootstrap: str, catalogue: Catalogue, principals: Principals) -> None:
    """Run until cancelled, reconnecting with backoff while Kafka is unreachable."""
    topics = [catalogue.for_entity(API_TOKEN).name, catalogue.for_entity(USER).name]
    retry = Backoff(0.5, 15.0)
    while True:
        consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            fetch_max_wait_ms=IDLE_FETCH.wait_ms,  # a few events a day, never a backlog
            **client_options(),
        )
        try:
            await consumer.start()
            # Whatever happened while we were away is unknown: start from a clean cache.
            principals.forget_all()
            retry.reset()
            async for record in consumer:
                if record.value is not None:
                    _apply(record.value, principals)
        except (KafkaError, OSError) as exc:
            log.warning("auth event listener lost Kafka, retrying in %.1fs: %s", retry.step, exc)
        finally:
            try:
                await consumer.stop()
            except (KafkaError, OSError) as exc:
                log.debug("consumer stop failed: %s", exc)
        await retry.wait()


def _apply(raw: bytes, principals: Principals) -> None:
    try:
        event = parse_event(raw)
    except MalformedEvent as exc:
        log.warning("ignoring a malformed auth event: %s", exc)
        return
    try:
        entity_id = int(event.subject)
    except ValueError:
        return
    if event.entity == API_TOKEN:
        principals.forget_token(entity_id)
    elif event.entity == USER:
        principals.forget_user(entity_id)
