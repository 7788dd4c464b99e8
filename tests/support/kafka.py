"""Reading events back from Kafka, and sending synthetic ones, in tests.

Each helper has an async form (for ``async def`` tests) and a sync wrapper.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from tt.common.events import Event, MalformedEvent, parse_event
from tt.common.topics import load_catalogue


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    # topics() fetches fresh cluster metadata (the consumer's own may not know the topic).
    cluster = await consumer._client.fetch_all_metadata()
    return [TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or [])]


async def get_end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The current end of every partition of ``topic`` (to read only what comes after)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(await _partitions(consumer, topic))
        return {tp.partition: off for tp, off in ends.items()}
    finally:
        await consumer.stop()


async def fetch_events(
    bootstrap: str,
    topic: str,
    *,
    since: dict[int, int] | None = None,
    until: Callable[[list[Event]], bool] | None = None,
    timeout: float = 15.0,
    raw: bool = False,
) -> list[Any]:
    """Events on ``topic`` after ``since`` offsets, until ``until(events)`` holds, or (without
    ``until``) up to the partitions' current end. Tombstones are skipped unless ``raw``; with
    ``raw`` the records come back as ``(key, value, headers)`` tuples."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        parts = await _partitions(consumer, topic)
        consumer.assign(parts)
        for tp in parts:
            if since is not None and tp.partition in since:
                consumer.seek(tp, since[tp.partition])
            else:
                await consumer.seek_to_beginning(tp)
        ends = await consumer.end_offsets(parts) if until is None else {}
        out: list[Any] = []
        events: list[Event] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for rec in records:
                    if raw:
                        out.append((rec.key, rec.value, rec.headers))
                    if rec.value is not None:
                        with suppress(MalformedEvent):  # poison records, in DLQ tests
                            events.append(parse_event(rec.value))
            if until is not None and until(events):
                break
            if until is None and all(
                [await consumer.position(tp) >= end for tp, end in ends.items()]
            ):
                break
        return out if raw else events
    finally:
        await consumer.stop()


async def send_events(bootstrap: str, events: list[Event], *, topic: str | None = None) -> None:
    """Send events straight to Kafka as a publisher's relay would (key = subject).

    For consumer tests that need events no HTTP route produces (replays, old versions);
    the topic defaults to the one that carries the event's entity.
    """
    catalogue = load_catalogue("deploy/kafka/topics.yaml")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for event in events:
            name = topic or catalogue.for_entity(event.entity).name
            headers = [("traceparent", event.traceparent.encode())] if event.traceparent else []
            await producer.send_and_wait(
                name, event.to_json(), key=event.subject.encode(), headers=headers
            )
    finally:
        await producer.stop()


async def send_raw(bootstrap: str, topic: str, key: bytes, value: bytes | None) -> None:
    """Send one raw record (a poison event, a tombstone)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    return asyncio.run(get_end_offsets(bootstrap, topic))


def read_events(bootstrap: str, topic: str, **kwargs: Any) -> list[Any]:
    return asyncio.run(fetch_events(bootstrap, topic, **kwargs))


def publish(bootstrap: str, events: list[Event], *, topic: str | None = None) -> None:
    asyncio.run(send_events(bootstrap, events, topic=topic))


def publish_raw(bootstrap: str, topic: str, key: bytes, value: bytes | None) -> None:
    asyncio.run(send_raw(bootstrap, topic, key, value))
