"""Consumers long-poll while idle and gather for a moment while busy (tt.common.kafka
set_fetch_mode, fetch_mode_after): idle, the broker holds each fetch up to 5 s, so an
idle consumer asks rarely, and a record that arrives meanwhile is still handed over at
once; busy, an empty fetch comes back after 40 ms; under a steady stream, after 150 ms."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from support.platform import PlatformInfo
from tt.common.kafka import (
    BUSY_FETCH,
    GATHER_FETCH,
    IDLE_FETCH,
    MAX_BATCH,
    create_consumer,
    fetch_mode_after,
    set_fetch_mode,
)


class CountedFetches:
    """Counts the fetch requests a consumer sends to the broker."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self.count = 0
        client = consumer._client
        send = client.send

        async def counting(node_id: int, request: Any, *args: Any, **kwargs: Any) -> Any:
            if type(request).__name__ == "FetchRequest":
                self.count += 1
            return await send(node_id, request, *args, **kwargs)

        client.send = counting

    async def during(self, consumer: AIOKafkaConsumer, seconds: float) -> int:
        """Fetches sent while the consumer waits ``seconds`` for records (none come)."""
        before = self.count
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            assert await consumer.getmany(timeout_ms=int(left * 1000) + 1) == {}
        return self.count - before


@pytest.fixture
async def topic(platform: PlatformInfo) -> AsyncIterator[str]:
    name = f"tt.test.fetch-wait-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=platform.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])
        yield name
        await admin.delete_topics([name])
    finally:
        await admin.close()


@pytest.fixture
async def consumer(platform: PlatformInfo, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = create_consumer(platform.kafka_bootstrap, f"tt-test-{uuid.uuid4().hex[:8]}", [topic])
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        while not consumer.assignment():
            assert time.monotonic() < deadline, "no partition assigned"
            await consumer.getmany(timeout_ms=200)
        yield consumer
    finally:
        await consumer.stop()


async def test_an_idle_consumer_fetches_rarely_and_still_gets_a_record_at_once(
    platform: PlatformInfo, topic: str, consumer: AIOKafkaConsumer
) -> None:
    fetches = CountedFetches(consumer)

    set_fetch_mode(consumer, BUSY_FETCH)
    busy = await fetches.during(consumer, 2.0)
    assert busy >= 10, busy  # the broker answers an empty fetch after 40 ms

    set_fetch_mode(consumer, GATHER_FETCH)
    await fetches.during(consumer, 0.2)  # the fetch in flight still has the short wait
    gathering = await fetches.during(consumer, 2.0)
    assert 5 <= gathering <= 15, gathering  # held 150 ms each
    assert gathering < busy, (gathering, busy)

    set_fetch_mode(consumer, IDLE_FETCH)
    await fetches.during(consumer, 1.0)  # the fetch in flight still has the shorter wait
    idle = await fetches.during(consumer, 4.0)
    assert idle <= 2, idle  # held up to 5 s each

    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"wake up")
        sent = time.monotonic()
    finally:
        await producer.stop()
    batch = await consumer.getmany(timeout_ms=5_000)
    waited = time.monotonic() - sent
    assert [r.value for records in batch.values() for r in records] == [b"wake up"]
    assert waited < 2.0, waited  # answered when the record came, not when the wait ran out


def test_the_fetch_wait_follows_the_load_a_batch_shows() -> None:
    assert fetch_mode_after(0) is IDLE_FETCH  # nothing came for a while
    assert fetch_mode_after(1) is BUSY_FETCH  # a trickle: each event applied within 40 ms
    assert fetch_mode_after(3) is BUSY_FETCH
    assert fetch_mode_after(4) is GATHER_FETCH  # 100/s and up: bigger batches
    assert fetch_mode_after(MAX_BATCH - 1) is GATHER_FETCH
    assert fetch_mode_after(MAX_BATCH) is BUSY_FETCH  # a backlog: no held fetch slows it
